/**
 * Changing a service's desired count as Application Auto Scaling would (through the ECS API,
 * uncounted: it is load, not one of the stack's control loops), and the counts the stack's
 * services may range over for a cluster of a given size.
 */
import { INSTANCE_TYPES, awsvpcTaskSlots } from "../../runtime/instanceTypes";
import type { StackSettings } from "../../stack/settings";
import type { Region } from "../region";
import type { HostPortService, StackDeployment } from "./stackScenario";

export function setDesiredCount(
    region: Region,
    stack: StackDeployment,
    service: string,
    desiredCount: number,
): void {
    region.admin("ecs", "UpdateService", {
        cluster: stack.deployed.clusterName,
        service: stack.services[service],
        desiredCount,
    });
}

/**
 * minCount and maxCount of each service (the stack's and the host-port ones), scaled from the
 * cluster the stack's counts are for (workloadInstances) to `instances`.
 */
export function scaledRange(
    settings: StackSettings,
    instances: number,
    hostPortServices: readonly HostPortService[] = [],
): Record<string, { readonly min: number; readonly max: number }> {
    const factor = instances / workloadInstances(settings);
    return Object.fromEntries(
        [...settings.services, ...hostPortServices].map((s) => [
            s.name,
            {
                min: Math.max(1, Math.round(s.minCount * factor)),
                max: Math.max(1, Math.round(s.maxCount * factor)),
            },
        ]),
    );
}

/** Service events saying a task could not be placed, after `since`. */
export function unplacedTaskEvents(region: Region, since: number): number {
    return region.timeline.filter(
        (e) =>
            e.at >= since &&
            e.kind === "ecs.service.event" &&
            String(e.detail.message).includes("unable to place"),
    ).length;
}

/**
 * The cluster size the stack's desired counts are for: its desiredCapacity, or, for a stack whose
 * group starts empty (managed mode), the instances of its first type that its services' desired
 * tasks fill (task-level CPU, memory and awsvpc slots, without trunking), at least 1.
 */
export function workloadInstances(settings: StackSettings): number {
    if (settings.cluster.desiredCapacity > 0) return settings.cluster.desiredCapacity;
    const type = INSTANCE_TYPES[settings.cluster.instanceTypes[0]];
    const share = settings.services.reduce(
        (sum, s) =>
            sum +
            s.desiredCount *
                Math.max(
                    s.cpu / (type.vcpus * 1024),
                    s.memory / type.registeredMemoryMiB,
                    1 / awsvpcTaskSlots(type, false),
                ),
        0,
    );
    return Math.max(1, Math.ceil(share));
}
