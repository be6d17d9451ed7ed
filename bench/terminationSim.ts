/**
 * The termination policy Lambda on 2,000 candidates, in the simulated region: the handler from
 * the component's callback factory, deployed as the component declares it, asked with the payload
 * Auto Scaling sends, talking to the region's ECS (50 ms of virtual time per call; calls issued
 * together overlap, see sim/wireCalls.ts) through the real SDK, with ECS's read throttle
 * (20 requests/s, burst 100) enforced. Auto Scaling's limit is 2,000 ms of wall time from its
 * request. Run: `npx ts-node bench/terminationSim.ts`.
 *
 * Cold: each invocation is the first of a freshly deployed function (no remembered container
 * instance ARNs). The region models no module load, so a cold invocation's wall time here is a
 * measured load (bench/terminationColdStart.ts: fresh processes loading the serialized handler,
 * scaled to the function's CPU share) plus its billed duration; the i-th cold invocation takes the
 * i-th sample, round robin, and its handler is told the load (its budget counts from the process's
 * start). Warm: one function asked again and again; no load. Invocations are 10 virtual seconds
 * apart, as Auto Scaling asks at its own pace; every 50th instance is DRAINING, so the right answer
 * names DRAINING instances only and any other answer is the fallback.
 *
 * ECS stays healthy here: the region charges a handler's timers to its virtual clock instead of
 * racing them against its calls, so the budget's fallback cannot be shown in it.
 * bench/termination.ts shows it with real timers and a slow ECS.
 */
import { AUTO_SCALING_LIMIT_MS } from "../stack/termination";
import { SimHarness, type DeployedCluster } from "../sim/harness";
import { terminationFunctionSpec } from "../sim/pipelines/termination";
import type { Region } from "../sim/region";
import { measureColdStarts, type ColdStartSamples } from "./terminationColdStart";

const CANDIDATES = 2000;
const INVOCATIONS = 100;
const COLD_START_SAMPLES = 30;
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

interface Sample {
    /** Auto Scaling's view: the module load before the handler (cold only) plus the billed duration. */
    readonly wallMs: number;
    readonly ecsCalls: number;
    readonly throttled: number;
    readonly status: string;
    readonly cheapest: boolean;
}

function ecsCallCount(counts: Record<string, Record<string, number>>): number {
    return Object.values(counts.ecs ?? {}).reduce((sum, count) => sum + count, 0);
}

async function invoke(
    region: Region,
    functionArn: string,
    payload: unknown,
    draining: Set<string>,
    moduleLoadMs: number,
): Promise<Sample> {
    const callsBefore = ecsCallCount(region.apiCalls());
    const throttledBefore = ecsCallCount(region.throttledCalls());
    let answer: string[] = [];
    let status = "ok";
    try {
        answer = (
            (await region.lambda.invokeSync(functionArn, payload, AUTO_SCALING_LIMIT_MS)) as {
                InstanceIDs: string[];
            }
        ).InstanceIDs;
    } catch (error) {
        status = (error as Error).name;
    }
    const invoked = region.timeline.filter((entry) => entry.kind === "lambda.invoked").at(-1)!;
    await region.run(10);
    return {
        wallMs: Math.ceil(moduleLoadMs + Number(invoked.detail.durationMs)),
        ecsCalls: ecsCallCount(region.apiCalls()) - callsBefore,
        throttled: ecsCallCount(region.throttledCalls()) - throttledBefore,
        status,
        cheapest: answer.length > 0 && answer.every((id) => draining.has(id)),
    };
}

function percentile(sorted: readonly number[], fraction: number): number {
    return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)];
}

function row(label: string, samples: readonly Sample[]): string {
    const wall = samples.map((s) => s.wallMs).sort((a, b) => a - b);
    const cells = [
        label,
        String(samples.length),
        String(percentile(wall, 0.5)),
        String(percentile(wall, 0.99)),
        String(wall.at(-1)),
        String(samples.filter((s) => s.wallMs > AUTO_SCALING_LIMIT_MS || s.status !== "ok").length),
        String(samples.filter((s) => !s.cheapest).length),
        (samples.reduce((sum, s) => sum + s.ecsCalls, 0) / samples.length).toFixed(1),
        String(samples.reduce((sum, s) => sum + s.throttled, 0)),
    ];
    return `| ${cells.join(" | ")} |`;
}

async function deployCandidates(harness: SimHarness): Promise<DeployedCluster> {
    const region = harness.region;
    const deployed = harness.deploy({
        clusterName: "bench",
        instanceType: "m5.large",
        instanceCount: CANDIDATES,
        maxSize: CANDIDATES,
        availabilityZones: ZONES,
    });
    const registered = () =>
        region.ecs.state.instancesOf(deployed.clusterArn).filter((ci) => ci.status === "ACTIVE").length;
    if (!(await region.runUntil(() => registered() === CANDIDATES, 3600, 30))) {
        throw new Error(`only ${registered()} of ${CANDIDATES} instances registered`);
    }
    return deployed;
}

