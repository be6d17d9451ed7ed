/**
 * The drain pipeline as `components/drainHook.ts` (DrainHook) declares it, deployed in the
 * simulated region: the TERMINATING hook (heartbeat timeout from the settings, default result
 * ABANDON) notifying a topic, the topic's subscription to a queue whose redrive budget covers a
 * whole drain, its dead-letter queue, the drain Lambda built from the component's own callback
 * factory with the component's environment, timeout and memory (and its reserved concurrency when
 * the stack opts in), the event
 * source mapping with partial batch failures and its batching window, the ECS budget's table, the
 * sweep schedule, the EC2 interruption rules and the cluster's ECS nudge rules that target the
 * queue, and the abandoned-drain alarm. The group gets the retention trigger the cluster
 * component sets, so an ABANDON keeps the instance (Terminating:Retained). The bench deploys the
 * previous design through the same function (`design`).
 */
import {
    DRAIN_FUNCTION_TIMEOUT_SECONDS,
    DRAIN_QUEUE_VISIBILITY_SECONDS,
    type DrainHookSettings,
} from "../../stack/settings";
import { requiredMaxReceiveCount } from "../../runtime/drain";
import { DRAIN_METRIC_NAMESPACE } from "../../runtime/drainHandler";
import type { LambdaRuntime } from "../../runtime/lambdaRuntime";
import type { DeployedCluster, SimHarness } from "../harness";
import { reservedConcurrencyOf } from "../../stack/concurrency";
import {
    DRAIN_BATCH_SIZE,
    DRAIN_BATCHING_WINDOW_SECONDS,
    DRAIN_CONCURRENCY,
    DRAIN_MEMORY_MB,
    INTERRUPTION_RULES,
    nudgeRules,
} from "../../stack/drain";
import { drainCallbackFactory } from "../../runtime/drainHandler";
import { rateExpression } from "../../stack/schedule";

/** What a drain design brings to the pipeline: its Lambda body and how the queue feeds it. */
export interface DrainDesign {
    readonly callbackFactory: (
        settings: DrainHookSettings,
        runtime: () => LambdaRuntime,
    ) => () => (event: unknown) => Promise<unknown>;
    readonly batchSize: number;
    readonly batchingWindowSeconds: number;
    readonly maximumConcurrency: number;
    /** The queue's redrive maxReceiveCount. */
    readonly maxReceiveCount: (settings: DrainHookSettings) => number;
    /** Whether the cluster's ECS events nudge drains through the queue. */
    readonly nudges: boolean;
}

/** The design DrainHook declares. */
export const SHIPPED_DRAIN_DESIGN: DrainDesign = {
    callbackFactory: (settings, runtime) => drainCallbackFactory(settings, runtime),
    batchSize: DRAIN_BATCH_SIZE,
    batchingWindowSeconds: DRAIN_BATCHING_WINDOW_SECONDS,
    maximumConcurrency: DRAIN_CONCURRENCY,
    maxReceiveCount: requiredMaxReceiveCount,
    nudges: true,
};

export interface DrainPipeline {
    readonly topicArn: string;
    readonly queueUrl: string;
    readonly queueArn: string;
    readonly deadLetterQueueUrl: string;
    readonly functionArn: string;
    readonly lifecycleHookName: string;
    readonly sweepRuleName: string;
    readonly budgetTableName: string;
}

/** The name `new DrainHook("drain", …)` in index.ts gives the hook (`${name}-terminating`). */
export const DRAIN_HOOK_NAME = "drain-terminating";
/** The abandoned-drain alarm (DrainHook's `${name}-abandoned`), per cluster. */
export function abandonedAlarmName(clusterName: string): string {
    return `${clusterName}-drain-abandoned`;
}

const MESSAGE_RETENTION_SECONDS = 4 * 24 * 3600;
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

