/**
 * What the managed capacity proofs share: a region (fixed, jitter-free durations) with an empty
 * Auto Scaling group turned into a capacity provider by `deployManagedCapacity`, services placed
 * through the cluster's default strategy (optionally behind a target group), and readers of the
 * run's timeline.
 */
import { MANAGED_CAPACITY_DEFAULTS, type ManagedCapacitySettings } from "../../../stack/capacityProvider";
import { SimHarness, type DeployedCluster } from "../../../sim/harness";
import { deployManagedCapacity, type ManagedCapacityDeployment } from "../../../sim/pipelines/managed";
import type { ApiCallObserver, Region } from "../../../sim/region";
import type { TaskState } from "../../../sim/ecs/state";
import { FIXED_TIMINGS } from "../coreScenario";

export interface ManagedRun {
    readonly harness: SimHarness;
    readonly region: Region;
    readonly deployed: DeployedCluster;
    readonly managed: ManagedCapacityDeployment;
}

export async function startManagedRun(options: {
    seed?: number;
    instanceType?: string;
    maxSize?: number;
    settings?: Partial<ManagedCapacitySettings>;
    callObserver?: ApiCallObserver;
}): Promise<ManagedRun> {
    const harness = await SimHarness.start({
        seed: options.seed ?? 5,
        timings: FIXED_TIMINGS,
        callObserver: options.callObserver,
    });
    const deployed = harness.deploy({
        clusterName: "managed",
        instanceType: options.instanceType ?? "m5.large",
        instanceCount: 0,
        maxSize: options.maxSize ?? 6,
        availabilityZones: ["us-east-1a", "us-east-1b"],
    });
    const managed = deployManagedCapacity(harness, deployed, {
        ...MANAGED_CAPACITY_DEFAULTS,
        ...options.settings,
    });
    return { harness, region: harness.region, deployed, managed };
}

export interface ManagedServiceOptions {
    readonly desiredCount: number;
    /** Task-size reservation: CPU units and MiB (an m5.large registers 2,048 and 7,680 MiB). */
    readonly cpu?: number;
    readonly memory?: number;
    /** Register the tasks with a target group of this deregistration delay (awsvpc, port 8080). */
    readonly deregistrationDelaySeconds?: number;
    readonly daemon?: boolean;
}

/** A service with no launch type: it takes the cluster's default capacity provider strategy. */
export function createManagedService(run: ManagedRun, name: string, options: ManagedServiceOptions): string {
    const { region } = run;
    const behindLoadBalancer = options.deregistrationDelaySeconds !== undefined;
    const { taskDefinition } = region.admin("ecs", "RegisterTaskDefinition", {
        family: name,
        networkMode: behindLoadBalancer ? "awsvpc" : "bridge",
        containerDefinitions: [
            {
                name,
                image: `public.ecr.aws/example/${name}:1`,
                cpu: options.cpu ?? 1024,
                memory: options.memory ?? 1024,
                essential: true,
                portMappings: [{ containerPort: 8080, ...(behindLoadBalancer ? {} : { hostPort: 0 }) }],
            },
        ],
    }) as { taskDefinition: { taskDefinitionArn: string } };
    const { service } = region.admin("ecs", "CreateService", {
        cluster: run.deployed.clusterName,
        serviceName: name,
        taskDefinition: taskDefinition.taskDefinitionArn,
        ...(options.daemon
            ? { schedulingStrategy: "DAEMON", launchType: "EC2" }
            : { desiredCount: options.desiredCount }),
        ...(behindLoadBalancer
            ? {
                  networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0sim0000000000001"] } },
                  loadBalancers: [
                      {
                          targetGroupArn: region.targetGroups.create(
                              `${name}-tg`,
                              options.deregistrationDelaySeconds,
                          ),
                          containerName: name,
                          containerPort: 8080,
                      },
                  ],
              }
            : {}),
    }) as { service: { serviceArn: string } };
    return service.serviceArn;
}

export function serviceTasks(region: Region, serviceArn: string): TaskState[] {
    const service = region.ecs.state.services.get(serviceArn)!;
    return region.ecs.state.serviceTasks(service).filter((t) => t.desiredStatus === "RUNNING");
}

export function runningCount(region: Region, serviceArn: string): number {
    return serviceTasks(region, serviceArn).filter((t) => t.lastStatus === "RUNNING").length;
}

export function desiredCapacity(run: ManagedRun): number {
    return run.region.autoscaling.groups.get(run.deployed.groupName)!.desiredCapacity;
}

/** The values of CapacityProviderReservation ECS published, oldest first. */
export function reservations(region: Region): number[] {
    return region.timeline
        .filter((e) => e.kind === "ecs.capacityProvider.reservation")
        .map((e) => Number(e.detail.value));
}

/** Timeline entries of one kind. */
export function entries(region: Region, kind: string): Record<string, unknown>[] {
    return region.timeline.filter((e) => e.kind === kind).map((e) => ({ at: e.at, ...e.detail }));
}
