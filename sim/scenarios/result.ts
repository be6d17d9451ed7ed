/**
 * What a scenario run comes to: the summary figures (invariants, drains, Lambda cost, ECS
 * API calls), the scenario's own checks, a readable timeline and the sampled series the HTML
 * report charts. Everything here is computed from the region's timeline, its Lambda counters
 * and its API call counts after the run.
 */
import type { Region, RequestRate } from "../region";
import type { FaultName, FaultSettings, TimelineEntry } from "../types";
import type { RunSeries } from "./recorder";
import type { RetainedInstance } from "./retention";

export interface ScenarioInvariants {
    /** Tasks (daemons aside) killed because their instance went away before they were STOPPED: the total. */
    readonly runningTasksKilled: number;
    /** Of those, the ones that were RUNNING. */
    readonly killedWhileRunning: number;
    /** Of those, the ones already told to stop: deregistering, exiting or detaching their ENI. */
    readonly killedWhileStopping: number;
    /** Of those, the ones not yet RUNNING. */
    readonly killedWhileStarting: number;
    /** Lowest RUNNING/desired of any replica service once it had reached its desired count (null: none did). */
    readonly minHealthyFraction: number | null;
    /** Instances whose lifecycle hook ran out (left in Terminating:Wait past the deadline). */
    readonly stuckInstances: number;
    readonly scaleOscillations: number;
}

export interface DrainSummary {
    /** Lifecycle waits that ended (completed by the drain Lambda or timed out). */
    readonly count: number;
    readonly p50Seconds: number | null;
    readonly maxSeconds: number | null;
    readonly continued: number;
    readonly abandoned: number;
}

/** A scenario-specific expectation, e.g. "every instance runs the new AMI". */
export interface ScenarioCheck {
    readonly name: string;
    readonly passed: boolean;
    readonly detail: string;
}

/** One line of the short timeline: seconds since the scenario started. */
export interface TimelineLine {
    readonly seconds: number;
    readonly text: string;
}

/** What the run had when the scenario started, next to what it asked for. */
export interface StartingPoint {
    /** Instances InService when the scenario started. */
    readonly inService: number;
    /** Desired capacity the capacity scaler's policies added (negative: removed) while the stack settled. */
    readonly addedByScaler: number;
}

/** How low a service fell, next to the floor its deployment configuration allows. */
export interface ServiceHealthSummary {
    readonly name: string;
    readonly launchType: "EC2" | "FARGATE";
    readonly desiredCount: number;
    readonly minimumHealthyPercent: number;
    /** Lowest RUNNING/desired once it had reached its desired count (null: it never did). */
    readonly lowestHealthyFraction: number | null;
}

/** A fault the run switched on: its setting and how many times it fired (the stack's settle included). */
export interface FaultReport {
    readonly setting: number | boolean;
    readonly fired: number;
}

export interface ScenarioResult {
    readonly name: string;
    readonly seed: number;
    /** Who scaled and drained the group: the stack's Lambdas (custom) or ECS's capacity provider (managed). */
    readonly capacityManagement: "custom" | "managed";
    /** Instances the scenario asked the group for. */
    readonly instances: number;
    readonly start: StartingPoint;
    readonly simulatedSeconds: number;
    readonly wallMs: number;
    readonly invariants: ScenarioInvariants;
    readonly drains: DrainSummary;
    readonly lambda: { readonly invocations: number; readonly billedSeconds: number };
    readonly ecsApiCalls: number;
    readonly services: readonly ServiceHealthSummary[];
    /** Instances the run ended with in Terminating:Retained, each judged. */
    readonly retained: readonly RetainedInstance[];
    /** Per fault switched on (none: {}). */
    readonly faults: Readonly<Partial<Record<FaultName, FaultReport>>>;
    /** ECS requests per second over a sliding second (peak, p99), every caller's. */
    readonly ecsRequestsPerSecond: RequestRate;
    readonly checks: readonly ScenarioCheck[];
    readonly passed: boolean;
    readonly timeline: readonly TimelineLine[];
    readonly series: RunSeries;
}

