/**
 * The termination policy Lambda on 2,000 candidates, in the simulated region: the handler from
 * the component's callback factory, deployed as the component declares it, asked with the payload
 * Auto Scaling sends, talking to the region's ECS (50 ms of virtual time per call; calls issued
 * together overlap, see sim/wireCalls.ts) through the real SDK, with ECS's read throttle
 * (20 requests/s, burst 100) enforced. Latency is the Lambda's billed duration in virtual ms;
 * Auto Scaling's limit is 2,000 ms. Run: `npx ts-node bench/terminationSim.ts`.
 *
 * Cold: each invocation is the first of a freshly deployed function (no remembered container
 * instance ARNs). Warm: one function asked again and again. Invocations are 10 virtual seconds
 * apart, as Auto Scaling asks at its own pace; every 50th instance is DRAINING, so the right
 * answer names DRAINING instances only and any other answer is the fallback.
 */
import { SimHarness, type DeployedCluster } from "../sim/harness";
import { terminationFunctionSpec } from "../sim/pipelines/termination";
import type { Region } from "../sim/region";

const CANDIDATES = 2000;
const INVOCATIONS = 100;
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const AUTO_SCALING_LIMIT_MS = 2000;

interface Sample {
    readonly billedMs: number;
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
        billedMs: Math.ceil(Number(invoked.detail.durationMs)),
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
    const billed = samples.map((s) => s.billedMs).sort((a, b) => a - b);
    const calls = samples.map((s) => s.ecsCalls).sort((a, b) => a - b);
    const cells = [
        label,
        String(samples.length),
        String(percentile(billed, 0.5)),
        String(percentile(billed, 0.99)),
        String(billed.at(-1)),
        `${calls[0]}–${calls.at(-1)}`,
        (calls.reduce((a, b) => a + b, 0) / samples.length).toFixed(1),
        String(samples.reduce((sum, s) => sum + s.throttled, 0)),
        String(samples.filter((s) => s.status !== "ok").length),
        String(samples.filter((s) => !s.cheapest).length),
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

async function main(): Promise<void> {
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

        const cold: Sample[] = [];
        for (let run = 0; run < INVOCATIONS; run++) {
            const arn = harness.deployFunction(
                terminationFunctionSpec(harness, deployed, `termination-cold-${run}`),
            );
            cold.push(await invoke(region, arn, payload, draining));
        }
        const warmArn = harness.deployFunction(
            terminationFunctionSpec(harness, deployed, "termination-warm"),
        );
        await invoke(region, warmArn, payload, draining);
        const warm: Sample[] = [];
        for (let run = 0; run < INVOCATIONS; run++)
            warm.push(await invoke(region, warmArn, payload, draining));

        console.log(
            `Termination policy Lambda in the simulated region: ${CANDIDATES} candidates (${draining.size} DRAINING), ` +
                `ECS 50 ms/call, ECS read throttle on, Auto Scaling limit ${AUTO_SCALING_LIMIT_MS} ms\n`,
        );
        console.log(
            "| series | invocations | p50 billed ms | p99 billed ms | max billed ms | ECS calls/invocation | mean calls | throttled | failed | not cheapest |",
        );
        console.log("|---|---|---|---|---|---|---|---|---|---|");
        console.log(row("cold", cold));
        console.log(row("warm (after its first)", warm));
    } finally {
        await harness.stop();
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
