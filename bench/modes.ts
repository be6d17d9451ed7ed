/**
 * `npm run bench`'s comparison of the two capacity management modes (issue 16): the same
 * scenarios, seeds and workload run once with the stack's own loops (custom: drain hook, capacity
 * scaler, termination policy Lambdas) and once with ECS's (managed: an Auto Scaling group capacity
 * provider with managed scaling, termination protection and draining), and each run is measured
 * from the region's timeline over the scenario itself (after the stack settled):
 * - tasks killed by an instance's termination, by what they were doing (running, stopping, starting);
 * - seconds from each rise of a service's desired count to all its tasks RUNNING (p50, p99);
 * - instance-hours: every instance from running to terminated, within the scenario (EC2 bills that);
 * - drains (lifecycle waits of the instances that left) and how long they took;
 * - scaling oscillations (the invariant), and the group's scaling actions;
 * - ECS API calls of the account (the stack's handlers; ECS's own managed loops run inside AWS and
 *   are no calls of the account) and Lambda billed seconds.
 * The workload mixes task sizes and ports: the stack's awsvpc services plus a bridge-mode service
 * with a static host port (one task per instance).
 */
import type { CapacityManagementMode, StackSettings } from "../stack/settings";
import { percentile, drainRecords } from "../sim/scenarios/result";
import type { FinishedRun } from "../sim/scenarios/scenario";
import type { HostPortService } from "../sim/scenarios/stackScenario";
import type { TimelineEntry } from "../sim/types";
import { selectScenarios } from "../sim/scenarios";
import { workloadInstances } from "../sim/scenarios/serviceLoad";

/** The five scenarios, in its order (fargate-retirement does not depend on the mode). */
export const MODE_SCENARIOS = [
    "scale-out",
    "scale-in",
    "rolling-update",
    "spot-interruption",
    "steady-state",
] as const;
export const MODE_SEEDS = [1, 2, 3, 4, 5] as const;
/** The workload's sizes: the stack's own (its desiredCapacity's worth of tasks), and four times it. */
export const MODE_SCALES = [1, 4] as const;

/** A way to run the stack: a mode, and for managed optionally another targetCapacity. */
export interface ModeConfiguration {
    readonly label: string;
    readonly mode: CapacityManagementMode;
    /** managed: the capacity provider's targetCapacity instead of the stack's. */
    readonly targetCapacity?: number;
}

/**
 * Both modes with the stack's settings, and managed once more with spare room (targetCapacity 80:
 * ECS keeps a fifth of the instances it needs free), the managed mode's counterpart of the custom
 * mode's minimumSpareTasks.
 */
export const CONFIGURATIONS: readonly ModeConfiguration[] = [
    { label: "custom", mode: "custom" },
    { label: "managed", mode: "managed" },
    { label: "managed, target 80 %", mode: "managed", targetCapacity: 80 },
];

/** The stack's settings run in `configuration`. */
export function configured(settings: StackSettings, configuration: ModeConfiguration): StackSettings {
    const managed = settings.capacityManagement.managed;
    return {
        ...settings,
        capacityManagement: {
            mode: configuration.mode,
            managed: { ...managed, targetCapacity: configuration.targetCapacity ?? managed.targetCapacity },
        },
    };
}

/** The comparison's service with a static host port, next to the stack's awsvpc ones. */
export const HOST_PORT_SERVICE: HostPortService = {
    name: "edge",
    image: "public.ecr.aws/example/edge:1",
    cpu: 1024,
    memory: 2048,
    hostPort: 8443,
    desiredCount: 2,
    minCount: 1,
    maxCount: 4,
};

/** One scenario run in one mode with one seed, measured. */
export interface ModeRun {
    readonly scenario: string;
    /** The configuration's label. */
    readonly configuration: string;
    /** The workload's size: instances the stack's counts were scaled to. */
    readonly instances: number;
    readonly seed: number;
    readonly passed: boolean;
    /** Checks that failed, by name (the invariants included). */
    readonly failed: readonly string[];
    readonly killed: { readonly running: number; readonly stopping: number; readonly starting: number };
    /** Seconds from each desired-count rise to its tasks all RUNNING. */
    readonly riseSeconds: readonly number[];
    /** Rises whose tasks were not all RUNNING when the scenario ended. */
    readonly unresolvedRises: number;
    readonly instanceHours: number;
    readonly drainSeconds: readonly number[];
    readonly oscillations: number;
    readonly scalingActions: number;
    readonly ecsApiCalls: number;
    readonly lambdaBilledSeconds: number;
    readonly simulatedSeconds: number;
}