interface Bench {
    readonly harness: SimHarness;
    readonly deployed: DeployedCluster;
    readonly payload: unknown;
    readonly draining: Set<string>;
    readonly loads: readonly number[];
}

/** `INVOCATIONS` cold invocations, each of a new function whose handler is told the module load before it. */
async function coldSeries(bench: Bench): Promise<Sample[]> {
    const samples: Sample[] = [];
    for (let run = 0; run < INVOCATIONS; run++) {
        const load = bench.loads[run % bench.loads.length];
        const arn = bench.harness.deployFunction(
            terminationFunctionSpec(bench.harness, bench.deployed, `termination-cold-${run}`, {
                moduleLoadMs: load,
            }),
        );
        samples.push(await invoke(bench.harness.region, arn, bench.payload, bench.draining, load));
    }
    return samples;
}

async function warmSeries(bench: Bench): Promise<Sample[]> {
    const region = bench.harness.region;
    const arn = bench.harness.deployFunction(
        terminationFunctionSpec(bench.harness, bench.deployed, "termination-warm"),
    );
    await invoke(region, arn, bench.payload, bench.draining, 0);
    const samples: Sample[] = [];
    for (let run = 0; run < INVOCATIONS; run++)
        samples.push(await invoke(region, arn, bench.payload, bench.draining, 0));
    return samples;
}

function coldStartLine(cold: ColdStartSamples): string {
    const show = (values: readonly number[]) =>
        `p50 ${Math.round(percentile(values, 0.5))} ms, p99 ${Math.round(percentile(values, 0.99))} ms, max ${Math.round(values.at(-1)!)} ms`;
    return (
        `Cold start before the handler (${cold.measuredMs.length} fresh processes loading the serialized handler and the SDK): ` +
        `${show(cold.measuredMs)} on this machine; ×${(1 / cold.cpuShare).toFixed(2)} for Lambda's CPU share at the function's memory (inferred): ${show(cold.lambdaMs)}`
    );
}

async function main(): Promise<void> {
    const cold = await measureColdStarts(COLD_START_SAMPLES);
    const harness = await SimHarness.start({ seed: 42, faults: { ecsRateLimit: true } });
    try {
        const region = harness.region;
        const deployed = await deployCandidates(harness);
        const group = region.autoscaling.groups.get(deployed.groupName)!;
        const instances = [...group.instances.values()];
        const draining = new Set(instances.filter((_, index) => index % 50 === 0).map((i) => i.instanceId));
        const drainingArns = [...draining].map((id) => region.ecs.state.instanceByEc2Id(id)!.arn);
        // UpdateContainerInstancesState takes at most 10 container instances per call.
        for (let start = 0; start < drainingArns.length; start += 10) {
            region.admin("ecs", "UpdateContainerInstancesState", {
                cluster: deployed.clusterName,
                containerInstances: drainingArns.slice(start, start + 10),
                status: "DRAINING",
            });
        }
        // The payload Auto Scaling sends for a scale-in of 3 per AZ (sim/autoscaling/terminationPolicy.ts).
        const payload = {
            AutoScalingGroupARN: group.arn,
            AutoScalingGroupName: group.name,
            CapacityToTerminate: ZONES.map((zone) => ({
                AvailabilityZone: zone,
                Capacity: 3,
                InstanceMarketOption: "on-demand",
            })),
            Instances: instances.map((i) => ({
                AvailabilityZone: i.availabilityZone,
                InstanceId: i.instanceId,
                InstanceType: i.instanceType,
                InstanceMarketOption: i.market,
            })),
            Cause: "SCALE_IN",
        };
        const bench: Bench = { harness, deployed, payload, draining, loads: cold.lambdaMs };

        const rows = [
            row("cold, module load included", await coldSeries(bench)),
            row("warm (after its first)", await warmSeries(bench)),
        ];

        console.log(
            `Termination policy Lambda in the simulated region: ${CANDIDATES} candidates (${draining.size} DRAINING), ` +
                `ECS 50 ms/call, ECS read throttle on, Auto Scaling limit ${AUTO_SCALING_LIMIT_MS} ms of wall time\n`,
        );
        console.log(`${coldStartLine(cold)}\n`);
        console.log(
            "| series | invocations | p50 wall ms | p99 wall ms | max wall ms | over the limit | fallback answers | mean ECS calls | throttled calls |",
        );
        console.log("|---|---|---|---|---|---|---|---|---|");
        for (const line of rows) console.log(line);
    } finally {
        await harness.stop();
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
