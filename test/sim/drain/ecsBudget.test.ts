import assert from "node:assert/strict";
import { laneBound, laneFor } from "../../../runtime/ecsLane";
import { slidingSecondRate } from "../../../sim/region";
import {
    completedHooks,
    groupInstances,
    queuedMessages,
    rollNewAmi,
    startDrainRun,
    type DrainRun,
} from "./drainScenario";

// One service of a task per instance that must stay at 100 %: every drain waits for its
// replacement to start elsewhere. 1,000 instances end their lifecycle actions about 150 at a time.
describe("drain pipeline: the ECS request budget in a 1,000-instance rolling update", () => {
    let run: DrainRun;
    let oldInstances: string[];
    let rollStartedAt: number;
    before(async () => {
        run = await startDrainRun({
            seed: 1000,
            scenario: {
                clusterName: "budget",
                instanceType: "m5.large",
                instanceCount: 1000,
                services: [
                    { name: "web", desiredCount: 1000, minimumHealthyPercent: 100, maximumPercent: 200 },
                ],
            },
        });
        oldInstances = groupInstances(run);
        rollStartedAt = run.harness.region.clock.now();
        await rollNewAmi(run, "ami-0bbbbbbbbbbbbbbb2", 4 * 3600);
    });
    after(() => run.harness.stop());

    it("kept the drain's ECS requests within ecsRequestsPerSecond in every second", () => {
        const budget = run.settings.ecsRequestsPerSecond;
        assert.equal(budget, 8);
        const name = run.pipeline.functionArn.slice(run.pipeline.functionArn.lastIndexOf(":") + 1);
        const rate = run.harness.region.ecsRequestRate({
            since: rollStartedAt,
            from: (caller) => caller === name,
        });
        assert.ok(rate.peak <= budget, `${rate.peak} ECS requests in one second`);
        assert.ok(rate.peak <= laneBound(laneFor(budget)));
        // Busy, not idle: the roll used the lane.
        assert.ok(rate.requests >= 500, `${rate.requests} requests`);
        assert.ok(rate.requests <= 2 * oldInstances.length, `${rate.requests} requests for 1,000 drains`);
    });

    it("completed every old instance's hook once, with CONTINUE, killing nothing and stranding nothing", () => {
        const hooks = completedHooks(run).filter((hook) => oldInstances.includes(hook.instanceId));
        assert.equal(hooks.length, oldInstances.length);
        assert.deepEqual(new Set(hooks.map((hook) => hook.result)), new Set(["CONTINUE"]));
        const report = run.harness.region.invariants();
        assert.equal(report.tasksKilledByTermination, 0);
        assert.deepEqual(report.terminatingWaitPastDeadline, []);
        assert.equal(report.services[run.deployed.serviceArns[0]].lowestHealthyFraction, 1);
        assert.equal(queuedMessages(run, run.pipeline.deadLetterQueueUrl), 0);
    });
});

describe("the region's ECS request rate", () => {
    it("counts the requests within the second up to each one: the peak is the busiest second, p99 by request", () => {
        assert.deepEqual(slidingSecondRate([]), { requests: 0, peak: 0, p99: 0 });
        // Three within 999 ms; a fourth exactly a second after the first starts a new second.
        assert.deepEqual(slidingSecondRate([0, 500, 999, 1000]), { requests: 4, peak: 3, p99: 3 });
        const steady = Array.from({ length: 1000 }, (_, i) => i * 250);
        const burst = Array.from({ length: 9 }, (_, i) => 300_000 + i * 10);
        assert.deepEqual(slidingSecondRate([...burst, ...steady]), { requests: 1009, peak: 9, p99: 4 });
    });
});
