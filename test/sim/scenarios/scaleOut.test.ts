import * as assert from "node:assert/strict";
import { scaleOut } from "../../../sim/scenarios/scaleOut";
import { testStack } from "./testStack";

describe("sim/scenarios/scale-out", () => {
    it("grows the group by the capacity alarm until the surge to maxCount is placed, without scaling back", async () => {
        const result = await scaleOut.run(testStack(), { seed: 1 });
        assert.equal(result.passed, true, JSON.stringify(result.checks));
        const grew = result.checks.find((c) => c.name === "the group grew")!;
        // 8 + 6 tasks at 2 awsvpc tasks per m5.large (no trunking) need 7 instances, plus one spare slot.
        assert.equal(grew.detail, "desired capacity 3 → 8");
        assert.equal(result.invariants.scaleOscillations, 0);
        assert.ok(result.series.markers.some((e) => e.kind === "scaling" && e.label === "desired 3 → 4"));
        const capacity = result.series.capacity.find((m) => m.metric === "ContainerCapacity")!;
        assert.ok(capacity.points.length > 0);
        // The surge leaves no room for a worst-case task until the group has grown.
        assert.ok(capacity.points.some((p) => p.value < capacity.threshold));
    });
});
