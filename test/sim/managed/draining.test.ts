import assert from "node:assert/strict";
import { MANAGED_DRAINING_HOOK } from "../../../sim/ecs/managedDraining";
import type { Region } from "../../../sim/region";
import {
    createManagedService,
    entries,
    runningCount,
    serviceTasks,
    startManagedRun,
    type ManagedRun,
} from "./managedScenario";

/** Every status a task went through, in order. */
function statusesOf(region: Region, taskArn: string): string[] {
    return entries(region, "ecs.task.status")
        .filter((e) => e.taskArn === taskArn)
        .map((e) => String(e.lastStatus))
        .filter((s, i, all) => s !== all[i - 1]);
}

function terminatedAt(region: Region, instanceId: string): number | undefined {
    return entries(region, "instance.terminating").find((e) => e.instanceId === instanceId)?.at as
        number | undefined;
}

describe("sim: managed instance draining", () => {
    let run: ManagedRun;
    afterEach(async () => run?.harness.stop());

    it("puts ECS's own TERMINATING hook on the group", async () => {
        run = await startManagedRun({});
        const { LifecycleHooks } = run.region.admin("autoscaling", "DescribeLifecycleHooks", {
            AutoScalingGroupName: run.deployed.groupName,
        }) as { LifecycleHooks: Record<string, unknown>[] };
        assert.deepEqual(
            LifecycleHooks.map((h) => [
                h.LifecycleHookName,
                h.LifecycleTransition,
                h.HeartbeatTimeout,
                h.DefaultResult,
                h.GlobalTimeout,
            ]),
            [
                [
                    MANAGED_DRAINING_HOOK.name,
                    "autoscaling:EC2_INSTANCE_TERMINATING",
                    3600,
                    "CONTINUE",
                    48 * 3600,
                ],
            ],
        );
        assert.equal(run.managed.drainingHookName, MANAGED_DRAINING_HOOK.name);
    });

    it("moves a terminating instance's tasks first: replacements run, the old ones deregister, nothing is killed", async () => {
        run = await startManagedRun({});
        const { region } = run;
        // Two full m5.large (two 1-vCPU awsvpc tasks each), behind a target group with a 120 s delay.
        const web = createManagedService(run, "web", { desiredCount: 4, deregistrationDelaySeconds: 120 });
        assert.ok(await region.runUntil(() => runningCount(region, web) === 4, 900));
        const victim = serviceTasks(region, web)[0].ec2InstanceId;
        const onVictim = serviceTasks(region, web).filter((t) => t.ec2InstanceId === victim);
        assert.equal(onVictim.length, 2);

        const before = new Set(serviceTasks(region, web).map((t) => t.arn));
        region.admin("autoscaling", "TerminateInstanceInAutoScalingGroup", {
            InstanceId: victim,
            ShouldDecrementDesiredCapacity: false,
        });
        const gone = await region.runUntil(() => terminatedAt(region, victim) !== undefined, 3600);
        assert.ok(gone, "the instance was never terminated");
        await region.run(120);

        const invariants = region.invariants();
        assert.equal(invariants.tasksKilledByTermination, 0, JSON.stringify(invariants.killedTasks));
        assert.deepEqual(invariants.terminatingWaitPastDeadline, []);
        assert.equal(runningCount(region, web), 4);
        const hook = entries(region, "autoscaling.hook.completed").find((e) => e.instanceId === victim)!;
        assert.equal(hook.hookName, MANAGED_DRAINING_HOOK.name);
        assert.equal(hook.result, "CONTINUE");
        for (const task of onVictim) {
            assert.deepEqual(statusesOf(region, task.arn).slice(-4), [
                "DEACTIVATING",
                "STOPPING",
                "DEPROVISIONING",
                "STOPPED",
            ]);
            const deactivating = entries(region, "ecs.task.status").find(
                (e) => e.taskArn === task.arn && e.lastStatus === "DEACTIVATING",
            )!;
            assert.ok(
                task.stoppedAt! - Number(deactivating.at) >= 120_000,
                "left before the deregistration delay",
            );
            assert.ok(task.stoppedAt! <= terminatedAt(region, victim)!, "the task outlived its instance");
        }
        // The replacements waited, on no instance, for the one Auto Scaling launched in the victim's
        // place, and ran before the old tasks began to deregister (minimum healthy 100 %).
        const replacements = serviceTasks(region, web).filter((t) => !before.has(t.arn));
        assert.equal(replacements.length, 2);
        const statusEntries = entries(region, "ecs.task.status");
        for (const replacement of replacements) {
            assert.ok(
                statusEntries.some(
                    (e) =>
                        e.taskArn === replacement.arn &&
                        e.lastStatus === "PROVISIONING" &&
                        e.ec2InstanceId === "",
                ),
            );
            assert.notEqual(replacement.ec2InstanceId, victim);
        }
        const firstDeactivating = Math.min(
            ...statusEntries.filter((e) => e.lastStatus === "DEACTIVATING").map((e) => Number(e.at)),
        );
        assert.ok(replacements.every((t) => t.startedAt! <= firstDeactivating));
        assert.ok((invariants.services[web].lowestHealthyFraction ?? 0) >= 1);
    });

    it("keeps a standalone task's instance until the task ends, heartbeating past the hook's hour", async () => {
        run = await startManagedRun({});
        const { region } = run;
        const web = createManagedService(run, "web", { desiredCount: 1 });
        assert.ok(await region.runUntil(() => runningCount(region, web) === 1, 900));
        const host = serviceTasks(region, web)[0].ec2InstanceId;
        const { taskDefinition } = region.admin("ecs", "RegisterTaskDefinition", {
            family: "batch",
            containerDefinitions: [{ name: "batch", image: "x", cpu: 128, memory: 128 }],
        }) as { taskDefinition: { taskDefinitionArn: string } };
        const hostArn = region.ecs.state.instanceByEc2Id(host)!.arn;
        // RunTask's default binpack on memory puts it beside the web task.
        const { tasks } = region.admin("ecs", "RunTask", {
            cluster: "managed",
            taskDefinition: taskDefinition.taskDefinitionArn,
        }) as { tasks: { taskArn: string; containerInstanceArn: string }[] };
        assert.equal(tasks[0].containerInstanceArn, hostArn);

        region.admin("autoscaling", "TerminateInstanceInAutoScalingGroup", {
            InstanceId: host,
            ShouldDecrementDesiredCapacity: false,
        });
        await region.run(3 * 3600);
        assert.equal(
            terminatedAt(region, host),
            undefined,
            "terminated with the standalone task still running",
        );
        assert.equal(region.ecs.state.instanceByEc2Id(host)!.status, "DRAINING");
        assert.ok(
            entries(region, "autoscaling.hook.heartbeat").filter((e) => e.instanceId === host).length >= 5,
        );

        region.admin("ecs", "StopTask", { cluster: "managed", task: tasks[0].taskArn });
        assert.ok(await region.runUntil(() => terminatedAt(region, host) !== undefined, 600));
        assert.equal(region.invariants().tasksKilledByTermination, 0);
    });

    it("gives up after 48 hours, as the hook's global timeout lets Auto Scaling continue", async () => {
        run = await startManagedRun({});
        const { region } = run;
        const { taskDefinition } = region.admin("ecs", "RegisterTaskDefinition", {
            family: "batch",
            containerDefinitions: [{ name: "batch", image: "x", cpu: 128, memory: 128 }],
        }) as { taskDefinition: { taskDefinitionArn: string } };
        const { tasks } = region.admin("ecs", "RunTask", {
            cluster: "managed",
            taskDefinition: taskDefinition.taskDefinitionArn,
        }) as { tasks: { taskArn: string }[] };
        const task = region.ecs.state.tasks.get(tasks[0].taskArn)!;
        assert.ok(await region.runUntil(() => task.lastStatus === "RUNNING", 900));
        const host = task.ec2InstanceId;
        const started = region.clock.now();
        region.admin("autoscaling", "TerminateInstanceInAutoScalingGroup", {
            InstanceId: host,
            ShouldDecrementDesiredCapacity: true,
        });
        assert.ok(await region.runUntil(() => terminatedAt(region, host) !== undefined, 50 * 3600, 600));
        const waitedHours = (terminatedAt(region, host)! - started) / 3_600_000;
        assert.ok(waitedHours >= 48 && waitedHours < 48.1, `waited ${waitedHours} h`);
        const timedOut = entries(region, "autoscaling.hook.timedOut").find((e) => e.instanceId === host)!;
        assert.deepEqual([timedOut.deadline, timedOut.result], ["global", "CONTINUE"]);
        // The standalone task went with its instance: the invariant counts it.
        assert.equal(region.invariants().tasksKilledByTermination, 1);
    });

    it("drains on a Spot interruption even when the agent's Spot draining is off", async () => {
        run = await startManagedRun({});
        const { region } = run;
        region.ecs.agentSpotDraining = false;
        const web = createManagedService(run, "web", { desiredCount: 1 });
        assert.ok(await region.runUntil(() => runningCount(region, web) === 1, 900));
        const host = serviceTasks(region, web)[0].ec2InstanceId;
        region.ecs.spotInterruption(host);
        assert.equal(region.ecs.state.instanceByEc2Id(host)!.status, "DRAINING");
    });
});
