import * as assert from "node:assert/strict";
import { fargateRetirement } from "../../../sim/scenarios/fargateRetirement";
import { testStack } from "./testStack";

describe("sim/scenarios/fargate-retirement", () => {
    it("sends one notice for a twice-delivered event, judges each service, and ECS replaces every retired task", async () => {
        const result = await fargateRetirement.run(testStack(), { seed: 1 });
        assert.equal(result.passed, true, JSON.stringify(result.checks));
        const notice = result.checks.find((c) => c.name.startsWith("one notice"))!;
        assert.match(
            notice.detail,
            /^1 SNS message\(s\): Fargate task retirement on 2026-01-01: 2 services \(1 at risk\)$/,
        );
        // The single-task service (minimumHealthyPercent 0) is the one that drops to zero while replaced.
        assert.equal(result.invariants.minHealthyFraction, 0);
        assert.deepEqual(Object.keys(result.series.runningTasks), ["web", "api", "payments", "reports"]);
    });
});
