import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { terminationCallbackFactory } from "../runtime/terminationHandler";
import { reservedConcurrencyOf } from "../stack/concurrency";
import { TERMINATION_FUNCTION } from "../stack/termination";
import { ManagedFunction } from "./managedFunction";
import { clusterScopedArn } from "./iam";

export interface TerminationPolicyArgs {
    /** The cluster whose container instances the Lambda inspects. */
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    /** Families of DAEMON services: one task each runs on every instance and does not count as work to move. */
    readonly daemonTaskFamilies: readonly string[];
    /**
     * The group's service-linked role, the principal Auto Scaling invokes the function as (it
     * must exist: otherwise the permission fails with "The provided principal was invalid").
     */
    readonly autoScalingRoleArn: pulumi.Input<string>;
    /** Reserve the function's concurrency (the stack's reserveLambdaConcurrency opt-in). */
    readonly reserveConcurrency: boolean;
    /** Where the function's alarms notify a person. */
    readonly alertsTopicArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Tags beyond its provider's default tags (index.ts gives the provider the stack's tags). */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The custom termination policy: Auto Scaling asks the Lambda which instances to remove, and it
 * picks, per AZ, the ones cheapest to drain (not registered or already DRAINING, then fewest
 * tasks to move, then oldest). The group must list `policyArn` first in `terminationPolicies`
 * (unqualified: a `$LATEST` qualifier is rejected), use `autoScalingRoleArn` as its service-linked
 * role, and depend on `permission`.
 */
export class TerminationPolicy extends pulumi.ComponentResource {
    /** The function's unqualified ARN, as the group's first termination policy. */
    readonly policyArn: pulumi.Output<string>;
    readonly functionName: pulumi.Output<string>;
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
                    budgetMs: TERMINATION_FUNCTION.budgetMs,
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
                timeoutSeconds: TERMINATION_FUNCTION.timeoutSeconds,
                memoryMb: TERMINATION_FUNCTION.memoryMb,
                reservedConcurrency: reservedConcurrencyOf("termination", args.reserveConcurrency),
                environment: { CLUSTER_NAME: args.clusterName },
                logRetentionDays: args.logRetentionDays,
                // Invoked synchronously by Auto Scaling, which retries on its own.
                asyncFailureQueue: false,
                alertsTopicArn: args.alertsTopicArn,
                tags: args.tags,
            },
            parent,
        );
        this.policyArn = fn.arn;
        this.functionName = fn.functionName;

        this.permission = new aws.lambda.Permission(
            `${name}-invoke-by-autoscaling`,
            {
                action: "lambda:InvokeFunction",
                function: fn.functionName,
                principal: args.autoScalingRoleArn,
                statementId: "AllowInvokeByAutoScaling",
            },
            parent,
        );

        this.registerOutputs({ policyArn: this.policyArn });
    }
}
