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
 * leaves room for ECS throttling retries and ends a stuck run before the next minute's.
 */
export const CAPACITY_FUNCTION = { timeoutSeconds: 60, memoryMb: 512, reservedConcurrency: 1 } as const;

/**
 * When the capacity Lambda runs: once a minute, on a schedule, and on no ECS event.
 *
 * - The alarms read one statistic per 60-second period (the Minimum) and CloudWatch evaluates a
 *   period once it has ended, so a datapoint a minute is what they use; a second one in the same
 *   minute changes an alarm only by being lower. A shortfall is therefore in the next datapoint,
 *   at most a minute later, with no event needed: a task that cannot be placed sends none anyway.
 *   ECS's own cluster auto scaling works at the same grain: it publishes
 *   CapacityProviderReservation once a minute (ECS developer guide, "Amazon ECS cluster auto
 *   scaling").
 * - rate(1 minute) is EventBridge's shortest schedule (EventBridge user guide, "Schedule
 *   expressions for rules": one-minute resolution). A datapoint every minute also keeps the
 *   scale-in alarm's consecutive periods whole and tells a silent function from a quiet cluster.
 * - ECS sends "ECS Container Instance State Change" on every task start and stop (ECS developer
 *   guide, "Amazon ECS events"), so evaluations per event grow with task churn (1,391 events in a
 *   150-instance rolling update), and each evaluation reads the whole cluster whichever instance
 *   changed. Coalescing them through SQS does not bound them either: Lambda polls a standard
 *   queue with five concurrent pollers, each gathering its own batch for the batching window, and
 *   may wait up to 20 s on a quiet queue whatever the window (Lambda developer guide, "Using
 *   Lambda with Amazon SQS"), so a burst still costs up to five evaluations per window.
 * - Nothing relies on reserved concurrency: should a run overlap the next (the timeout is a
 *   minute), both publish what they read for the same minute and the alarms take the Minimum.
 */
export const CAPACITY_SCHEDULE = "rate(1 minute)";

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
