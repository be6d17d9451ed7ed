import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createCapacityHandler } from "../runtime/capacityHandler";
import { ManagedFunction } from "./managedFunction";
import type { CapacitySettings } from "./settings";
import { invokeOnEvents, rateExpression } from "./eventTriggers";
import { clusterScopedArn } from "./iam";

/** Where the capacity Lambda's EMF metrics land. */
export const CAPACITY_NAMESPACE = "EcsLifecycle/Capacity";

/*
 * What the component declares, as plain values: the component builds its resources from them and
 * the simulated region (sim/pipelines/capacity.ts) deploys the same, so the two cannot drift.
 */

/** The capacity Lambda's size; one evaluation at a time, so a burst of instance events cannot stampede the ECS API. */
// 1 GB buys CPU: the idle-host re-packing costs about 3 s of CPU on a 2,000-instance cluster (bench/capacity.ts).
export const CAPACITY_FUNCTION = { timeoutSeconds: 60, memoryMb: 1024, reservedConcurrency: 1 } as const;

/** EventBridge's retry policy for both triggers: a late evaluation is worthless after a few minutes. */
export const CAPACITY_TRIGGER_RETRY = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 300 } as const;

/** A step of a step scaling policy; bounds are relative to the alarm threshold. */
export interface CapacityStep {
    readonly lowerBound?: number;
    readonly upperBound?: number;
    readonly adjustment: number;
}

export interface ScaleOutPolicyDeclaration {
    readonly policyType: "StepScaling";
    readonly adjustmentType: "ChangeInCapacity";
    readonly metricAggregationType: "Minimum";
    readonly estimatedInstanceWarmup: number;
    readonly steps: readonly CapacityStep[];
}

export interface ScaleInPolicyDeclaration {
    readonly policyType: "SimpleScaling";
    readonly adjustmentType: "ChangeInCapacity";
    readonly scalingAdjustment: number;
    readonly cooldown: number;
}

export interface CapacityAlarmDeclaration {
    readonly description: string;
    readonly metricName: "ContainerCapacity" | "IdleHostCapacity";
    readonly statistic: "Minimum";
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly threshold: number;
    readonly comparisonOperator: "LessThanThreshold" | "GreaterThanThreshold";
    readonly treatMissingData: "notBreaching";
}

export function scaleOutPolicyDeclaration(s: CapacitySettings): ScaleOutPolicyDeclaration {
    return {
        policyType: "StepScaling",
        adjustmentType: "ChangeInCapacity",
        metricAggregationType: "Minimum",
        // New instances count only once they can take tasks; until then no further step fires.
        estimatedInstanceWarmup: s.scaleOutWarmupSeconds,
        // Bounds are relative to the threshold (minimumSpareTasks): further short, more instances.
        steps: [
            { lowerBound: -3, upperBound: 0, adjustment: 1 },
            { upperBound: -3, adjustment: 2 },
        ],
    };
}

export function scaleInPolicyDeclaration(s: CapacitySettings): ScaleInPolicyDeclaration {
    return {
        policyType: "SimpleScaling",
        adjustmentType: "ChangeInCapacity",
        scalingAdjustment: -1,
        cooldown: s.scaleInCooldownSeconds,
    };
}

export function capacityAlarmDeclarations(s: CapacitySettings): {
    readonly capacityLow: CapacityAlarmDeclaration;
    readonly idleHosts: CapacityAlarmDeclaration;
} {
    return {
        capacityLow: {
            description: `Fewer than ${s.minimumSpareTasks} worst-case task(s) still fit: add instances`,
            metricName: "ContainerCapacity",
            statistic: "Minimum",
            period: 60,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            threshold: s.minimumSpareTasks,
            comparisonOperator: "LessThanThreshold",
            // No data means the Lambda is not reporting (its own alarm says so): never scale blind.
            treatMissingData: "notBreaching",
        },
        idleHosts: {
            description: `More than ${s.idleHostThreshold} instance(s) could go for ${s.scaleInEvaluationMinutes} minutes: remove one`,
            metricName: "IdleHostCapacity",
            // The lowest value of each minute: one busy moment keeps the instance.
            statistic: "Minimum",
            period: 60,
            evaluationPeriods: s.scaleInEvaluationMinutes,
            datapointsToAlarm: s.scaleInEvaluationMinutes,
            threshold: s.idleHostThreshold,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
        },
    };
}

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
                ...CAPACITY_FUNCTION,
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
