import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createCapacityHandler } from "../runtime/capacityHandler";
import { ManagedFunction } from "./managedFunction";
import type { CapacitySettings } from "./settings";

/** Where the capacity Lambda's EMF metrics land. */
export const CAPACITY_NAMESPACE = "EcsLifecycle/Capacity";

export interface CapacityScalerArgs {
    /** Validated capacity settings of the stack. */
    readonly settings: CapacitySettings;
    /** The account's awsvpcTrunking setting: it multiplies the awsvpc tasks an instance can hold. */
    readonly trunking: boolean;
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    /** The group the scaling policies change. */
    readonly autoScalingGroupName: pulumi.Input<string>;
    readonly logRetentionDays: number;
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * Scales the group on what the cluster can still place. A Lambda, run on every container instance
 * state change of this cluster and on a schedule (no event fires when a task cannot be placed),
 * publishes ContainerCapacity (worst-case tasks that still fit) and IdleHostCapacity (instances
 * that could go with room to spare). One alarm adds instances when capacity runs short, the other
 * removes one at a time, with a cooldown, after the cluster has been idle for several minutes.
 * Removals go through the termination policy and the drain hook, so no running task is killed.
 */
export class CapacityScaler extends pulumi.ComponentResource {
    readonly functionArn: pulumi.Output<string>;
    readonly scaleOutPolicyArn: pulumi.Output<string>;
    readonly scaleInPolicyArn: pulumi.Output<string>;

    constructor(name: string, args: CapacityScalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:capacity:CapacityScaler", name, {}, opts);
        const s = args.settings;
        const parent = { parent: this };
        const tags = { ...args.tags, Name: name };

        const fn = new ManagedFunction(
            `${name}-fn`,
            {
                description: "Publishes ContainerCapacity and IdleHostCapacity for the ECS cluster",
                callbackFactory: capacityCallbackFactory({
                    trunking: args.trunking,
                    minimumSpareTasks: s.minimumSpareTasks,
                }),
                statements: capacityStatements(args.clusterArn),
                timeoutSeconds: 60,
                memoryMb: 256,
                // One evaluation at a time: a burst of instance events must not stampede the ECS API.
                reservedConcurrency: 1,
                environment: { CLUSTER_NAME: args.clusterName },
                logRetentionDays: args.logRetentionDays,
                asyncFailureQueue: true,
                tags: args.tags,
            },
            parent,
        );
        this.functionArn = fn.arn;

        const triggers: [string, aws.cloudwatch.EventRuleArgs][] = [
            [
                "instance-events",
                {
                    description: "Container instance state changes of this cluster",
                    eventPattern: pulumi.output(args.clusterArn).apply((clusterArn) =>
                        JSON.stringify({
                            source: ["aws.ecs"],
                            "detail-type": ["ECS Container Instance State Change"],
                            detail: { clusterArn: [clusterArn] },
                        }),
                    ),
                },
            ],
            [
                "schedule",
                {
                    description: "Periodic evaluation: unplaceable tasks and an empty cluster send no event",
                    scheduleExpression: `rate(${s.scheduleMinutes} minute${s.scheduleMinutes === 1 ? "" : "s"})`,
                },
            ],
        ];
        for (const [id, ruleArgs] of triggers) {
            const rule = new aws.cloudwatch.EventRule(`${name}-${id}`, { ...ruleArgs, tags }, parent);
            const permission = new aws.lambda.Permission(
                `${name}-${id}`,
                {
                    action: "lambda:InvokeFunction",
                    function: fn.functionName,
                    principal: "events.amazonaws.com",
                    sourceArn: rule.arn,
                },
                parent,
            );
            new aws.cloudwatch.EventTarget(
                `${name}-${id}`,
                {
                    rule: rule.name,
                    arn: fn.arn,
                    retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 300 },
                },
                { parent: this, dependsOn: [permission] },
            );
        }

