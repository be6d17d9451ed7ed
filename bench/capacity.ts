/**
 * The capacity scaler at scale, in four measurements (`npm run bench` runs them; alone:
 * `npx ts-node --transpile-only bench/capacity.ts`):
 *
 * 1. CPU of the pure evaluation (`evaluateCapacity`) on settled region clusters of 2,000 and
 *    10,000 m5.large running 20 services of four sizes (1,200 tasks per 2,000 instances, placed by
 *    ECS's default spread-then-binpack): the median of several runs by `process.cpuUsage`, on this
 *    machine, and once at 2,000 the implementation it replaced (test/runtime/capacityOracle.ts).
 * 2. One invocation of the capacity Lambda, deployed as CapacityScaler declares it, on the
 *    2,000-instance cluster: ECS calls and response bytes by operation, billed virtual ms (cold, and
 *    warm with task definitions cached), with ECS's read throttle on.
 * 3. The stack's 150-instance rolling update (new AMI, instance refresh), the region scenario:
 *    capacity evaluations (and invocations: each minute's schedule only defers one), throttled
 *    invocations and minutes elapsed.
 * 4. From a shortfall to the scale-out alarm: the stack at its own size, a service raised so that
 *    fewer than minimumSpareTasks worst-case tasks fit; the shortfall starts when the region's
 *    cluster state first has too few slots (checked every virtual second) and ends when the
 *    ContainerCapacity alarm goes to ALARM. Several raises, at different moments of the minute.
 */
import type { ContainerInstance, TaskDefinition } from "@aws-sdk/client-ecs";
import { evaluateCapacity } from "../runtime/capacity";
import { taskShapeOf, type TaskShape } from "../runtime/taskShape";
import { clusterNameOf, parseSettings, type StackSettings } from "../stack/settings";
import { isSteady, refreshStatus, rollAmi, SimHarness, type ServiceScenario } from "../sim/harness";
import { deployCapacityScaler } from "../sim/pipelines/capacity";
import type { ApiCallCounts, Region } from "../sim/region";
import { table } from "../sim/report/text";
import { percentile, round } from "../sim/scenarios/result";
import { NEW_AMI } from "../sim/scenarios/rollingUpdate";
import { scaledDesiredCounts } from "../sim/scenarios/scenario";
import { deployStack } from "../sim/scenarios/stackScenario";
import { loadSimulationSettings } from "../scripts/simulate";
import { evaluateCapacity as previousEvaluateCapacity } from "../test/runtime/capacityOracle";

export const EVALUATION_SIZES = [2000, 10000] as const;
export const EVALUATION_RUNS = 7;
export const INVOCATION_INSTANCES = 2000;
export const ROLLING_UPDATE_INSTANCES = 150;
export const SHORTFALL_RAISES = 12;

export interface EvaluationCpu {
    readonly instances: number;
    readonly runs: number;
    readonly medianCpuMs: number;
    /** The replaced implementation's CPU on the same cluster (one run), where measured. */
    readonly previousCpuMs: number | null;
    readonly containerCapacity: number;
    readonly idleHostCapacity: number;
}

export interface InvocationCost {
    readonly instances: number;
    readonly ecsCalls: Readonly<Record<string, number>>;
    readonly responseBytes: Readonly<Record<string, number>>;
    readonly coldBilledMs: number;
    readonly warmBilledMs: number;
    readonly throttled: number;
}

export interface RollingUpdateCost {
    readonly instances: number;
    readonly minutes: number;
    /** Invocations that read the cluster (from the evaluation queue). */
    readonly evaluations: number;
    /** Every invocation: the schedule's, which only defer, and the evaluations. */
    readonly invocations: number;
    readonly throttledInvocations: number;
    readonly billedSeconds: number;
    readonly refreshStatus: string;
    /** ECS calls and response bytes of one evaluation of the cluster after the update. */
    readonly ecsCallsPerEvaluation: number;
    readonly ecsResponseBytesPerEvaluation: number;
}

