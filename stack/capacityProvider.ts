/**
 * What the managed capacity mode declares, as plain values: an Auto Scaling group capacity
 * provider with managed scaling, managed termination protection and managed instance draining,
 * the cluster's default strategy, and the group protecting new instances from scale-in. The
 * component builds `aws.ecs.CapacityProvider` and `aws.ecs.ClusterCapacityProviders` from these;
 * the simulated region deploys the same (sim/pipelines/managed.ts), so the two cannot drift.
 *
 * The numbers default to AWS's (ECS API reference, ManagedScaling: targetCapacity 100, step sizes
 * 1 and 10,000, instanceWarmupPeriod 300 s) with AWS's ranges. AWS leaves termination protection
 * off by default; this mode turns it and draining on, since safe scale-in is what it is for.
 */

export interface ManagedCapacitySettings {
    /** Percent of the group's instances ECS keeps in use (1–100); below 100 keeps spare instances. */
    readonly targetCapacity: number;
    /** Fewest instances one scale-out adds (1–10,000). */
    readonly minimumScalingStepSize: number;
    /** Most instances one scale-out adds (1–10,000, at least the minimum). */
    readonly maximumScalingStepSize: number;
    /** Seconds after launch during which an instance blocks further scale-out (0–10,000). */
    readonly instanceWarmupPeriod: number;
    /** ECS keeps scale-in protection on instances running tasks other than daemons. */
    readonly managedTerminationProtection: boolean;
    /** ECS drains an instance through its own lifecycle hook before Auto Scaling terminates it. */
    readonly managedDraining: boolean;
}

export const MANAGED_CAPACITY_DEFAULTS: ManagedCapacitySettings = {
    targetCapacity: 100,
    minimumScalingStepSize: 1,
    maximumScalingStepSize: 10_000,
    instanceWarmupPeriod: 300,
    managedTerminationProtection: true,
    managedDraining: true,
};

type NumericSetting =
    "targetCapacity" | "minimumScalingStepSize" | "maximumScalingStepSize" | "instanceWarmupPeriod";

/** AWS's accepted ranges (API reference, ManagedScaling), inclusive. */
export const MANAGED_CAPACITY_RANGES: Readonly<Record<NumericSetting, readonly [number, number]>> = {
    targetCapacity: [1, 100],
    minimumScalingStepSize: [1, 10_000],
    maximumScalingStepSize: [1, 10_000],
    instanceWarmupPeriod: [0, 10_000],
};

/** Every problem with the settings, each naming the field and what it must be; empty when valid. */
export function managedCapacityProblems(s: ManagedCapacitySettings): string[] {
    const problems: string[] = [];
    for (const [field, [min, max]] of Object.entries(MANAGED_CAPACITY_RANGES) as [
        NumericSetting,
        readonly [number, number],
    ][]) {
        const value = s[field];
        if (!Number.isInteger(value) || value < min || value > max) {
            problems.push(`${field}: expected an integer from ${min} to ${max}, got ${value}`);
        }
    }
    if (s.minimumScalingStepSize > s.maximumScalingStepSize) {
        problems.push(
            `minimumScalingStepSize: must not exceed maximumScalingStepSize (${s.maximumScalingStepSize}), got ${s.minimumScalingStepSize}`,
        );
    }
    return problems;
}

/**
 * The provider's name: ECS refuses names beginning with "aws", "ecs" or "fargate" (API reference,
 * CreateCapacityProvider), which a cluster's name may well do.
 */
export function capacityProviderName(clusterName: string): string {
    return `cp-${clusterName}`.slice(0, 255);
}

/** CreateCapacityProvider's autoScalingGroupProvider (the same fields as the Pulumi resource's). */
export function autoScalingGroupProviderDeclaration(groupArn: string, s: ManagedCapacitySettings) {
    return {
        autoScalingGroupArn: groupArn,
        managedScaling: {
            status: "ENABLED",
            targetCapacity: s.targetCapacity,
            minimumScalingStepSize: s.minimumScalingStepSize,
            maximumScalingStepSize: s.maximumScalingStepSize,
            instanceWarmupPeriod: s.instanceWarmupPeriod,
        },
        managedTerminationProtection: s.managedTerminationProtection ? "ENABLED" : "DISABLED",
        managedDraining: s.managedDraining ? "ENABLED" : "DISABLED",
    } as const;
}

/** The cluster's default strategy: every task without a strategy of its own goes to the provider. */
export function defaultStrategyDeclaration(providerName: string) {
    return [{ capacityProvider: providerName, base: 0, weight: 1 }] as const;
}

