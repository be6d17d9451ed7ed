import assert from "node:assert/strict";
import {
    completedHooks,
    containerInstanceStatus,
    drainLogs,
    groupInstances,
    lifecycleStateOf,
    startDrainRun,
    timelineOf,
    type DrainRun,
} from "./drainScenario";

describe("drain pipeline fault: an instance whose ECS agent never registered", () => {
    let run: DrainRun;
    let orphan: string;
    let terminationStartedAt: number;
    before(async () => {
        run = await startDrainRun({
            seed: 31,
            scenario: {
                clusterName: "orphan",
                instanceType: "m5.large",
                instanceCount: 2,
                services: [{ name: "web", desiredCount: 2, minimumHealthyPercent: 100, maximumPercent: 200 }],
            },
        });
        const region = run.harness.region;
        const before = groupInstances(run);
        region.ctx.faults.neverRegisterRate = 1;
        region.admin("autoscaling", "SetDesiredCapacity", {
            AutoScalingGroupName: run.deployed.groupName,
            DesiredCapacity: 3,
        });
        await region.runUntil(
            () =>
                groupInstances(run).some(
                    (id) => lifecycleStateOf(run, id) === "InService" && !before.includes(id),
                ),
            600,
        );
        region.ctx.faults.neverRegisterRate = 0;
        orphan = groupInstances(run).find((id) => !before.includes(id))!;
        terminationStartedAt = region.clock.now();
        region.admin("autoscaling", "TerminateInstanceInAutoScalingGroup", {
            InstanceId: orphan,
            ShouldDecrementDesiredCapacity: false,
        });
        await run.harness.run(600);
    });
    after(() => run.harness.stop());

    it("is in the group but has no container instance", () => {
        assert.equal(containerInstanceStatus(run, orphan), undefined);
        assert.equal(run.harness.region.ec2.get(orphan)!.neverRegisters, true);
    });

    it("completes its lifecycle action with CONTINUE on the first poll", () => {
        const [hook] = completedHooks(run);
        assert.deepEqual([hook.instanceId, hook.result], [orphan, "CONTINUE"]);
        assert.ok(
            hook.at - terminationStartedAt < 5000,
            `completed after ${hook.at - terminationStartedAt} ms`,
        );
        const polls = drainLogs(run).filter((line) => line.instanceId === orphan);
        assert.deepEqual(
            polls.map((line) => [line.message, line.reason]),
            [["lifecycle action completed with CONTINUE", "no container instance is registered for it"]],
        );
        assert.equal(timelineOf(run, "instance.terminated", orphan).length, 1);
        assert.equal(run.harness.region.invariants().ok, true);
    });
});
