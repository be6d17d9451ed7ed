/**
 * What the drain proofs share: a region with the drain pipeline deployed as DrainHook declares it
 * on a steady cluster, and readers of the run's timeline (lifecycle results, hook timeouts,
 * instance states, the drain Lambda's log lines).
 */
import { parseSettings, type CapacitySettings, type DrainHookSettings } from "../../../stack/settings";
import { deployCapacityScaler } from "../../../sim/pipelines/capacity";
import {
    SimHarness,
    isSteady,
    refreshStatus,
    rollAmi,
    type ClusterScenario,
    type DeployedCluster,
} from "../../../sim/harness";
import { deployDrainPipeline, type DrainPipeline } from "../../../sim/pipelines/drain";
import type { ApiCallObserver } from "../../../sim/region";
import type { FaultSettings } from "../../../sim/types";

export interface DrainRun {
    readonly harness: SimHarness;
    readonly deployed: DeployedCluster;
    readonly pipeline: DrainPipeline;
    readonly settings: DrainHookSettings;
}

/** Drain settings from stack config keys (`drainHeartbeatTimeoutSeconds`, …), validated as the program does. */
export function drainSettings(config: Record<string, unknown> = {}): DrainHookSettings {
    return parseSettings(config, "sim").drain;
}

export async function startDrainRun(options: {
    seed: number;
    scenario: ClusterScenario;
    settings?: DrainHookSettings;
    faults?: Partial<FaultSettings>;
    /** Every instance of the group is Spot (a mixed instances policy with 0 % On-Demand). */
    spot?: boolean;
    /** The stack's capacity scaler runs too, with these settings (it may add or remove instances meanwhile). */
    capacity?: CapacitySettings;
    /** Sees every API call the region serves (the conformance tests). */
    callObserver?: ApiCallObserver;
}): Promise<DrainRun> {
    const harness = await SimHarness.start({ seed: options.seed, callObserver: options.callObserver });
    const deployed = options.spot
        ? await deploySpotCluster(harness, options.scenario)
        : await harness.deploySteady(options.scenario);
    const settings = options.settings ?? drainSettings();
    const pipeline = await deployDrainPipeline(harness, deployed, settings);
    if (options.capacity) await deployCapacityScaler(harness, deployed, options.capacity);
    // The hook's test notification is delivered and let go before the scenario starts.
    await harness.run(5);
    // Faults start once the cluster stands: they are about the drain, not the first launch.
    Object.assign(harness.region.ctx.faults, options.faults ?? {});
    return { harness, deployed, pipeline, settings };
}

async function deploySpotCluster(harness: SimHarness, scenario: ClusterScenario): Promise<DeployedCluster> {
    const region = harness.region;
    const deployed = harness.deploy({
        ...scenario,
        instanceCount: 0,
        maxSize: scenario.maxSize ?? 2 * scenario.instanceCount,
    });
    region.admin("autoscaling", "UpdateAutoScalingGroup", {
        AutoScalingGroupName: deployed.groupName,
        DesiredCapacity: scenario.instanceCount,
        MixedInstancesPolicy: {
            LaunchTemplate: {
                LaunchTemplateSpecification: { LaunchTemplateId: deployed.launchTemplateId, Version: "1" },
                Overrides: [{ InstanceType: scenario.instanceType }],
            },
            InstancesDistribution: { OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 0 },
        },
    });
    if (!(await region.runUntil(() => isSteady(region, deployed), 1800)))
        throw new Error(`deploySpotCluster: ${scenario.clusterName} was not steady after 1800 s`);
    return deployed;
}

/**
 * A cluster of `size` m5.large instances running, per instance, two tasks of a service that must
 * stay at 100 %, one of a service that may drop to 50 %, and a daemon: what a rolling update of
 * that size has to move.
 */
/** Three m5.large instances running one web service of three tasks: the small cluster most proofs start from. */
export function webCluster(clusterName: string): ClusterScenario {
    return {
        clusterName,
        instanceType: "m5.large",
        instanceCount: 3,
        services: [{ name: "web", desiredCount: 3, minimumHealthyPercent: 100, maximumPercent: 200 }],
    };
}

export function rollingClusterScenario(clusterName: string, size: number): ClusterScenario {
    return {
        clusterName,
        instanceType: "m5.large",
        instanceCount: size,
        services: [
            { name: "web", desiredCount: 2 * size, minimumHealthyPercent: 100, maximumPercent: 200 },
            { name: "api", desiredCount: size, minimumHealthyPercent: 50, maximumPercent: 200 },
            { name: "agent", daemon: true, cpu: 128, memory: 128 },
        ],
    };
}

