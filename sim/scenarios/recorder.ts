/**
 * Drives a scenario's virtual time in steps, sampling what the HTML report charts (group
 * instances by lifecycle state, RUNNING tasks per service) and reporting progress while a long
 * run goes on. After the run it reads the capacity metrics the capacity Lambda published and
 * turns the region's timeline into the events and the short timeline of the reports.
 */
import type { Region } from "../region";
import type { TimelineEntry } from "../types";
import type { TimelineLine } from "./result";
import { CAPACITY_NAMESPACE } from "../../stack/capacity";

export type InstanceBucket = "pending" | "inService" | "draining" | "retained";

export interface ChartEvent {
    readonly seconds: number;
    readonly kind: "alarm" | "hook" | "scaling";
    readonly label: string;
}

export interface RunSeries {
    /** Sample times, seconds since the scenario started. */
    readonly seconds: number[];
    readonly instances: Record<InstanceBucket, number[]>;
    /** RUNNING tasks per service name. */
    readonly runningTasks: Record<string, number[]>;
    /** The latest published value at each sample (null before the first). */
    readonly containerCapacity: (number | null)[];
    readonly idleHostCapacity: (number | null)[];
    readonly events: ChartEvent[];
}

export interface RecordedCluster {
    readonly clusterName: string;
    readonly groupName: string;
    /** Service name → ARN. */
    readonly services: Readonly<Record<string, string>>;
}

export interface RecorderOptions {
    readonly label: string;
    /** Virtual seconds between samples. */
    readonly sampleSeconds: number;
    /** Receives a progress line now and then (wall clock) during long runs. */
    readonly progress?: (line: string) => void;
}

const BUCKET_OF: Readonly<Record<string, InstanceBucket>> = {
    Pending: "pending",
    "Pending:Wait": "pending",
    "Pending:Proceed": "pending",
    InService: "inService",
    Terminating: "draining",
    "Terminating:Wait": "draining",
    "Terminating:Proceed": "draining",
    "Terminating:Retained": "retained",
};

/** Wall-clock ms between progress lines. */
const PROGRESS_EVERY_MS = 1000;

export class ScenarioRecorder {
    readonly startedAt: number;
    private readonly seconds: number[] = [];
    private readonly instances: Record<InstanceBucket, number[]> = {
        pending: [],
        inService: [],
        draining: [],
        retained: [],
    };
    private readonly runningTasks: Record<string, number[]>;
    private lastProgressAt = Date.now();

    constructor(
        private readonly region: Region,
        private readonly cluster: RecordedCluster,
        private readonly options: RecorderOptions,
    ) {
        this.startedAt = region.clock.now();
        this.runningTasks = Object.fromEntries(Object.keys(cluster.services).map((name) => [name, []]));
        this.sample();
    }

    /** The ARN of a recorded service by name. */
    serviceArn(name: string): string | undefined {
        return this.cluster.services[name];
    }

    /** Seconds of virtual time since the scenario started. */
    elapsedSeconds(): number {
        return (this.region.clock.now() - this.startedAt) / 1000;
    }

    async run(seconds: number): Promise<void> {
        await this.runUntil(() => false, seconds);
    }

    /** Runs until `done()` holds (checked every 5 virtual seconds) or `maxSeconds` passed; returns whether it held. */
    async runUntil(done: () => boolean, maxSeconds: number): Promise<boolean> {
        const clock = this.region.clock;
        const deadline = clock.now() + maxSeconds * 1000;
        let nextSample = this.nextSampleAt();
        while (!done()) {
            if (clock.now() >= deadline) return false;
            const stepEnd = Math.min(deadline, nextSample, clock.now() + 5000);
            await clock.runUntil(stepEnd);
            if (clock.now() >= nextSample) {
                this.sample();
                nextSample = this.nextSampleAt();
            }
            this.reportProgress();
        }
        return true;
    }

