import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { capacityCallbackFactory } from "../runtime/capacityHandler";
import {
    CAPACITY_FUNCTION,
    CAPACITY_NAMESPACE,
    CAPACITY_QUEUE,
    CAPACITY_QUEUE_SOURCE,
    CAPACITY_SCHEDULE,
    CAPACITY_TRIGGER_RETRY,
    capacityAlarmDeclarations,
    placementFailurePattern,
    capacityMetricsMissingAlarmDeclaration,
    scaleInPolicyDeclaration,
    scaleOutPolicyDeclaration,
} from "../stack/capacity";
import { reservedConcurrencyOf } from "../stack/concurrency";
import type { CapacitySettings } from "../stack/settings";
import { alertingAlarm } from "./alarms";
import { ManagedFunction } from "./managedFunction";
import { invokeOnEvents } from "./eventTriggers";
import { clusterScopedArn, queueSendStatement } from "./iam";

export interface CapacityScalerArgs {
    /** Validated capacity settings of the stack. */
    readonly settings: CapacitySettings;
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    /** The group the scaling policies change. */
    readonly autoScalingGroupName: pulumi.Input<string>;
    /** The group's Availability Zones: the Lambda lists the cluster one zone per query, side by side. */
    readonly availabilityZones: pulumi.Input<string[]>;
    readonly logRetentionDays: number;
    /** Reserve the Lambda's concurrency (the stack's reserveLambdaConcurrency opt-in). */
    readonly reserveConcurrency: boolean;
    /** Where the alarms that do not scale (missing metrics, handler failures) notify a person. */
    readonly alertsTopicArn: pulumi.Input<string>;
    /** Tags beyond its provider's default tags (index.ts gives the provider the stack's tags). */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Scales the group on what the cluster can still place. A Lambda, run once a minute on a schedule
 * that defers each evaluation, by a delayed message on its own queue, to late in the minute
 * (stack/capacity.ts CAPACITY_SCHEDULE says why, and why no ECS event triggers it), publishes
 * ContainerCapacity (worst-case tasks that still fit) and IdleHostCapacity (instances that could
 * go with room to spare), counting each instance's awsvpc slots by its own trunk interface. One alarm adds instances when capacity runs short, the other
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

        const queue = new aws.sqs.Queue(
            `${name}-evaluations`,
            { sqsManagedSseEnabled: true, ...CAPACITY_QUEUE, tags },
            parent,
        );
        const fn = new ManagedFunction(
            `${name}-fn`,
            {
                description: "Publishes ContainerCapacity and IdleHostCapacity for the ECS cluster",
                callbackFactory: capacityCallbackFactory({
                    minimumSpareTasks: s.minimumSpareTasks,
                    namespace: CAPACITY_NAMESPACE,
                }),
                statements: capacityStatements(args.clusterArn, queue.arn),
                ...CAPACITY_FUNCTION,
                reservedConcurrency: reservedConcurrencyOf("capacity", args.reserveConcurrency),
                environment: {
                    CLUSTER_NAME: args.clusterName,
                    EVALUATION_QUEUE_URL: queue.url,
                    AVAILABILITY_ZONES: pulumi
                        .output(args.availabilityZones)
                        .apply((zones) => zones.join(",")),
                },
                logRetentionDays: args.logRetentionDays,
                asyncFailureQueue: true,
                alertsTopicArn: args.alertsTopicArn,
                tags: args.tags,
            },
            parent,
        );
        this.functionArn = fn.arn;
        this.functionName = fn.functionName;

        const schedule = new aws.cloudwatch.EventRule(
            `${name}-schedule`,
            {
                description: "Evaluates the cluster's capacity once a minute",
                scheduleExpression: CAPACITY_SCHEDULE,
                tags,
            },
            parent,
        );
        invokeOnEvents(`${name}-schedule`, schedule, fn, CAPACITY_TRIGGER_RETRY, this);
        const placementFailures = new aws.cloudwatch.EventRule(
            `${name}-placement-failures`,
            {
                description: "Evaluates at once when a service of the cluster cannot place a task",
                eventPattern: pulumi
                    .output(args.clusterArn)
                    .apply((cluster) => JSON.stringify(placementFailurePattern(cluster))),
                tags,
            },
            parent,
        );
        const queuePolicy = new aws.sqs.QueuePolicy(
            `${name}-evaluations-policy`,
            {
                queueUrl: queue.url,
                policy: pulumi.all([queue.arn, placementFailures.arn]).apply(([queueArn, ruleArn]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            queueSendStatement(
                                "FromThePlacementFailureRuleOnly",
                                "events.amazonaws.com",
                                queueArn,
                                ruleArn,
                            ),
                        ],
                    }),
                ),
            },
            parent,
        );
        new aws.cloudwatch.EventTarget(
            `${name}-placement-failures`,
            { rule: placementFailures.name, arn: queue.arn, retryPolicy: { ...CAPACITY_TRIGGER_RETRY } },
            { parent: this, dependsOn: [queuePolicy] },
        );
        new aws.lambda.EventSourceMapping(
            `${name}-evaluations`,
            {
                eventSourceArn: queue.arn,
                functionName: fn.arn,
                batchSize: CAPACITY_QUEUE_SOURCE.batchSize,
                scalingConfig: { maximumConcurrency: CAPACITY_QUEUE_SOURCE.maximumConcurrency },
            },
            parent,
        );

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
        const { description: missingDescription, ...missing } = capacityMetricsMissingAlarmDeclaration();
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

/** Read-only ECS access to this cluster's instances, services and their task definitions; its own queue. */
function capacityStatements(clusterArn: pulumi.Input<string>, queueArn: pulumi.Input<string>) {
    return pulumi.all([clusterArn, queueArn]).apply(([cluster, queue]) => {
        return [
            {
                Sid: "DeferAndReceiveEvaluations",
                Effect: "Allow" as const,
                Action: [
                    "sqs:SendMessage",
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ],
                Resource: queue,
            },
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
