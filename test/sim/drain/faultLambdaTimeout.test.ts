import assert from "node:assert/strict";
import type { FaultSettings } from "../../../sim/types";
import {
    completedHooks,
    drainLogs,
    groupInstances,
    startDrainRun,
    terminateInGroup,
    timelineOf,
    type DrainRun,
} from "./drainScenario";

/** The region's lambdaTimeoutRate fault, on for the next invocation only. */
function timeOutNextInvocation(faults: FaultSettings): void {
    let armed = true;
    Object.defineProperty(faults, "lambdaTimeoutRate", {
        configurable: true,
        get: () => {
            const rate = armed ? 1 : 0;
            armed = false;
            return rate;
        },
    });
}

describe("drain pipeline fault: the first drain poll times out", () => {
    let run: DrainRun;
    let instanceId: string;
    before(async () => {
        run = await startDrainRun({
            seed: 29,
            scenario: {
                clusterName: "timeout",
                instanceType: "m5.large",
                instanceCount: 3,
                services: [{ name: "web", desiredCount: 6, minimumHealthyPercent: 100, maximumPercent: 200 }],
            },
        });
        [instanceId] = groupInstances(run);
        timeOutNextInvocation(run.harness.region.ctx.faults);
        terminateInGroup(run, instanceId);
        await run.harness.run(1800);
    });
    after(() => run.harness.stop());

    it("timed out exactly one invocation, the first poll of the drain", () => {
        assert.equal(run.harness.region.lambda.stats(run.pipeline.functionArn).timeouts, 1);
        const [timedOut] = timelineOf(run, "lambda.invoked").filter((e) => e.detail.status === "timeout");
        const [notified] = timelineOf(run, "autoscaling.notification").filter((e) =>
            String(e.detail.message).includes(instanceId),
        );
        assert.ok(timedOut.at >= notified.at);
        const firstPoll = drainLogs(run).find((line) => line.instanceId === instanceId);
        assert.equal(firstPoll?.message, "container instance set to DRAINING");
    });

    it("drains on the redelivery and completes with CONTINUE, killing nothing", () => {
        const hooks = completedHooks(run);
        assert.deepEqual(
            hooks.map((hook) => [hook.instanceId, hook.result]),
            [[instanceId, "CONTINUE"]],
        );
        assert.equal(timelineOf(run, "instance.terminated", instanceId).length, 1);
        const report = run.harness.region.invariants();
        assert.deepEqual(report.killedTasks, []);
        assert.deepEqual(report.terminatingWaitPastDeadline, []);
        assert.equal(report.services[run.deployed.serviceArns[0]].lowestHealthyFraction, 1);
    });
});