/** A scenario's runs in one mode, over every seed. */
export interface ModeFigures {
    readonly scenario: string;
    readonly configuration: string;
    readonly instances: number;
    readonly runs: number;
    readonly passed: number;
    readonly failedChecks: readonly string[];
    readonly killedRunning: number;
    readonly killedStopping: number;
    readonly killedStarting: number;
    readonly rises: number;
    readonly riseP50Seconds: number | null;
    readonly riseP99Seconds: number | null;
    readonly unresolvedRises: number;
    /** Per run, averaged over the seeds. */
    readonly instanceHours: number;
    /** Hours the scenario ran (after the stack settled), averaged over the seeds. */
    readonly hours: number;
    readonly drains: number;
    readonly drainP50Seconds: number | null;
    readonly drainMaxSeconds: number | null;
    readonly oscillations: number;
    /** Per run, averaged over the seeds. */
    readonly scalingActions: number;
    readonly ecsApiCalls: number;
    readonly lambdaBilledSeconds: number;
}

export interface ModesResult {
    readonly stack: string;
    /** The workload sizes run, in instances. */
    readonly scales: readonly number[];
    readonly configurations: readonly ModeConfiguration[];
    readonly seeds: readonly number[];
    readonly hostPortService: HostPortService;
    readonly figures: readonly ModeFigures[];
    readonly runs: readonly ModeRun[];
}

/** Runs every scenario of MODE_SCENARIOS in every configuration, at every scale, with every seed. */
export async function runModeComparison(
    stack: string,
    settings: StackSettings,
    progress: (line: string) => void,
    seeds: readonly number[] = MODE_SEEDS,
): Promise<ModesResult> {
    const scales = MODE_SCALES.map((factor) => factor * workloadInstances(settings));
    const runs: ModeRun[] = [];
    for (const instances of scales) {
        for (const name of MODE_SCENARIOS) {
            const [scenario] = selectScenarios(name);
            for (const configuration of CONFIGURATIONS) {
                progress(`modes: ${name} at ${instances} instances, ${configuration.label}…`);
                for (const seed of seeds) {
                    const id = { scenario: name, configuration: configuration.label, instances, seed };
                    let measured: Measured | undefined;
                    const result = await scenario.run(configured(settings, configuration), {
                        seed,
                        instances,
                        hostPortServices: [HOST_PORT_SERVICE],
                        afterRun: (run) => {
                            measured = measureRun(run);
                        },
                    });
                    runs.push({
                        ...id,
                        ...measured!,
                        passed: result.passed,
                        failed: [
                            ...(result.invariants.runningTasksKilled > 0 ? ["a task killed"] : []),
                            ...(result.invariants.stuckInstances > 0 ? ["an instance stuck"] : []),
                            ...(result.invariants.scaleOscillations > 0 ? ["scaling oscillated"] : []),
                            ...result.checks.filter((c) => !c.passed).map((c) => c.name),
                        ],
                        ecsApiCalls: result.ecsApiCalls,
                        lambdaBilledSeconds: result.lambda.billedSeconds,
                    });
                }
            }
        }
    }
    return {
        stack,
        scales,
        configurations: CONFIGURATIONS,
        seeds: [...seeds],
        hostPortService: HOST_PORT_SERVICE,
        figures: summarize(runs),
        runs,
    };
}

type Measured = Omit<
    ModeRun,
    | "scenario"
    | "configuration"
    | "instances"
    | "seed"
    | "passed"
    | "failed"
    | "ecsApiCalls"
    | "lambdaBilledSeconds"
>;

/** The run's figures from the region's timeline, over the scenario (from `startedAt` to now). */
export function measureRun(run: FinishedRun): Measured {
    const { region, startedAt } = run;
    const end = region.clock.now();
    const timeline = region.timeline;
    const report = region.invariants();
    const killed = report.killedTasks.filter((k) => k.at >= startedAt);
    const rises = desiredRises(timeline, startedAt, end);
    return {
        killed: {
            running: killed.filter((k) => k.phase === "running").length,
            stopping: killed.filter((k) => k.phase === "stopping").length,
            starting: killed.filter((k) => k.phase === "starting").length,
        },
        riseSeconds: rises.resolved,
        unresolvedRises: rises.unresolved,
        instanceHours: instanceHours(timeline, startedAt, end),
        drainSeconds: drainRecords(timeline, startedAt).map((d) => (d.endedAt - d.startedAt) / 1000),
        oscillations: report.oscillations.filter((o) => o.secondAt >= startedAt).length,
        scalingActions: timeline.filter((e) => e.at >= startedAt && e.kind === "autoscaling.scaling").length,
        simulatedSeconds: Math.round((end - startedAt) / 1000),
    };
}

