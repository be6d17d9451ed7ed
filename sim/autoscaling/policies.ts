/**
 * Scaling policies and desired-capacity changes. Simple scaling honours a cooldown after each
 * activity (the policy's own or the group's default); step scaling picks the step whose interval,
 * relative to the alarm threshold, holds the metric, and applies it to the capacity that is past
 * its warmup, so a breach that persists while new instances warm up does not add them twice. Every change of desired
 * capacity is recorded for the oscillation invariant. Target tracking (ECS's managed scaling) is
 * in targetTracking.ts; it runs only as its alarms' action.
 */
import { AwsError } from "../errors";
import type { RegionContext } from "../types";
import {
    capacityInstances,
    type GroupState,
    type ScalingPolicyState,
    type StepAdjustmentState,
} from "./state";
import { isTargetTracking, targetTrackingDecision } from "./targetTracking";

export interface ExecuteOptions {
    readonly metricValue?: number;
    readonly breachThreshold?: number;
    readonly honorCooldown: boolean;
    /** "alarm" executions skip silently in cooldown; API calls get ScalingActivityInProgress. */
    readonly source: "alarm" | "api";
}

export class ScalingPolicies {
    constructor(
        private readonly ctx: RegionContext,
        private readonly capacityChanged: (group: GroupState) => void,
    ) {}

    execute(group: GroupState, policy: ScalingPolicyState, options: ExecuteOptions): void {
        if (isTargetTracking(policy)) {
            if (options.source === "api" || options.metricValue === undefined) {
                // Inferred wording: ExecutePolicy serves simple and step scaling policies only.
                throw new AwsError(
                    "ValidationError",
                    `Policy ${policy.name} is a target tracking policy; only its alarms execute it.`,
                );
            }
            const now = this.ctx.clock.now();
            const decision = targetTrackingDecision(group, policy.targetTracking, options.metricValue, now);
            if ("skipped" in decision) {
                this.ctx.record("autoscaling.targetTracking.skipped", {
                    groupName: group.name,
                    policy: policy.name,
                    metricValue: options.metricValue,
                    reason: decision.skipped,
                });
                return;
            }
            if (decision.desired > group.desiredCapacity) policy.targetTracking.lastScaleOutAt = now;
            this.setDesired(group, decision.desired, `policy ${policy.name}`, 0);
            return;
        }
        if (policy.type === "SimpleScaling") {
            if (options.honorCooldown && this.ctx.clock.now() < group.cooldownEndsAt) {
                this.inCooldown(group, policy, options);
                return;
            }
            const target = this.adjusted(policy, policy.scalingAdjustment ?? 0, group.desiredCapacity);
            this.setDesired(group, target, `policy ${policy.name}`, policy.cooldown ?? group.defaultCooldown);
            return;
        }
        if (options.metricValue === undefined) {
            throw new AwsError("ValidationError", "MetricValue: required to execute a step scaling policy");
        }
        const step = findStep(policy.stepAdjustments, options.metricValue - (options.breachThreshold ?? 0));
        if (!step) {
            this.ctx.record("autoscaling.scaling.noStep", { groupName: group.name, policy: policy.name });
            return;
        }
        let target = this.adjusted(policy, step.adjustment, group.desiredCapacity);
        if (target > group.desiredCapacity && policy.adjustmentType !== "ExactCapacity") {
            // Capacity still warming up (or not launched yet) does not count: a breach that persists
            // during warmup adds only what goes beyond the earlier scale-out.
            const warmupMs = (policy.estimatedInstanceWarmup ?? group.defaultInstanceWarmup ?? 300) * 1000;
            const warm = capacityInstances(group).filter(
                (i) => i.inServiceAt !== undefined && this.ctx.clock.now() >= i.inServiceAt + warmupMs,
            ).length;
            target = Math.max(group.desiredCapacity, this.adjusted(policy, step.adjustment, warm));
        }
        this.setDesired(group, target, `policy ${policy.name}`, 0);
    }

    /** SetDesiredCapacity and the changes above: clamp is the caller's job for the API, ours for policies. */
    setDesired(group: GroupState, requested: number, source: string, cooldownSeconds: number): void {
        const target = Math.min(group.maxSize, Math.max(group.minSize, requested));
        const from = group.desiredCapacity;
        if (target === from) {
            this.ctx.record("autoscaling.scaling.unchanged", {
                groupName: group.name,
                source,
                desired: from,
            });
            return;
        }
        group.desiredCapacity = target;
        group.cooldownEndsAt = this.ctx.clock.now() + cooldownSeconds * 1000;
        this.ctx.record("autoscaling.scaling", {
            groupName: group.name,
            from,
            to: target,
            direction: target > from ? "out" : "in",
            source,
            cooldownSeconds,
        });
        this.capacityChanged(group);
    }

    private inCooldown(group: GroupState, policy: ScalingPolicyState, options: ExecuteOptions): void {
        if (options.source === "api") {
            throw new AwsError(
                "ScalingActivityInProgress",
                `The cooldown of group ${group.name} has not expired; policy ${policy.name} was not executed.`,
            );
        }
        this.ctx.record("autoscaling.scaling.cooldown", { groupName: group.name, policy: policy.name });
    }

    /** Capacity after applying the adjustment to `base`. */
    private adjusted(policy: ScalingPolicyState, adjustment: number, base: number): number {
        switch (policy.adjustmentType) {
            case "ExactCapacity":
                return adjustment;
            case "ChangeInCapacity":
                return base + adjustment;
            case undefined:
                throw new Error(`policy ${policy.name}: a ${policy.type} policy has no adjustment type`);
            case "PercentChangeInCapacity": {
                const raw = (base * adjustment) / 100;
                // Between -1 and 1 rounds away from zero, beyond that toward zero, as Auto Scaling does.
                let change = Math.abs(raw) < 1 && raw !== 0 ? Math.sign(raw) : Math.trunc(raw);
                const minMagnitude = policy.minAdjustmentMagnitude ?? 0;
                if (change !== 0 && Math.abs(change) < minMagnitude)
                    change = Math.sign(change) * minMagnitude;
                return base + change;
            }
        }
    }
}

/** The step whose interval holds `delta` (metric minus threshold): [lower, upper) above, (lower, upper] below. */
export function findStep(
    steps: readonly StepAdjustmentState[],
    delta: number,
): StepAdjustmentState | undefined {
    return steps.find((s) => {
        const lower = s.lower ?? -Infinity;
        const upper = s.upper ?? Infinity;
        return delta >= 0 ? delta >= lower && delta < upper : delta > lower && delta <= upper;
    });
}
