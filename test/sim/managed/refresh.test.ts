import assert from "node:assert/strict";
import { MANAGED_CAPACITY_DEFAULTS, refreshScaleInProtectedInstances } from "../../../stack/capacityProvider";
import { MANAGED_DRAINING_HOOK } from "../../../sim/ecs/managedDraining";
import { refreshStatus } from "../../../sim/harness";
import {
    createManagedService,
    entries,
    runningCount,
    serviceTasks,
    startManagedRun,
    type ManagedRun,
} from "./managedScenario";

/** A new AMI through an instance refresh that launches before it terminates (100/200). */
function rollAmi(run: ManagedRun, scaleInProtectedInstances?: string): string {
    const { region, deployed } = run;
    const version = region.ec2.createLaunchTemplateVersion(deployed.launchTemplateId, {
        imageId: "ami-0bbbbbbbbbbbbbbb2",
    });
    const { InstanceRefreshId } = region.admin("autoscaling", "StartInstanceRefresh", {
        AutoScalingGroupName: deployed.groupName,
        DesiredConfiguration: {
            LaunchTemplate: { LaunchTemplateId: deployed.launchTemplateId, Version: String(version) },
        },
        Preferences: {
            MinHealthyPercentage: 100,
            MaxHealthyPercentage: 200,
            InstanceWarmup: 60,
            ...(scaleInProtectedInstances ? { ScaleInProtectedInstances: scaleInProtectedInstances } : {}),
        },
    }) as { InstanceRefreshId: string };
    return InstanceRefreshId;
}

async function steadyWeb(): Promise<{ run: ManagedRun; web: string; oldInstances: string[] }> {
    const run = await startManagedRun({});
    const web = createManagedService(run, "web", { desiredCount: 4, deregistrationDelaySeconds: 60 });
    assert.ok(await run.region.runUntil(() => runningCount(run.region, web) === 4, 900));
    const oldInstances = [...new Set(serviceTasks(run.region, web).map((t) => t.ec2InstanceId))];
    assert.equal(oldInstances.length, 2);
    return { run, web, oldInstances };
}

describe("sim: an AMI roll under managed termination protection and draining", () => {
    let run: ManagedRun | undefined;
    afterEach(async () => run?.harness.stop());

    it("replaces the protected instances when the refresh says Refresh, each drained by ECS first", async () => {
        const steady = await steadyWeb();
        run = steady.run;
        const { region } = run;
        const refreshId = rollAmi(run, refreshScaleInProtectedInstances(MANAGED_CAPACITY_DEFAULTS));
        assert.ok(
            await region.runUntil(
                () => refreshStatus(region, run!.deployed, refreshId) === "Successful",
                7200,
            ),
        );
        const terminated = entries(region, "instance.terminated").map((e) => e.instanceId);
        assert.deepEqual(
            steady.oldInstances.filter((id) => !terminated.includes(id)),
            [],
        );
        const completed = entries(region, "autoscaling.hook.completed").filter((e) =>
            steady.oldInstances.includes(String(e.instanceId)),
        );
        assert.deepEqual(
            completed.map((e) => [e.hookName, e.result]),
            steady.oldInstances.map(() => [MANAGED_DRAINING_HOOK.name, "CONTINUE"]),
        );
        assert.equal(runningCount(region, steady.web), 4);
        assert.ok(
            serviceTasks(region, steady.web).every((t) => !steady.oldInstances.includes(t.ec2InstanceId)),
        );
        const invariants = region.invariants();
        assert.equal(invariants.tasksKilledByTermination, 0, JSON.stringify(invariants.killedTasks));
        assert.ok((invariants.services[steady.web].lowestHealthyFraction ?? 0) >= 1);
    });

    it("with AWS's default (Wait), fails after an hour: ECS keeps the busy instances protected", async () => {
        const steady = await steadyWeb();
        run = steady.run;
        const { region } = run;
        const refreshId = rollAmi(run);
        assert.ok(
            await region.runUntil(
                () => refreshStatus(region, run!.deployed, refreshId) === "Failed",
                3 * 3600,
            ),
        );
        const failed = entries(region, "autoscaling.refresh.failed")[0];
        const started = entries(region, "autoscaling.refresh.started")[0];
        assert.ok(Number(failed.at) - Number(started.at) >= 3600_000);
        const terminated = entries(region, "instance.terminated").map((e) => e.instanceId);
        assert.deepEqual(
            steady.oldInstances.filter((id) => terminated.includes(id)),
            [],
        );
        assert.equal(region.invariants().tasksKilledByTermination, 0);
    });
});
