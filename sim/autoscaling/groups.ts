/**
 * The group's capacity loop and instance lifecycle: launches to reach desired capacity (into the
 * AZ with the fewest instances, on-demand or Spot by the mixed instances policy), scale-in through
 * the termination policies, and termination through the TERMINATING hooks (Terminating:Wait →
 * Proceed, or Retained on ABANDON with retention) or at once when the group has no hook.
 */
import { INSTANCE_TYPES } from "../../runtime/instanceTypes";
import type { Ec2Fleet, Ec2Instance, Ec2Listener, MarketOption } from "../ec2";
import type { RegionContext } from "../types";
import type { LifecycleActions, TransitionResult } from "./hooks";
import {
    activeRefresh,
    capacityInstances,
    type AsgInstance,
    type GroupState,
    type LaunchTemplateRef,
    type LifecycleState,
    type TerminationCause,
} from "./state";
import type { TerminationPolicies } from "./terminationPolicy";

export interface AutoScalingTimings {
    /** Delay between a change and the group's next capacity check. */
    readonly reconcileDelayMs: number;
    /** How long the group waits before asking the termination policies again after "not now". */
    readonly terminationRetryMs: number;
    /** How often an active instance refresh re-evaluates. */
    readonly refreshCheckMs: number;
}

export const DEFAULT_AUTOSCALING_TIMINGS: AutoScalingTimings = {
    reconcileDelayMs: 5_000,
    terminationRetryMs: 60_000,
    refreshCheckMs: 15_000,
};

export class GroupLifecycle implements Ec2Listener {
    private readonly owner = new Map<string, GroupState>();
    /** Called after every capacity-relevant change (the instance refresh listens). */
    onChange?: (group: GroupState) => void;

    constructor(
        private readonly ctx: RegionContext,
        private readonly ec2: Ec2Fleet,
        private readonly actions: LifecycleActions,
        private readonly termination: TerminationPolicies,
        private readonly timings: AutoScalingTimings,
    ) {}

    groupOf(instanceId: string): GroupState | undefined {
        return this.owner.get(instanceId);
    }

    requestReconcile(group: GroupState, delayMs: number = this.timings.reconcileDelayMs): void {
        if (group.reconcileTimer !== undefined) return;
        group.reconcileTimer = this.ctx.clock.schedule(
            delayMs,
            `autoscaling.reconcile ${group.name}`,
            async () => {
                group.reconcileTimer = undefined;
                await this.reconcile(group);
            },
        );
    }

    /** Brings capacity to desired, unless an instance refresh is steering it. */
    async reconcile(group: GroupState): Promise<void> {
        this.onChange?.(group);
        if (activeRefresh(group)) return;
        const capacity = capacityInstances(group);
        if (capacity.length < group.desiredCapacity) {
            this.launch(group, group.desiredCapacity - capacity.length, group.launchTemplate);
        } else if (capacity.length > group.desiredCapacity && !group.scaleInInFlight) {
            await this.scaleIn(group);
        }
    }

    launch(group: GroupState, count: number, template: LaunchTemplateRef): AsgInstance[] {
        const launched: AsgInstance[] = [];
        for (let n = 0; n < count; n++) {
            const capacity = capacityInstances(group);
            const availabilityZone = leastPopulatedAz(group.availabilityZones, capacity);
            const market = this.nextMarket(group, capacity);
            const instanceType = this.instanceTypeFor(group, market);
            const version = this.ec2.resolveVersion(template.launchTemplateId, template.version);
            const ec2Instance = this.ec2.launch(
                {
                    launchTemplateId: template.launchTemplateId,
                    launchTemplateVersion: String(version.versionNumber),
                    availabilityZone,
                    market,
                    instanceType,
                },
                this,
            );
            const instance: AsgInstance = {
                instanceId: ec2Instance.instanceId,
                instanceType: ec2Instance.instanceType,
                availabilityZone,
                launchTemplate: template,
                launchTemplateVersion: version.versionNumber,
                market,
                launchedAt: this.ctx.clock.now(),
                lifecycleState: "Pending",
                protectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
            };
            group.instances.set(instance.instanceId, instance);
            this.owner.set(instance.instanceId, group);
            this.setState(group, instance, "Pending");
            launched.push(instance);
        }
        return launched;
    }

    /** Starts terminating an instance that counts toward capacity; false if it already left it. */
    beginTermination(
        group: GroupState,
        instance: AsgInstance,
        cause: TerminationCause | "USER_REQUEST",
    ): boolean {
        if (!capacityInstances(group).includes(instance)) return false;
        this.ctx.record("autoscaling.instance.terminationStarted", {
            groupName: group.name,
            instanceId: instance.instanceId,
            cause,
        });
        const hooks = [...group.hooks.values()].filter(
            (h) => h.transition === "autoscaling:EC2_INSTANCE_TERMINATING",
        );
        if (hooks.length === 0) {
            this.setState(group, instance, "Terminating");
            this.ec2.terminate(instance.instanceId);
        } else {
            this.setState(group, instance, "Terminating:Wait");
            this.actions.begin(group, instance.instanceId, hooks, (result) =>
                this.afterTerminatingHooks(group, instance, result),
            );
        }
        this.requestReconcile(group);
        return true;
    }

