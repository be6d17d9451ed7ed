/**
 * scale-out: a surge raises every service to its maxCount; the capacity Lambda sees
 * ContainerCapacity fall below minimumSpareTasks, the alarm fires, the step policy adds
 * instances until every task is placed (managed mode: the tasks wait in PROVISIONING and ECS's
 * target tracking on CapacityProviderReservation adds the instances they need). Shows the alarm,
 * the scaling actions and how long the surge waited for room.
 */
import { catalogEntry } from "./catalog";
import type { ScenarioCheck } from "./result";
import { runScenario, scaledDesiredCounts, servicesAtDesired, type Scenario } from "./scenario";
import { scaledRange, setDesiredCount, unplacedTaskEvents, workloadInstances } from "./serviceLoad";

/** Virtual seconds the cluster has to grow before the scenario reports it did not. */
const GROW_SECONDS = 2 * 3600;
/** Quiet time after the surge is placed, in which nothing may scale back and forth. */
const QUIET_SECONDS = 1800;

export const scaleOut: Scenario = {
    ...catalogEntry("scale-out"),
    run(settings, options) {
        const instances = options.instances ?? workloadInstances(settings);
        return runScenario({
            name: "scale-out",
            settings,
            options,
            deploy: {
                instances,
                desiredCounts: scaledDesiredCounts(settings, instances, options.hostPortServices),
            },
            sampleSeconds: 30,
            async body({ region, stack, recorder, step }) {
                const range = scaledRange(settings, instances, options.hostPortServices);
                for (const [name, { max }] of Object.entries(range)) {
                    step(`service ${name}: desired count → ${max} (surge)`);
                    setDesiredCount(region, stack, name, max);
                }
                const group = region.autoscaling.groups.get(stack.deployed.groupName)!;
                const before = group.desiredCapacity;
                const placed = await recorder.runUntil(
                    () => servicesAtDesired(region, stack).passed,
                    GROW_SECONDS,
                );
                const placedAfter = recorder.elapsedSeconds();
                const quietFrom = region.clock.now();
                await recorder.run(QUIET_SECONDS);
                const checks: ScenarioCheck[] = [
                    {
                        name: "the group grew",
                        passed: group.desiredCapacity > before,
                        detail: `desired capacity ${before} → ${group.desiredCapacity}`,
                    },
                    {
                        name: "every surged task placed",
                        passed: placed,
                        detail: placed
                            ? `all placed after ${Math.round(placedAfter)} s`
                            : `not placed within ${GROW_SECONDS} s`,
                    },
                    {
                        name: "no unplaceable task once the group has grown",
                        passed: unplacedTaskEvents(region, quietFrom) === 0,
                        detail: `${unplacedTaskEvents(region, quietFrom)} "unable to place" events in the last ${QUIET_SECONDS} s`,
                    },
                    servicesAtDesired(region, stack),
                ];
                return checks;
            },
        });
    },
};
