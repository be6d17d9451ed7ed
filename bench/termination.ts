/**
 * Latency and ECS calls of the termination policy handler on 2,000 candidates, with a fake ECS
 * that answers each call after a modelled 50 ms (real timers; the calls of one phase overlap, as
 * they do against ECS). Run: `npx ts-node bench/termination.ts`.
 *
 * Two series of 200 invocations: "cold" creates a handler per invocation (a fresh Lambda
 * environment: no remembered container instance ARNs), "warm" reuses one handler (its first
 * invocation is cold). Throttling is not modelled: this measures the handler, not ECS's rate
 * limit (~20 reads/s sustained, which these back-to-back invocations would far exceed).
 *
 * Then the cold start against Auto Scaling's 2,000 ms of wall time, with an ECS too slow for the
 * budget (800 ms a call, 1,600 ms for the two phases), so the budget alone decides when the
 * answer comes: one cold invocation per measured module load (bench/terminationColdStart.ts,
 * scaled to the function's CPU share), wall time = that load + the handler's own time. At the
 * former 512 MB with the budget counted from the handler's start (as before) and from the
 * process's start, and at the function's memory now.
 */
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import type { TerminationPayload } from "../runtime/termination";
import { createTerminationHandler, type EcsTerminationCommand } from "../runtime/terminationHandler";
import { AUTO_SCALING_LIMIT_MS, TERMINATION_FUNCTION } from "../stack/termination";
import { atMemory, measureColdStarts } from "./terminationColdStart";

const CANDIDATES = 2000;
const INVOCATIONS = 200;
const ECS_LATENCY_MS = 50;
const SLOW_ECS_LATENCY_MS = 800;
const FORMER_MEMORY_MB = 512;
const COLD_START_SAMPLES = 30;
const CLUSTER = "bench";
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

const ids = Array.from({ length: CANDIDATES }, (_, index) => `i-0${index.toString(16).padStart(16, "0")}`);
const byId = new Map<string, ContainerInstance>(
    ids.map((id, index) => [
        id,
        {
            containerInstanceArn: `arn:aws:ecs:us-east-1:123456789012:container-instance/${CLUSTER}/ci-${index}`,
            ec2InstanceId: id,
            status: index % 50 === 0 ? "DRAINING" : "ACTIVE",
            runningTasksCount: (index * 7) % 13,
            pendingTasksCount: index % 3 === 0 ? 1 : 0,
            registeredAt: new Date(1_700_000_000_000 + index * 1000),
        },
    ]),
);
const byArn = new Map([...byId.values()].map((instance) => [instance.containerInstanceArn ?? "", instance]));

let calls = 0;
const ecs = fakeEcs(ECS_LATENCY_MS);

function fakeEcs(latencyMs: number) {
    return {
        async send(command: EcsTerminationCommand): Promise<unknown> {
            calls++;
            await new Promise((resolve) => setTimeout(resolve, latencyMs));
            const input = command.input as Record<string, unknown>;
            if (command.constructor.name === "ListContainerInstancesCommand") {
                const listed = /\[(.*)\]$/.exec(input.filter as string)?.[1].split(", ") ?? [];
                return {
                    containerInstanceArns: listed.flatMap((id) => byId.get(id)?.containerInstanceArn ?? []),
                };
            }
            return {
                containerInstances: (input.containerInstances as string[]).map((arn) => byArn.get(arn)),
            };
        },
    };
}

const request: TerminationPayload = {
    AutoScalingGroupARN:
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x:autoScalingGroupName/bench",
    AutoScalingGroupName: "bench",
    CapacityToTerminate: ZONES.map((zone) => ({
        AvailabilityZone: zone,
        Capacity: 3,
        InstanceMarketOption: "on-demand" as const,
    })),
    Instances: ids.map((id, index) => ({
        AvailabilityZone: ZONES[index % ZONES.length],
        InstanceId: id,
        InstanceType: "c5.large",
        InstanceMarketOption: "on-demand" as const,
    })),
    Cause: "SCALE_IN",
};

function newHandler() {
    return createTerminationHandler(
        { ecs, log: () => undefined, now: () => Date.now() },
        { clusterName: CLUSTER, daemonTaskFamilies: ["log-router"] },
    );
}

