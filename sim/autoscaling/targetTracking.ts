/**
 * The target tracking policy ECS's managed scaling puts on an Auto Scaling group, and how Auto
 * Scaling acts on it. Sources: ECS developer guide, "Automatically manage Amazon ECS capacity
 * with cluster auto scaling" (cluster-auto-scaling) and "Amazon ECS managed scaling behavior"
 * (managed-scaling-behavior); "Amazon ECS capacity providers for EC2 workloads"
 * (asg-capacity-providers).
 *
 * - ECS creates one target tracking policy per capacity provider, named with the `ECSManaged`
 *   prefix (asg-capacity-providers), on the CapacityProviderReservation metric with the
 *   provider's targetCapacity as target; AWS creates a high and a low alarm for it
 *   (cluster-auto-scaling). Their evaluation: high above the target for 1 datapoint of 1 minute,
 *   low below it for 15 datapoints of 1 minute (aws/containers-roadmap#638, "AlarmHigh and AlarmLow
 *   at 1 datapoint within a minute and 15 datapoints within 15 minutes"; managed-scaling-behavior:
 *   "CloudWatch scale-in alarms require 15 data points (15 minutes)"). Target tracking on other
 *   metrics uses 3 datapoints for its high alarm (aws/containers-roadmap#1208); ECS's uses 1.
 *   Alarm names and description as Auto Scaling writes them for target tracking (aws-cli's
 *   put-scaling-policy example; "DO NOT EDIT OR DELETE", #1208).
 * - Scale-out: capacity becomes ceil(current × metric / target), the current capacity taken as 1
 *   when it is 0 (target tracking's special case for scaling from zero, AWS's ECS Spot workshop;
 *   hence managed-scaling-behavior's "Amazon ECS always scales-out to two instances initially").
 *   It is blocked while any instance of the group is within instanceWarmupPeriod of its launch
 *   (managed-scaling-behavior: "The scale-out is blocked for instances that are within the
 *   instanceWarmupPeriod").
 * - Scale-in: each minute the low alarm stays in ALARM, capacity goes toward
 *   ceil(current × metric / target) by at least one instance and at most half the group
 *   (managed-scaling-behavior: "sets the DesireCapacity value to be greater than one instance and
 *   less than 50% each minute"; this reading is inferred), never within 15 minutes of a scale-out
 *   ("Amazon ECS waits 15 minutes after a scale-out process before starting scale-in processes
 *   at all times").
 */
import type { ManagedTargetTrackingSpec } from "../types";
import {
    capacityInstances,
    type GroupState,
    type ScalingPolicyState,
    type TargetTrackingState,
} from "./state";

export const HIGH_ALARM = { evaluationPeriods: 1, datapointsToAlarm: 1 } as const;
export const LOW_ALARM = { evaluationPeriods: 15, datapointsToAlarm: 15 } as const;
const SCALE_IN_QUIET_AFTER_SCALE_OUT_MS = 15 * 60_000;

/** The PutMetricAlarm inputs AWS creates for the policy: [high, low]. */
export function targetTrackingAlarmInputs(
    spec: ManagedTargetTrackingSpec,
    policyArn: string,
    suffix: () => string,
): Record<string, unknown>[] {
    const common = {
        AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${policyArn}.`,
        Namespace: spec.namespace,
        MetricName: spec.metricName,
        Dimensions: spec.dimensions.map((d) => ({ Name: d.Name, Value: d.Value })),
        Statistic: "Average",
        Period: 60,
        Threshold: spec.targetValue,
        AlarmActions: [policyArn],
    };
    return [
        {
            ...common,
            AlarmName: `TargetTracking-${spec.groupName}-AlarmHigh-${suffix()}`,
            EvaluationPeriods: HIGH_ALARM.evaluationPeriods,
            DatapointsToAlarm: HIGH_ALARM.datapointsToAlarm,
            ComparisonOperator: "GreaterThanThreshold",
        },
        {
            ...common,
            AlarmName: `TargetTracking-${spec.groupName}-AlarmLow-${suffix()}`,
            EvaluationPeriods: LOW_ALARM.evaluationPeriods,
            DatapointsToAlarm: LOW_ALARM.datapointsToAlarm,
            ComparisonOperator: "LessThanThreshold",
        },
    ];
}

export type TargetTrackingDecision =
    { readonly desired: number } | { readonly skipped: "warmup" | "afterScaleOut" | "atTarget" };

/** What one execution of the policy (an alarm action, with the metric's latest value) does. */
export function targetTrackingDecision(
    group: GroupState,
    tracking: TargetTrackingState,
    metricValue: number,
    now: number,
): TargetTrackingDecision {
    const capacity = capacityInstances(group);
    const proportional = (current: number) => Math.ceil((current * metricValue) / tracking.targetValue);
    if (metricValue > tracking.targetValue) {
        const warmupMs = tracking.instanceWarmupSeconds * 1000;
        if (capacity.some((i) => now - i.launchedAt < warmupMs)) return { skipped: "warmup" };
        return { desired: Math.max(group.desiredCapacity, proportional(Math.max(1, capacity.length))) };
    }
    if (metricValue < tracking.targetValue) {
        if (
            tracking.lastScaleOutAt !== undefined &&
            now - tracking.lastScaleOutAt < SCALE_IN_QUIET_AFTER_SCALE_OUT_MS
        ) {
            return { skipped: "afterScaleOut" };
        }
        const current = capacity.length;
        const wanted = proportional(current);
        if (wanted >= current) return { skipped: "atTarget" };
        const step = Math.min(current - wanted, Math.max(1, Math.floor(current / 2)));
        return { desired: Math.min(group.desiredCapacity, current - step) };
    }
    return { skipped: "atTarget" };
}

export function isTargetTracking(
    policy: ScalingPolicyState,
): policy is ScalingPolicyState & { readonly targetTracking: TargetTrackingState } {
    return policy.type === "TargetTrackingScaling" && policy.targetTracking !== undefined;
}
