/**
 * What every scenario shares: a fresh region for the seed, the stack deployed into it and
 * settled, a recorder driving virtual time, and the result built from what the region recorded
 * after the settle (API calls, Lambda cost and drains of the scenario itself; the invariants
 * over the whole run, settle included, because a task lost while settling is lost all the same).
 */
import type { StackSettings } from "../../stack/settings";
import { isSteady, SimHarness } from "../harness";
import type { ApiCallObserver, Region } from "../region";
import type { FaultSettings } from "../types";
import { ScenarioRecorder } from "./recorder";
import {
    drainRecords,
    ecsApiCalls,
    lambdaTotals,
    passes,
    round,
    scenarioInvariants,
    summarizeDrains,
    type ScenarioCheck,
    type ScenarioResult,
} from "./result";
import { deployStack, type StackDeployment, type StackDeploymentOptions } from "./stackScenario";

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
            throw new Error(
                `${plan.name}: the stack did not settle within ${SETTLE_SECONDS} simulated seconds (instances ${plan.deploy.instances ?? plan.settings.cluster.desiredCapacity})`,
            );
        }
        const callsBefore = ecsApiCalls(region);
        const lambdaBefore = lambdaTotals(region);
        const recorder = new ScenarioRecorder(
            region,
            {
                clusterName: stack.deployed.clusterName,
                groupName: stack.deployed.groupName,
                services: { ...stack.services, ...extra },
            },
            { label: plan.name, sampleSeconds: plan.sampleSeconds, progress: plan.options.progress },
        );
        const checks = await plan.body({
            harness,
            region,
            stack,
            recorder,
            step: (text) => region.ctx.record("scenario.step", { text }),
        });
        const invariants = scenarioInvariants(region);
        const lambdaAfter = lambdaTotals(region);
        return {
            name: plan.name,
            seed: plan.options.seed,
            instances: plan.deploy.instances ?? plan.settings.cluster.desiredCapacity,
            simulatedSeconds: Math.round(recorder.elapsedSeconds()),
            wallMs: Date.now() - wallStart,
            invariants,
            drains: summarizeDrains(drainRecords(region.timeline, recorder.startedAt)),
            lambda: {
                invocations: lambdaAfter.invocations - lambdaBefore.invocations,
                billedSeconds: round(lambdaAfter.billedSeconds - lambdaBefore.billedSeconds, 3),
            },
            ecsApiCalls: ecsApiCalls(region) - callsBefore,
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

/** A check that no service dropped below its minimumHealthyPercent (100 % for the stack's services). */
export function neverBelowMinimumHealthy(region: Region): ScenarioCheck {
    const fraction = scenarioInvariants(region).minHealthyFraction;
    return {
        name: "no service below desired × minimumHealthyPercent (100 %)",
        passed: fraction === null || fraction >= 1,
        detail: `lowest healthy fraction ${fraction === null ? "n/a" : fraction.toFixed(2)}`,
    };
}

/** Replica counts for a cluster of `instances`: the stack's counts scaled with the cluster, at least 1. */
export function scaledDesiredCounts(settings: StackSettings, instances: number): Record<string, number> {
    const factor = instances / settings.cluster.desiredCapacity;
    return Object.fromEntries(
        settings.services.map((s) => [s.name, Math.max(1, Math.round(s.desiredCount * factor))]),
    );
}
