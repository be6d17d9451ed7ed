/**
 * Drives a scenario's virtual time in steps, sampling what the HTML report charts (RUNNING and
 * desired tasks per service) and reporting progress while a long run goes on. After the run it
 * reads the capacity metrics the capacity Lambda published, and turns the region's timeline into
 * the instances' lifecycle lanes, the charts' markers and the short timeline of the reports.
 */
import type { Region } from "../region";
import type { TimelineEntry } from "../types";
import { instanceLanes, type LaneChart } from "./lanes";
import { chartMarkers, type ChartMarker } from "./markers";
import type { TimelineLine } from "./result";
import { CAPACITY_NAMESPACE } from "../../stack/capacity";

/** Lanes the report draws at most; the rest of a large group is counted, not drawn. */
export const MAX_LANES = 60;

export interface ServiceSeries {
    readonly launchType: "EC2" | "FARGATE";
    readonly minimumHealthyPercent: number;
    /** RUNNING tasks at each sample. */
    readonly running: number[];
    /** The service's desired count at each sample. */
    readonly desired: number[];
}

/** A capacity metric the capacity Lambda publishes, with the alarm that acts on it. */
export interface CapacityAlarm {
    readonly metric: "ContainerCapacity" | "IdleHostCapacity";
    readonly alarm: string;
    readonly threshold: number;
    readonly comparison: "LessThanThreshold" | "GreaterThanThreshold";
    /** Minutes the metric must breach before the alarm acts. */
    readonly evaluationMinutes: number;
}

export interface MetricSeries extends CapacityAlarm {
    /** Each published value (the latest one before the start at 0). */
    readonly points: readonly { readonly seconds: number; readonly value: number }[];
}

export interface RunSeries {
    /** Sample times, seconds since the scenario started. */
    readonly seconds: number[];
    readonly endSeconds: number;
    /** Per service name. */
    readonly services: Readonly<Record<string, ServiceSeries>>;
    readonly lanes: LaneChart;
    /** Empty when the run had no capacity scaler. */
    readonly capacity: readonly MetricSeries[];
    readonly markers: readonly ChartMarker[];
}

export interface RecordedCluster {
    readonly clusterName: string;
    readonly groupName: string;
    /** Service name → ARN. */
    readonly services: Readonly<Record<string, string>>;
    readonly capacityAlarms: readonly CapacityAlarm[];
}

export interface RecorderOptions {
    readonly label: string;
    /** Virtual seconds between samples. */
    readonly sampleSeconds: number;
    /** Receives a progress line now and then (wall clock) during long runs. */
    readonly progress?: (line: string) => void;
}

/** Wall-clock ms between progress lines. */
const PROGRESS_EVERY_MS = 1000;

export class ScenarioRecorder {
    readonly startedAt: number;
    private readonly seconds: number[] = [];
    private readonly services: Record<string, { running: number[]; desired: number[] }>;
    private lastProgressAt = Date.now();

    constructor(
        private readonly region: Region,
        private readonly cluster: RecordedCluster,
        private readonly options: RecorderOptions,
    ) {
        this.startedAt = region.clock.now();
        this.services = Object.fromEntries(
            Object.keys(cluster.services).map((name) => [name, { running: [], desired: [] }]),
        );
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
        const endSeconds = Math.round(this.elapsedSeconds());
        const state = this.region.ecs.state;
        const services = Object.fromEntries(
            Object.entries(this.cluster.services).map(([name, arn]) => {
                const service = state.services.get(arn);
                return [
                    name,
                    {
                        launchType: service?.launchType ?? "EC2",
                        minimumHealthyPercent: service?.minimumHealthyPercent ?? 100,
                        running: [...this.services[name].running],
                        desired: [...this.services[name].desired],
                    },
                ];
            }),
        );
        const timeline = this.region.timeline;
        return {
            seconds: [...this.seconds],
            endSeconds,
            services,
            lanes: instanceLanes(timeline, this.cluster.groupName, this.startedAt, endSeconds, MAX_LANES),
            capacity: this.cluster.capacityAlarms.map((alarm) => ({
                ...alarm,
                points: this.published(alarm),
            })),
            markers: chartMarkers(timeline, this.startedAt, this.cluster.clusterName),
        };
    }