/** The invariants as the region's monitor saw them, reduced to the four figures. */
export function scenarioInvariants(region: Region): ScenarioInvariants {
    const report = region.invariants();
    const fractions = Object.values(report.services)
        .map((s) => s.lowestHealthyFraction)
        .filter((f): f is number => f !== null);
    return {
        runningTasksKilled: report.tasksKilledByTermination,
        killedWhileRunning: report.killedByPhase.running,
        killedWhileStopping: report.killedByPhase.stopping,
        killedWhileStarting: report.killedByPhase.starting,
        minHealthyFraction: fractions.length > 0 ? Math.min(...fractions) : null,
        stuckInstances: report.terminatingWaitPastDeadline.length,
        scaleOscillations: report.scalingOscillations,
    };
}

/** Each ended lifecycle wait: how long it took and how it ended. */
export interface DrainRecord {
    readonly instanceId: string;
    readonly startedAt: number;
    readonly endedAt: number;
    readonly result: string;
    readonly timedOut: boolean;
}

export function drainRecords(timeline: readonly TimelineEntry[], since = 0): DrainRecord[] {
    const started = new Map<string, number>();
    const records: DrainRecord[] = [];
    for (const entry of timeline) {
        if (entry.at < since) continue;
        const d = entry.detail;
        const instanceId = String(d.instanceId);
        if (entry.kind === "autoscaling.hook.waiting") started.set(instanceId, entry.at);
        const ended =
            entry.kind === "autoscaling.hook.completed" || entry.kind === "autoscaling.hook.timedOut";
        const startedAt = started.get(instanceId);
        if (ended && startedAt !== undefined) {
            started.delete(instanceId);
            records.push({
                instanceId,
                startedAt,
                endedAt: entry.at,
                result: String(d.result),
                timedOut: entry.kind === "autoscaling.hook.timedOut",
            });
        }
    }
    return records;
}

export function summarizeDrains(records: readonly DrainRecord[]): DrainSummary {
    const seconds = records.map((r) => (r.endedAt - r.startedAt) / 1000).sort((a, b) => a - b);
    return {
        count: records.length,
        p50Seconds: seconds.length > 0 ? percentile(seconds, 0.5) : null,
        maxSeconds: seconds.length > 0 ? seconds[seconds.length - 1] : null,
        continued: records.filter((r) => r.result === "CONTINUE").length,
        abandoned: records.filter((r) => r.result === "ABANDON").length,
    };
}

/** Nearest-rank percentile of ascending values. */
export function percentile(ascending: readonly number[], fraction: number): number {
    const rank = Math.max(1, Math.ceil(fraction * ascending.length));
    return ascending[rank - 1];
}

export function lambdaTotals(region: Region): { invocations: number; billedSeconds: number } {
    const stats = Object.values(region.lambda.allStats());
    return {
        invocations: stats.reduce((sum, s) => sum + s.invocations, 0),
        billedSeconds: round(stats.reduce((sum, s) => sum + s.billedMs, 0) / 1000, 3),
    };
}

export function ecsApiCalls(region: Region): number {
    return Object.values(region.apiCalls().ecs ?? {}).reduce((sum, n) => sum + n, 0);
}

/** A run passes when the four invariants hold and every scenario check passed. */
export function passes(invariants: ScenarioInvariants, checks: readonly ScenarioCheck[]): boolean {
    return (
        invariants.runningTasksKilled === 0 &&
        invariants.stuckInstances === 0 &&
        invariants.scaleOscillations === 0 &&
        checks.every((c) => c.passed)
    );
}

export function round(value: number, digits: number): number {
    const scale = 10 ** digits;
    return Math.round(value * scale) / scale;
}

/** Each fault the run switched on, with how often it fired. */
export function faultReport(
    settings: Readonly<FaultSettings>,
    fired: Partial<Record<FaultName, number>>,
): Partial<Record<FaultName, FaultReport>> {
    return Object.fromEntries(
        (Object.keys(fired) as FaultName[]).map((name) => [
            name,
            { setting: settings[name], fired: fired[name]! },
        ]),
    );
}

/** A service that fell below its own floor (desired × minimumHealthyPercent). */
export function belowFloor(service: ServiceHealthSummary): boolean {
    return (
        service.lowestHealthyFraction !== null &&
        service.lowestHealthyFraction < service.minimumHealthyPercent / 100
    );
}
