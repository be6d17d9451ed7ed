/**
 * scale-in: after a surge to maxCount has grown the group, load falls to every service's
 * minCount; IdleHostCapacity stays above the threshold, the alarm removes one instance at a
 * time, the termination policy picks the cheapest to drain and the drain hook empties it first
 * (managed mode: ECS's target tracking lowers the group after 15 minutes below target, managed
 * termination protection leaves only empty instances to go, and ECS's hook lets them go).
 * Shows that the group shrinks without a task lost and without scaling back and forth.
 */
import { catalogEntry } from "./catalog";
import type { ScenarioCheck } from "./result";
import { runScenario, scaledDesiredCounts, servicesAtDesired, type Scenario } from "./scenario";
import { scaledRange, setDesiredCount, workloadInstances } from "./serviceLoad";

const GROW_SECONDS = 2 * 3600;
/** Scale-in goes one instance per cooldown after a long evaluation: give it hours. */
const SHRINK_SECONDS = 4 * 3600;
/** The group counts as shrunk once its desired capacity has not changed for this long. */
const STABLE_SECONDS = 3600;

export const scaleIn: Scenario = {
    ...catalogEntry("scale-in"),
    run(settings, options) {
        const instances = options.instances ?? workloadInstances(settings);
        return runScenario({
            name: "scale-in",
            settings,
            options,
            deploy: {
                instances,
                desiredCounts: scaledDesiredCounts(settings, instances, options.hostPortServices),
            },
            sampleSeconds: 60,
            async body({ region, stack, recorder, step }) {
                const range = scaledRange(settings, instances, options.hostPortServices);
                for (const [name, { max }] of Object.entries(range)) {
                    step(`service ${name}: desired count → ${max} (surge)`);
                    setDesiredCount(region, stack, name, max);
                }
                const surged = await recorder.runUntil(
                    () => servicesAtDesired(region, stack).passed,
                    GROW_SECONDS,
                );
                const group = region.autoscaling.groups.get(stack.deployed.groupName)!;
                const peak = group.desiredCapacity;
                for (const [name, { min }] of Object.entries(range)) {
                    step(`service ${name}: desired count → ${min} (load falls)`);
                    setDesiredCount(region, stack, name, min);
                }
                let lastChange = region.clock.now();
                let lastDesired = group.desiredCapacity;
                // Shrunk: no change for a while, and no drain still running (its outcome belongs to the run).
                await recorder.runUntil(() => {
                    if (group.desiredCapacity !== lastDesired) {
                        lastDesired = group.desiredCapacity;
                        lastChange = region.clock.now();
                    }
                    const draining = [...group.instances.values()].some(
                        (i) => i.lifecycleState === "Terminating:Wait",
                    );
                    return region.clock.now() - lastChange >= STABLE_SECONDS * 1000 && !draining;
                }, SHRINK_SECONDS);
                // The alarms read the last drain's metrics a minute or two after it ends.
                await recorder.run(300);
                const inService = [...group.instances.values()].filter(
                    (i) => i.lifecycleState === "InService",
                ).length;
                const checks: ScenarioCheck[] = [
                    {
                        name: "the surge was placed first",
                        passed: surged,
                        detail: `group grew to ${peak}`,
                    },
                    {
                        name: "the group shrank",
                        passed: group.desiredCapacity < peak && group.desiredCapacity >= group.minSize,
                        detail: `desired capacity ${peak} → ${group.desiredCapacity} (${inService} InService)`,
                    },
                    servicesAtDesired(region, stack),
                ];
                return checks;
            },
        });
    },
};
