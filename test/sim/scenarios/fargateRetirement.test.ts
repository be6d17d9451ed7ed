import * as assert from "node:assert/strict";
import { fargateRetirement, fargateServices } from "../../../sim/scenarios/fargateRetirement";
import { testStack } from "./testStack";

describe("sim/scenarios/fargate-retirement", () => {
    it("retires the stack's own services on Fargate and a single-task one from outside the stack", () => {
        assert.deepEqual(
            fargateServices(testStack(), 3).map((s) => [s.name, s.desiredCount, s.minimumHealthyPercent]),
            [
                ["web", 3, 100],
                ["api", 2, 100],
                ["reports", 1, 0],
            ],
        );
    });

    it("sends one notice for a twice-delivered event, judges each service, and ECS replaces every retired task", async () => {
        const result = await fargateRetirement.run(testStack(), { seed: 1 });
        assert.equal(result.passed, true, JSON.stringify(result.checks));
        const notice = result.checks.find((c) => c.name.startsWith("one notice"))!;
        assert.match(
            notice.detail,
            /^1 SNS message\(s\): Fargate task retirement on 2026-01-01: 3 services \(1 at risk\)$/,
        );
        const verdicts = result.checks.filter((c) => / is judged /.test(c.name)).map((c) => c.name);
        assert.deepEqual(verdicts, [
            "web (3 task(s), minimum healthy 100 %) is judged safe",
            "api (2 task(s), minimum healthy 100 %) is judged safe",
            "reports (1 task(s), minimum healthy 0 %) is judged at risk",
        ]);
        // Only the single-task service (minimumHealthyPercent 0) drops to zero while replaced, as its deployment allows.
        assert.equal(result.invariants.minHealthyFraction, 0);
        const reports = result.services.find((s) => s.name === "reports (Fargate)")!;
        assert.deepEqual(
            [reports.launchType, reports.minimumHealthyPercent, reports.lowestHealthyFraction],
            ["FARGATE", 0, 0],
        );
        assert.ok(
            result.services
                .filter((s) => s.minimumHealthyPercent === 100)
                .every((s) => s.lowestHealthyFraction === 1),
        );
        assert.deepEqual(Object.keys(result.series.services), [
            "web",
            "api",
            "web (Fargate)",
            "api (Fargate)",
            "reports (Fargate)",
        ]);
    });
});
