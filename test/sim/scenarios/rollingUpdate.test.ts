import * as assert from "node:assert/strict";
import { rollingUpdate } from "../../../sim/scenarios/rollingUpdate";
import { testStack } from "./testStack";

describe("sim/scenarios/rolling-update", () => {
    it("replaces every instance with the new AMI, each drained first: nothing killed, no service below desired", async () => {
        const result = await rollingUpdate.run(testStack(), { seed: 1 });
        assert.equal(result.passed, true, JSON.stringify(result.checks));
        assert.deepEqual(result.invariants, {
            runningTasksKilled: 0,
            killedWhileRunning: 0,
            killedWhileStopping: 0,
            killedWhileStarting: 0,
            minHealthyFraction: 1,
            stuckInstances: 0,
            scaleOscillations: 0,
        });
        assert.equal(result.drains.count, 3);
        assert.equal(result.drains.continued, 3);
        assert.equal(result.drains.abandoned, 0);
        assert.ok(result.checks.every((c) => c.passed));
        assert.ok(result.timeline.some((l) => l.text === "instance refresh started: 3 to replace"));
    });

    for (const instances of [150, 1000]) {
        it(`at ${instances} instances with every loop of the stack (drain, capacity scaler, termination policy): nothing killed`, async () => {
            const result = await rollingUpdate.run(testStack({ maxSize: Math.min(1000, 3 * instances) }), {
                seed: 1,
                instances,
            });
            assert.equal(result.passed, true, JSON.stringify(result.checks));
            assert.equal(result.invariants.runningTasksKilled, 0);
            assert.equal(result.invariants.stuckInstances, 0);
            // Every instance in service when the roll began was drained (the scaler may have changed the count first).
            assert.ok(
                result.drains.count >= result.start.inService,
                `${result.drains.count} < ${result.start.inService}`,
            );
            assert.equal(result.drains.abandoned, 0);
        });
    }

    it("without the drain hook, the same update kills running tasks and the checker says so", async () => {
        const result = await rollingUpdate.run(testStack(), { seed: 1, withoutDrainHook: true });
        assert.equal(result.passed, false);
        assert.equal(result.drains.count, 0);
        assert.ok(result.invariants.runningTasksKilled > 0, JSON.stringify(result.invariants));
        assert.ok(result.timeline.some((l) => l.text.includes("KILLED by instance termination")));
    });

    it("with tasks that never stop (stuckTaskRate), the drain's deadline retains the instance and alarms: the designed outcome, a pass", async () => {
        const result = await rollingUpdate.run(testStack(), { seed: 1, faults: { stuckTaskRate: 0.2 } });
        assert.deepEqual(Object.keys(result.faults), ["stuckTaskRate"]);
        assert.ok(result.faults.stuckTaskRate!.fired >= 1, JSON.stringify(result.faults));
        assert.equal(result.invariants.runningTasksKilled, 0);
        assert.equal(result.invariants.stuckInstances, 0);
        // As many instances retained as had a stuck task when drained, each by design.
        assert.ok(result.retained.length >= 1);
        assert.equal(result.drains.abandoned, result.retained.length);
        const { drainDeadlineSeconds, pollIntervalSeconds } = testStack().drain;
        for (const retained of result.retained) {
            assert.equal(retained.designed, true, retained.why);
            assert.ok(retained.stuckTasks! >= 1, String(retained.stuckTasks));
            // The first look after the deadline gives up.
            assert.ok(retained.waitedSeconds! >= drainDeadlineSeconds, String(retained.waitedSeconds));
            assert.ok(
                retained.waitedSeconds! <= drainDeadlineSeconds + pollIntervalSeconds,
                String(retained.waitedSeconds),
            );
            assert.match(
                retained.why,
                /^the drain reached its deadline after \d+ s with \d+ tasks? that ignored SIGTERM \(stuckTaskRate\): ABANDON, instance and tasks kept, ecs-lifecycle-test-drain-abandoned → ALARM$/,
            );
        }
        assert.equal(result.passed, true, JSON.stringify(result.checks));
        assert.ok(
            result.checks.some(
                (c) => c.name.startsWith("retained instances are the designed outcome") && c.passed,
            ),
        );
        assert.ok(result.timeline.some((l) => l.text.startsWith("instance RETAINED with its tasks: ")));
        assert.ok(result.series.lanes.lanes.some((l) => l.segments.some((s) => s.state === "retained")));
    });
});
