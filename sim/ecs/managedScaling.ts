/**
 * Managed scaling: every minute ECS computes each associated provider's CapacityProviderReservation
 * and publishes it to CloudWatch (namespace AWS/ECS/ManagedScaling, dimensions ClusterName and
 * CapacityProviderName); the target tracking policy ECS put on the group acts on it
 * (sim/autoscaling/targetTracking.ts).
 *
 * CapacityProviderReservation = M / N × 100 (ECS developer guide, cluster-auto-scaling; AWS's deep
 * dive on cluster auto scaling), N the provider's running instances, M the instances needed:
 * - no task waiting for capacity: M is the number of instances that are not empty, and "a
 *   container instance is considered empty even when daemon tasks are running"
 *   (managed-scaling-behavior, scale-in);
 * - tasks waiting (managed-scaling-behavior, scale-out): grouped by identical requirements; a
 *   group that one instance of the group's smallest type cannot run is left out (and when every
 *   group is, the metric stays at targetCapacity); each group's instance count is a binpack on the
 *   largest type (CPU, memory, ports, ENIs); the largest count, raised to minimumScalingStepSize
 *   and capped at maximumScalingStepSize, is added to N;
 * - N = 0: 200 when M > 0, 100 when M = 0 (the deep dive, as AWS's ECS Spot workshop quotes it).
 * Inferred: N counts the provider's ACTIVE container instances (a DRAINING one is leaving); a task
 * counts toward "not empty" while its desired status is RUNNING (a task told to stop no longer
 * does, like the API's runningTasksCount); the metric is published on the whole minute.
 */
import { INSTANCE_TYPES, awsvpcTaskSlots } from "../../runtime/instanceTypes";
import type { GroupForCapacityProvider, ManagedTargetTrackingSpec, RegionContext } from "../types";
import type { ProvisioningQueue } from "./provisioning";
import { AGENT_RESERVED_TCP_PORTS, type TaskRequirements } from "./resources";
import type { CapacityProviderState, ClusterState, EcsState, ManagedScalingState } from "./state";

export const MANAGED_SCALING_NAMESPACE = "AWS/ECS/ManagedScaling";
export const RESERVATION_METRIC = "CapacityProviderReservation";
const MINUTE_MS = 60_000;

export interface ReservationInput {
    /** N: the provider's running instances. */
    readonly running: number;
    /** Of those, how many run a task other than a daemon. */
    readonly notEmpty: number;
    /** Requirements of each task waiting for this provider's capacity. */
    readonly provisioning: readonly TaskRequirements[];
    /** The types the group launches. */
    readonly instanceTypes: readonly string[];
    readonly trunking: boolean;
    readonly settings: ManagedScalingState;
}

export interface Reservation {
    readonly value: number;
    /** M, when the formula applied (undefined when every waiting task was left out). */
    readonly instancesNeeded?: number;
    /** Waiting tasks no instance of the group can run. */
    readonly incompatibleTasks: number;
}

/** How many tasks of these requirements one empty instance of the type runs. */
export function tasksPerInstance(req: TaskRequirements, instanceType: string, trunking: boolean): number {
    const info = INSTANCE_TYPES[instanceType];
    const limits = [
        req.cpu > 0 ? Math.floor((info.vcpus * 1024) / req.cpu) : Infinity,
        req.memory > 0 ? Math.floor(info.registeredMemoryMiB / req.memory) : Infinity,
    ];
    if (req.tcpPorts.length > 0 || req.udpPorts.length > 0) {
        limits.push(req.tcpPorts.some((p) => AGENT_RESERVED_TCP_PORTS.includes(p)) ? 0 : 1);
    }
    if (req.needsEni) limits.push(awsvpcTaskSlots(info, trunking));
    return Math.min(...limits);
}