export interface ShortfallLatency {
    readonly raises: number;
    /** Seconds from each shortfall to its ALARM, ascending; null where no alarm followed within 10 minutes. */
    readonly seconds: readonly (number | null)[];
    /** The same when the raise is more than the cluster can place (ECS's placement failure evaluates at once). */
    readonly unplaceableSeconds: readonly (number | null)[];
}

export interface CapacityBenchResult {
    readonly evaluation: readonly EvaluationCpu[];
    readonly invocation: InvocationCost;
    readonly rollingUpdate: RollingUpdateCost;
    readonly shortfallToAlarm: ShortfallLatency;
}

/** 20 services, four sizes (CPU units, MiB), 60 tasks each per 2,000 instances. */
function benchServices(instances: number): ServiceScenario[] {
    return Array.from({ length: 20 }, (_, index) => {
        const [cpu, memory] = [
            [256, 512],
            [512, 1024],
            [1024, 2048],
            [256, 3072],
        ][index % 4];
        return { name: `svc-${index}`, cpu, memory, desiredCount: Math.round((60 * instances) / 2000) };
    });
}

async function settledBenchCluster(instances: number, options: { ecsRateLimit: boolean }) {
    const harness = await SimHarness.start({ seed: 42, faults: { ecsRateLimit: options.ecsRateLimit } });
    const services = benchServices(instances);
    const deployed = harness.deploy({
        clusterName: "bench",
        instanceType: "m5.large",
        instanceCount: instances,
        maxSize: instances,
        services,
    });
    if (!(await harness.region.runUntil(() => isSteady(harness.region, deployed), 3600, 30))) {
        await harness.stop();
        throw new Error(`the ${instances}-instance cluster did not settle within an hour`);
    }
    return { harness, deployed, services };
}

function describeAll(region: Region, clusterName: string): ContainerInstance[] {
    const arns = region.ecs.state
        .instancesOf(region.ecs.clusterArn(clusterName))
        .filter((ci) => ci.status !== "INACTIVE")
        .map((ci) => ci.arn);
    const described: ContainerInstance[] = [];
    for (let start = 0; start < arns.length; start += 100) {
        const page = region.admin("ecs", "DescribeContainerInstances", {
            cluster: clusterName,
            containerInstances: arns.slice(start, start + 100),
        }) as { containerInstances: ContainerInstance[] };
        described.push(...page.containerInstances);
    }
    return described;
}

function shapesOf(region: Region, taskDefinitions: readonly string[]): TaskShape[] {
    return taskDefinitions.map((name) => {
        const { taskDefinition } = region.admin("ecs", "DescribeTaskDefinition", {
            taskDefinition: name,
        }) as { taskDefinition: TaskDefinition };
        return taskShapeOf(taskDefinition);
    });
}

function cpuMs(run: () => void): number {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
}

export async function measureEvaluationCpu(instances: number, withPrevious: boolean): Promise<EvaluationCpu> {
    const { harness, services } = await settledBenchCluster(instances, { ecsRateLimit: false });
    try {
        const described = describeAll(harness.region, "bench");
        const shapes = shapesOf(
            harness.region,
            services.map((s) => s.name),
        );
        let result = evaluateCapacity(described, shapes, { minimumSpareTasks: 1 });
        const samples: number[] = [];
        for (let run = 0; run < EVALUATION_RUNS; run++) {
            samples.push(
                cpuMs(() => (result = evaluateCapacity(described, shapes, { minimumSpareTasks: 1 }))),
            );
        }
        samples.sort((a, b) => a - b);
        const previousCpuMs = withPrevious
            ? cpuMs(() =>
                  previousEvaluateCapacity(described, shapes, { trunking: false, minimumSpareTasks: 1 }),
              )
            : null;
        return {
            instances: described.length,
            runs: EVALUATION_RUNS,
            medianCpuMs: round(percentile(samples, 0.5), 1),
            previousCpuMs: previousCpuMs === null ? null : round(previousCpuMs, 0),
            containerCapacity: result.containerCapacity,
            idleHostCapacity: result.idleHostCapacity,
        };
    } finally {
        await harness.stop();
    }
}

function delta(after: ApiCallCounts, before: ApiCallCounts, service: string): Record<string, number> {
    return Object.fromEntries(
        Object.entries(after[service] ?? {})
            .map(([operation, count]) => [operation, count - (before[service]?.[operation] ?? 0)] as const)
            .filter(([, count]) => count > 0),
    );
}

