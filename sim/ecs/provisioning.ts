/**
 * Tasks waiting in PROVISIONING for capacity, and how a capacity provider strategy picks the
 * provider of each new task.
 *
 * ECS developer guide, "Amazon ECS managed scaling behavior": a task launched through an Auto
 * Scaling group capacity provider that no instance can take stays PROVISIONING instead of failing
 * (only with managed scaling on: AWS's deep dive on cluster auto scaling, quoted in
 * PRX/Infrastructure#402, "otherwise, tasks that can't find capacity will fail immediately"). The
 * scheduler places the waiting tasks, oldest first, on their provider's instances whenever it
 * passes (inferred: the order, and that each is placed with the strategies it was launched with).
 *
 * Strategy (API reference, CapacityProviderStrategyItem): the provider with a `base` takes the
 * first `base` tasks, the rest are shared in proportion to `weight`; a weight of 0 takes none
 * beyond its base. Inferred: each new task goes to the provider furthest below its share.
 */
import type { SeededRandom } from "../random";
import { placeTask } from "./placement";
import type {
    CapacityProviderStrategyItemState,
    ContainerInstanceState,
    PlacementStrategyState,
    TaskState,
} from "./state";

interface WaitingTask {
    readonly task: TaskState;
    readonly strategies: readonly PlacementStrategyState[];
}

export class ProvisioningQueue {
    private waiting: WaitingTask[] = [];

    add(task: TaskState, strategies: readonly PlacementStrategyState[]): void {
        this.waiting.push({ task, strategies });
    }

    /** Tasks of `capacityProviderName` in the cluster still waiting, oldest first. */
    waitingFor(clusterArn: string, capacityProviderName: string): TaskState[] {
        this.forgetStopped();
        return this.waiting
            .map((w) => w.task)
            .filter((t) => t.clusterArn === clusterArn && t.capacityProviderName === capacityProviderName);
    }

    get size(): number {
        this.forgetStopped();
        return this.waiting.length;
    }

    /**
     * Places, oldest first, every waiting task that fits one of its provider's instances now
     * (`candidatesOf`); returns how many still wait.
     */
    placeWaiting(
        candidatesOf: (task: TaskState) => ContainerInstanceState[],
        tasksOn: (instance: ContainerInstanceState) => readonly TaskState[],
        place: (task: TaskState, instance: ContainerInstanceState) => void,
        random: SeededRandom,
    ): number {
        this.forgetStopped();
        const still: WaitingTask[] = [];
        for (const entry of this.waiting) {
            const { task } = entry;
            const result = placeTask({
                candidates: candidatesOf(task),
                requirements: task.requirements,
                strategies: entry.strategies,
                groupTasksOn: (ci) =>
                    tasksOn(ci).filter((t) => t.group === task.group && t.desiredStatus === "RUNNING").length,
                random,
            });
            if (result.placed) place(task, result.placed);
            else still.push(entry);
        }
        this.waiting = still;
        return still.length;
    }

    private forgetStopped(): void {
        this.waiting = this.waiting.filter((w) => w.task.desiredStatus === "RUNNING");
    }
}

/** The provider of the next task, given how many tasks each provider already has. */
export function chooseCapacityProvider(
    strategy: readonly CapacityProviderStrategyItemState[],
    tasksOn: (capacityProvider: string) => number,
): string {
    if (strategy.length === 1) return strategy[0].capacityProvider;
    const underBase = strategy.find((item) => tasksOn(item.capacityProvider) < item.base);
    if (underBase) return underBase.capacityProvider;
    let best: CapacityProviderStrategyItemState | undefined;
    let bestShare = Infinity;
    for (const item of strategy.filter((i) => i.weight > 0)) {
        const share = (tasksOn(item.capacityProvider) - item.base) / item.weight;
        if (share < bestShare) {
            best = item;
            bestShare = share;
        }
    }
    if (!best) throw new Error("chooseCapacityProvider: the strategy has no provider with a weight");
    return best.capacityProvider;
}
