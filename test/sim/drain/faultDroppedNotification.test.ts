import assert from "node:assert/strict";
import {
    completedHooks,
    drainLogs,
    groupInstances,
    lifecycleStateOf,
    startDrainRun,
    terminateInGroup,
    timelineOf,
    type DrainRun,
} from "./drainScenario";

describe("drain pipeline fault: the lifecycle notification is lost", () => {
    let run: DrainRun;
    let instanceId: string;
    let terminationStartedAt: number;
    before(async () => {
        run = await startDrainRun({
            seed: 37,
            scenario: {
                clusterName: "dropped",
                instanceType: "m5.large",
                instanceCount: 3,
                services: [{ name: "web", desiredCount: 6, minimumHealthyPercent: 100, maximumPercent: 200 }],
            },
        });
        const faults = run.harness.region.ctx.faults;
        [instanceId] = groupInstances(run);
        // The termination notifies synchronously: only its notification meets the fault.
        faults.dropRate = 1;
        terminationStartedAt = run.harness.region.clock.now();
        terminateInGroup(run, instanceId);
        faults.dropRate = 0;
        await run.harness.run(1800);
    });
    after(() => run.harness.stop());

    it("lost the notification: Auto Scaling sent it, the queue never got it", () => {
        const dropped = timelineOf(run, "autoscaling.notification.dropped").filter((e) =>
            String(e.detail.message).includes(instanceId),
        );
        assert.equal(dropped.length, 1);
        assert.equal(
            timelineOf(run, "autoscaling.notification").filter((e) =>
                String(e.detail.message).includes(instanceId),
            ).length,
            0,
        );
    });

    it("is found in Terminating:Wait by the sweep and re-driven through the queue", () => {
        const sweeps = drainLogs(run).filter(
            (line) => line.message === "sweep done" && (line.redriven as string[]).includes(instanceId),
        );
        assert.equal(sweeps.length, 1);
        const redriven = drainLogs(run).filter((line) => line.instanceId === instanceId);
        assert.equal(redriven[0].source, "sweep");
    });

    it("drains and completes with CONTINUE before the heartbeat timeout, killing and stranding nothing", () => {
        const [hook] = completedHooks(run);
        assert.deepEqual([hook.instanceId, hook.result], [instanceId, "CONTINUE"]);
        assert.ok(
            hook.at - terminationStartedAt < 900_000,
            `completed after ${hook.at - terminationStartedAt} ms`,
        );
        assert.equal(lifecycleStateOf(run, instanceId), undefined, "the instance left the group");
        const report = run.harness.region.invariants();
        assert.deepEqual(report.killedTasks, []);
        assert.deepEqual(report.terminatingWaitPastDeadline, []);
        assert.equal(report.services[run.deployed.serviceArns[0]].lowestHealthyFraction, 1);
    });
});
