import assert from "node:assert/strict";
import { backoffDelayMs, isThrottlingError, retryThrottled } from "../../runtime/retry";

function awsError(name: string, message = name): Error {
    const error = new Error(message);
    error.name = name;
    return error;
}

describe("retryThrottled", () => {
    const limits = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300 };

    it("retries throttling with full-jitter backoff and returns the first success", async () => {
        const slept: number[] = [];
        let calls = 0;
        const result = await retryThrottled(
            async () => {
                calls++;
                if (calls < 4) throw awsError("ThrottlingException", "Rate exceeded");
                return "ok";
            },
            { ...limits, sleep: async (ms) => void slept.push(ms), random: () => 0.5 },
        );
        assert.equal(result, "ok");
        assert.equal(calls, 4);
        // Ceilings 100, 200, then 400 capped at 300; half of each.
        assert.deepEqual(slept, [50, 100, 150]);
    });

    it("rethrows the last throttling error after maxAttempts attempts", async () => {
        let calls = 0;
        const slept: number[] = [];
        await assert.rejects(
            retryThrottled(
                async () => {
                    calls++;
                    throw awsError("Throttling", `Rate exceeded ${calls}`);
                },
                { ...limits, sleep: async (ms) => void slept.push(ms), random: () => 0.999 },
            ),
            { name: "Throttling", message: "Rate exceeded 4" },
        );
        assert.equal(calls, 4);
        assert.deepEqual(slept, [99, 199, 299]);
    });

    it("does not retry other errors", async () => {
        let calls = 0;
        await assert.rejects(
            retryThrottled(
                async () => {
                    calls++;
                    throw awsError("AccessDeniedException");
                },
                { ...limits, sleep: async () => assert.fail("must not sleep"), random: () => 0 },
            ),
            { name: "AccessDeniedException" },
        );
        assert.equal(calls, 1);
    });

    it("rejects a maxAttempts below 1, naming the field", async () => {
        await assert.rejects(
            retryThrottled(async () => 1, {
                ...limits,
                maxAttempts: 0,
                sleep: async () => undefined,
                random: () => 0,
            }),
            {
                message: "maxAttempts: expected an integer ≥ 1, got 0",
            },
        );
    });
});

describe("isThrottlingError", () => {
    it("knows the JSON and query protocols' throttling names and nothing else", () => {
        for (const name of [
            "ThrottlingException",
            "Throttling",
            "TooManyRequestsException",
            "RequestLimitExceeded",
        ]) {
            assert.equal(isThrottlingError(awsError(name)), true, name);
        }
        assert.equal(isThrottlingError(awsError("ValidationError")), false);
        assert.equal(isThrottlingError({ name: "ThrottlingException" }), false);
    });
});

describe("backoffDelayMs", () => {
    it("doubles the ceiling per retry up to the cap", () => {
        const options = { baseDelayMs: 100, maxDelayMs: 1000 };
        assert.deepEqual(
            [0, 1, 2, 3, 4].map((retry) => backoffDelayMs(retry, 0.5, options)),
            [50, 100, 200, 400, 500],
        );
        assert.equal(backoffDelayMs(2, 0, options), 0);
    });
});
