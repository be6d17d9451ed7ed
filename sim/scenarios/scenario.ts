/**
 * What every scenario shares: a fresh region for the seed, the stack deployed into it and
 * settled, a recorder driving virtual time, and the result built from what the region recorded
 * after the settle (API calls, Lambda cost and drains of the scenario itself; the invariants
 * over the whole run, settle included, because a task lost while settling is lost all the same).
 */
import { capacityAlarmDeclarations } from "../../stack/capacity";
import type { CapacityManagementMode, StackSettings } from "../../stack/settings";
import { isSteady, SimHarness } from "../harness";
import { abandonedAlarmName } from "../pipelines/drain";
import type { ApiCallObserver, Region } from "../region";
import type { FaultSettings } from "../types";
import { ScenarioRecorder, type CapacityAlarm } from "./recorder";
import {
    belowFloor,
    drainRecords,
    ecsApiCalls,
    faultReport,
    lambdaTotals,
    passes,
    round,
    scenarioInvariants,
    summarizeDrains,
    type ScenarioCheck,
    type ScenarioResult,
    type ServiceHealthSummary,
    type StartingPoint,
} from "./result";
import { retainedInstances, retentionCheck } from "./retention";
import { workloadInstances } from "./serviceLoad";
import {
    deployStack,
    type HostPortService,
    type StackDeployment,
    type StackDeploymentOptions,
} from "./stackScenario";

export interface ScenarioOptions {
    readonly seed: number;
    /** Instances the group starts with; the scenario's default when omitted. */
    readonly instances?: number;
    readonly faults?: Partial<FaultSettings>;
    /** Progress lines for a person watching a long run (stderr in the CLI). */
    readonly progress?: (line: string) => void;
    /** Deploy without the drain pipeline: the broken configuration the invariants must catch. */
    readonly withoutDrainHook?: boolean;
    /** How the handlers reach the region (default in-process; "wire" runs the real SDK clients over loopback). */
    readonly transport?: "in-process" | "wire";
    /** Sees every API call the region serves (the conformance tests check them against AWS's models). */
    readonly callObserver?: ApiCallObserver;
    /** The capacity management mode to run (the stack's own when omitted). */
    readonly capacityManagement?: CapacityManagementMode;
    /** Services besides the stack's, with a static host port: mixed task sizes and port constraints. */
    readonly hostPortServices?: readonly HostPortService[];
    /** Sees the region once the scenario has run, before it is stopped (the bench reads its timeline). */
    readonly afterRun?: (run: FinishedRun) => void;
}

/** What `afterRun` is shown: the region, the deployed stack and when the scenario itself began. */
export interface FinishedRun {
    readonly region: Region;
    readonly stack: StackDeployment;
    /** Virtual ms at which the scenario started (after the stack settled). */
    readonly startedAt: number;
}

export interface Scenario {
    readonly name: string;
    /** One sentence: what it does and what it shows. */
    readonly summary: string;
    run(settings: StackSettings, options: ScenarioOptions): Promise<ScenarioResult>;
}

export interface ScenarioContext {
    readonly harness: SimHarness;
    readonly region: Region;
    readonly stack: StackDeployment;
    readonly recorder: ScenarioRecorder;
    /** Adds a line to the timeline for something the scenario itself did. */
    step(text: string): void;
}

export interface ScenarioPlan {
    readonly name: string;
    readonly settings: StackSettings;
    readonly options: ScenarioOptions;
    readonly deploy: StackDeploymentOptions;
    /** Virtual seconds between chart samples. */
    readonly sampleSeconds: number;
    /** Services outside the stack the scenario needs (e.g. the account's Fargate services): name → ARN. */
    readonly extraServices?: (region: Region) => Record<string, string>;
    /** Runs the scenario on the settled stack; returns its own checks. */
    readonly body: (context: ScenarioContext) => Promise<ScenarioCheck[]>;
}

/** A scenario that could not run as asked (the stack never settled): reported without a stack trace. */
export class ScenarioError extends Error {
    override readonly name = "ScenarioError";
}

/** Virtual seconds the stack may take to boot, register and place its tasks before a scenario starts. */
const SETTLE_SECONDS = 3600;
/** Longer than the capacity alarm's evaluation plus an instance's boot. */
const QUIET_SECONDS = 900;