export async function deployDrainPipeline(
    harness: SimHarness,
    deployed: DeployedCluster,
    settings: DrainHookSettings,
    options: { reserveConcurrency?: boolean; design?: DrainDesign } = {},
): Promise<DrainPipeline> {
    const design = options.design ?? SHIPPED_DRAIN_DESIGN;
    if (deployed.hookName !== undefined) {
        throw new Error(
            `deployDrainPipeline: group ${deployed.groupName} already has the TERMINATING hook ${deployed.hookName}; deploy the cluster without \`hook\`, the pipeline puts its own`,
        );
    }
    const region = harness.region;
    const prefix = `${deployed.clusterName}-drain`;
    const admin = (
        service: "sns" | "sqs" | "autoscaling" | "events" | "monitoring" | "dynamodb",
        op: string,
        input: object,
    ) => region.admin(service, op, input as Record<string, unknown>);
    const queueArnOf = (queueUrl: string) =>
        (
            admin("sqs", "GetQueueAttributes", { QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }) as {
                Attributes: { QueueArn: string };
            }
        ).Attributes.QueueArn;
    const createQueue = (name: string, attributes: Record<string, string>) => {
        const { QueueUrl } = admin("sqs", "CreateQueue", { QueueName: name, Attributes: attributes }) as {
            QueueUrl: string;
        };
        return { url: QueueUrl, arn: queueArnOf(QueueUrl) };
    };

    // The group's instanceLifecyclePolicy (EcsCluster): an abandoned drain keeps the instance.
    admin("autoscaling", "UpdateAutoScalingGroup", {
        AutoScalingGroupName: deployed.groupName,
        InstanceLifecyclePolicy: { RetentionTriggers: { TerminateHookAbandon: "retain" } },
    });

    const { TopicArn: topicArn } = admin("sns", "CreateTopic", { Name: `${prefix}-topic` }) as {
        TopicArn: string;
    };
    const deadLetterQueue = createQueue(`${prefix}-dlq`, {
        MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS),
    });
    const queue = createQueue(`${prefix}-queue`, {
        VisibilityTimeout: String(DRAIN_QUEUE_VISIBILITY_SECONDS),
        MessageRetentionPeriod: String(MESSAGE_RETENTION_SECONDS),
        RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: deadLetterQueue.arn,
            maxReceiveCount: design.maxReceiveCount(settings),
        }),
    });
    admin("sns", "Subscribe", { TopicArn: topicArn, Protocol: "sqs", Endpoint: queue.arn });

    const failures = createQueue(`${prefix}-fn-failures`, {
        MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS),
    });
    const budgetTableName = `${prefix}-ecs-budget`;
    admin("dynamodb", "CreateTable", {
        TableName: budgetTableName,
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [{ AttributeName: "lane", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "lane", AttributeType: "S" }],
    });

    // Lambda runs the factory at cold start, inside the function's environment: the handler reads
    // its names from process.env then, so it is built on the first invocation.
    const coldStart = design.callbackFactory({ ...settings }, harness.lambdaRuntime);
    let handler: ((event: unknown) => Promise<unknown>) | undefined;
    const functionArn = harness.deployFunction({
        name: `${prefix}-fn`,
        handler: (event) => (handler ??= coldStart())(event),
        timeoutSeconds: DRAIN_FUNCTION_TIMEOUT_SECONDS,
        memoryMb: DRAIN_MEMORY_MB,
        reservedConcurrency: reservedConcurrencyOf("drain", options.reserveConcurrency ?? false),
        environment: {
            CLUSTER_NAME: deployed.clusterName,
            CLUSTER_ARN: deployed.clusterArn,
            AUTO_SCALING_GROUP_NAME: deployed.groupName,
            LIFECYCLE_HOOK_NAME: DRAIN_HOOK_NAME,
            QUEUE_URL: queue.url,
            ECS_BUDGET_TABLE: budgetTableName,
        },
        deadLetterArn: failures.arn,
    });
    region.lambda.createEventSourceMapping({
        queueArn: queue.arn,
        functionArn,
        batchSize: design.batchSize,
        maximumBatchingWindowSeconds: design.batchingWindowSeconds,
        reportBatchItemFailures: true,
        maximumConcurrency: design.maximumConcurrency,
    });

    const sweepRuleName = `${prefix}-sweep`;
    admin("events", "PutRule", {
        Name: sweepRuleName,
        ScheduleExpression: rateExpression(settings.sweepIntervalMinutes),
    });
    admin("events", "PutTargets", { Rule: sweepRuleName, Targets: [{ Id: "drain-fn", Arn: functionArn }] });
    const queueRules = [...INTERRUPTION_RULES, ...(design.nudges ? nudgeRules(deployed.clusterArn) : [])];
    for (const rule of queueRules) {
        const name = `${prefix}-${rule.id}`;
        admin("events", "PutRule", { Name: name, EventPattern: JSON.stringify(rule.eventPattern) });
        admin("events", "PutTargets", { Rule: name, Targets: [{ Id: "drain-queue", Arn: queue.arn }] });
    }

    admin("monitoring", "PutMetricAlarm", {
        AlarmName: abandonedAlarmName(deployed.clusterName),
        AlarmDescription: "A drain reached its deadline with tasks still running: the instance was retained",
        Namespace: DRAIN_METRIC_NAMESPACE,
        MetricName: "DrainsAbandoned",
        Dimensions: [{ Name: "AutoScalingGroupName", Value: deployed.groupName }],
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
    });

    // Last, as DrainHook orders it: the hook exists only once everything that completes it does.
    admin("autoscaling", "PutLifecycleHook", {
        AutoScalingGroupName: deployed.groupName,
        LifecycleHookName: DRAIN_HOOK_NAME,
        LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
        NotificationTargetARN: topicArn,
        RoleARN: `arn:aws:iam::${region.ctx.accountId}:role/${prefix}-hook-role`,
        HeartbeatTimeout: settings.heartbeatTimeoutSeconds,
        DefaultResult: "ABANDON",
    });

    return {
        topicArn,
        queueUrl: queue.url,
        queueArn: queue.arn,
        deadLetterQueueUrl: deadLetterQueue.url,
        functionArn,
        lifecycleHookName: DRAIN_HOOK_NAME,
        sweepRuleName,
        budgetTableName,
    };
}
