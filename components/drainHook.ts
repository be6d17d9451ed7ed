import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { requiredMaxReceiveCount } from "../runtime/drain";
import { drainCallbackFactory, DRAIN_METRIC_NAMESPACE } from "../runtime/drainHandler";
import { reservedConcurrencyOf } from "../stack/concurrency";
import {
    DRAIN_BATCH_SIZE,
    DRAIN_BATCHING_WINDOW_SECONDS,
    DRAIN_CONCURRENCY,
    DRAIN_MEMORY_MB,
    INTERRUPTION_RULES,
    nudgeRules,
} from "../stack/drain";
import { rateExpression } from "../stack/schedule";
import {
    DRAIN_FUNCTION_TIMEOUT_SECONDS,
    DRAIN_QUEUE_VISIBILITY_SECONDS,
    type DrainHookSettings,
} from "../stack/settings";
import { alertingAlarm, anyInAMinute } from "./alarms";
import { ManagedFunction } from "./managedFunction";
import { invokeOnEvents } from "./eventTriggers";
import { assumeRolePolicyFor, clusterScopedArn, queueSendStatement } from "./iam";

export interface DrainHookArgs {
    /** Validated drain settings of the stack. */
    readonly settings: DrainHookSettings;
    /** The cluster whose container instances are drained (the IAM conditions name it). */
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    /** The group whose TERMINATING transitions wait for the drain. */
    readonly autoScalingGroupName: pulumi.Input<string>;
    readonly autoScalingGroupArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Reserve the drain Lambda's concurrency (the stack's reserveLambdaConcurrency opt-in). */
    readonly reserveConcurrency: boolean;
    /** Where the pipeline's alarms (abandoned drains, dead letters, handler failures) notify a person. */
    readonly alertsTopicArn: pulumi.Input<string>;
    /** Tags beyond its provider's default tags (index.ts gives the provider the stack's tags). */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The drain pipeline: the group's TERMINATING lifecycle hook notifies an SNS topic, which feeds a
 * queue (with a dead-letter queue) that the drain Lambda reads. The Lambda sets the container
 * instance DRAINING, waits by leaving the message invisible for a poll interval (never by sleeping
 * or re-sending, which Lambda's recursion detection would stop), heartbeats the hook, and
 * completes it with CONTINUE once no task remains, or ABANDON at the deadline, which the group's
 * retention keeps from killing anything. ECS events of the cluster (a draining instance changed, a
 * task stopped) reach the same queue and complete a drain the moment its instance empties; the
 * poll stays as the fallback. Every ECS call is spent from a budget held in a DynamoDB item. A
 * scheduled sweep re-drives drains whose message was lost.
 */
export class DrainHook extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;
    readonly queueUrl: pulumi.Output<string>;
    readonly queueArn: pulumi.Output<string>;
    readonly deadLetterQueueUrl: pulumi.Output<string>;
    readonly lifecycleHookName: pulumi.Output<string>;
    readonly functionArn: pulumi.Output<string>;
    readonly functionName: pulumi.Output<string>;

    constructor(name: string, args: DrainHookArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:drain:DrainHook", name, {}, opts);
        const s = args.settings;
        const parent = { parent: this };
        const tags = { ...args.tags, Name: name };
        const hookName = `${name}-terminating`;

        const topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: "alias/aws/sns", tags }, parent);
        this.topicArn = topic.arn;

        const deadLetterQueue = new aws.sqs.Queue(
            `${name}-dlq`,
            { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600, tags },
            parent,
        );
        const queue = new aws.sqs.Queue(
            `${name}-queue`,
            {
                sqsManagedSseEnabled: true,
                visibilityTimeoutSeconds: DRAIN_QUEUE_VISIBILITY_SECONDS,
                messageRetentionSeconds: 4 * 24 * 3600,
                redrivePolicy: deadLetterQueue.arn.apply((deadLetterTargetArn) =>
                    // Every poll is one more receive of the same message: the budget covers a whole drain.
                    JSON.stringify({ deadLetterTargetArn, maxReceiveCount: requiredMaxReceiveCount(s) }),
                ),
                tags,
            },
            parent,
        );
        this.queueUrl = queue.url;
        this.queueArn = queue.arn;
        this.deadLetterQueueUrl = deadLetterQueue.url;
        const interruptionRules = INTERRUPTION_RULES.map(
            (spec) =>
                [
                    spec,
                    new aws.cloudwatch.EventRule(
                        `${name}-${spec.id}`,
                        {
                            description: spec.description,
                            eventPattern: JSON.stringify(spec.eventPattern),
                            tags,
                        },
                        parent,
                    ),
                ] as const,
        );
        // The rules' ids and descriptions do not depend on the cluster; their patterns name it.
        const nudges = nudgeRules("").map(
            (spec, i) =>
                [
                    spec,
                    new aws.cloudwatch.EventRule(
                        `${name}-${spec.id}`,
                        {
                            description: spec.description,
                            eventPattern: pulumi
                                .output(args.clusterArn)
                                .apply((arn) => JSON.stringify(nudgeRules(arn)[i].eventPattern)),
                            tags,
                        },
                        parent,
                    ),
                ] as const,
        );
        const queueRules = [...interruptionRules, ...nudges];
        const queuePolicy = new aws.sqs.QueuePolicy(
            `${name}-queue-policy`,
            {
                queueUrl: queue.url,
                policy: pulumi
                    .all([queue.arn, topic.arn, pulumi.all(queueRules.map(([, rule]) => rule.arn))])
                    .apply(([queueArn, topicArn, ruleArns]) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [
                                queueSendStatement(
                                    "FromTheDrainTopicOnly",
                                    "sns.amazonaws.com",
                                    queueArn,
                                    topicArn,
                                ),
                                queueSendStatement(
                                    "FromTheDrainRulesOnly",
                                    "events.amazonaws.com",
                                    queueArn,
                                    ruleArns,
                                ),
                            ],
                        }),
                    ),
            },
            parent,
        );
        // Deliveries into the queue only once its policy admits them: the rules' first events and
        // the hook's test notification (sent when the hook is created) would otherwise be lost.
        for (const [spec, rule] of queueRules) {
            new aws.cloudwatch.EventTarget(
                `${name}-${spec.id}`,
                { rule: rule.name, arn: queue.arn },
                { parent: this, dependsOn: [queuePolicy] },
            );
        }
        const subscription = new aws.sns.TopicSubscription(
            `${name}-to-queue`,
            { topic: topic.arn, protocol: "sqs", endpoint: queue.arn },
            parent,
        );

        // The ECS request budget's lane (runtime/ecsBudget.ts): one small item, rewritten per grant.
        const budgetTable = new aws.dynamodb.Table(
            `${name}-ecs-budget`,
            {
                billingMode: "PAY_PER_REQUEST",
                hashKey: "lane",
                attributes: [{ name: "lane", type: "S" }],
                serverSideEncryption: { enabled: true },
                tags,
            },
            parent,
        );

        const fn = new ManagedFunction(
            `${name}-fn`,
            {
                description:
                    "Drains an ECS container instance, then completes its TERMINATING lifecycle action",
                callbackFactory: drainCallbackFactory({ ...s }),
                statements: drainStatements(
                    args.clusterArn,
                    args.autoScalingGroupArn,
                    queue.arn,
                    budgetTable.arn,
                ),
                timeoutSeconds: DRAIN_FUNCTION_TIMEOUT_SECONDS,
                memoryMb: DRAIN_MEMORY_MB,
                reservedConcurrency: reservedConcurrencyOf("drain", args.reserveConcurrency),
                environment: {
                    CLUSTER_NAME: args.clusterName,
                    CLUSTER_ARN: args.clusterArn,
                    AUTO_SCALING_GROUP_NAME: args.autoScalingGroupName,
                    LIFECYCLE_HOOK_NAME: hookName,
                    QUEUE_URL: queue.url,
                    ECS_BUDGET_TABLE: budgetTable.name,
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

        const source = new aws.lambda.EventSourceMapping(
            `${name}-source`,
            {
                eventSourceArn: queue.arn,
                functionName: fn.arn,
                batchSize: DRAIN_BATCH_SIZE,
                maximumBatchingWindowInSeconds: DRAIN_BATCHING_WINDOW_SECONDS,
                functionResponseTypes: ["ReportBatchItemFailures"],
                scalingConfig: { maximumConcurrency: DRAIN_CONCURRENCY },
            },
            parent,
        );

        const sweepRule = new aws.cloudwatch.EventRule(
            `${name}-sweep`,
            {
                description: "Re-drives instances in Terminating:Wait whose drain message was lost",
                scheduleExpression: rateExpression(s.sweepIntervalMinutes),
                tags,
            },
            parent,
        );
        invokeOnEvents(
            `${name}-sweep`,
            sweepRule,
            fn,
            { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
            this,
        );

        const hookRole = new aws.iam.Role(
            `${name}-hook-role`,
            {
                assumeRolePolicy: assumeRolePolicyFor("autoscaling.amazonaws.com"),
                tags,
            },
            parent,
        );
        const hookPolicy = new aws.iam.RolePolicy(
            `${name}-hook-publish`,
            {
                role: hookRole.id,
                policy: topic.arn.apply((topicArn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "NotifyTheDrainTopic",
                                Effect: "Allow",
                                Action: "sns:Publish",
                                Resource: topicArn,
                            },
                        ],
                    }),
                ),
            },
            parent,
        );
        const hook = new aws.autoscaling.LifecycleHook(
            `${name}-hook`,
            {
                name: hookName,
                autoscalingGroupName: args.autoScalingGroupName,
                lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
                heartbeatTimeout: s.heartbeatTimeoutSeconds,
                // With the group's retention trigger, a drain nobody completes keeps the instance alive.
                defaultResult: "ABANDON",
                notificationTargetArn: topic.arn,
                roleArn: hookRole.arn,
            },
            // Created after, and so destroyed before, everything that completes it: a destroy can
            // never leave an instance waiting on a hook whose drain Lambda is already gone.
            { parent: this, dependsOn: [fn, source, subscription, queuePolicy, hookPolicy] },
        );
        this.lifecycleHookName = hook.name;

        const alarm = (id: string, description: string, metric: Parameters<typeof anyInAMinute>[0]) =>
            alertingAlarm(
                `${name}-${id}`,
                { alarmDescription: description, ...anyInAMinute(metric), tags },
                args.alertsTopicArn,
                parent,
            );
        alarm(
            "dlq-depth",
            "Drain messages gave up after every retry: an instance may wait on its hook undrained (README runbook: messages in the drain DLQ)",
            {
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: deadLetterQueue.name },
                statistic: "Maximum",
            },
        );
        alarm(
            "abandoned",
            "A drain reached its deadline with tasks still running: the instance was retained and costs money until a person acts (README runbook: a retained instance)",
            {
                namespace: DRAIN_METRIC_NAMESPACE,
                metricName: "DrainsAbandoned",
                dimensions: { AutoScalingGroupName: args.autoScalingGroupName },
                statistic: "Sum",
            },
        );

        this.registerOutputs({
            topicArn: this.topicArn,
            queueUrl: this.queueUrl,
            lifecycleHookName: this.lifecycleHookName,
        });
    }
}

