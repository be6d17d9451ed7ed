/**
 * Rolling instance refresh. While it runs it steers the group's capacity: it launches instances
 * with the desired launch template while the total stays within maxHealthyPercentage of desired
 * capacity, and terminates old ones (chosen by the termination policies, through the TERMINATING
 * hooks) while the healthy count — old instances in service plus new ones past their warmup —
 * stays at or above minHealthyPercentage. With 100/200 that means launch first, wait for warmup,
 * then terminate; with 90/100, terminate a tenth, then replace it.
 *
 * Instances protected from scale-in, by the ScaleInProtectedInstances preference (API reference,
 * RefreshPreferences): "Refresh" replaces them; "Ignore" leaves them and replaces the others;
 * "Wait" (the default) "waits one hour for you to remove scale-in protection. Otherwise, the
 * instance refresh will fail." Inferred: under "Wait" the unprotected ones are replaced meanwhile,
 * and the hour runs while protected instances are all that is left to replace.
 */
import { AwsError } from "../errors";
import type { Ec2Fleet } from "../ec2";
import type { RegionContext } from "../types";
import type { GroupLifecycle } from "./groups";
import {
    activeRefresh,
    capacityInstances,
    type GroupState,
    type InstanceRefreshState,
    type LaunchTemplateRef,
    type ScaleInProtectedInstances,
} from "./state";

const PROTECTED_WAIT_MS = 3600_000;
import type { TerminationPolicies } from "./terminationPolicy";

export interface RefreshPreferences {
    readonly minHealthyPercentage: number;
    readonly maxHealthyPercentage: number;
    readonly instanceWarmupSeconds: number;
    readonly skipMatching: boolean;
    readonly scaleInProtectedInstances: ScaleInProtectedInstances;
}

export class InstanceRefreshes {
    constructor(
        private readonly ctx: RegionContext,
        private readonly ec2: Ec2Fleet,
        private readonly groups: GroupLifecycle,
        private readonly termination: TerminationPolicies,
        private readonly checkIntervalMs: number,
    ) {}

    start(
        group: GroupState,
        desired: LaunchTemplateRef,
        preferences: RefreshPreferences,
    ): InstanceRefreshState {
        if (activeRefresh(group)) {
            throw new AwsError(
                "InstanceRefreshInProgress",
                `An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.`,
            );
        }
        const desiredVersion = this.ec2.resolveVersion(
            desired.launchTemplateId,
            desired.version,
        ).versionNumber;
        const toReplace = new Set(
            capacityInstances(group)
                .filter(
                    (i) =>
                        !preferences.skipMatching ||
                        i.launchTemplate.launchTemplateId !== desired.launchTemplateId ||
                        i.launchTemplateVersion !== desiredVersion,
                )
                .map((i) => i.instanceId),
        );
        const h = this.ctx.random.hex(32);
        const refresh: InstanceRefreshState = {
            id: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
            groupName: group.name,
            startTime: this.ctx.clock.now(),
            ...preferences,
            desiredLaunchTemplate: desired,
            toReplace,
            totalToReplace: toReplace.size,
            status: "Pending",
            choosing: false,
        };
        group.refreshes.unshift(refresh);
        this.ctx.record("autoscaling.refresh.started", {
            groupName: group.name,
            instanceRefreshId: refresh.id,
            toReplace: toReplace.size,
        });
        this.scheduleCheck(group, refresh, 0);
        return refresh;
    }

    /** Instances the refresh still has to replace: not yet terminated, nor retained after an ABANDON. */
    remaining(group: GroupState, refresh: InstanceRefreshState): number {
        return [...refresh.toReplace].filter((id) => {
            const state = group.instances.get(id)?.lifecycleState;
            return state !== undefined && state !== "Terminating:Retained";
        }).length;
    }

    percentageComplete(group: GroupState, refresh: InstanceRefreshState): number {
        if (refresh.status === "Successful") return 100;
        if (refresh.totalToReplace === 0) return 0;
        return Math.floor(
            (100 * (refresh.totalToReplace - this.remaining(group, refresh))) / refresh.totalToReplace,
        );
    }

    /** Re-evaluates as the next event (the group calls this after every capacity change). */
    check(group: GroupState): void {
        const refresh = activeRefresh(group);
        if (refresh && !refresh.choosing) this.scheduleCheck(group, refresh, 0);
    }