/** What the evaluation queue's event source mapping delivers each minute. */
const EVALUATION_EVENT = { Records: [{ messageId: "bench", body: "{}", eventSource: "aws:sqs" }] };

const sum = (values: Readonly<Record<string, number>>): number =>
    Object.values(values).reduce((a, b) => a + b, 0);

export async function measureInvocation(instances: number): Promise<InvocationCost> {
    const { harness, deployed } = await settledBenchCluster(instances, { ecsRateLimit: true });
    try {
        const region = harness.region;
        const scaler = await deployCapacityScaler(harness, deployed, parseSettings({}, "bench").capacity);
        // The bench invokes the function itself; the schedule would add invocations of its own.
        region.admin("events", "PutRule", {
            Name: scaler.scheduleRuleName,
            ScheduleExpression: "rate(1 minute)",
            State: "DISABLED",
        });
        region.countResponseBytes = true;
        const invoke = async () => {
            const calls = region.apiCalls();
            const bytes = region.responseBytes();
            const throttled = region.throttledCalls();
            const billed = region.lambda.stats(scaler.functionArn).billedMs;
            await region.lambda.invokeSync(scaler.functionArn, EVALUATION_EVENT, 60_000);
            const cost = {
                ecsCalls: delta(region.apiCalls(), calls, "ecs"),
                responseBytes: delta(region.responseBytes(), bytes, "ecs"),
                throttled: Object.values(delta(region.throttledCalls(), throttled, "ecs")).reduce(
                    (a, b) => a + b,
                    0,
                ),
                billedMs: region.lambda.stats(scaler.functionArn).billedMs - billed,
            };
            // A minute apart, as the schedule runs it: the throttle's bucket refills in between.
            await region.run(60);
            return cost;
        };
        const cold = await invoke();
        const warm = await invoke();
        return {
            instances,
            ecsCalls: warm.ecsCalls,
            responseBytes: warm.responseBytes,
            coldBilledMs: cold.billedMs,
            warmBilledMs: warm.billedMs,
            throttled: warm.throttled,
        };
    } finally {
        await harness.stop();
    }
}

/** The stack's control loops through an instance refresh of `instances` instances, settled first as the scenarios settle. */
export async function measureRollingUpdate(
    settings: StackSettings,
    instances: number,
): Promise<RollingUpdateCost> {
    const harness = await SimHarness.start({ seed: 1, trunking: settings.cluster.awsvpcTrunking });
    try {
        const region = harness.region;
        const stack = await deployStack(harness, settings, {
            instances,
            desiredCounts: scaledDesiredCounts(settings, instances),
        });
        const steady = () => isSteady(region, stack.deployed);
        if (
            !(await region.runUntil(steady, 3600)) ||
            (await region.run(900), !(await region.runUntil(steady, 3600)))
        )
            throw new Error(`the ${instances}-instance stack did not settle`);
        const functionArn = stack.capacity!.functionArn;
        const before = { ...region.lambda.stats(functionArn) };
        const startedAt = region.clock.now();
        const refreshId = rollAmi(region, stack.deployed, NEW_AMI, {
            minHealthyPercentage: settings.cluster.minHealthyPercentage,
            maxHealthyPercentage: settings.cluster.maxHealthyPercentage,
            instanceWarmupSeconds: settings.cluster.instanceWarmupSeconds,
        });
        const finished = () =>
            !["Pending", "InProgress"].includes(refreshStatus(region, stack.deployed, refreshId) ?? "");
        await region.runUntil(finished, 3600 + instances * 1200);
        // As the scenario does: the last drains' replacements settle before the count.
        await region.run(300);
        const after = { ...region.lambda.stats(functionArn) };
        const functionName = `${stack.deployed.clusterName}-capacity-fn`;
        const evaluations = region.timeline.filter(
            (entry) =>
                entry.kind === "lambda.invoked" &&
                entry.at >= startedAt &&
                entry.detail.function === functionName &&
                entry.detail.trigger === "sqs",
        ).length;
        const minutes = round((region.clock.now() - startedAt) / 60_000, 1);
        // One more evaluation, alone on the wire, for what each one reads.
        region.admin("events", "PutRule", {
            Name: `${stack.deployed.clusterName}-capacity-schedule`,
            ScheduleExpression: "rate(1 minute)",
            State: "DISABLED",
        });
        await region.run(60);
        region.countResponseBytes = true;
        const calls = region.apiCalls();
        await region.lambda.invokeSync(functionArn, EVALUATION_EVENT, 60_000);
        return {
            instances,
            minutes,
            evaluations,
            invocations: after.invocations - before.invocations,
            throttledInvocations: after.throttles - before.throttles,
            billedSeconds: round((after.billedMs - before.billedMs) / 1000, 2),
            refreshStatus: refreshStatus(region, stack.deployed, refreshId) ?? "missing",
            ecsCallsPerEvaluation: sum(delta(region.apiCalls(), calls, "ecs")),
            ecsResponseBytesPerEvaluation: sum(region.responseBytes().ecs ?? {}),
        };
    } finally {
        await harness.stop();
    }
}

