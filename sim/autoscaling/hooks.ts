/**
 * Lifecycle actions: when an instance enters a transition the group has hooks for, each hook gets
 * an action with a token, a notification to its target, a heartbeat deadline (extended by
 * RecordLifecycleActionHeartbeat up to the global timeout of min(48 h, 100 × heartbeat)) and a
 * default result applied when a deadline passes. The instance moves on once every action of the
 * transition has a result; ABANDON from any one of them wins.
 */
import { AwsError } from "../errors";
import type { RegionContext } from "../types";
import type { GroupState, LifecycleAction, LifecycleHookState } from "./state";

const MAX_GLOBAL_TIMEOUT_S = 48 * 3600;

export type TransitionResult = "CONTINUE" | "ABANDON";

interface PendingTransition {
    readonly actions: LifecycleAction[];
    readonly onDone: (result: TransitionResult) => void;
}

export function globalTimeoutSeconds(heartbeatTimeout: number): number {
    return Math.min(MAX_GLOBAL_TIMEOUT_S, 100 * heartbeatTimeout);
}

export class LifecycleActions {
    private readonly byToken = new Map<string, LifecycleAction>();
    private readonly transitions = new Map<string, PendingTransition>();

    constructor(private readonly ctx: RegionContext) {}

    /** Starts one action per hook; `onDone` runs once all have a result. */
    begin(
        group: GroupState,
        instanceId: string,
        hooks: readonly LifecycleHookState[],
        onDone: (result: TransitionResult) => void,
    ): void {
        const now = this.ctx.clock.now();
        const actions = hooks.map((hook) => {
            const action: LifecycleAction = {
                token: this.uuid(),
                groupName: group.name,
                hookName: hook.name,
                instanceId,
                startedAt: now,
                globalDeadline: now + globalTimeoutSeconds(hook.heartbeatTimeout) * 1000,
                heartbeatDeadline: now + hook.heartbeatTimeout * 1000,
            };
            this.byToken.set(action.token, action);
            return action;
        });
        this.transitions.set(instanceId, { actions, onDone });
        for (const [i, action] of actions.entries()) {
            const hook = hooks[i];
            this.ctx.record("autoscaling.hook.waiting", {
                groupName: group.name,
                hookName: hook.name,
                instanceId,
                heartbeatDeadline: action.heartbeatDeadline,
                globalDeadline: action.globalDeadline,
            });
            this.armTimer(action, hook);
            this.notify(group, hook, action);
            if (hook.transition === "autoscaling:EC2_INSTANCE_TERMINATING") {
                this.ctx.ecs.terminatingLifecycleAction(group.name, hook.name, instanceId);
            }
        }
    }

    /** The action of `hookName` for the instance (or the token), if it has no result yet. */
    find(
        group: GroupState,
        hookName: string,
        instanceId?: string,
        token?: string,
    ): LifecycleAction | undefined {
        if (token !== undefined) {
            const action = this.byToken.get(token);
            return action && action.groupName === group.name && action.hookName === hookName && !action.result
                ? action
                : undefined;
        }
        return this.transitions
            .get(instanceId ?? "")
            ?.actions.find((a) => a.groupName === group.name && a.hookName === hookName && !a.result);
    }

    complete(
        group: GroupState,
        hookName: string,
        result: TransitionResult,
        instanceId?: string,
        token?: string,
    ): void {
        const action = this.find(group, hookName, instanceId, token);
        if (!action) throw noActiveAction(instanceId, token);
        this.ctx.record("autoscaling.hook.completed", {
            groupName: group.name,
            hookName,
            instanceId: action.instanceId,
            result,
        });
        this.settle(action, result);
    }

    heartbeat(group: GroupState, hook: LifecycleHookState, instanceId?: string, token?: string): void {
        const action = this.find(group, hook.name, instanceId, token);
        if (!action) throw noActiveAction(instanceId, token);
        action.heartbeatDeadline = Math.min(
            this.ctx.clock.now() + hook.heartbeatTimeout * 1000,
            action.globalDeadline,
        );
        this.ctx.record("autoscaling.hook.heartbeat", {
            groupName: group.name,
            hookName: hook.name,
            instanceId: action.instanceId,
            heartbeatDeadline: action.heartbeatDeadline,
        });
        this.armTimer(action, hook);
    }