export function capacityProviderReservation(input: ReservationInput): Reservation {
    const { settings } = input;
    let needed: number;
    let incompatibleTasks = 0;
    if (input.provisioning.length === 0) {
        needed = input.notEmpty;
    } else {
        const groups = new Map<string, { req: TaskRequirements; count: number }>();
        for (const req of input.provisioning) {
            const key = JSON.stringify(req);
            const group = groups.get(key) ?? { req, count: 0 };
            group.count++;
            groups.set(key, group);
        }
        let largestCount = 0;
        for (const { req, count } of groups.values()) {
            const perType = input.instanceTypes.map((t) => tasksPerInstance(req, t, input.trunking));
            if (Math.min(...perType) < 1) {
                incompatibleTasks += count;
                continue;
            }
            largestCount = Math.max(largestCount, Math.ceil(count / Math.max(...perType)));
        }
        if (largestCount === 0) return { value: settings.targetCapacity, incompatibleTasks };
        const step =
            largestCount < settings.minimumScalingStepSize
                ? settings.minimumScalingStepSize
                : Math.min(settings.maximumScalingStepSize, largestCount);
        needed = input.running + step;
    }
    const value = input.running === 0 ? (needed > 0 ? 200 : 100) : (needed / input.running) * 100;
    return { value, instancesNeeded: needed, incompatibleTasks };
}

/** Publishes the metric of every associated provider with managed scaling, each whole minute. */
export class ManagedScaling {
    private ticking = false;

    constructor(
        private readonly ctx: RegionContext,
        private readonly state: EcsState,
        private readonly provisioning: ProvisioningQueue,
    ) {}

    /** The target tracking policy ECS puts on the provider's group when it is associated with `cluster`. */
    policySpec(
        provider: CapacityProviderState,
        cluster: ClusterState,
        groupName: string,
    ): ManagedTargetTrackingSpec {
        const h = this.ctx.random.hex(32);
        return {
            groupName,
            policyName: `ECSManagedAutoScalingPolicy-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
            targetValue: provider.managedScaling.targetCapacity,
            instanceWarmupSeconds: provider.managedScaling.instanceWarmupPeriod,
            namespace: MANAGED_SCALING_NAMESPACE,
            metricName: RESERVATION_METRIC,
            dimensions: dimensions(cluster, provider),
        };
    }

    start(): void {
        if (this.ticking) return;
        this.ticking = true;
        this.schedule();
    }

    private schedule(): void {
        const next = Math.floor(this.ctx.clock.now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
        this.ctx.clock.at(next, "ecs.managedScaling.publish", () => {
            const scaled = [...this.state.capacityProviders.values()].filter(
                (p) => p.association?.scalingPolicyArn !== undefined,
            );
            for (const provider of scaled) this.publish(provider);
            if (scaled.length > 0) this.schedule();
            else this.ticking = false;
        });
    }

    private publish(provider: CapacityProviderState): void {
        const cluster = this.state.clusters.get(provider.association!.clusterArn)!;
        const group = this.ctx.autoscaling.groupForCapacityProvider(provider.autoScalingGroupArn);
        if (!group) return;
        const reservation = capacityProviderReservation(this.input(provider, cluster, group));
        this.ctx.cloudwatch.publishServiceMetric(
            MANAGED_SCALING_NAMESPACE,
            RESERVATION_METRIC,
            dimensions(cluster, provider),
            reservation.value,
        );
        this.ctx.record("ecs.capacityProvider.reservation", {
            capacityProvider: provider.name,
            value: reservation.value,
            instancesNeeded: reservation.instancesNeeded ?? null,
            incompatibleTasks: reservation.incompatibleTasks,
        });
    }

    private input(
        provider: CapacityProviderState,
        cluster: ClusterState,
        group: GroupForCapacityProvider,
    ): ReservationInput {
        const instances = this.state
            .instancesOf(cluster.arn)
            .filter((ci) => ci.status === "ACTIVE" && ci.capacityProviderName === provider.name);
        const notEmpty = instances.filter((ci) =>
            this.state.tasksOn(ci).some((t) => !t.daemon && t.desiredStatus === "RUNNING"),
        ).length;
        return {
            running: instances.length,
            notEmpty,
            provisioning: this.provisioning.waitingFor(cluster.arn, provider.name).map((t) => t.requirements),
            instanceTypes: group.instanceTypes,
            trunking: this.state.trunking,
            settings: provider.managedScaling,
        };
    }
}

function dimensions(cluster: ClusterState, provider: CapacityProviderState) {
    return [
        { Name: "CapacityProviderName", Value: provider.name },
        { Name: "ClusterName", Value: cluster.name },
    ];
}