    private scheduleCheck(group: GroupState, refresh: InstanceRefreshState, delayMs: number): void {
        this.ctx.clock.cancel(refresh.timer);
        refresh.timer = this.ctx.clock.schedule(delayMs, `autoscaling.refresh ${refresh.id}`, () =>
            this.evaluate(group, refresh),
        );
    }

    private async evaluate(group: GroupState, refresh: InstanceRefreshState): Promise<void> {
        // An evaluation waiting on the termination policy reschedules itself when it is done.
        if (refresh.status !== "Pending" && refresh.status !== "InProgress") return;
        if (refresh.choosing) return;
        refresh.status = "InProgress";
        const now = this.ctx.clock.now();
        const desired = group.desiredCapacity;
        const capacity = capacityInstances(group);
        if (refresh.scaleInProtectedInstances === "Ignore") {
            for (const i of capacity) if (i.protectedFromScaleIn) refresh.toReplace.delete(i.instanceId);
        }
        const old = capacity.filter((i) => refresh.toReplace.has(i.instanceId));
        const fresh = capacity.filter((i) => !refresh.toReplace.has(i.instanceId));
        const warmMs = refresh.instanceWarmupSeconds * 1000;
        const warm = fresh.filter((i) => i.lifecycleState === "InService" && now >= i.inServiceAt! + warmMs);

        if (old.length === 0 && this.remaining(group, refresh) === 0 && warm.length >= desired) {
            this.finish(group, refresh);
            return;
        }

        const maxTotal = Math.max(desired, Math.floor((desired * refresh.maxHealthyPercentage) / 100));
        const minHealthy = Math.ceil((desired * refresh.minHealthyPercentage) / 100);
        const toLaunch = Math.max(0, Math.min(maxTotal - capacity.length, desired - fresh.length));
        if (toLaunch > 0) this.groups.launch(group, toLaunch, refresh.desiredLaunchTemplate);

        const healthy = old.filter((i) => i.lifecycleState === "InService").length + warm.length;
        const replaceable =
            refresh.scaleInProtectedInstances === "Refresh"
                ? old
                : old.filter((i) => !i.protectedFromScaleIn);
        if (this.heldByProtected(group, refresh, old.length > 0 && replaceable.length === 0, now)) return;
        const toTerminate = Math.min(replaceable.length, healthy - minHealthy);
        if (toTerminate > 0) {
            refresh.choosing = true;
            const choice = await this.termination.choose(group, replaceable, toTerminate, "INSTANCE_REFRESH");
            refresh.choosing = false;
            if (choice !== "retry") {
                for (const instance of choice.slice(0, toTerminate)) {
                    this.groups.beginTermination(group, instance, "INSTANCE_REFRESH");
                }
            }
        }
        this.scheduleCheck(group, refresh, this.checkIntervalMs);
    }

    /** Under "Wait", protected instances alone may hold the refresh for an hour; then it fails. */
    private heldByProtected(
        group: GroupState,
        refresh: InstanceRefreshState,
        held: boolean,
        now: number,
    ): boolean {
        if (!held) {
            refresh.heldByProtectedSince = undefined;
            return false;
        }
        refresh.heldByProtectedSince ??= now;
        if (now - refresh.heldByProtectedSince < PROTECTED_WAIT_MS) return false;
        refresh.status = "Failed";
        refresh.statusReason =
            "Instances protected from scale in were not replaced: their protection was not removed within an hour.";
        refresh.endTime = now;
        this.ctx.clock.cancel(refresh.timer);
        this.ctx.record("autoscaling.refresh.failed", {
            groupName: group.name,
            instanceRefreshId: refresh.id,
            reason: refresh.statusReason,
        });
        this.groups.requestReconcile(group);
        return true;
    }

    private finish(group: GroupState, refresh: InstanceRefreshState): void {
        refresh.status = "Successful";
        refresh.statusReason = undefined;
        refresh.endTime = this.ctx.clock.now();
        this.ctx.clock.cancel(refresh.timer);
        group.launchTemplate = refresh.desiredLaunchTemplate;
        this.ctx.record("autoscaling.refresh.succeeded", {
            groupName: group.name,
            instanceRefreshId: refresh.id,
            seconds: (refresh.endTime - refresh.startTime) / 1000,
        });
        this.groups.requestReconcile(group);
    }
}