        const scaleOut = new aws.autoscaling.Policy(
            `${name}-scale-out`,
            {
                autoscalingGroupName: args.autoScalingGroupName,
                policyType: "StepScaling",
                adjustmentType: "ChangeInCapacity",
                metricAggregationType: "Minimum",
                // New instances count only once they can take tasks; until then no further step fires.
                estimatedInstanceWarmup: s.scaleOutWarmupSeconds,
                // Bounds are relative to the threshold (minimumSpareTasks): further short, more instances.
                stepAdjustments: [
                    { metricIntervalLowerBound: "-3", metricIntervalUpperBound: "0", scalingAdjustment: 1 },
                    { metricIntervalUpperBound: "-3", scalingAdjustment: 2 },
                ],
            },
            parent,
        );
        const scaleIn = new aws.autoscaling.Policy(
            `${name}-scale-in`,
            {
                autoscalingGroupName: args.autoScalingGroupName,
                policyType: "SimpleScaling",
                adjustmentType: "ChangeInCapacity",
                scalingAdjustment: -1,
                cooldown: s.scaleInCooldownSeconds,
            },
            parent,
        );
        this.scaleOutPolicyArn = scaleOut.arn;
        this.scaleInPolicyArn = scaleIn.arn;

        const dimensions = { ClusterName: args.clusterName };
        new aws.cloudwatch.MetricAlarm(
            `${name}-capacity-low`,
            {
                alarmDescription: `Fewer than ${s.minimumSpareTasks} worst-case task(s) still fit: add instances`,
                namespace: CAPACITY_NAMESPACE,
                metricName: "ContainerCapacity",
                dimensions,
                statistic: "Minimum",
                period: 60,
                evaluationPeriods: 1,
                threshold: s.minimumSpareTasks,
                comparisonOperator: "LessThanThreshold",
                // No data means the Lambda is not reporting (its own alarm says so): never scale blind.
                treatMissingData: "notBreaching",
                alarmActions: [scaleOut.arn],
                tags,
            },
            parent,
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-idle-hosts`,
            {
                alarmDescription: `More than ${s.idleHostThreshold} instance(s) could go for ${s.scaleInEvaluationMinutes} minutes: remove one`,
                namespace: CAPACITY_NAMESPACE,
                metricName: "IdleHostCapacity",
                dimensions,
                // The lowest value of each minute: one busy moment keeps the instance.
                statistic: "Minimum",
                period: 60,
                evaluationPeriods: s.scaleInEvaluationMinutes,
                datapointsToAlarm: s.scaleInEvaluationMinutes,
                threshold: s.idleHostThreshold,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [scaleIn.arn],
                tags,
            },
            parent,
        );

        this.registerOutputs({
            functionArn: this.functionArn,
            scaleOutPolicyArn: this.scaleOutPolicyArn,
            scaleInPolicyArn: this.scaleInPolicyArn,
        });
    }
}

/** The capacity Lambda's body; the cluster name comes from the environment, the rest by value. */
export function capacityCallbackFactory(config: {
    trunking: boolean;
    minimumSpareTasks: number;
}): () => (event: unknown) => Promise<unknown> {
    return () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { ECSClient } = require("@aws-sdk/client-ecs");
        return createCapacityHandler(
            { ecs: new ECSClient({}), log: (line: string) => console.log(line), now: () => Date.now() },
            {
                clusterName: process.env.CLUSTER_NAME ?? "",
                namespace: CAPACITY_NAMESPACE,
                trunking: config.trunking,
                minimumSpareTasks: config.minimumSpareTasks,
            },
        );
    };
}

/** Read-only ECS access to this cluster's instances, services and their task definitions. */
function capacityStatements(clusterArn: pulumi.Input<string>) {
    return pulumi.output(clusterArn).apply((cluster) => {
        const clusterName = cluster.slice(cluster.indexOf(":cluster/") + ":cluster/".length);
        const scoped = (resource: string) =>
            cluster.replace(`:cluster/${clusterName}`, `:${resource}/${clusterName}/*`);
        return [
            {
                Sid: "ListThisClustersInstances",
                Effect: "Allow" as const,
                Action: "ecs:ListContainerInstances",
                Resource: cluster,
            },
            {
                Sid: "DescribeThisClustersInstancesAndServices",
                Effect: "Allow" as const,
                Action: ["ecs:DescribeContainerInstances", "ecs:DescribeServices"],
                Resource: [scoped("container-instance"), scoped("service")],
                Condition: { ArnEquals: { "ecs:cluster": cluster } },
            },
            {
                // ListServices has no resource type; the ecs:cluster condition scopes it.
                Sid: "ListThisClustersServices",
                Effect: "Allow" as const,
                Action: "ecs:ListServices",
                Resource: "*",
                Condition: { ArnEquals: { "ecs:cluster": cluster } },
            },
            {
                // DescribeTaskDefinition supports no resource-level permissions.
                Sid: "ReadTaskDefinitions",
                Effect: "Allow" as const,
                Action: "ecs:DescribeTaskDefinition",
                Resource: "*",
            },
        ];
    });
}