export async function runScenario(plan: ScenarioPlan): Promise<ScenarioResult> {
    const wallStart = Date.now();
    const harness = await SimHarness.start({
        seed: plan.options.seed,
        faults: plan.options.faults,
        trunking: plan.settings.cluster.awsvpcTrunking,
        transport: plan.options.transport,
        callObserver: plan.options.callObserver,
    });
    try {
        const region = harness.region;
        const stack = await deployStack(harness, plan.settings, {
            ...plan.deploy,
            capacityManagement: plan.options.capacityManagement,
            hostPortServices: plan.options.hostPortServices,
            drainHook: plan.options.withoutDrainHook ? false : plan.deploy.drainHook,
        });
        // Steady, then a quiet spell for the capacity scaler to reach its own equilibrium (it
        // may add an instance for spare room), then steady again: the scenario starts from rest.
        const extra = plan.extraServices?.(region) ?? {};
        const steady = () => isSteady(region, stack.deployed) && runsDesired(region, Object.values(extra));
        const settled =
            (await region.runUntil(steady, SETTLE_SECONDS)) &&
            (await region.run(QUIET_SECONDS), await region.runUntil(steady, SETTLE_SECONDS));
        if (!settled) {
            throw new ScenarioError(
                `${plan.name}: the stack did not settle within ${SETTLE_SECONDS} simulated seconds: ${unsettled(region, stack, extra)}`,
            );
        }
        const callsBefore = ecsApiCalls(region);
        const lambdaBefore = lambdaTotals(region);
        const services = { ...stack.services, ...extra };
        const start = startingPoint(region, stack);
        const recorder = new ScenarioRecorder(
            region,
            {
                clusterName: stack.deployed.clusterName,
                groupName: stack.deployed.groupName,
                services,
                capacityAlarms: capacityAlarms(plan.settings, stack),
            },
            { label: plan.name, sampleSeconds: plan.sampleSeconds, progress: plan.options.progress },
        );
        const scenarioChecks = await plan.body({
            harness,
            region,
            stack,
            recorder,
            step: (text) => region.ctx.record("scenario.step", { text }),
        });
        const retained = retainedInstances(
            region.timeline,
            recorder.startedAt,
            stack.drain ? abandonedAlarmName(stack.deployed.clusterName) : undefined,
        );
        const checks = retained.length > 0 ? [...scenarioChecks, retentionCheck(retained)] : scenarioChecks;
        const invariants = scenarioInvariants(region);
        const lambdaAfter = lambdaTotals(region);
        plan.options.afterRun?.({ region, stack, startedAt: recorder.startedAt });
        return {
            name: plan.name,
            seed: plan.options.seed,
            capacityManagement: stack.capacityManagement,
            instances: plan.deploy.instances ?? plan.settings.cluster.desiredCapacity,
            start,
            simulatedSeconds: Math.round(recorder.elapsedSeconds()),
            wallMs: Date.now() - wallStart,
            invariants,
            drains: summarizeDrains(drainRecords(region.timeline, recorder.startedAt)),
            lambda: {
                invocations: lambdaAfter.invocations - lambdaBefore.invocations,
                billedSeconds: round(lambdaAfter.billedSeconds - lambdaBefore.billedSeconds, 3),
            },
            ecsApiCalls: ecsApiCalls(region) - callsBefore,
            services: serviceHealth(region, services),
            retained,
            faults: faultReport(region.ctx.faults, region.faultsFired()),
            ecsRequestsPerSecond: region.ecsRequestRate({ since: recorder.startedAt }),
            checks,
            passed: passes(invariants, checks),
            timeline: recorder.timeline(),
            series: recorder.series(),
        };
    } finally {
        await harness.stop();
    }
}

/** What kept the stack from settling: instances not in service or not registered, services short. */
function unsettled(region: Region, stack: StackDeployment, extra: Readonly<Record<string, string>>): string {
    const group = region.autoscaling.groups.get(stack.deployed.groupName)!;
    const inService = [...group.instances.values()].filter((i) => i.lifecycleState === "InService");
    const registered = region.ecs.state
        .instancesOf(stack.deployed.clusterArn)
        .filter((ci) => ci.status === "ACTIVE").length;
    const state = region.ecs.state;
    const short = Object.entries({ ...stack.services, ...extra }).flatMap(([name, arn]) => {
        const service = state.services.get(arn)!;
        const running = state.serviceTasks(service).filter((t) => t.lastStatus === "RUNNING").length;
        return running === service.desiredCount ? [] : [`${name} ${running}/${service.desiredCount}`];
    });
    return (
        `${inService.length} of ${group.desiredCapacity} instances in service, ${registered} registered with ECS` +
        (short.length > 0 ? `; services short: ${short.join(", ")}` : "")
    );
}

