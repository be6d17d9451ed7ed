/**
 * What CapacityScaler declares, as plain values: the component builds its resources from them and
 * the simulated region (sim/pipelines/capacity.ts) deploys the same, so the two cannot drift.
 */
import type { CapacitySettings } from "./settings";

/** Where the capacity Lambda's EMF metrics land. */
export const CAPACITY_NAMESPACE = "EcsLifecycle/Capacity";

/** The capacity Lambda's size (its reservation is opt-in: stack/concurrency.ts). */
// 1 GB buys CPU: the idle-host re-packing costs about 3 s of CPU on a 2,000-instance cluster (bench/capacity.ts).
export const CAPACITY_FUNCTION = { timeoutSeconds: 60, memoryMb: 1024 } as const;

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
 * The alarm that pages when ContainerCapacity stops arriving: three schedule intervals without a
 * single datapoint (one late run is no page). The scaling alarms treat the same gap as "not
 * breaching", so nothing scales blind.
 */
export function capacityMetricsMissingAlarmDeclaration(
    s: CapacitySettings,
): CapacityMetricsMissingAlarmDeclaration {
    const intervals = 3;
    return {
        description: `ContainerCapacity has not arrived for ${intervals * s.scheduleMinutes} minutes: the capacity Lambda is not reporting and the group no longer scales (README runbook: capacity metrics missing)`,
        metricName: "ContainerCapacity",
        statistic: "SampleCount",
        period: 60 * s.scheduleMinutes,
        evaluationPeriods: intervals,
        datapointsToAlarm: intervals,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
    };
}