function percentile(sorted: readonly number[], fraction: number): number {
    return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)];
}

async function series(label: string, handlerFor: () => ReturnType<typeof newHandler>): Promise<void> {
    const latencies: number[] = [];
    const callCounts: number[] = [];
    let fallbacks = 0;
    for (let run = 0; run < INVOCATIONS; run++) {
        const handler = handlerFor();
        const callsBefore = calls;
        const started = process.hrtime.bigint();
        const { InstanceIDs } = await handler(request);
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        callCounts.push(calls - callsBefore);
        // The cheapest instances are the DRAINING ones (every 50th): any other answer is the fallback.
        if (!InstanceIDs.every((id) => byId.get(id)?.status === "DRAINING")) fallbacks++;
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const distinctCalls = [...new Set(callCounts)].sort((a, b) => a - b);
    console.log(
        `${label}: ${INVOCATIONS} invocations, ${CANDIDATES} candidates, ECS ${ECS_LATENCY_MS} ms/call: ` +
            `p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms, ` +
            `max ${sorted[sorted.length - 1].toFixed(1)} ms; ECS calls per invocation ${distinctCalls
                .map((count) => `${count} (×${callCounts.filter((c) => c === count).length})`)
                .join(", ")}, mean ${(callCounts.reduce((a, b) => a + b, 0) / INVOCATIONS).toFixed(2)}; ` +
            `fallbacks ${fallbacks}`,
    );
}

/** Cold invocations against a slow ECS, one per module load: Auto Scaling's view is the load plus the handler's time. */
async function coldStartSeries(label: string, loads: readonly number[], budgetFromProcessStart: boolean) {
    const slow = fakeEcs(SLOW_ECS_LATENCY_MS);
    const wall: number[] = [];
    let fallbacks = 0;
    for (const load of loads) {
        const handler = createTerminationHandler(
            {
                ecs: slow,
                log: () => undefined,
                now: () => Date.now(),
                processStartedAt: budgetFromProcessStart ? Date.now() - load : undefined,
            },
            {
                clusterName: CLUSTER,
                daemonTaskFamilies: ["log-router"],
                budgetMs: TERMINATION_FUNCTION.budgetMs,
            },
        );
        const started = process.hrtime.bigint();
        const { InstanceIDs } = await handler(request);
        wall.push(load + Number(process.hrtime.bigint() - started) / 1e6);
        if (!InstanceIDs.every((id) => byId.get(id)?.status === "DRAINING")) fallbacks++;
    }
    const sorted = [...wall].sort((a, b) => a - b);
    console.log(
        `${label}: ${loads.length} cold invocations, ECS ${SLOW_ECS_LATENCY_MS} ms/call: wall (load + handler) ` +
            `p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p99 ${percentile(sorted, 0.99).toFixed(0)} ms, ` +
            `max ${sorted[sorted.length - 1].toFixed(0)} ms; over Auto Scaling's ${AUTO_SCALING_LIMIT_MS} ms: ` +
            `${wall.filter((ms) => ms > AUTO_SCALING_LIMIT_MS).length}; fallbacks ${fallbacks}`,
    );
}

async function main(): Promise<void> {
    await series("cold", newHandler);
    const warm = newHandler();
    await series("warm", () => warm);
    const cold = await measureColdStarts(COLD_START_SAMPLES);
    const p99 = (values: readonly number[]) => percentile(values, 0.99).toFixed(0);
    console.log(
        `module load before the handler (${cold.measuredMs.length} fresh processes): p99 ${p99(cold.measuredMs)} ms here, ` +
            `${p99(cold.lambdaMs)} ms at the function's CPU share (×${(1 / cold.cpuShare).toFixed(2)}, inferred)`,
    );
    const former = atMemory(cold.measuredMs, FORMER_MEMORY_MB);
    await coldStartSeries(`${FORMER_MEMORY_MB} MB, budget from the handler's start (before)`, former, false);
    await coldStartSeries(`${FORMER_MEMORY_MB} MB, budget from the process's start`, former, true);
    await coldStartSeries(
        `${TERMINATION_FUNCTION.memoryMb} MB, budget from the process's start (now)`,
        cold.lambdaMs,
        true,
    );
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