/** What the drain Lambda may do: on this cluster's instances and tasks, this group's lifecycle actions, its own queue and budget. */
function drainStatements(
    clusterArn: pulumi.Input<string>,
    autoScalingGroupArn: pulumi.Input<string>,
    queueArn: pulumi.Input<string>,
    budgetTableArn: pulumi.Input<string>,
) {
    return pulumi
        .all([clusterArn, autoScalingGroupArn, queueArn, budgetTableArn])
        .apply(([cluster, group, queue, table]) => {
            return [
                {
                    Sid: "FindContainerInstanceInThisCluster",
                    Effect: "Allow" as const,
                    Action: "ecs:ListContainerInstances",
                    Resource: cluster,
                },
                {
                    Sid: "DrainThisClustersInstances",
                    Effect: "Allow" as const,
                    Action: [
                        "ecs:DescribeContainerInstances",
                        "ecs:UpdateContainerInstancesState",
                        "ecs:ListTasks",
                        "ecs:PutAttributes",
                        "ecs:DescribeTasks",
                        "ecs:StopTask",
                    ],
                    Resource: [
                        clusterScopedArn(cluster, "container-instance"),
                        clusterScopedArn(cluster, "task"),
                    ],
                    Condition: { ArnEquals: { "ecs:cluster": cluster } },
                },
                {
                    Sid: "CompleteThisGroupsLifecycleActions",
                    Effect: "Allow" as const,
                    Action: [
                        "autoscaling:CompleteLifecycleAction",
                        "autoscaling:RecordLifecycleActionHeartbeat",
                    ],
                    Resource: group,
                },
                {
                    // Auto Scaling's Describe actions support no resource-level permissions. The sweep
                    // finds waiting instances; an interruption's drain first checks its instance is this group's.
                    Sid: "FindWaitingInstances",
                    Effect: "Allow" as const,
                    Action: [
                        "autoscaling:DescribeAutoScalingInstances",
                        "autoscaling:DescribeAutoScalingGroups",
                    ],
                    Resource: "*",
                },
                {
                    Sid: "WaitOnAndRedriveOwnQueue",
                    Effect: "Allow" as const,
                    Action: [
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:ChangeMessageVisibility",
                        "sqs:GetQueueAttributes",
                        "sqs:SendMessage",
                    ],
                    Resource: queue,
                },
                {
                    Sid: "SpendTheEcsBudget",
                    Effect: "Allow" as const,
                    Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
                    Resource: table,
                },
            ];
        });
}
