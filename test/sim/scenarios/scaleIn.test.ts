import * as assert from "node:assert/strict";
import { scaleIn } from "../../../sim/scenarios/scaleIn";
import { testStack } from "./testStack";

describe("sim/scenarios/scale-in", () => {
    it("removes instances one at a time after load falls, each drained with CONTINUE, nothing killed", async () => {
        const result = await scaleIn.run(testStack(), { seed: 1 });
        assert.equal(result.passed, true, JSON.stringify(result.checks));
        assert.equal(result.invariants.runningTasksKilled, 0);
        assert.equal(result.invariants.scaleOscillations, 0);
        assert.ok(result.drains.count >= 1);
        assert.equal(result.drains.continued, result.drains.count);
        const scaleIns = result.series.markers.filter(
            (e) => e.kind === "scaling" && /desired (\d+) → (\d+)/.test(e.label),
        );
        for (const e of scaleIns) {
            const [, from, to] = /desired (\d+) → (\d+)/.exec(e.label)!.map(Number);
            assert.ok(Math.abs(from - to) === 1 || to > from, `one instance at a time: ${e.label}`);
        }
    });
});
