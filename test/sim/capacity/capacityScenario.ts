/**
 * Shared set-up for the capacity scaler's proofs: a harness with fixed durations, a cluster with
 * the capacity scaler (and optionally the termination policy) deployed as the components declare
 * them, and readers for what the deployed Lambda published. The book's own formula (seed 001,
 * chapter 12) is here too, applied to the same DescribeContainerInstances answer, so each test
 * shows the state is one where the book and the exact figure differ.
 */
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { parseSettings, type CapacitySettings } from "../../../stack/settings";
import { SimHarness, type ClusterScenario, type DeployedCluster } from "../../../sim/harness";
import { deployCapacityScaler, type CapacityScalerDeployment } from "../../../sim/pipelines/capacity";
import { deployDrainPipeline, type DrainPipeline } from "../../../sim/pipelines/drain";
import { deployTerminationPolicy } from "../../../sim/pipelines/termination";
import { FIXED_TIMINGS } from "../coreScenario";
import { CAPACITY_NAMESPACE } from "../../../stack/capacity";

export interface CapacityRun {
    readonly harness: SimHarness;
    readonly deployed: DeployedCluster;
    readonly scaler: CapacityScalerDeployment;
    readonly drain?: DrainPipeline;
    readonly terminationFunctionArn?: string;
}

export interface CapacityRunOptions {
    readonly trunking?: boolean;
    readonly settings?: CapacitySettings;
    readonly seed?: number;
    /** Deploy the drain pipeline and the termination policy too, as the program does: scale-in goes through them. */
    readonly withScaleInPath?: boolean;
}

/** The stack's default capacity settings, with `overrides` in config-key form (e.g. `scaleInEvaluationMinutes`). */
export function capacitySettings(overrides: Record<string, unknown> = {}): CapacitySettings {
    return parseSettings(overrides, "sim").capacity;
}

export async function startCapacityRun(
    scenario: ClusterScenario,
    options: CapacityRunOptions = {},
): Promise<CapacityRun> {
    const harness = await SimHarness.start({
        seed: options.seed ?? 5,
        trunking: options.trunking ?? false,
        timings: FIXED_TIMINGS,
    });
    try {
        const deployed = await harness.deploySteady(scenario);
        const drain = options.withScaleInPath
            ? await deployDrainPipeline(harness, deployed, parseSettings({}, "sim").drain)
            : undefined;
        const termination = options.withScaleInPath
            ? await deployTerminationPolicy(harness, deployed)
            : undefined;
        const scaler = await deployCapacityScaler(harness, deployed, options.settings ?? capacitySettings());
        return { harness, deployed, scaler, drain, terminationFunctionArn: termination?.functionArn };
    } catch (error) {
        await harness.stop();
        throw error;
    }
}

/** The values of one of the capacity metrics, as CloudWatch extracted them from the EMF lines, since `fromMs`. */
export function metricValues(
    run: CapacityRun,
    metricName: "ContainerCapacity" | "IdleHostCapacity",
    fromMs = 0,
): number[] {
    return run.harness.region.cloudwatch
        .series(CAPACITY_NAMESPACE, metricName, run.scaler.dimensions)
        .filter((point) => point.at >= fromMs)
        .map((point) => point.value);
}

/** The capacity Lambda's summary lines (the limiting resource and worst-case task are logged there). */
export function summaryLines(run: CapacityRun, fromMs = 0): string[] {
    return run.harness.region.cloudwatch
        .logEvents(`/aws/lambda/${run.scaler.functionName}`)
        .filter(
            (event) => event.at >= fromMs && event.message.startsWith(`cluster ${run.deployed.clusterName} `),
        )
        .map((event) => event.message);
}

export function containerInstances(run: CapacityRun): ContainerInstance[] {
    const region = run.harness.region;
    const { containerInstanceArns } = region.admin("ecs", "ListContainerInstances", {
        cluster: run.deployed.clusterName,
    }) as { containerInstanceArns: string[] };
    const { containerInstances: described } = region.admin("ecs", "DescribeContainerInstances", {
        cluster: run.deployed.clusterName,
        containerInstances: containerInstanceArns,
    }) as { containerInstances: ContainerInstance[] };
    return described;
}

/**
 * The book's Lambda: CPU slots and memory slots summed separately over ACTIVE instances, then the
 * minimum; idle hosts divide those sums by the slots of one empty instance (the event's).
 */
export function bookFigures(
    instances: readonly ContainerInstance[],
    task: { readonly cpu: number; readonly memory: number },
): { containerCapacity: number; idleHosts: number } {
    const value = (resources: ContainerInstance["remainingResources"], name: string): number =>
        resources?.find((resource) => resource.name === name)?.integerValue ?? 0;
    const active = instances.filter((instance) => instance.status === "ACTIVE");
    let cpuCapacity = 0;
    let memoryCapacity = 0;
    for (const instance of active) {
        cpuCapacity += Math.floor(value(instance.remainingResources, "CPU") / task.cpu);
        memoryCapacity += Math.floor(value(instance.remainingResources, "MEMORY") / task.memory);
    }
    const registered = active[0].registeredResources;
    return {
        containerCapacity: Math.min(cpuCapacity, memoryCapacity),
        idleHosts: Math.min(
            cpuCapacity / Math.floor(value(registered, "CPU") / task.cpu),
            memoryCapacity / Math.floor(value(registered, "MEMORY") / task.memory),
        ),
    };
}

/** Runs until every task of the cluster placed so far is RUNNING (and nothing is pending). */
export async function runUntilTasksRunning(run: CapacityRun, maxSeconds = 120): Promise<void> {
    const region = run.harness.region;
    const settled = await region.runUntil(
        () =>
            [...region.ecs.state.tasks.values()]
                .filter(
                    (task) => task.clusterArn === run.deployed.clusterArn && task.desiredStatus === "RUNNING",
                )
                .every((task) => task.lastStatus === "RUNNING"),
        maxSeconds,
    );
    if (!settled)
        throw new Error(`tasks of ${run.deployed.clusterName} were not RUNNING after ${maxSeconds} s`);
}
