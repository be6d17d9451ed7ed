import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { capacityCallbackFactory } from "../runtime/capacityHandler";
import {
    CAPACITY_FUNCTION,
    CAPACITY_NAMESPACE,
    CAPACITY_TRIGGER_RETRY,
    capacityAlarmDeclarations,
    capacityMetricsMissingAlarmDeclaration,
    scaleInPolicyDeclaration,
    scaleOutPolicyDeclaration,
} from "../stack/capacity";
import { reservedConcurrencyOf } from "../stack/concurrency";
import { rateExpression } from "../stack/schedule";
import type { CapacitySettings } from "../stack/settings";
import { alertingAlarm } from "./alarms";
import { ManagedFunction } from "./managedFunction";
import { invokeOnEvents } from "./eventTriggers";
import { clusterScopedArn } from "./iam";

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
    /** Reserve the Lambda's concurrency (the stack's reserveLambdaConcurrency opt-in). */
    readonly reserveConcurrency: boolean;
    /** Where the alarms that do not scale (missing metrics, handler failures) notify a person. */
    readonly alertsTopicArn: pulumi.Input<string>;
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
    readonly functionName: pulumi.Output<string>;
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
                    namespace: CAPACITY_NAMESPACE,
                }),
                statements: capacityStatements(args.clusterArn),
                ...CAPACITY_FUNCTION,
                reservedConcurrency: reservedConcurrencyOf("capacity", args.reserveConcurrency),
                environment: { CLUSTER_NAME: args.clusterName },
                logRetentionDays: args.logRetentionDays,
                asyncFailureQueue: true,
                alertsTopicArn: args.alertsTopicArn,
                tags: args.tags,
            },
            parent,
        );
        this.functionArn = fn.arn;
        this.functionName = fn.functionName;

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
                    scheduleExpression: rateExpression(s.scheduleMinutes),
                },
            ],
        ];
        for (const [id, ruleArgs] of triggers) {
            const rule = new aws.cloudwatch.EventRule(`${name}-${id}`, { ...ruleArgs, tags }, parent);
            invokeOnEvents(`${name}-${id}`, rule, fn, CAPACITY_TRIGGER_RETRY, this);
        }

        const out = scaleOutPolicyDeclaration(s);
        const scaleOut = new aws.autoscaling.Policy(
            `${name}-scale-out`,
            {
                autoscalingGroupName: args.autoScalingGroupName,
                policyType: out.policyType,
                adjustmentType: out.adjustmentType,
                metricAggregationType: out.metricAggregationType,
                estimatedInstanceWarmup: out.estimatedInstanceWarmup,
                stepAdjustments: out.steps.map((step) => ({
                    ...(step.lowerBound === undefined
                        ? {}
                        : { metricIntervalLowerBound: String(step.lowerBound) }),
                    ...(step.upperBound === undefined
                        ? {}
                        : { metricIntervalUpperBound: String(step.upperBound) }),
                    scalingAdjustment: step.adjustment,
                })),
            },
            parent,
        );
        const scaleIn = new aws.autoscaling.Policy(
            `${name}-scale-in`,
            { autoscalingGroupName: args.autoScalingGroupName, ...scaleInPolicyDeclaration(s) },
            parent,
        );
        this.scaleOutPolicyArn = scaleOut.arn;
        this.scaleInPolicyArn = scaleIn.arn;

        const alarms = capacityAlarmDeclarations(s);
        for (const [id, alarm, policy] of [
            ["capacity-low", alarms.capacityLow, scaleOut],
            ["idle-hosts", alarms.idleHosts, scaleIn],
        ] as const) {
            const { description, ...metricAlarm } = alarm;
            new aws.cloudwatch.MetricAlarm(
                `${name}-${id}`,
                {
                    alarmDescription: description,
                    namespace: CAPACITY_NAMESPACE,
                    dimensions: { ClusterName: args.clusterName },
                    ...metricAlarm,
                    alarmActions: [policy.arn],
                    tags,
                },
                parent,
            );
        }
        // Missing data never scales (the alarms above treat it as not breaching), but it pages.
        const { description: missingDescription, ...missing } = capacityMetricsMissingAlarmDeclaration(s);
        alertingAlarm(
            `${name}-metrics-missing`,
            {
                alarmDescription: missingDescription,
                namespace: CAPACITY_NAMESPACE,
                dimensions: { ClusterName: args.clusterName },
                ...missing,
                tags,
            },
            args.alertsTopicArn,
            parent,
        );

        this.registerOutputs({
            functionArn: this.functionArn,
            scaleOutPolicyArn: this.scaleOutPolicyArn,
            scaleInPolicyArn: this.scaleInPolicyArn,
        });
    }
}

/** Read-only ECS access to this cluster's instances, services and their task definitions. */
function capacityStatements(clusterArn: pulumi.Input<string>) {
    return pulumi.output(clusterArn).apply((cluster) => {
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
                Resource: [
                    clusterScopedArn(cluster, "container-instance"),
                    clusterScopedArn(cluster, "service"),
                ],
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
