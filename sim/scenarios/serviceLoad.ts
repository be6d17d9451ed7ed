/**
 * Changing a service's desired count as Application Auto Scaling would (through the ECS API,
 * uncounted: it is load, not one of the stack's control loops), and the counts the stack's
 * services may range over for a cluster of a given size.
 */
import type { StackSettings } from "../../stack/settings";
import type { Region } from "../region";
import type { StackDeployment } from "./stackScenario";

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

/** minCount and maxCount of each service, scaled from the stack's desiredCapacity to `instances`. */
export function scaledRange(
    settings: StackSettings,
    instances: number,
): Record<string, { readonly min: number; readonly max: number }> {
    const factor = instances / settings.cluster.desiredCapacity;
    return Object.fromEntries(
        settings.services.map((s) => [
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
