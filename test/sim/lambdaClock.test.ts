import assert from "node:assert/strict";
import { LAMBDA_RUNTIME_OVERHEAD_MS } from "../../sim/lambda";
import { TEST_API_LATENCY_MS, messagingRegion } from "./messagingContext";

describe("sim/lambda: the clock a handler reads", () => {
    it("answers Date.now() with the invocation's virtual time, and the real time again after it", async () => {
        const region = messagingRegion();
        const seen: number[] = [];
        const arn = region.lambda.createFunction({
            name: "clock",
            timeoutSeconds: 5,
            memoryMb: 128,
            handler: () => {
                seen.push(Date.now());
                region.api(region.ssm, "PutParameter", { Name: "/p", Value: "v", Type: "String" });
                seen.push(Date.now());
            },
        });
        await region.clock.runFor(60_000);
        const realBefore = Date.now();
        await region.lambda.invokeSync(arn, {}, 2000);
        const start = Date.UTC(2026, 0, 1) + 60_000;
        assert.deepEqual(seen, [
            start + LAMBDA_RUNTIME_OVERHEAD_MS,
            start + LAMBDA_RUNTIME_OVERHEAD_MS + TEST_API_LATENCY_MS,
        ]);
        assert.ok(Date.now() >= realBefore, "Date.now() is the real clock outside an invocation");
    });
});
