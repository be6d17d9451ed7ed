import assert from "node:assert/strict";
import type { ManagedCapacitySettings } from "../../../stack/capacityProvider";
import {
    createManagedService,
    entries,
    runningCount,
    serviceTasks,
    startManagedRun,
    type ManagedRun,
} from "./managedScenario";

/** Three instances, five 1-vCPU tasks; then the service keeps one task and the group is asked for none. */
async function scaleInUnderOneTask(settings: Partial<ManagedCapacitySettings>): Promise<{
    run: ManagedRun;
    web: string;
    busy: string;
}> {
    const run = await startManagedRun({ settings });
    const { region } = run;
    const web = createManagedService(run, "web", { desiredCount: 5 });
    assert.ok(await region.runUntil(() => runningCount(region, web) === 5, 1800));
    region.admin("ecs", "UpdateService", { cluster: "managed", service: "web", desiredCount: 1 });
    assert.ok(await region.runUntil(() => oneTaskLeft(run, web), 300));
    const busy = serviceTasks(region, web)[0].ec2InstanceId;
    region.admin("autoscaling", "SetDesiredCapacity", {
        AutoScalingGroupName: run.deployed.groupName,
        DesiredCapacity: 0,
    });
    await region.run(600);
    return { run, web, busy };
}

/** The service's other tasks are STOPPED (not only told to stop). */
function oneTaskLeft(run: ManagedRun, serviceArn: string): boolean {
    const service = run.region.ecs.state.services.get(serviceArn)!;
    return run.region.ecs.state.serviceTasks(service).filter((t) => t.lastStatus !== "STOPPED").length === 1;
}

function groupInstances(run: ManagedRun): { id: string; protectedFromScaleIn: boolean; state: string }[] {
    const group = run.region.autoscaling.groups.get(run.deployed.groupName)!;
    return [...group.instances.values()].map((i) => ({
        id: i.instanceId,
        protectedFromScaleIn: i.protectedFromScaleIn,
        state: i.lifecycleState,
    }));
}

describe("sim: managed termination protection", () => {
    let run: ManagedRun | undefined;
    afterEach(async () => run?.harness.stop());

    it("protects instances while they run tasks other than daemons and lets the empty ones go", async () => {
        run = await startManagedRun({});
        const { region } = run;
        const web = createManagedService(run, "web", { desiredCount: 1 });
        assert.ok(await region.runUntil(() => runningCount(region, web) === 1, 900));
        const busy = serviceTasks(region, web)[0].ec2InstanceId;
        // Scaling out from nothing brings two instances: the one without a task is left unprotected.
        assert.deepEqual(
            groupInstances(run)
                .map((i) => [i.id === busy, i.protectedFromScaleIn])
                .sort(),
            [
                [false, false],
                [true, true],
            ],
        );
        region.admin("ecs", "UpdateService", { cluster: "managed", service: "web", desiredCount: 0 });
        await region.run(60);
        assert.ok(groupInstances(run).every((i) => !i.protectedFromScaleIn));
        const calls = entries(region, "autoscaling.instance.protection").filter((e) => e.instanceId === busy);
        assert.deepEqual(
            calls.map((e) => e.protectedFromScaleIn),
            [false, true, false],
            "registered empty, protected with its task, let go when the task was told to stop",
        );
    });

    it("keeps the busy instance through a scale-in: only the empty ones are terminated", async () => {
        const outcome = await scaleInUnderOneTask({});
        run = outcome.run;
        const { region } = run;
        const left = groupInstances(run).filter((i) => i.state !== "Terminated");
        assert.deepEqual(
            left.map((i) => [i.id, i.protectedFromScaleIn, i.state]),
            [[outcome.busy, true, "InService"]],
        );
        assert.equal(region.autoscaling.groups.get(run.deployed.groupName)!.desiredCapacity, 0);
        assert.equal(runningCount(region, outcome.web), 1);
        assert.equal(region.invariants().tasksKilledByTermination, 0);
    });

    it("without protection or draining, the same scale-in kills the task (what protection prevents)", async () => {
        const outcome = await scaleInUnderOneTask({
            managedTerminationProtection: false,
            managedDraining: false,
        });
        run = outcome.run;
        const invariants = run.region.invariants();
        assert.equal(invariants.tasksKilledByTermination, 1);
        assert.equal(invariants.killedTasks[0].ec2InstanceId, outcome.busy);
    });
});
