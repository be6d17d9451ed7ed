/**
 * Task placement as the ECS scheduler does it: keep the instances the task fits on, then apply the
 * placement strategies in order, each narrowing the candidates (spread keeps the least-used
 * values of its field, binpack the least remaining of its resource). When nothing fits, the
 * "closest matching" instance and its first shortfall become the reason ECS reports.
 */
import type { SeededRandom } from "../random";
import {
    remainingCpu,
    remainingMemory,
    shortfalls,
    type PlacementShortfall,
    type TaskRequirements,
} from "./resources";
import type { ContainerInstanceState, PlacementStrategyState } from "./state";

export const AZ_ATTRIBUTE = "attribute:ecs.availability-zone";
export const SPREAD_FIELDS: readonly string[] = [
    "instanceId",
    "host",
    AZ_ATTRIBUTE,
    "attribute:ecs.instance-type",
];
export const BINPACK_FIELDS: readonly string[] = ["cpu", "memory"];
export const SERVICE_DEFAULT_STRATEGY: readonly PlacementStrategyState[] = [
    { type: "spread", field: AZ_ATTRIBUTE },
    { type: "binpack", field: "memory" },
];
export const RUN_TASK_DEFAULT_STRATEGY: readonly PlacementStrategyState[] = [
    { type: "binpack", field: "memory" },
];

export type PlacementResult =
    | { readonly placed: ContainerInstanceState }
    | {
          readonly placed?: undefined;
          readonly shortfall: PlacementShortfall;
          readonly closest: ContainerInstanceState;
      }
    | { readonly placed?: undefined; readonly shortfall: "NO_INSTANCES" };

export interface PlacementInput {
    /** ACTIVE, connected instances of the cluster, in registration order. */
    readonly candidates: readonly ContainerInstanceState[];
    readonly requirements: TaskRequirements;
    readonly strategies: readonly PlacementStrategyState[];
    /** Live tasks of the same group on an instance (what spread balances). */
    readonly groupTasksOn: (instance: ContainerInstanceState) => number;
    readonly random: SeededRandom;
}

export function placeTask(input: PlacementInput): PlacementResult {
    if (input.candidates.length === 0) return { shortfall: "NO_INSTANCES" };
    let fitting = input.candidates.filter((ci) => shortfalls(ci, input.requirements).length === 0);
    if (fitting.length === 0) {
        let closest = input.candidates[0];
        let closestMisses = shortfalls(closest, input.requirements);
        for (const ci of input.candidates.slice(1)) {
            const misses = shortfalls(ci, input.requirements);
            if (misses.length < closestMisses.length) {
                closest = ci;
                closestMisses = misses;
            }
        }
        return { shortfall: closestMisses[0], closest };
    }
    for (const strategy of input.strategies) {
        fitting = applyStrategy(fitting, strategy, input);
    }
    return { placed: fitting[0] };
}

function applyStrategy(
    instances: ContainerInstanceState[],
    strategy: PlacementStrategyState,
    input: PlacementInput,
): ContainerInstanceState[] {
    if (strategy.type === "random") return [input.random.pick(instances)];
    if (strategy.type === "binpack") {
        const remaining = strategy.field === "cpu" ? remainingCpu : remainingMemory;
        const least = Math.min(...instances.map(remaining));
        return instances.filter((ci) => remaining(ci) === least);
    }
    const keyOf = spreadKey(strategy.field ?? "instanceId");
    const countByKey = new Map<string, number>();
    for (const ci of input.candidates) {
        const key = keyOf(ci);
        countByKey.set(key, (countByKey.get(key) ?? 0) + input.groupTasksOn(ci));
    }
    const least = Math.min(...instances.map((ci) => countByKey.get(keyOf(ci))!));
    return instances.filter((ci) => countByKey.get(keyOf(ci)) === least);
}

function spreadKey(field: string): (ci: ContainerInstanceState) => string {
    switch (field) {
        case "instanceId":
        case "host":
            return (ci) => ci.arn;
        case AZ_ATTRIBUTE:
            return (ci) => ci.availabilityZone;
        case "attribute:ecs.instance-type":
            return (ci) => ci.instanceType;
        default:
            throw new Error(`spread field ${field} is validated by the API and cannot reach placement`);
    }
}