/**
 * One raise of the stack's first service, `offsetSeconds` into a minute after the settle: one task
 * past the spare room the stack keeps, or (`beyondCapacity`) more tasks than fit at all.
 */
async function shortfallOnce(
    settings: StackSettings,
    seed: number,
    offsetSeconds: number,
    beyondCapacity: boolean,
): Promise<number | null> {
    const harness = await SimHarness.start({ seed, trunking: settings.cluster.awsvpcTrunking });
    try {
        const region = harness.region;
        const stack = await deployStack(harness, settings);
        const steady = () => isSteady(region, stack.deployed);
        if (
            !(await region.runUntil(steady, 3600)) ||
            (await region.run(900), !(await region.runUntil(steady, 3600)))
        )
            throw new Error("the stack did not settle");
        await region.run(offsetSeconds);
        const clusterName = clusterNameOf(settings);
        const services = settings.services.map((s) => `${clusterName}-${s.name}`);
        const spare = (): number =>
            evaluateCapacity(describeAll(region, clusterName), shapesOf(region, services)).containerCapacity;
        const [first] = settings.services;
        const service = region.ecs.state.services.get(stack.services[first.name])!;
        // One more task than the spare room leaves at least one slot short of minimumSpareTasks;
        // one more than the spare room itself leaves a task that no instance can take.
        const raise = beyondCapacity ? spare() + 1 : spare() - settings.capacity.minimumSpareTasks + 1;
        region.admin("ecs", "UpdateService", {
            cluster: clusterName,
            service: first.name,
            desiredCount: service.desiredCount + raise,
        });
        const alarmName = `${clusterName}-capacity-capacity-low`;
        const short = await region.runUntil(() => spare() < settings.capacity.minimumSpareTasks, 300, 1);
        if (!short) throw new Error("the raise left the cluster with enough spare room");
        const shortAt = region.clock.now();
        const alarmed = () =>
            region.timeline.some(
                (entry) =>
                    entry.kind === "alarm.state" &&
                    entry.at >= shortAt &&
                    entry.detail.alarm === alarmName &&
                    entry.detail.to === "ALARM",
            );
        if (!(await region.runUntil(alarmed, 600, 1))) return null;
        const alarm = region.timeline.find(
            (entry) =>
                entry.kind === "alarm.state" && entry.at >= shortAt && entry.detail.alarm === alarmName,
        )!;
        return round((alarm.at - shortAt) / 1000, 1);
    } finally {
        await harness.stop();
    }
}

export async function measureShortfallToAlarm(
    settings: StackSettings,
    raises: number,
): Promise<ShortfallLatency> {
    const latencies = async (beyondCapacity: boolean) => {
        const seconds: (number | null)[] = [];
        for (let raise = 0; raise < raises; raise++) {
            const offset = Math.round((raise * 60) / raises);
            seconds.push(await shortfallOnce(settings, 100 + raise, offset, beyondCapacity));
        }
        return seconds.sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
    };
    return { raises, seconds: await latencies(false), unplaceableSeconds: await latencies(true) };
}

