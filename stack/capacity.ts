/**
 * What CapacityScaler declares, as plain values: the component builds its resources from them and
 * the simulated region (sim/pipelines/capacity.ts) deploys the same, so the two cannot drift.
 */
import type { CapacitySettings } from "./settings";

/** Where the capacity Lambda's EMF metrics land. */
export const CAPACITY_NAMESPACE = "EcsLifecycle/Capacity";

/**
 * The capacity Lambda's size. 512 MB (about 0.29 vCPU, CPU being proportional to memory) reads
 * and evaluates a 2,000-instance cluster well within a second (bench/capacity.ts); the timeout
 * leaves room for ECS throttling retries and ends a stuck run before the next minute's. Its
 * reservation is opt-in (stack/concurrency.ts).
 */
export const CAPACITY_FUNCTION = { timeoutSeconds: 60, memoryMb: 512 } as const;

/**
 * When the capacity Lambda evaluates: once a minute, at second CAPACITY_EVALUATION_SECOND of the
 * minute, and on no ECS event.
 *
 * - The alarms read one statistic per 60-second period (the Minimum) and CloudWatch evaluates a
 *   period once it has ended, so a datapoint a minute is what they use, and the later in its
 *   minute it is taken, the sooner the alarm acts on what it saw: a shortfall reaches the alarm
 *   within about 65 s (35 s on average; `npm run bench` measures it) instead of up to two minutes.
 *   Second 55 leaves a large cluster's read (about 1.2 s at 2,000 instances) inside the minute. A
 *   task that cannot be placed is the exception: its service action event evaluates at once
 *   (placementFailurePattern), and that shortfall reaches the alarm within the minute. ECS's
 *   own cluster auto scaling works at the same grain, publishing
 *   CapacityProviderReservation once a minute (ECS developer guide, "Amazon ECS cluster auto
 *   scaling").
 * - The minute comes from an EventBridge rate(1 minute) schedule, EventBridge's shortest, which
 *   fires at some second of each minute it does not let one choose (EventBridge user guide,
 *   "Schedule expressions for rules"). That invocation only sends a message to the evaluation
 *   queue with DelaySeconds up to the chosen second (SQS developer guide, "Amazon SQS delay
 *   queues": per-message delays of 0–900 s), or none when the second has passed; the queue's
 *   event source mapping runs the evaluation as the message becomes visible (no batching window,
 *   so no gathering delay: Lambda developer guide, "Using Lambda with Amazon SQS"). Waiting is a
 *   delayed message, never a sleep, as everywhere in this stack.
 * - A datapoint every minute also keeps the scale-in alarm's consecutive periods whole and tells
 *   a silent function from a quiet cluster.
 * - ECS sends "ECS Container Instance State Change" on every task start and stop (ECS developer
 *   guide, "Amazon ECS events"), so evaluations per event grow with task churn (1,391 events in a
 *   150-instance rolling update), and each evaluation reads the whole cluster whichever instance
 *   changed. Coalescing them through SQS does not bound them either: Lambda polls a standard
 *   queue with five concurrent pollers, each gathering its own batch for the batching window, and
 *   may wait up to 20 s on a quiet queue whatever the window, so a burst still costs up to five
 *   evaluations per window.
 * - Nothing relies on reserved concurrency: should two evaluations overlap (a duplicate schedule
 *   delivery, a slow run), both publish what they read for the same minute and the alarms take
 *   the Minimum.
 */
export const CAPACITY_SCHEDULE = "rate(1 minute)";

/**
 * The one ECS event that does trigger an evaluation at once: a service that cannot place a task
 * (ECS developer guide, "Amazon ECS service action events": SERVICE_TASK_PLACEMENT_FAILURE, sent
 * when the scheduler finds no instance for a task). EventBridge puts it on the evaluation queue
 * directly, so a shortfall that already stops tasks reaches the alarm within the minute it
 * happens in, instead of after the next scheduled evaluation; a burst of them is one batch.
 */
export function placementFailurePattern(clusterArn: string): Record<string, unknown> {
    return {
        source: ["aws.ecs"],
        "detail-type": ["ECS Service Action"],
        detail: { eventName: ["SERVICE_TASK_PLACEMENT_FAILURE"], clusterArn: [clusterArn] },
    };
}

/** The second of each minute the evaluation aims at: room before the minute ends for a slow read of a large cluster. */
export const CAPACITY_EVALUATION_SECOND = 55;

/** The evaluation queue: a message older than a minute has been overtaken by the next one. */
export const CAPACITY_QUEUE = {
    messageRetentionSeconds: 60,
    /** At least the function's timeout, as Lambda requires of a queue it reads. */
    visibilityTimeoutSeconds: CAPACITY_FUNCTION.timeoutSeconds,
} as const;

/** The queue's event source mapping: no batching window; 2 is the least maximum concurrency Lambda takes. */
export const CAPACITY_QUEUE_SOURCE = { batchSize: 10, maximumConcurrency: 2 } as const;

/** Seconds from `nowMs` to the evaluation second of its minute, 0 once that second has passed. */
export function evaluationDelaySeconds(nowMs: number): number {
    const intoMinute = (((nowMs % 60_000) + 60_000) % 60_000) / 1000;
    return Math.max(0, Math.ceil(CAPACITY_EVALUATION_SECOND - intoMinute));
}

/** EventBridge's retry policy for the schedule: a delivery later than the next minute's is worthless. */
export const CAPACITY_TRIGGER_RETRY = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60 } as const;

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

export interface CapacityMetricsMissingAlarmDeclaration {
    readonly description: string;
    readonly metricName: "ContainerCapacity";
    readonly statistic: "SampleCount";
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly threshold: 1;
    readonly comparisonOperator: "LessThanThreshold";
    readonly treatMissingData: "breaching";
}

/**
 * The alarm that pages when ContainerCapacity stops arriving: three one-minute evaluations without
 * a single datapoint (one late run is no page). The scaling alarms treat the same gap as "not
 * breaching", so nothing scales blind.
 */
export function capacityMetricsMissingAlarmDeclaration(): CapacityMetricsMissingAlarmDeclaration {
    const intervals = 3;
    return {
        description: `ContainerCapacity has not arrived for ${intervals} minutes: the capacity Lambda is not reporting and the group no longer scales (README runbook: capacity metrics missing)`,
        metricName: "ContainerCapacity",
        statistic: "SampleCount",
        period: 60,
        evaluationPeriods: intervals,
        datapointsToAlarm: intervals,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
    };
}
