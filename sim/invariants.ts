/**
 * The invariants every run is checked against, computed from the timeline as it is recorded:
 * - no task may be on an instance that terminates: a task that is not STOPPED when its host goes
 *   away is killed, whether it was running, still deregistering or exiting (stopping), or starting
 *   (the ECS model records each as "ecs.task.killedByTermination"). Daemon tasks are not counted:
 *   ECS stops them last on a draining instance and they go with their host by design;
 * - the lowest healthy fraction (RUNNING / desired) of each replica service, counted from the
 *   moment the service first reached its desired count (and again after each desired-count
 *   change), so start-up and scale-out do not read as outages;
 * - instances left in Terminating:Wait past their lifecycle hook's deadline (the hook timed out
 *   and Auto Scaling applied the default result: the drain did not finish in time);
 * - scaling oscillations: a change of desired capacity in the opposite direction of the previous
 *   one within the window (the previous activity's cooldown, at least `oscillationWindowSeconds`),
 *   each reversal counted once.
 */
import type { KillPhase } from "./ecs/tasks";
import type { TimelineEntry } from "./types";

export interface KilledTask {
    readonly at: number;
    readonly taskArn: string;
    /** Absent for a standalone task. */
    readonly serviceArn?: string;
    /** "service:name" or "family:name". */
    readonly group: string;
    readonly ec2InstanceId: string;
    /** The task's last status when its host went away. */
    readonly lastStatus: string;
    readonly phase: KillPhase;
    /** As ECS writes the task's stoppedReason: "Host EC2 (instance i-…) terminated." */
    readonly reason: string;
    /** Why the task had been told to stop, when it was already stopping. */
    readonly stoppingBecause?: string;
}

export interface ServiceHealth {
    /** null when the service never reached its desired count. */
    readonly lowestHealthyFraction: number | null;
    readonly lowestAt: number | null;
}

export interface HookDeadlineMiss {
    readonly at: number;
    readonly groupName: string;
    readonly hookName: string;
    readonly instanceId: string;
    readonly deadline: "heartbeat" | "global";
    readonly waitedSeconds: number;
}

export interface Oscillation {
    readonly groupName: string;
    readonly firstAt: number;
    readonly firstDirection: "out" | "in";
    readonly secondAt: number;
}

export interface InvariantReport {
    /** Tasks (daemons aside) killed by their instance's termination, in every phase. */
    readonly tasksKilledByTermination: number;
    /** The same, by what the task was doing: running, stopping (deregistering, exiting, detaching its ENI), starting. */
    readonly killedByPhase: Readonly<Record<KillPhase, number>>;
    readonly killedTasks: readonly KilledTask[];
    readonly services: Readonly<Record<string, ServiceHealth>>;
    readonly terminatingWaitPastDeadline: readonly HookDeadlineMiss[];
    readonly scalingOscillations: number;
    readonly oscillations: readonly Oscillation[];
    /** True when no task was killed, no hook deadline passed and nothing oscillated. */
    readonly ok: boolean;
}

export interface InvariantOptions {
    readonly oscillationWindowSeconds?: number;
}

interface ServiceTracking {
    desired: number;
    steady: boolean;
    lowest: number | null;
    lowestAt: number | null;
}

interface LastScaling {
    readonly at: number;
    readonly direction: "out" | "in";
    readonly cooldownSeconds: number;
}

export class InvariantMonitor {
    private readonly killed: KilledTask[] = [];
    private readonly services = new Map<string, ServiceTracking>();
    private readonly deadlineMisses: HookDeadlineMiss[] = [];
    private readonly oscillations: Oscillation[] = [];
    private readonly lastScaling = new Map<string, LastScaling>();
    private readonly windowSeconds: number;

    constructor(options: InvariantOptions = {}) {
        this.windowSeconds = options.oscillationWindowSeconds ?? 300;
    }

    observe(entry: TimelineEntry): void {
        const d = entry.detail;
        switch (entry.kind) {
            case "ecs.task.killedByTermination":
                if (d.daemon !== true) {
                    this.killed.push({
                        at: entry.at,
                        taskArn: String(d.taskArn),
                        ...(d.serviceArn !== undefined ? { serviceArn: String(d.serviceArn) } : {}),
                        group: String(d.group),
                        ec2InstanceId: String(d.ec2InstanceId),
                        lastStatus: String(d.lastStatus),
                        phase: d.phase as KillPhase,
                        reason: String(d.reason),
                        ...(d.stoppingBecause !== undefined
                            ? { stoppingBecause: String(d.stoppingBecause) }
                            : {}),
                    });
                }
                break;
            case "ecs.service.health":
                this.serviceHealth(entry.at, String(d.serviceArn), Number(d.running), Number(d.desired));
                break;
            case "autoscaling.hook.timedOut":
                this.deadlineMisses.push({
                    at: entry.at,
                    groupName: String(d.groupName),
                    hookName: String(d.hookName),
                    instanceId: String(d.instanceId),
                    deadline: d.deadline === "global" ? "global" : "heartbeat",
                    waitedSeconds: Number(d.waitedSeconds),
                });
                break;
            case "autoscaling.scaling":
                this.scaling(
                    entry.at,
                    String(d.groupName),
                    d.direction === "out" ? "out" : "in",
                    Number(d.cooldownSeconds),
                );
                break;
        }
    }

    report(): InvariantReport {
        const services: Record<string, ServiceHealth> = {};
        for (const [arn, s] of this.services) {
            services[arn] = { lowestHealthyFraction: s.lowest, lowestAt: s.lowestAt };
        }
        return {
            tasksKilledByTermination: this.killed.length,
            killedByPhase: {
                running: this.killed.filter((k) => k.phase === "running").length,
                stopping: this.killed.filter((k) => k.phase === "stopping").length,
                starting: this.killed.filter((k) => k.phase === "starting").length,
            },
            killedTasks: [...this.killed],
            services,
            terminatingWaitPastDeadline: [...this.deadlineMisses],
            scalingOscillations: this.oscillations.length,
            oscillations: [...this.oscillations],
            ok:
                this.killed.length === 0 &&
                this.deadlineMisses.length === 0 &&
                this.oscillations.length === 0,
        };
    }

    private serviceHealth(at: number, serviceArn: string, running: number, desired: number): void {
        let s = this.services.get(serviceArn);
        if (!s) {
            s = { desired, steady: false, lowest: null, lowestAt: null };
            this.services.set(serviceArn, s);
        }
        if (desired !== s.desired) {
            s.desired = desired;
            s.steady = false;
        }
        if (desired === 0) return;
        if (!s.steady) {
            if (running < desired) return;
            s.steady = true;
        }
        const fraction = running / desired;
        if (s.lowest === null || fraction < s.lowest) {
            s.lowest = fraction;
            s.lowestAt = at;
        }
    }

    private scaling(at: number, groupName: string, direction: "out" | "in", cooldownSeconds: number): void {
        const last = this.lastScaling.get(groupName);
        this.lastScaling.set(groupName, { at, direction, cooldownSeconds });
        if (!last || last.direction === direction) return;
        const windowMs = Math.max(last.cooldownSeconds, this.windowSeconds) * 1000;
        if (at - last.at <= windowMs) {
            this.oscillations.push({
                groupName,
                firstAt: last.at,
                firstDirection: last.direction,
                secondAt: at,
            });
        }
    }
}