function startingPoint(region: Region, stack: StackDeployment): StartingPoint {
    const group = region.autoscaling.groups.get(stack.deployed.groupName)!;
    const addedByScaler = region.timeline
        .filter(
            (e) =>
                e.kind === "autoscaling.scaling" &&
                e.detail.groupName === stack.deployed.groupName &&
                String(e.detail.source).startsWith("policy"),
        )
        .reduce((sum, e) => sum + Number(e.detail.to) - Number(e.detail.from), 0);
    return {
        inService: [...group.instances.values()].filter((i) => i.lifecycleState === "InService").length,
        addedByScaler,
    };
}

/** The capacity metrics' alarms as the stack declares them (none without the capacity scaler). */
function capacityAlarms(settings: StackSettings, stack: StackDeployment): CapacityAlarm[] {
    if (!stack.capacity) return [];
    const declared = capacityAlarmDeclarations(settings.capacity);
    return [
        [declared.capacityLow, stack.capacity.capacityLowAlarmName] as const,
        [declared.idleHosts, stack.capacity.idleHostsAlarmName] as const,
    ].map(([declaration, alarm]) => ({
        metric: declaration.metricName as CapacityAlarm["metric"],
        alarm,
        threshold: declaration.threshold,
        comparison: declaration.comparisonOperator as CapacityAlarm["comparison"],
        evaluationMinutes: (declaration.evaluationPeriods * declaration.period) / 60,
    }));
}

function serviceHealth(region: Region, services: Readonly<Record<string, string>>): ServiceHealthSummary[] {
    const health = region.invariants().services;
    const state = region.ecs.state;
    return Object.entries(services).map(([name, arn]) => {
        const service = state.services.get(arn)!;
        return {
            name,
            launchType: service.launchType ?? "EC2",
            desiredCount: service.desiredCount,
            minimumHealthyPercent: service.minimumHealthyPercent,
            lowestHealthyFraction: health[arn]?.lowestHealthyFraction ?? null,
        };
    });
}

function runsDesired(region: Region, serviceArns: readonly string[]): boolean {
    const state = region.ecs.state;
    return serviceArns.every((arn) => {
        const service = state.services.get(arn)!;
        return (
            state.serviceTasks(service).filter((t) => t.lastStatus === "RUNNING").length ===
            service.desiredCount
        );
    });
}

/** A check that every replica service runs exactly its desired count of tasks. */
export function servicesAtDesired(region: Region, stack: StackDeployment): ScenarioCheck {
    const state = region.ecs.state;
    const short = Object.entries(stack.services).flatMap(([name, arn]) => {
        const service = state.services.get(arn)!;
        const running = state.serviceTasks(service).filter((t) => t.lastStatus === "RUNNING").length;
        return running === service.desiredCount ? [] : [`${name} ${running}/${service.desiredCount}`];
    });
    return {
        name: "every service runs its desired count",
        passed: short.length === 0,
        detail: short.length === 0 ? "all at desired" : `short: ${short.join(", ")}`,
    };
}

/** A check that no service dropped below desired × its own minimumHealthyPercent (100 % for the stack's). */
export function neverBelowMinimumHealthy(region: Region, stack: StackDeployment): ScenarioCheck {
    const services = serviceHealth(region, stack.services);
    const below = services.filter(belowFloor);
    const fractions = services.flatMap((s) =>
        s.lowestHealthyFraction === null ? [] : [s.lowestHealthyFraction],
    );
    return {
        name: "no service below desired × its minimumHealthyPercent",
        passed: below.length === 0,
        detail:
            below.length > 0
                ? below
                      .map(
                          (s) =>
                              `${s.name} fell to ${s.lowestHealthyFraction!.toFixed(2)} (floor ${s.minimumHealthyPercent} %)`,
                      )
                      .join(", ")
                : `lowest healthy fraction ${fractions.length === 0 ? "n/a" : Math.min(...fractions).toFixed(2)}`,
    };
}

/**
 * Replica counts for a cluster of `instances`: the counts of the stack's services and of the
 * host-port ones scaled with the cluster, at least 1.
 */
export function scaledDesiredCounts(
    settings: StackSettings,
    instances: number,
    hostPortServices: readonly HostPortService[] = [],
): Record<string, number> {
    const factor = instances / workloadInstances(settings);
    return Object.fromEntries(
        [...settings.services, ...hostPortServices].map((s) => [
            s.name,
            Math.max(1, Math.round(s.desiredCount * factor)),
        ]),
    );
}
