/**
 * What one capacity evaluation costs at 2,000 container instances, in the simulated region: the
 * capacity Lambda deployed as the CapacityScaler declares it (sim/pipelines/capacity.ts), on a
 * settled cluster of 2,000 m5.large running 20 services of mixed sizes, invoked with the
 * schedule's event. ECS answers each call in 50 virtual ms (calls issued together overlap, as on
 * AWS) and enforces its read throttle (20 requests/s, burst 100). Reported: ECS calls by operation
 * and billed duration (virtual ms) of the cold invocation and of warm ones (task definitions
 * cached), and the wall time of the pure evaluation on this machine (the Lambda's own CPU, which
 * the region does not charge). Run: `npx ts-node bench/capacity.ts`.
 */
import type { ContainerInstance, TaskDefinition } from "@aws-sdk/client-ecs";
import { parseSettings } from "../stack/settings";
import { evaluateCapacity } from "../runtime/capacity";
import { taskShapeOf } from "../runtime/taskShape";
import { isSteady, SimHarness, type DeployedCluster, type ServiceScenario } from "../sim/harness";
import { deployCapacityScaler } from "../sim/pipelines/capacity";
import type { ApiCallCounts, Region } from "../sim/region";

const INSTANCES = 2000;
const WARM_INVOCATIONS = 20;
/** 20 services, four sizes (CPU units, MiB), 60 tasks each: 1,200 tasks on 2,000 m5.large. */
const SERVICES: ServiceScenario[] = Array.from({ length: 20 }, (_, index) => {
    const [cpu, memory] = [
        [256, 512],
        [512, 1024],
        [1024, 2048],
        [256, 3072],
    ][index % 4];
    return { name: `svc-${index}`, cpu, memory, desiredCount: 60 };
});
const SCHEDULED_EVENT = { "detail-type": "Scheduled Event", source: "aws.events", detail: {} };

interface Evaluation {
    readonly billedMs: number;
    readonly calls: Record<string, number>;
    readonly throttled: number;
    readonly result: { containerCapacity?: number; idleHostCapacity?: number };
}

function ecsDelta(after: ApiCallCounts, before: ApiCallCounts): Record<string, number> {
    return Object.fromEntries(
        Object.entries(after.ecs ?? {})
            .map(([operation, count]) => [operation, count - (before.ecs?.[operation] ?? 0)] as const)
            .filter(([, count]) => count > 0),
    );
}

async function evaluateOnce(region: Region, functionArn: string): Promise<Evaluation> {
    const before = region.apiCalls();
    const throttledBefore = region.throttledCalls();
    const result = (await region.lambda.invokeSync(
        functionArn,
        SCHEDULED_EVENT,
        60_000,
    )) as Evaluation["result"];
    const invoked = region.timeline.filter((entry) => entry.kind === "lambda.invoked").at(-1)!;
    const throttled = Object.values(ecsDelta(region.throttledCalls(), throttledBefore)).reduce(
        (a, b) => a + b,
        0,
    );
    // A minute apart, as the schedule runs it: the throttle's bucket refills in between.
    await region.run(60);
    return {
        billedMs: Math.ceil(Number(invoked.detail.durationMs)),
        calls: ecsDelta(region.apiCalls(), before),
        throttled,
        result,
    };
}

async function settledCluster(harness: SimHarness): Promise<DeployedCluster> {
    const deployed = harness.deploy({
        clusterName: "bench",
        instanceType: "m5.large",
        instanceCount: INSTANCES,
        maxSize: INSTANCES,
        services: SERVICES,
    });
    if (!(await harness.region.runUntil(() => isSteady(harness.region, deployed), 3600, 30))) {
        throw new Error(`the ${INSTANCES}-instance cluster did not settle within an hour`);
    }
    return deployed;
}

function row(label: string, evaluation: Evaluation): string {
    const total = Object.values(evaluation.calls).reduce((a, b) => a + b, 0);
    const byOperation = Object.entries(evaluation.calls)
        .map(([operation, count]) => `${operation} ${count}`)
        .join(", ");
    return `| ${label} | ${total} | ${byOperation} | ${evaluation.throttled} | ${evaluation.billedMs} | ${evaluation.result.containerCapacity} | ${evaluation.result.idleHostCapacity} |`;
}

async function main(): Promise<void> {
    const harness = await SimHarness.start({ seed: 42, faults: { ecsRateLimit: true } });
    try {
        const region = harness.region;
        const deployed = await settledCluster(harness);
        const scaler = await deployCapacityScaler(harness, deployed, parseSettings({}, "bench").capacity);
        // The bench invokes the function itself; the schedule would add invocations of its own.
        region.admin("events", "PutRule", {
            Name: scaler.scheduleRuleName,
            ScheduleExpression: "rate(1 minute)",
            State: "DISABLED",
        });
        const cold = await evaluateOnce(region, scaler.functionArn);
        const warm: Evaluation[] = [];
        for (let run = 0; run < WARM_INVOCATIONS; run++)
            warm.push(await evaluateOnce(region, scaler.functionArn));
        const warmBilled = warm.map((w) => w.billedMs).sort((a, b) => a - b);

        // The pure evaluation on the same state, timed on this machine.
        const { containerInstanceArns } = region.admin("ecs", "ListContainerInstances", {
            cluster: deployed.clusterName,
            maxResults: 100,
        }) as { containerInstanceArns: string[] };
        const instances = region.ecs.state.instancesOf(deployed.clusterArn).map((ci) => ci.arn);
        const described: ContainerInstance[] = [];
        for (let start = 0; start < instances.length; start += 100) {
            const page = region.admin("ecs", "DescribeContainerInstances", {
                cluster: deployed.clusterName,
                containerInstances: instances.slice(start, start + 100),
            }) as { containerInstances: ContainerInstance[] };
            described.push(...page.containerInstances);
        }
        const shapes = SERVICES.map((service) => {
            const { taskDefinition } = region.admin("ecs", "DescribeTaskDefinition", {
                taskDefinition: service.name,
            }) as { taskDefinition: TaskDefinition };
            return taskShapeOf(taskDefinition);
        });
        const started = process.hrtime.bigint();
        const pure = evaluateCapacity(described, shapes, { minimumSpareTasks: 1 });
        const pureMs = Number(process.hrtime.bigint() - started) / 1e6;

        console.log(
            `Capacity evaluation in the simulated region: ${described.length} container instances (m5.large), ` +
                `${SERVICES.length} services, ${SERVICES.length * 60} tasks; ECS 50 ms/call, read throttle on ` +
                `(first ListContainerInstances page held ${containerInstanceArns.length} ARNs)\n`,
        );
        console.log(
            "| invocation | ECS calls | by operation | throttled | billed ms | ContainerCapacity | IdleHostCapacity |",
        );
        console.log("|---|---|---|---|---|---|---|");
        console.log(row("cold", cold));
        console.log(row(`warm (1 of ${WARM_INVOCATIONS})`, warm[0]));
        console.log(
            `\nwarm billed ms over ${WARM_INVOCATIONS}: p50 ${warmBilled[Math.ceil(0.5 * warmBilled.length) - 1]}, max ${warmBilled.at(-1)}`,
        );
        console.log(
            `pure evaluateCapacity on the same ${described.length} instances: ${pureMs.toFixed(0)} ms wall on this machine ` +
                `(ContainerCapacity ${pure.containerCapacity}, IdleHostCapacity ${pure.idleHostCapacity})`,
        );
    } finally {
        await harness.stop();
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
