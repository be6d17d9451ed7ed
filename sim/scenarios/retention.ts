/**
 * Whether the instances a run ended with in Terminating:Retained were retained by design. The
 * drain pipeline's designed answer to tasks that never stop (the stuckTaskRate fault: they ignore
 * SIGTERM and stay in STOPPING) is: the drain reaches its deadline, the drain Lambda completes the
 * hook with ABANDON, the group's retention trigger keeps the instance and its tasks, and the
 * abandoned-drain alarm tells someone. Nothing is killed. Any other way to a retained instance
 * (the hook timed out instead, no stuck task explains the abandon, the alarm stayed quiet) is
 * unexpected, and so is a kill or a hook past its deadline (the invariants catch those).
 */
import type { TimelineEntry } from "../types";
import type { ScenarioCheck } from "./result";

export interface RetainedInstance {
    readonly instanceId: string;
    /** Seconds since the scenario started (negative: retained while the stack settled). */
    readonly retainedAtSeconds: number;
    /** How long its lifecycle hook waited before the drain gave up, in seconds. */
    readonly waitedSeconds: number | null;
    /** Tasks on it that ignored SIGTERM (stuckTaskRate fired for them). */
    readonly stuckTasks: number;
    /** Whether the abandoned-drain alarm went to ALARM once the instance was retained. */
    readonly alarmFired: boolean;
    readonly designed: boolean;
    /** Why it was retained, or what was unexpected about it. */
    readonly why: string;
}

interface Tracked {
    state?: string;
    retainedAt?: number;
    waitingSince?: number;
    waitedMs?: number;
    ended?: "ABANDON" | "CONTINUE" | "timed out";
    stuckTasks: number;
}

/** Every instance the run ended with in Terminating:Retained, judged. */
export function retainedInstances(
    timeline: readonly TimelineEntry[],
    startedAt: number,
    abandonedAlarm: string | undefined,
): RetainedInstance[] {
    const instances = new Map<string, Tracked>();
    const alarmAt: number[] = [];
    const of = (id: unknown) => {
        const key = String(id);
        const t = instances.get(key) ?? { stuckTasks: 0 };
        instances.set(key, t);
        return t;
    };
    for (const e of timeline) {
        const d = e.detail;
        switch (e.kind) {
            case "autoscaling.instance.state": {
                const t = of(d.instanceId);
                t.state = String(d.state);
                if (t.state === "Terminating:Retained") t.retainedAt = e.at;
                break;
            }
            case "autoscaling.hook.waiting":
                of(d.instanceId).waitingSince = e.at;
                break;
            case "autoscaling.hook.completed":
            case "autoscaling.hook.timedOut": {
                const t = of(d.instanceId);
                t.ended = e.kind === "autoscaling.hook.timedOut" ? "timed out" : (d.result as "ABANDON");
                if (t.waitingSince !== undefined) t.waitedMs = e.at - t.waitingSince;
                break;
            }
            case "fault.fired":
                if (d.fault === "stuckTaskRate" && d.ec2InstanceId) of(d.ec2InstanceId).stuckTasks++;
                break;
            case "alarm.state":
                if (d.alarm === abandonedAlarm && d.to === "ALARM") alarmAt.push(e.at);
                break;
        }
    }
    return [...instances.entries()]
        .filter(([, t]) => t.state === "Terminating:Retained")
        .map(([instanceId, t]) => judge(instanceId, t, startedAt, abandonedAlarm, alarmAt));
}

function judge(
    instanceId: string,
    t: Tracked,
    startedAt: number,
    abandonedAlarm: string | undefined,
    alarmAt: readonly number[],
): RetainedInstance {
    const retainedAt = t.retainedAt!;
    const alarmFired = alarmAt.some((at) => at >= retainedAt);
    const waitedSeconds = t.waitedMs === undefined ? null : Math.round(t.waitedMs / 1000);
    const unexpected = [
        t.ended === "timed out" ? "its lifecycle hook timed out: no drain decided" : "",
        t.ended !== "ABANDON" && t.ended !== "timed out" ? "no drain abandoned it" : "",
        t.stuckTasks === 0 ? "no task that ignored SIGTERM explains the abandon" : "",
        abandonedAlarm === undefined ? "no abandoned-drain alarm is deployed" : "",
        abandonedAlarm !== undefined && !alarmFired ? `${abandonedAlarm} did not go to ALARM` : "",
    ].filter((reason) => reason !== "");
    const tasks = `${t.stuckTasks} task${t.stuckTasks === 1 ? "" : "s"} that ignored SIGTERM (stuckTaskRate)`;
    const why =
        unexpected.length > 0
            ? `UNEXPECTED: ${unexpected.join("; ")}`
            : `the drain reached its deadline after ${waitedSeconds} s with ${tasks}: ABANDON, instance and tasks kept, ${abandonedAlarm} → ALARM`;
    return {
        instanceId,
        retainedAtSeconds: Math.round((retainedAt - startedAt) / 1000),
        waitedSeconds,
        stuckTasks: t.stuckTasks,
        alarmFired,
        designed: unexpected.length === 0,
        why,
    };
}

/** The check a run gets when it ended with retained instances: every one retained by design. */
export function retentionCheck(retained: readonly RetainedInstance[]): ScenarioCheck {
    const unexpected = retained.filter((r) => !r.designed);
    return {
        name: "retained instances are the designed outcome (tasks that never stop: drain deadline, ABANDON, alarm)",
        passed: unexpected.length === 0,
        detail: retained.map((r) => `${r.instanceId}: ${r.why}`).join("; "),
    };
}
