/**
 * Shared set-up for the compute-core tests: a Region with fixed (jitter-free) durations so
 * timelines can be asserted exactly, and small helpers to register instances and read state.
 */
import { SIM_EPOCH_MS } from "../../sim/clock";
import { Region, type RegionOptions } from "../../sim/region";

export const FIXED_TIMINGS: NonNullable<RegionOptions["timings"]> = {
    ec2: { bootMs: [60_000, 60_000], shutdownMs: 30_000, spotNoticeMs: 120_000 },
    ecs: {
        provisioningMs: [1_000, 1_000],
        provisioningAwsvpcMs: [5_000, 5_000],
        pendingMs: [10_000, 10_000],
        sigtermExitMs: [3_000, 3_000],
        deprovisioningAwsvpcMs: [5_000, 5_000],
        schedulerDelayMs: 1_000,
        schedulerRetryMs: 30_000,
    },
    autoscaling: { reconcileDelayMs: 5_000, terminationRetryMs: 60_000, refreshCheckMs: 15_000 },
};

export function fixedRegion(options: Partial<RegionOptions> = {}): Region {
    const t = options.timings ?? {};
    return new Region({
        seed: 7,
        ...options,
        timings: {
            ec2: { ...FIXED_TIMINGS.ec2, ...t.ec2 },
            ecs: { ...FIXED_TIMINGS.ecs, ...t.ecs },
            autoscaling: { ...FIXED_TIMINGS.autoscaling, ...t.autoscaling },
        },
    });
}

/** Seconds since the start of the run. */
export function secondsAt(at: number): number {
    return (at - SIM_EPOCH_MS) / 1000;
}

export interface CapturedEvent {
    readonly at: number;
    readonly source: string;
    readonly detailType: string;
    readonly detail: Record<string, unknown>;
    readonly resources: readonly string[];
}

/** Records every event the models emit onto the default bus (and still delivers it). */
export function captureEvents(region: Region): CapturedEvent[] {
    const captured: CapturedEvent[] = [];
    const emit = region.events.emit.bind(region.events);
    region.events.emit = (source, detailType, detail, resources) => {
        captured.push({ at: region.clock.now(), source, detailType, detail, resources: resources ?? [] });
        emit(source, detailType, detail, resources);
    };
    return captured;
}

/** Creates a cluster and registers instances directly with ECS (no ASG): [ec2InstanceId, type, az]. */
export function clusterWithInstances(
    region: Region,
    clusterName: string,
    instances: readonly (readonly [string, string, string])[],
): string[] {
    region.admin("ecs", "CreateCluster", { clusterName });
    for (const [id, type, az] of instances)
        region.ecs.registerInstance(clusterName, id, type, az, "ami-0123456789abcdef0");
    return instances.map(([id]) => region.ecs.state.instanceByEc2Id(id)!.arn);
}

export function registerTaskDefinition(region: Region, input: Record<string, unknown>): string {
    const out = region.admin("ecs", "RegisterTaskDefinition", input) as {
        taskDefinition: { taskDefinitionArn: string };
    };
    return out.taskDefinition.taskDefinitionArn;
}

/** lastStatus of every task of a service (or all tasks) on one EC2 instance. */
export function statusesOn(region: Region, ec2InstanceId: string): string[] {
    return [...region.ecs.state.tasks.values()]
        .filter((t) => t.ec2InstanceId === ec2InstanceId)
        .map((t) => `${t.group}:${t.lastStatus}`)
        .sort();
}
