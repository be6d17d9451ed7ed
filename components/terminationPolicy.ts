import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createTerminationHandler } from "../runtime/terminationHandler";
import { ManagedFunction } from "./managedFunction";
import { clusterScopedArn } from "./iam";

export interface TerminationPolicyArgs {
    /** The cluster whose container instances the Lambda inspects. */
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    /** Families of DAEMON services: one task each runs on every instance and does not count as work to move. */
    readonly daemonTaskFamilies: readonly string[];
    readonly logRetentionDays: number;
    readonly tags: Readonly<Record<string, string>>;
}

/** Auto Scaling's hard limit on a termination policy Lambda; the handler answers well inside it. */
const AUTO_SCALING_LIMIT_MS = 2000;

/**
 * The custom termination policy: Auto Scaling asks the Lambda which instances to remove, and it
 * picks, per AZ, the ones cheapest to drain (not registered or already DRAINING, then fewest
 * tasks to move, then oldest). The group must list `policyArn` first in `terminationPolicies`
 * (unqualified: a `$LATEST` qualifier is rejected) and depend on `permission`.
 */
export class TerminationPolicy extends pulumi.ComponentResource {
    /** The function's unqualified ARN, as the group's first termination policy. */
    readonly policyArn: pulumi.Output<string>;
    /** Auto Scaling's right to invoke the function: the group must be created after it. */
    readonly permission: aws.lambda.Permission;

    constructor(name: string, args: TerminationPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:termination:TerminationPolicy", name, {}, opts);
        const parent = { parent: this };

        const fn = new ManagedFunction(
            `${name}-fn`,
            {
                description: "Custom termination policy: picks the instances cheapest to drain",
                callbackFactory: terminationCallbackFactory({
                    daemonTaskFamilies: [...args.daemonTaskFamilies],
                    budgetMs: AUTO_SCALING_LIMIT_MS - 500,
                }),
                statements: pulumi.output(args.clusterArn).apply((cluster) => [
                    {
                        Sid: "FindCandidatesInThisCluster",
                        Effect: "Allow" as const,
                        Action: "ecs:ListContainerInstances",
                        Resource: cluster,
                    },
                    {
                        Sid: "DescribeCandidates",
                        Effect: "Allow" as const,
                        Action: "ecs:DescribeContainerInstances",
                        Resource: clusterScopedArn(cluster, "container-instance"),
                        Condition: { ArnEquals: { "ecs:cluster": cluster } },
                    },
                ]),
                timeoutSeconds: 3,
                // More memory is more CPU: the answer must come back well within 2 s.
                memoryMb: 512,
                reservedConcurrency: 5,
                environment: { CLUSTER_NAME: args.clusterName },
                logRetentionDays: args.logRetentionDays,
                // Invoked synchronously by Auto Scaling, which retries on its own.
                asyncFailureQueue: false,
                tags: args.tags,
            },
            parent,
        );
        this.policyArn = fn.arn;

        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
        this.permission = new aws.lambda.Permission(
            `${name}-invoke-by-autoscaling`,
            {
                action: "lambda:InvokeFunction",
                function: fn.functionName,
                principal: pulumi.interpolate`arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
                statementId: "AllowInvokeByAutoScaling",
            },
            parent,
        );

        this.registerOutputs({ policyArn: this.policyArn });
    }
}

/** The termination Lambda's body; the cluster name comes from the environment, the rest by value. */
export function terminationCallbackFactory(config: {
    daemonTaskFamilies: string[];
    budgetMs: number;
}): () => (payload: unknown) => Promise<unknown> {
    return () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { ECSClient } = require("@aws-sdk/client-ecs");
        return createTerminationHandler(
            { ecs: new ECSClient({}), log: (line: string) => console.log(line), now: () => Date.now() },
            {
                clusterName: process.env.CLUSTER_NAME ?? "",
                daemonTaskFamilies: config.daemonTaskFamilies,
                budgetMs: config.budgetMs,
            },
        );
    };
}