    series(): RunSeries {
        const dimensions = [{ Name: "ClusterName", Value: this.cluster.clusterName }];
        const capacity = this.region.cloudwatch.series(CAPACITY_NAMESPACE, "ContainerCapacity", dimensions);
        const idle = this.region.cloudwatch.series(CAPACITY_NAMESPACE, "IdleHostCapacity", dimensions);
        return {
            seconds: [...this.seconds],
            instances: structuredClone(this.instances),
            runningTasks: structuredClone(this.runningTasks),
            containerCapacity: this.seconds.map((s) => latestAt(capacity, this.startedAt + s * 1000)),
            idleHostCapacity: this.seconds.map((s) => latestAt(idle, this.startedAt + s * 1000)),
            events: chartEvents(this.scenarioTimeline(), this.startedAt),
        };
    }

    /** The short, readable timeline: one line per kind of happening and minute, counted. */
    timeline(maxLines = 40): TimelineLine[] {
        return shortTimeline(this.scenarioTimeline(), this.startedAt, maxLines);
    }

    scenarioTimeline(): TimelineEntry[] {
        return this.region.timeline.filter((e) => e.at >= this.startedAt);
    }

    private nextSampleAt(): number {
        return this.startedAt + (this.seconds.length * this.options.sampleSeconds + 0) * 1000;
    }

    private sample(): void {
        this.seconds.push(Math.round(this.elapsedSeconds()));
        const group = this.region.autoscaling.groups.get(this.cluster.groupName);
        const counts: Record<InstanceBucket, number> = { pending: 0, inService: 0, draining: 0, retained: 0 };
        for (const instance of group?.instances.values() ?? []) {
            const bucket = BUCKET_OF[instance.lifecycleState];
            if (bucket) counts[bucket]++;
        }
        for (const bucket of Object.keys(counts) as InstanceBucket[])
            this.instances[bucket].push(counts[bucket]);
        const state = this.region.ecs.state;
        for (const [name, arn] of Object.entries(this.cluster.services)) {
            const service = state.services.get(arn);
            const running = service
                ? state.serviceTasks(service).filter((t) => t.lastStatus === "RUNNING").length
                : 0;
            this.runningTasks[name].push(running);
        }
    }

    private reportProgress(): void {
        if (!this.options.progress || Date.now() - this.lastProgressAt < PROGRESS_EVERY_MS) return;
        this.lastProgressAt = Date.now();
        const last = (bucket: InstanceBucket) => this.instances[bucket].at(-1) ?? 0;
        this.options.progress(
            `${this.options.label}: ${Math.round(this.elapsedSeconds())} s simulated, ` +
                `${last("inService")} in service, ${last("pending")} pending, ${last("draining")} draining`,
        );
    }
}

function latestAt(points: readonly { at: number; value: number }[], at: number): number | null {
    let value: number | null = null;
    for (const p of points) {
        if (p.at > at) break;
        value = p.value;
    }
    return value;
}

function chartEvents(timeline: readonly TimelineEntry[], startedAt: number): ChartEvent[] {
    const events: ChartEvent[] = [];
    for (const e of timeline) {
        const seconds = Math.round((e.at - startedAt) / 1000);
        const d = e.detail;
        if (e.kind === "alarm.state") {
            events.push({ seconds, kind: "alarm", label: `${String(d.alarm)} → ${String(d.to)}` });
        } else if (e.kind === "autoscaling.hook.completed" || e.kind === "autoscaling.hook.timedOut") {
            events.push({
                seconds,
                kind: "hook",
                label: `${String(d.instanceId)} ${String(d.result)}${e.kind === "autoscaling.hook.timedOut" ? " (timed out)" : ""}`,
            });
        } else if (e.kind === "autoscaling.scaling") {
            events.push({ seconds, kind: "scaling", label: `desired ${String(d.from)} → ${String(d.to)}` });
        }
    }
    return events;
}

