/**
 * Managed instance draining (ECS developer guide, "Safely stop Amazon ECS workloads running on EC2
 * instances", managed-instance-draining; "Configuring Amazon ECS capacity providers to safely
 * shut down instances", enable-managed-instance-draining):
 * - ECS adds its own TERMINATING lifecycle hook to the group, named as the cluster's
 *   `managed_draining` attachment reports it (enable-managed-instance-draining). Its heartbeat
 *   timeout of 3600 s and default result CONTINUE are what operators find on it (AWS's docs do
 *   not state them; e.g. "heartbeat timeout 3600s = 1h, DefaultResult CONTINUE" in operators'
 *   notes on teardowns that waited on it).
 * - Auto Scaling sends an event to EventBridge when the hook is invoked, and ECS's managed rule on
 *   the default bus takes it ("How managed instance draining works with EventBridge"). ECS sets
 *   the container instance DRAINING, which is the container instance draining feature: service
 *   tasks are replaced within their deployment configuration, standalone tasks "remain
 *   unaffected", daemon tasks stop last; "The container instance remains in the DRAINING state
 *   until either all tasks are stopped or 48 hours has passed" (the hook's global timeout,
 *   min(48 h, 100 × 3600 s), after which Auto Scaling applies CONTINUE and the instance goes with
 *   whatever still runs on it). ECS then completes the action with CONTINUE.
 * Inferred: ECS records a heartbeat every 30 minutes (the 48-hour wait needs heartbeats within the
 * 1-hour timeout); the event reaches ECS after EventBridge's delivery delay and is not lost
 * (EventBridge retries); an instance ECS never registered, or already INACTIVE, is let go at once.
 */
import { AwsError } from "../errors";
import { EVENTS_DELIVERY_DELAY_MS } from "../events";
import type { RegionContext } from "../types";
import type { ContainerInstanceState, EcsState, TaskState } from "./state";

export const MANAGED_DRAINING_HOOK = {
    name: "ecs-managed-draining-termination-hook",
    heartbeatTimeoutSeconds: 3600,
    defaultResult: "CONTINUE",
} as const;
export const DRAINING_HEARTBEAT_MS = 30 * 60_000;

interface DrainingAction {
    readonly groupName: string;
    readonly hookName: string;
    heartbeat?: number;
}

export class ManagedDraining {
    private readonly actions = new Map<string, DrainingAction>();

    constructor(
        private readonly ctx: RegionContext,
        private readonly state: EcsState,
        private readonly setDraining: (instance: ContainerInstanceState) => void,
    ) {}

    /** Adds ECS's hook to the group; returns its name. */
    putHook(groupName: string): string {
        this.ctx.autoscaling.serviceCall("PutLifecycleHook", {
            AutoScalingGroupName: groupName,
            LifecycleHookName: MANAGED_DRAINING_HOOK.name,
            LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
            HeartbeatTimeout: MANAGED_DRAINING_HOOK.heartbeatTimeoutSeconds,
            DefaultResult: MANAGED_DRAINING_HOOK.defaultResult,
        });
        return MANAGED_DRAINING_HOOK.name;
    }

    deleteHook(groupName: string, hookName: string): void {
        this.ctx.autoscaling.serviceCall("DeleteLifecycleHook", {
            AutoScalingGroupName: groupName,
            LifecycleHookName: hookName,
        });
    }

    /** Auto Scaling's lifecycle action event; ECS's rule takes those of its own hooks. */
    lifecycleActionStarted(groupName: string, hookName: string, instanceId: string): void {
        const ours = [...this.state.capacityProviders.values()].some(
            (p) =>
                p.association?.drainingHookName === hookName &&
                this.ctx.autoscaling.groupForCapacityProvider(p.autoScalingGroupArn)?.name === groupName,
        );
        if (!ours) return;
        this.ctx.clock.schedule(EVENTS_DELIVERY_DELAY_MS, `ecs.managedDraining ${instanceId}`, () =>
            this.begin({ groupName, hookName }, instanceId),
        );
    }

    /** A task changed: a draining instance may now be empty. */
    taskChanged(task: TaskState): void {
        if (task.lastStatus === "STOPPED" && this.actions.has(task.ec2InstanceId)) {
            this.letGoIfEmpty(task.ec2InstanceId);
        }
    }

    private begin(action: DrainingAction, instanceId: string): void {
        if (this.actions.has(instanceId)) return;
        this.actions.set(instanceId, action);
        const instance = this.state.instanceByEc2Id(instanceId);
        this.ctx.record("ecs.managedDraining.started", {
            instanceId,
            tasks: instance ? instance.taskArns.size : 0,
        });
        if (instance?.status === "ACTIVE") this.setDraining(instance);
        this.armHeartbeat(instanceId, action);
        this.letGoIfEmpty(instanceId);
    }

    private letGoIfEmpty(instanceId: string): void {
        const instance = this.state.instanceByEc2Id(instanceId);
        if (instance && instance.status !== "INACTIVE" && instance.taskArns.size > 0) return;
        const action = this.forget(instanceId)!;
        this.ctx.record("ecs.managedDraining.completed", { instanceId });
        this.actionCall("CompleteLifecycleAction", action, instanceId, { LifecycleActionResult: "CONTINUE" });
    }

    private armHeartbeat(instanceId: string, action: DrainingAction): void {
        action.heartbeat = this.ctx.clock.schedule(
            DRAINING_HEARTBEAT_MS,
            `ecs.managedDraining.heartbeat ${instanceId}`,
            () => {
                if (this.actionCall("RecordLifecycleActionHeartbeat", action, instanceId, {})) {
                    this.armHeartbeat(instanceId, action);
                } else {
                    this.forget(instanceId);
                    this.ctx.record("ecs.managedDraining.actionEnded", { instanceId });
                }
            },
        );
    }

    /** Calls the Auto Scaling API on the action; false when the action is gone (it timed out). */
    private actionCall(
        operation: string,
        action: DrainingAction,
        instanceId: string,
        extra: Record<string, unknown>,
    ): boolean {
        try {
            this.ctx.autoscaling.serviceCall(operation, {
                AutoScalingGroupName: action.groupName,
                LifecycleHookName: action.hookName,
                InstanceId: instanceId,
                ...extra,
            });
            return true;
        } catch (error) {
            if (error instanceof AwsError && error.code === "ValidationError") return false;
            throw error;
        }
    }

    private forget(instanceId: string): DrainingAction | undefined {
        const action = this.actions.get(instanceId);
        this.ctx.clock.cancel(action?.heartbeat);
        this.actions.delete(instanceId);
        return action;
    }
}
