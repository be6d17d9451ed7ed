import assert from "node:assert/strict";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { SimHarness } from "../../../sim/harness";
import { LAMBDA_RUNTIME_OVERHEAD_MS } from "../../../sim/lambda";
import { DEFAULT_API_LATENCY_MS } from "../../../sim/region";

/** Runs `body` as a deployed function's handler once and returns the invocation's virtual duration. */
async function billedDuration(body: (ecs: ECSClient) => Promise<void>): Promise<number> {
    const harness = await SimHarness.start({ seed: 3, transport: "wire" });
    try {
        const ecs = new ECSClient({});
        const functionArn = harness.deployFunction({
            name: "calls",
            handler: () => body(ecs),
            timeoutSeconds: 10,
            memoryMb: 128,
        });
        await harness.region.lambda.invokeSync(functionArn, {}, 10_000);
        const invoked = harness.region.timeline.filter((entry) => entry.kind === "lambda.invoked");
        assert.equal(invoked.length, 1);
        return Number(invoked[0].detail.durationMs);
    } finally {
        await harness.stop();
    }
}

const ECS_MS = DEFAULT_API_LATENCY_MS.ecs;

describe("sim: a handler's concurrent SDK calls overlap in virtual time", () => {
    it("charges calls issued together once, and calls that wait for each other in sequence", async () => {
        const list = (ecs: ECSClient) => ecs.send(new ListClustersCommand({}));
        const together = await billedDuration(async (ecs) => {
            await Promise.all(Array.from({ length: 20 }, () => list(ecs)));
            await list(ecs);
        });
        assert.equal(together, LAMBDA_RUNTIME_OVERHEAD_MS + 2 * ECS_MS);
        const inSequence = await billedDuration(async (ecs) => {
            for (let call = 0; call < 3; call++) await list(ecs);
        });
        assert.equal(inSequence, LAMBDA_RUNTIME_OVERHEAD_MS + 3 * ECS_MS);
        // Two branches at once, as the capacity handler runs them: the longer one decides.
        const branches = await billedDuration(async (ecs) => {
            const pages = async () => {
                for (let page = 0; page < 5; page++) await list(ecs);
            };
            const batches = async () => {
                await Promise.all(Array.from({ length: 20 }, () => list(ecs)));
                await Promise.all(Array.from({ length: 20 }, () => list(ecs)));
            };
            await Promise.all([pages(), batches()]);
        });
        assert.equal(branches, LAMBDA_RUNTIME_OVERHEAD_MS + 5 * ECS_MS);
    });
});
