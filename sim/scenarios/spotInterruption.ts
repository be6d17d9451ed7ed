/**
 * spot-interruption: the stack's group run on Spot above its on-demand base (the stack's own
 * instance types); EC2 reclaims the instance running the most service tasks with the 2-minute
 * warning. The ECS agent's Spot draining and the drain pipeline's interruption rule set it
 * DRAINING (managed mode: the agent's alone); its tasks must be running elsewhere before the
 * instance goes, and the group replaces it.
 */
import { catalogEntry } from "./catalog";
import { workloadInstances } from "./serviceLoad";
import type { ScenarioCheck } from "./result";
import { runScenario, scaledDesiredCounts, servicesAtDesired, type Scenario } from "./scenario";

/** Time for the replacement instance to boot and the tasks to settle. */
const RECOVERY_SECONDS = 1800;

export const spotInterruption: Scenario = {
    ...catalogEntry("spot-interruption"),
    run(settings, options) {
        const instances = options.instances ?? workloadInstances(settings);
        return runScenario({
            name: "spot-interruption",
            settings,
            options,
            deploy: {
                instances,
                spot: true,
                desiredCounts: scaledDesiredCounts(settings, instances, options.hostPortServices),
            },
            sampleSeconds: 10,
            async body({ region, stack, recorder, step }) {
                const state = region.ecs.state;
                const group = region.autoscaling.groups.get(stack.deployed.groupName)!;
                const spot = [...group.instances.values()].filter((i) => i.market === "spot");
                if (spot.length === 0) {
                    return [
                        {
                            name: "a Spot instance to interrupt",
                            passed: false,
                            detail: `onDemandBaseCapacity ${settings.cluster.onDemandBaseCapacity} leaves no Spot instance among ${instances}`,
                        },
                    ];
                }
                const serviceTasksOn = (instanceId: string) => {
                    const ci = state.instanceByEc2Id(instanceId);
                    return ci
                        ? state.tasksOn(ci).filter((t) => t.serviceArn && t.lastStatus === "RUNNING").length
                        : 0;
                };
                const victim = spot.reduce((a, b) =>
                    serviceTasksOn(b.instanceId) > serviceTasksOn(a.instanceId) ? b : a,
                );
                const tasksBefore = serviceTasksOn(victim.instanceId);
                step(
                    `EC2 reclaims Spot instance ${victim.instanceId} (${tasksBefore} service tasks) with 2 minutes' notice`,
                );
                region.ec2.interruptSpot(victim.instanceId);
                await recorder.runUntil(() => region.ec2.get(victim.instanceId)?.state === "terminated", 600);
                await recorder.runUntil(() => servicesAtDesired(region, stack).passed, RECOVERY_SECONDS);
                await recorder.run(300);
                const checks: ScenarioCheck[] = [
                    {
                        name: "the interrupted instance is gone",
                        passed: region.ec2.get(victim.instanceId)?.state === "terminated",
                        detail: `${victim.instanceId} ${region.ec2.get(victim.instanceId)?.state ?? "unknown"}`,
                    },
                    {
                        name: "the group replaced it",
                        passed:
                            [...group.instances.values()].filter((i) => i.lifecycleState === "InService")
                                .length === group.desiredCapacity,
                        detail: `desired ${group.desiredCapacity}`,
                    },
                    servicesAtDesired(region, stack),
                ];
                return checks;
            },
        });
    },
};
