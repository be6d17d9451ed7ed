import * as assert from "node:assert/strict";
import { spotInterruption } from "../../../sim/scenarios/spotInterruption";
import { testStack } from "./testStack";

describe("sim/scenarios/spot-interruption", () => {
    it("with one spare task slot, the busiest Spot instance (2 tasks) loses one running task at the 2-minute mark", async () => {
        const result = await spotInterruption.run(testStack(), { seed: 1 });
        assert.equal(result.invariants.runningTasksKilled, 1);
        assert.equal(result.passed, false);
        assert.ok(result.timeline.some((l) => l.text.startsWith("Spot interruption warning: ")));
        assert.ok(result.checks.find((c) => c.name === "every service runs its desired count")!.passed);
    });

    it("with spare room for a whole instance's tasks (minimumSpareTasks 2), its tasks move before it goes", async () => {
        const result = await spotInterruption.run(testStack({ minimumSpareTasks: 2 }), { seed: 1 });
        assert.equal(
            result.passed,
            true,
            JSON.stringify({ checks: result.checks, invariants: result.invariants }),
        );
        assert.equal(result.invariants.runningTasksKilled, 0);
    });
});