    /** The short, readable timeline: one line per kind of happening and minute, counted. */
    timeline(maxLines = 40): TimelineLine[] {
        return shortTimeline(this.scenarioTimeline(), this.startedAt, maxLines);
    }

    scenarioTimeline(): TimelineEntry[] {
        return this.region.timeline.filter((e) => e.at >= this.startedAt);
    }

    private published(alarm: CapacityAlarm): { seconds: number; value: number }[] {
        const dimensions = [{ Name: "ClusterName", Value: this.cluster.clusterName }];
        const points = this.region.cloudwatch.series(CAPACITY_NAMESPACE, alarm.metric, dimensions);
        const before = points.filter((p) => p.at < this.startedAt).at(-1);
        return [
            ...(before ? [{ seconds: 0, value: before.value }] : []),
            ...points
                .filter((p) => p.at >= this.startedAt)
                .map((p) => ({ seconds: Math.round((p.at - this.startedAt) / 1000), value: p.value })),
        ];
    }

    private nextSampleAt(): number {
        return this.startedAt + this.seconds.length * this.options.sampleSeconds * 1000;
    }

    private sample(): void {
        this.seconds.push(Math.round(this.elapsedSeconds()));
        const state = this.region.ecs.state;
        for (const [name, arn] of Object.entries(this.cluster.services)) {
            const service = state.services.get(arn);
            const running = service
                ? state.serviceTasks(service).filter((t) => t.lastStatus === "RUNNING").length
                : 0;
            this.services[name].running.push(running);
            this.services[name].desired.push(service?.desiredCount ?? 0);
        }
    }

    private reportProgress(): void {
        if (!this.options.progress || Date.now() - this.lastProgressAt < PROGRESS_EVERY_MS) return;
        this.lastProgressAt = Date.now();
        const counts = { InService: 0, pending: 0, draining: 0 };
        const group = this.region.autoscaling.groups.get(this.cluster.groupName);
        for (const instance of group?.instances.values() ?? []) {
            if (instance.lifecycleState === "InService") counts.InService++;
            else if (instance.lifecycleState.startsWith("Pending")) counts.pending++;
            else if (instance.lifecycleState === "Terminating:Wait") counts.draining++;
        }
        this.options.progress(
            `${this.options.label}: ${Math.round(this.elapsedSeconds())} s simulated, ` +
                `${counts.InService} in service, ${counts.pending} pending, ${counts.draining} draining`,
        );
    }
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
    "task.ignoredSigterm": (n, d) =>
        n === 1
            ? `task ignored SIGTERM (stuckTaskRate fault): ${String(d.group)} on ${String(d.ec2InstanceId) || "Fargate"}`
            : `${n} tasks ignored SIGTERM (stuckTaskRate fault)`,
    "instance.retained": (n, d) =>
        n === 1
            ? `instance RETAINED with its tasks: ${String(d.instanceId)} (Terminating:Retained)`
            : `${n} instances RETAINED with their tasks (Terminating:Retained)`,
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
        const kind = shortKind(entry);
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
    // The start and the end of a long run, the middle counted.
    const head = lines.slice(0, Math.ceil((maxLines - 1) / 2));
    const tail = lines.slice(lines.length - Math.floor((maxLines - 1) / 2));
    const skipped = lines.length - head.length - tail.length;
    return [...head, { seconds: lines[head.length].seconds, text: `… ${skipped} more lines` }, ...tail];
}

/** The short timeline's kind of an entry: some kinds read differently for some details. */
function shortKind(entry: TimelineEntry): string {
    const d = entry.detail;
    if (
        entry.kind === "ecs.task.status" &&
        d.lastStatus === "RUNNING" &&
        String(d.group ?? "").startsWith("service:")
    )
        return "tasks.moved";
    if (entry.kind === "fault.fired" && d.fault === "stuckTaskRate") return "task.ignoredSigterm";
    if (entry.kind === "autoscaling.instance.state" && d.state === "Terminating:Retained")
        return "instance.retained";
    return entry.kind;
}
