import * as assert from "node:assert/strict";
import { STEADY_HOURS } from "../../../sim/scenarios/catalog";
import { steadyState } from "../../../sim/scenarios/steadyState";
import { testStack } from "./testStack";

describe("sim/scenarios/steady-state", () => {
    it(`follows ${STEADY_HOURS} hours of changing load without losing a task or scaling back and forth`, async () => {
        const result = await steadyState.run(testStack(), { seed: 1 });
        assert.equal(
            result.passed,
            true,
            JSON.stringify({ checks: result.checks, invariants: result.invariants }),
        );
        assert.ok(result.simulatedSeconds >= STEADY_HOURS * 3600);
        assert.equal(result.invariants.scaleOscillations, 0);
        assert.ok(
            result.series.markers.some((e) => e.kind === "scaling"),
            "the load moved the group",
        );
        for (const service of Object.values(result.series.services)) {
            assert.equal(service.running.length, result.series.seconds.length);
            assert.equal(service.desired.length, result.series.seconds.length);
        }
    });
});