/** How each interesting timeline kind reads in the short timeline (count, detail of the first). */
const DESCRIBE: Readonly<Record<string, (n: number, d: Readonly<Record<string, unknown>>) => string>> = {
    "instance.launched": (n, d) =>
        n === 1
            ? `instance launched: ${String(d.instanceId)} (${String(d.instanceType)}, ${String(d.market)}, ${String(d.imageId)})`
            : `${n} instances launched (${String(d.imageId)})`,
    "instance.terminated": (n, d) =>
        n === 1 ? `instance terminated: ${String(d.instanceId)}` : `${n} instances terminated`,
    "instance.spotInterruption": (n, d) =>
        n === 1 ? `Spot interruption warning: ${String(d.instanceId)}` : `${n} Spot interruption warnings`,
    "autoscaling.hook.waiting": (n, d) =>
        n === 1 ? `drain started: ${String(d.instanceId)} (Terminating:Wait)` : `${n} drains started`,
    "autoscaling.hook.completed": (n, d) =>
        n === 1
            ? `drain finished: ${String(d.instanceId)} ${String(d.result)}`
            : `${n} drains finished (${String(d.result)})`,
    "autoscaling.hook.timedOut": (n, d) =>
        n === 1
            ? `hook TIMED OUT: ${String(d.instanceId)} → ${String(d.result)}`
            : `${n} hooks TIMED OUT → ${String(d.result)}`,
    "ecs.task.killedByTermination": (n, d) =>
        n === 1
            ? `task KILLED (${String(d.lastStatus)}, ${String(d.group)}): ${String(d.reason)}`
            : `${n} tasks KILLED by instance termination (first ${String(d.lastStatus)}: ${String(d.reason)})`,
    "tasks.moved": (n) => `${n} service task(s) started (replacements or new)`,
    "alarm.state": (_n, d) => `alarm ${String(d.alarm)}: ${String(d.from)} → ${String(d.to)}`,
    "autoscaling.scaling": (_n, d) =>
        `scaling ${String(d.direction)}: desired ${String(d.from)} → ${String(d.to)} (${String(d.source)})`,
    "autoscaling.refresh.started": (_n, d) => `instance refresh started: ${String(d.toReplace)} to replace`,
    "autoscaling.refresh.succeeded": (_n, d) => `instance refresh succeeded after ${String(d.seconds)} s`,
    // What the scenario itself did (changed a desired count, sent an AWS Health event, …).
    "scenario.step": (_n, d) => String(d.text),
};

/** Kinds reported line by line, never counted together. */
const SINGLE_LINE_KINDS = ["alarm.state", "autoscaling.scaling", "scenario.step"];

/**
 * One line per (minute, kind), counting repeats; service tasks that reach RUNNING after the
 * start are reported as "tasks moved" (replacements of drained or lost tasks, or new ones).
 */
export function shortTimeline(
    timeline: readonly TimelineEntry[],
    startedAt: number,
    maxLines: number,
): TimelineLine[] {
    const lines: TimelineLine[] = [];
    let current:
        { minute: number; kind: string; count: number; first: TimelineEntry; at: number } | undefined;
    const flush = () => {
        if (!current) return;
        lines.push({
            seconds: Math.round((current.at - startedAt) / 1000),
            text: DESCRIBE[current.kind](current.count, current.first.detail),
        });
        current = undefined;
    };
    for (const entry of timeline) {
        const kind = isTaskMove(entry) ? "tasks.moved" : entry.kind;
        if (!DESCRIBE[kind]) continue;
        // A daemon task goes with its host by design (see invariants.ts): not a kill to report.
        if (kind === "ecs.task.killedByTermination" && entry.detail.daemon === true) continue;
        const minute = Math.floor((entry.at - startedAt) / 60_000);
        const aggregates = !SINGLE_LINE_KINDS.includes(kind);
        if (current && aggregates && current.kind === kind && current.minute === minute) {
            current.count++;
            continue;
        }
        flush();
        current = { minute, kind, count: 1, first: entry, at: entry.at };
    }
    flush();
    if (lines.length <= maxLines) return lines;
    const head = lines.slice(0, maxLines - 1);
    return [...head, { seconds: lines.at(-1)!.seconds, text: `… ${lines.length - head.length} more lines` }];
}

function isTaskMove(entry: TimelineEntry): boolean {
    return (
        entry.kind === "ecs.task.status" &&
        entry.detail.lastStatus === "RUNNING" &&
        String(entry.detail.group ?? "").startsWith("service:")
    );
}