/** Hours each instance ran (EC2's "running" to terminated) within [from, to], summed. */
export function instanceHours(timeline: readonly TimelineEntry[], from: number, to: number): number {
    const runningSince = new Map<string, number>();
    let ms = 0;
    const add = (start: number, stop: number) => {
        ms += Math.max(0, Math.min(stop, to) - Math.max(start, from));
    };
    for (const e of timeline) {
        const id = String(e.detail.instanceId);
        if (e.kind === "instance.running") runningSince.set(id, e.at);
        if (e.kind === "instance.terminated" && runningSince.has(id)) {
            add(runningSince.get(id)!, e.at);
            runningSince.delete(id);
        }
    }
    for (const start of runningSince.values()) add(start, to);
    return ms / 3_600_000;
}

/**
 * Each rise of a service's desired count within [from, to] and when it was met: the first moment
 * RUNNING reached the raised count (or the count in force then, if it was lowered meanwhile). A
 * rise still unmet at `to` is unresolved.
 */
export function desiredRises(
    timeline: readonly TimelineEntry[],
    from: number,
    to: number,
): { resolved: number[]; unresolved: number } {
    const desired = new Map<string, number>();
    const open = new Map<string, { at: number; target: number }[]>();
    const resolved: number[] = [];
    for (const e of timeline) {
        if (e.kind !== "ecs.service.health" || e.at > to) continue;
        const service = String(e.detail.serviceArn);
        const now = Number(e.detail.desired);
        const running = Number(e.detail.running);
        const before = desired.get(service);
        desired.set(service, now);
        const pending = open.get(service) ?? [];
        if (e.at >= from && before !== undefined && now > before) pending.push({ at: e.at, target: now });
        const still = pending.filter((rise) => {
            if (running < Math.min(rise.target, now)) return true;
            resolved.push((e.at - rise.at) / 1000);
            return false;
        });
        open.set(service, still);
    }
    const unresolved = [...open.values()].reduce((n, rises) => n + rises.length, 0);
    return { resolved, unresolved };
}

/** Per scale, scenario and configuration, over the seeds. */
export function summarize(runs: readonly ModeRun[]): ModeFigures[] {
    const figures: ModeFigures[] = [];
    const distinct = <T>(f: (r: ModeRun) => T) => [...new Set(runs.map(f))];
    for (const instances of distinct((r) => r.instances)) {
        for (const scenario of distinct((r) => r.scenario)) {
            for (const configuration of distinct((r) => r.configuration)) {
                const these = runs.filter(
                    (r) =>
                        r.instances === instances &&
                        r.scenario === scenario &&
                        r.configuration === configuration,
                );
                if (these.length > 0) figures.push(figuresOf(these));
            }
        }
    }
    return figures;
}

function figuresOf(these: readonly ModeRun[]): ModeFigures {
    const sum = (f: (r: ModeRun) => number) => these.reduce((n, r) => n + f(r), 0);
    const mean = (f: (r: ModeRun) => number, digits: number) =>
        Math.round((sum(f) / these.length) * 10 ** digits) / 10 ** digits;
    const rises = these.flatMap((r) => r.riseSeconds).sort((a, b) => a - b);
    const drains = these.flatMap((r) => r.drainSeconds).sort((a, b) => a - b);
    const rounded = (value: number | undefined) => (value === undefined ? null : Math.round(value));
    return {
        scenario: these[0].scenario,
        configuration: these[0].configuration,
        instances: these[0].instances,
        runs: these.length,
        passed: these.filter((r) => r.passed).length,
        failedChecks: [...new Set(these.flatMap((r) => r.failed))],
        killedRunning: sum((r) => r.killed.running),
        killedStopping: sum((r) => r.killed.stopping),
        killedStarting: sum((r) => r.killed.starting),
        rises: rises.length,
        riseP50Seconds: rounded(rises.length > 0 ? percentile(rises, 0.5) : undefined),
        riseP99Seconds: rounded(rises.length > 0 ? percentile(rises, 0.99) : undefined),
        unresolvedRises: sum((r) => r.unresolvedRises),
        instanceHours: mean((r) => r.instanceHours, 2),
        hours: mean((r) => r.simulatedSeconds / 3600, 2),
        drains: drains.length,
        drainP50Seconds: rounded(drains.length > 0 ? percentile(drains, 0.5) : undefined),
        drainMaxSeconds: rounded(drains.at(-1)),
        oscillations: sum((r) => r.oscillations),
        scalingActions: mean((r) => r.scalingActions, 1),
        ecsApiCalls: mean((r) => r.ecsApiCalls, 0),
        lambdaBilledSeconds: mean((r) => r.lambdaBilledSeconds, 1),
    };
}