    instanceRunning(ec2Instance: Ec2Instance): void {
        const group = this.owner.get(ec2Instance.instanceId);
        const instance = group?.instances.get(ec2Instance.instanceId);
        if (!group || !instance || instance.lifecycleState !== "Pending") return;
        const hooks = [...group.hooks.values()].filter(
            (h) => h.transition === "autoscaling:EC2_INSTANCE_LAUNCHING",
        );
        if (hooks.length === 0) {
            this.enterService(group, instance);
            return;
        }
        this.setState(group, instance, "Pending:Wait");
        this.actions.begin(group, instance.instanceId, hooks, (result) => {
            if (result === "CONTINUE") {
                this.setState(group, instance, "Pending:Proceed");
                this.enterService(group, instance);
            } else {
                this.setState(group, instance, "Terminating");
                this.ec2.terminate(instance.instanceId);
                this.requestReconcile(group);
            }
        });
    }

    instanceTerminated(ec2Instance: Ec2Instance): void {
        const group = this.owner.get(ec2Instance.instanceId);
        const instance = group?.instances.get(ec2Instance.instanceId);
        if (!group || !instance) return;
        this.actions.forget(instance.instanceId);
        this.setState(group, instance, "Terminated");
        group.instances.delete(instance.instanceId);
        this.owner.delete(instance.instanceId);
        this.requestReconcile(group);
    }

    private enterService(group: GroupState, instance: AsgInstance): void {
        instance.inServiceAt = this.ctx.clock.now();
        this.setState(group, instance, "InService");
        this.requestReconcile(group);
    }

    private afterTerminatingHooks(group: GroupState, instance: AsgInstance, result: TransitionResult): void {
        if (result === "ABANDON" && group.retainOnAbandon) {
            // The instance keeps running with its tasks until someone terminates it through EC2.
            this.setState(group, instance, "Terminating:Retained");
        } else {
            this.setState(group, instance, "Terminating:Proceed");
            this.ec2.terminate(instance.instanceId);
        }
        this.requestReconcile(group);
    }

    private async scaleIn(group: GroupState): Promise<void> {
        const candidates = capacityInstances(group).filter((i) => !i.protectedFromScaleIn);
        const excess = capacityInstances(group).length - group.desiredCapacity;
        const count = Math.min(excess, candidates.length);
        if (count <= 0) return;
        group.scaleInInFlight = true;
        const choice = await this.termination.choose(group, candidates, count, "SCALE_IN");
        group.scaleInInFlight = false;
        if (choice === "retry") {
            this.ctx.record("autoscaling.scaleIn.deferred", { groupName: group.name });
            this.requestReconcile(group, this.timings.terminationRetryMs);
            return;
        }
        // Desired capacity may have risen while the policy Lambda ran.
        let stillExcess = capacityInstances(group).length - group.desiredCapacity;
        for (const instance of choice) {
            if (stillExcess <= 0) break;
            if (this.beginTermination(group, instance, "SCALE_IN")) stillExcess--;
        }
        this.requestReconcile(group);
    }

    private setState(group: GroupState, instance: AsgInstance, state: LifecycleState): void {
        instance.lifecycleState = state;
        this.ctx.record("autoscaling.instance.state", {
            groupName: group.name,
            instanceId: instance.instanceId,
            state,
        });
    }

    private nextMarket(group: GroupState, capacity: readonly AsgInstance[]): MarketOption {
        const mixed = group.mixedInstances;
        if (!mixed) return "on-demand";
        const onDemand = capacity.filter((i) => i.market === "on-demand").length;
        if (onDemand < mixed.onDemandBaseCapacity) return "on-demand";
        const aboveBaseAfterLaunch = capacity.length + 1 - mixed.onDemandBaseCapacity;
        const onDemandAboveBase = onDemand - mixed.onDemandBaseCapacity;
        const wanted = Math.ceil((aboveBaseAfterLaunch * mixed.onDemandPercentageAboveBaseCapacity) / 100);
        return onDemandAboveBase < wanted ? "on-demand" : "spot";
    }

    private instanceTypeFor(group: GroupState, market: MarketOption): string | undefined {
        const types = group.mixedInstances?.instanceTypes;
        if (!types || types.length === 0) return undefined;
        if (market === "on-demand") return types[0];
        return [...types].sort((a, b) => INSTANCE_TYPES[a].hourlyUsd - INSTANCE_TYPES[b].hourlyUsd)[0];
    }
}

/** The AZ with the fewest capacity instances; ties go to the AZ listed first. */
export function leastPopulatedAz(
    availabilityZones: readonly string[],
    capacity: readonly AsgInstance[],
): string {
    let best = availabilityZones[0];
    let bestCount = Infinity;
    for (const az of availabilityZones) {
        const count = capacity.filter((i) => i.availabilityZone === az).length;
        if (count < bestCount) {
            best = az;
            bestCount = count;
        }
    }
    return best;
}
