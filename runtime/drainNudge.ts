/**
 * Which ECS events of a batch may mean that a draining container instance just emptied. ECS sends
 * an "ECS Container Instance State Change" whenever a task placed on or stopped on an instance
 * changes its available resources, and an "ECS Task State Change" on every task status change
 * (ECS developer guide, "Amazon ECS container instance state change events", "Amazon ECS task
 * state change events"). A task's CPU and memory go back to the instance's remainingResources
 * only when it is STOPPED (same page: the agent releases the resources of a stopped task), so a
 * DRAINING instance whose event shows nothing held and no task network interface attached has
 * nothing left on it.
 *
 * An event is a hint, never the verdict: events can arrive late, twice or out of order (their
 * `version` tells which is newer), and completing a lifecycle action is irreversible. The instances
 * picked here are described once, together, and completed only if the description agrees.
 */
import type { DrainNudge, InstanceChangeNudge } from "./drainMessage";

/** True when an instance event says the DRAINING instance holds nothing. */
export function looksEmpty(change: InstanceChangeNudge): boolean {
    return (
        change.status === "DRAINING" &&
        change.heldCpu === 0 &&
        change.heldMemory === 0 &&
        change.taskAttachments === 0
    );
}

function newer(a: InstanceChangeNudge, b: InstanceChangeNudge): InstanceChangeNudge {
    if (a.version !== b.version) return a.version > b.version ? a : b;
    return a.changedAt >= b.changedAt ? a : b;
}

/**
 * The container instances of `clusterArn` worth one look, from a batch's nudges: those whose
 * newest instance event looks empty, and those with a task STOPPED after their newest instance
 * event in the batch (a task event carries nothing about what is left). The rest need no call.
 */
export function instancesToConfirm(nudges: readonly DrainNudge[], clusterArn: string): string[] {
    const latestChange = new Map<string, InstanceChangeNudge>();
    const latestStop = new Map<string, number>();
    for (const nudge of nudges) {
        if (nudge.clusterArn !== clusterArn) continue;
        const arn = nudge.containerInstanceArn;
        if (nudge.event === "container-instance") {
            const known = latestChange.get(arn);
            latestChange.set(arn, known === undefined ? nudge : newer(known, nudge));
        } else {
            latestStop.set(arn, Math.max(latestStop.get(arn) ?? -Infinity, nudge.changedAt));
        }
    }
    const arns = new Set([...latestChange.keys(), ...latestStop.keys()]);
    return [...arns].filter((arn) => {
        const change = latestChange.get(arn);
        const stop = latestStop.get(arn);
        if (change === undefined || (stop !== undefined && stop > change.changedAt)) return true;
        return looksEmpty(change);
    });
}