/** Rolls a new AMI through an instance refresh (100 %/200 %) and runs until it succeeded and the cluster is steady. */
export async function rollNewAmi(run: DrainRun, amiId: string, maxSeconds: number): Promise<void> {
    const region = run.harness.region;
    const refresh = rollAmi(region, run.deployed, amiId, {
        minHealthyPercentage: 100,
        maxHealthyPercentage: 200,
    });
    const done = await region.runUntil(
        () => refreshStatus(region, run.deployed, refresh) === "Successful" && isSteady(region, run.deployed),
        maxSeconds,
    );
    if (!done)
        throw new Error(
            `rollNewAmi: refresh ${refreshStatus(region, run.deployed, refresh)}, not Successful and steady, after ${maxSeconds} s`,
        );
}

/** Instance ids of the group, in launch order. */
export function groupInstances(run: DrainRun): string[] {
    return [...run.harness.region.autoscaling.groups.get(run.deployed.groupName)!.instances.keys()];
}

/** Takes an instance out of the group as a user would; the group launches a replacement. */
export function terminateInGroup(run: DrainRun, instanceId: string): void {
    run.harness.region.admin("autoscaling", "TerminateInstanceInAutoScalingGroup", {
        InstanceId: instanceId,
        ShouldDecrementDesiredCapacity: false,
    });
}

/** Runs one standalone task (no service) of a new `family`; returns it and the instance it landed on. */
export function runStandaloneTask(run: DrainRun, family: string): { taskArn: string; instanceId: string } {
    const region = run.harness.region;
    region.admin("ecs", "RegisterTaskDefinition", {
        family,
        containerDefinitions: [
            {
                name: family,
                image: `public.ecr.aws/example/${family}:1`,
                cpu: 256,
                memory: 512,
                essential: true,
            },
        ],
    });
    const { tasks } = region.admin("ecs", "RunTask", {
        cluster: run.deployed.clusterName,
        taskDefinition: family,
    }) as { tasks: { taskArn: string; containerInstanceArn: string }[] };
    const [task] = tasks;
    const instance = region.ecs.state.containerInstances.get(task.containerInstanceArn)!;
    return { taskArn: task.taskArn, instanceId: instance.ec2InstanceId };
}

/** A task's last status as ECS reports it. */
export function taskStatus(run: DrainRun, taskArn: string): string {
    return run.harness.region.ecs.state.tasks.get(taskArn)!.lastStatus;
}

/** The status of the container instance on an EC2 instance (undefined when none registered). */
export function containerInstanceStatus(run: DrainRun, instanceId: string): string | undefined {
    return run.harness.region.ecs.state.instanceByEc2Id(instanceId)?.status;
}

/** Messages a queue holds: visible, in flight and delayed. */
export function queuedMessages(run: DrainRun, queueUrl: string): number {
    const { Attributes } = run.harness.region.admin("sqs", "GetQueueAttributes", {
        QueueUrl: queueUrl,
        AttributeNames: ["All"],
    }) as { Attributes: Record<string, string> };
    return (
        Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible) +
        Number(Attributes.ApproximateNumberOfMessagesDelayed)
    );
}

export interface LifecycleResult {
    readonly instanceId: string;
    readonly result: string;
    readonly at: number;
}

/** Every lifecycle action completed by a call (not by a timeout), in order. */
export function completedHooks(run: DrainRun): LifecycleResult[] {
    return run.harness.region.timeline
        .filter((e) => e.kind === "autoscaling.hook.completed")
        .map((e) => ({ instanceId: String(e.detail.instanceId), result: String(e.detail.result), at: e.at }));
}

export function timelineOf(run: DrainRun, kind: string, instanceId?: string) {
    return run.harness.region.timeline.filter(
        (e) => e.kind === kind && (instanceId === undefined || e.detail.instanceId === instanceId),
    );
}

/** The group's view of an instance: its lifecycle state, or undefined once it left the group. */
export function lifecycleStateOf(run: DrainRun, instanceId: string): string | undefined {
    return run.harness.region.autoscaling.groups.get(run.deployed.groupName)!.instances.get(instanceId)
        ?.lifecycleState;
}

/** The drain Lambda's JSON log lines (EMF lines and Lambda's own START/END/REPORT left out). */
export function drainLogs(run: DrainRun): Record<string, unknown>[] {
    const name = run.pipeline.functionArn.slice(run.pipeline.functionArn.lastIndexOf(":") + 1);
    return run.harness.region.cloudwatch
        .logEvents(`/aws/lambda/${name}`)
        .map((event) => event.message)
        .filter((line) => line.startsWith("{") && !line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
}