/**
 * What the group's instance refresh does with protected instances: with managed termination
 * protection it must replace them ("Make sure you select Replace for Scale-in protection when
 * calling StartInstanceRefresh if you're using managed termination protection",
 * managed-instance-draining; the API's value is "Refresh"); AWS's default, "Wait", fails the
 * refresh after an hour, since ECS keeps busy instances protected.
 */
export function refreshScaleInProtectedInstances(s: ManagedCapacitySettings): "Refresh" | "Wait" {
    return s.managedTerminationProtection ? "Refresh" : "Wait";
}

/** Managed termination protection needs the group to protect new instances (asg-capacity-providers). */
export function groupProtectsNewInstances(s: ManagedCapacitySettings): boolean {
    return s.managedTerminationProtection;
}

/**
 * The tag ECS puts on a group when a capacity provider is created for it; the group declares it
 * too (propagated to its instances) so a deploy does not remove it (Pulumi's aws.ecs.CapacityProvider
 * documentation: without it on the instances, "unexpected scaling behavior and metrics").
 */
export const ECS_MANAGED_TAG = { key: "AmazonECSManaged", value: "true" } as const;

/** Minutes CapacityProviderReservation may stay above its target before a person is told. */
export const RESERVATION_HIGH_MINUTES = 15;
/** Minutes instances may stay terminating (ECS draining them) before a person is told. */
export const DRAIN_LONG_MINUTES = 60;

/** One of the managed mode's alerting alarms, as the component and the region declare it. */
export interface ManagedCapacityAlarmDeclaration {
    readonly description: string;
    readonly namespace: string;
    readonly metricName: string;
    readonly statistic: "Minimum";
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly threshold: number;
    readonly comparisonOperator: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
    readonly treatMissingData: "notBreaching";
}

/**
 * What replaces the custom mode's capacity and drain alarms. ECS's own alarms scale the group and
 * tell nobody; these two tell a person when its loops fall behind:
 * - reservationHigh: CapacityProviderReservation above targetCapacity in every minute of
 *   RESERVATION_HIGH_MINUTES: tasks have waited in PROVISIONING that long (ECS's high alarm acts
 *   after one minute, and an instance boots and registers in a few): the group is at maxSize, its
 *   launches fail, or its instances do not register (a task that fits no instance type leaves
 *   the metric at its target: the service's below-desired alarm tells of that one). A task that
 *   waits 10 to 30 minutes is stopped, and its service launches another (AWS's deep dive on
 *   cluster auto scaling).
 * - drainLong: at least one instance terminating (Terminating:Wait is where ECS's managed draining
 *   holds it) in every minute of DRAIN_LONG_MINUTES: a drain waits on tasks that do not stop
 *   (standalone tasks, or tasks ignoring SIGTERM); ECS keeps waiting up to 48 hours, then the
 *   instance goes with them. A long instance refresh, terminating instance after instance without
 *   a gap, also keeps it up: the runbook says how to tell the two apart.
 */
export function managedCapacityAlarmDeclarations(s: ManagedCapacitySettings): {
    readonly reservationHigh: ManagedCapacityAlarmDeclaration;
    readonly drainLong: ManagedCapacityAlarmDeclaration;
} {
    return {
        reservationHigh: {
            description: `CapacityProviderReservation has stayed above its target (${s.targetCapacity} %) for ${RESERVATION_HIGH_MINUTES} minutes: tasks wait in PROVISIONING for instances that do not come (README runbook: tasks waiting for capacity)`,
            namespace: "AWS/ECS/ManagedScaling",
            metricName: "CapacityProviderReservation",
            statistic: "Minimum",
            period: 60,
            evaluationPeriods: RESERVATION_HIGH_MINUTES,
            datapointsToAlarm: RESERVATION_HIGH_MINUTES,
            threshold: s.targetCapacity,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
        },
        drainLong: {
            description: `Instances have been terminating for ${DRAIN_LONG_MINUTES} minutes: ECS's managed draining waits on tasks that do not stop, and terminates the instance with them after 48 hours (README runbook: a long managed drain)`,
            namespace: "AWS/AutoScaling",
            metricName: "GroupTerminatingInstances",
            statistic: "Minimum",
            period: 60,
            evaluationPeriods: DRAIN_LONG_MINUTES,
            datapointsToAlarm: DRAIN_LONG_MINUTES,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
        },
    };
}