export async function runCapacityBench(
    settings: StackSettings,
    progress: (line: string) => void = () => undefined,
): Promise<CapacityBenchResult> {
    const evaluation: EvaluationCpu[] = [];
    for (const instances of EVALUATION_SIZES) {
        progress(`capacity: evaluateCapacity CPU at ${instances} instances…`);
        evaluation.push(await measureEvaluationCpu(instances, instances === EVALUATION_SIZES[0]));
    }
    progress(`capacity: one invocation at ${INVOCATION_INSTANCES} instances…`);
    const invocation = await measureInvocation(INVOCATION_INSTANCES);
    progress(`capacity: ${ROLLING_UPDATE_INSTANCES}-instance rolling update…`);
    const rollingUpdate = await measureRollingUpdate(settings, ROLLING_UPDATE_INSTANCES);
    progress("capacity: shortfall to alarm…");
    const shortfallToAlarm = await measureShortfallToAlarm(settings, SHORTFALL_RAISES);
    return { evaluation, invocation, rollingUpdate, shortfallToAlarm };
}

export function capacityTable(result: CapacityBenchResult): string {
    const { invocation, rollingUpdate, shortfallToAlarm } = result;
    const byOperation = (values: Readonly<Record<string, number>>, unit: (n: number) => string) =>
        Object.entries(values)
            .map(([operation, n]) => `${operation} ${unit(n)}`)
            .join(", ");
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
    const shown = (seconds: readonly (number | null)[]) =>
        seconds.map((s) => (s === null ? "none" : String(s))).join(", ");
    return [
        table(
            [
                "evaluateCapacity (pure), this machine",
                "instances",
                "median CPU ms",
                "replaced implementation ms",
            ],
            result.evaluation.map((e) => [
                `${e.runs} runs, ContainerCapacity ${e.containerCapacity}, IdleHostCapacity ${e.idleHostCapacity}`,
                String(e.instances),
                String(e.medianCpuMs),
                e.previousCpuMs === null ? "-" : String(e.previousCpuMs),
            ]),
        ),
        "",
        table(
            [`capacity Lambda, one warm evaluation at ${invocation.instances} instances`, "value"],
            [
                ["ECS calls", `${sum(invocation.ecsCalls)} (${byOperation(invocation.ecsCalls, String)})`],
                [
                    "ECS response bytes",
                    `${kb(sum(invocation.responseBytes))} (${byOperation(invocation.responseBytes, kb)})`,
                ],
                [
                    "billed ms cold / warm (virtual)",
                    `${invocation.coldBilledMs} / ${invocation.warmBilledMs}`,
                ],
                ["throttled ECS calls", String(invocation.throttled)],
            ],
        ),
        "",
        table(
            [`${rollingUpdate.instances}-instance rolling update`, "value"],
            [
                ["minutes", String(rollingUpdate.minutes)],
                [
                    "capacity evaluations (invocations)",
                    `${rollingUpdate.evaluations} (${rollingUpdate.invocations})`,
                ],
                ["throttled invocations", String(rollingUpdate.throttledInvocations)],
                ["capacity Lambda billed s (virtual)", String(rollingUpdate.billedSeconds)],
                [
                    "ECS calls / response KB per evaluation",
                    `${rollingUpdate.ecsCallsPerEvaluation} / ${(rollingUpdate.ecsResponseBytesPerEvaluation / 1024).toFixed(0)}`,
                ],
                ["instance refresh", rollingUpdate.refreshStatus],
            ],
        ),
        "",
        `shortfall → scale-out alarm, ${shortfallToAlarm.raises} raises: ${shown(shortfallToAlarm.seconds)} s`,
        `  … when tasks cannot be placed at all: ${shown(shortfallToAlarm.unplaceableSeconds)} s`,
    ].join("\n");
}

if (require.main === module) {
    const settings = loadSimulationSettings("dev");
    runCapacityBench(settings, (line) => process.stderr.write(`${line}\n`))
        .then((result) => console.log(capacityTable(result)))
        .catch((error: unknown) => {
            console.error(error);
            process.exitCode = 1;
        });
}
