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
            assert.ok(result.drains.count >= instances, String(result.drains.count));
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
        assert.deepEqual(result.faults, { stuckTaskRate: { setting: 0.2, fired: 1 } });
        assert.equal(result.invariants.runningTasksKilled, 0);
        assert.equal(result.invariants.stuckInstances, 0);
        assert.equal(result.retained.length, 1);
        const [retained] = result.retained;
        assert.equal(retained.designed, true, retained.why);
        assert.equal(retained.stuckTasks, 1);
        // The first look after the deadline gives up.
        const { drainDeadlineSeconds, pollIntervalSeconds } = testStack().drain;
        assert.ok(retained.waitedSeconds! >= drainDeadlineSeconds, String(retained.waitedSeconds));
        assert.ok(
            retained.waitedSeconds! <= drainDeadlineSeconds + pollIntervalSeconds,
            String(retained.waitedSeconds),
        );
        assert.match(
            retained.why,
            /^the drain reached its deadline after \d+ s with 1 task that ignored SIGTERM \(stuckTaskRate\): ABANDON, instance and tasks kept, ecs-lifecycle-test-drain-abandoned → ALARM$/,
        );
        assert.equal(result.drains.abandoned, 1);
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