    /** An instance that left the group another way (EC2 terminated it): its actions end without effect. */
    forget(instanceId: string): void {
        const transition = this.transitions.get(instanceId);
        if (!transition) return;
        for (const action of transition.actions) {
            this.ctx.clock.cancel(action.timer);
            this.byToken.delete(action.token);
        }
        this.transitions.delete(instanceId);
    }

    private armTimer(action: LifecycleAction, hook: LifecycleHookState): void {
        this.ctx.clock.cancel(action.timer);
        const deadline = Math.min(action.heartbeatDeadline, action.globalDeadline);
        action.timer = this.ctx.clock.at(deadline, `autoscaling.hook.timeout ${action.instanceId}`, () => {
            if (action.result) return;
            this.ctx.record("autoscaling.hook.timedOut", {
                groupName: action.groupName,
                hookName: hook.name,
                instanceId: action.instanceId,
                deadline: action.globalDeadline <= action.heartbeatDeadline ? "global" : "heartbeat",
                result: hook.defaultResult,
                waitedSeconds: (this.ctx.clock.now() - action.startedAt) / 1000,
            });
            this.settle(action, hook.defaultResult);
        });
    }

    private settle(action: LifecycleAction, result: TransitionResult): void {
        action.result = result;
        this.ctx.clock.cancel(action.timer);
        this.byToken.delete(action.token);
        const transition = this.transitions.get(action.instanceId);
        if (!transition || transition.actions.some((a) => !a.result)) return;
        this.transitions.delete(action.instanceId);
        transition.onDone(transition.actions.some((a) => a.result === "ABANDON") ? "ABANDON" : "CONTINUE");
    }

    private notify(group: GroupState, hook: LifecycleHookState, action: LifecycleAction): void {
        if (!hook.notificationTargetArn) return;
        const terminating = hook.transition === "autoscaling:EC2_INSTANCE_TERMINATING";
        const message: Record<string, unknown> = {
            Origin: terminating ? "AutoScalingGroup" : "EC2",
            Destination: terminating ? "EC2" : "AutoScalingGroup",
            LifecycleHookName: hook.name,
            AccountId: this.ctx.accountId,
            RequestId: this.uuid(),
            LifecycleTransition: hook.transition,
            AutoScalingGroupName: group.name,
            Service: "AWS Auto Scaling",
            Time: new Date(this.ctx.clock.now()).toISOString(),
            EC2InstanceId: action.instanceId,
            LifecycleActionToken: action.token,
        };
        if (hook.notificationMetadata !== undefined) message.NotificationMetadata = hook.notificationMetadata;
        const kind = terminating ? "TERMINATING" : "LAUNCHING";
        this.deliver(
            hook.notificationTargetArn,
            JSON.stringify(message),
            `Auto Scaling:  Lifecycle action '${kind}' for instance ${action.instanceId} in progress.`,
        );
    }

    /** The message Auto Scaling sends when a hook with a notification target is put. */
    sendTestNotification(group: GroupState, hook: LifecycleHookState): void {
        if (!hook.notificationTargetArn) return;
        const message = {
            AccountId: this.ctx.accountId,
            RequestId: this.uuid(),
            AutoScalingGroupARN: group.arn,
            AutoScalingGroupName: group.name,
            Service: "AWS Auto Scaling",
            Event: "autoscaling:TEST_NOTIFICATION",
            Time: new Date(this.ctx.clock.now()).toISOString(),
        };
        this.deliver(
            hook.notificationTargetArn,
            JSON.stringify(message),
            `Auto Scaling: test notification for group "${group.name}"`,
        );
    }

    private deliver(targetArn: string, message: string, subject: string): void {
        if (this.ctx.faultFires("dropRate", { via: "autoscaling", targetArn })) {
            this.ctx.record("autoscaling.notification.dropped", { targetArn, message });
            return;
        }
        this.ctx.record("autoscaling.notification", { targetArn, message });
        if (targetArn.startsWith("arn:aws:sqs:")) this.ctx.sqs.sendInternal(targetArn, message);
        else this.ctx.sns.publishInternal(targetArn, message, subject);
    }

    private uuid(): string {
        const h = this.ctx.random.hex(32);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
}

function noActiveAction(instanceId?: string, token?: string): AwsError {
    return new AwsError(
        "ValidationError",
        instanceId !== undefined
            ? `No active Lifecycle Action found with instance ID ${instanceId}`
            : `No active Lifecycle Action found with token ${token}`,
    );
}
