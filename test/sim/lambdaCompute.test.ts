/**
 * The region bills the CPU a handler really uses, scaled to its memory, and a handler that
 * computes past its timeout times out, its later calls never served.
 */
import assert from "node:assert/strict";
import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { threadCpuMs } from "../../sim/computeMeter";
import { regionLambdaRuntime } from "../../sim/inProcessClients";
import { COMPUTE_QUANTUM_MS, LAMBDA_RUNTIME_OVERHEAD_MS, MEMORY_MB_PER_VCPU } from "../../sim/lambda";
import { DEFAULT_API_LATENCY_MS, Region } from "../../sim/region";

/** The region reads the thread's CPU time, which the kernel brings up to date each scheduler tick: figures allow one tick of lag. */
const TICK_MS = 4;

/**
 * Spins until this thread has used `ms` more CPU time, as the region measures it (robust to a busy
 * machine), allocating nothing between looks at the clock: collections are not counted as compute.
 */
function burnCpu(ms: number): number {
    const start = threadCpuMs();
    let sink = 0;
    while (threadCpuMs() - start < ms) for (let i = 0; i < 200_000; i++) sink = (sink + i) % 7919;
    return sink;
}

function invokedDurations(region: Region): number[] {
    return region.timeline.filter((e) => e.kind === "lambda.invoked").map((e) => Number(e.detail.durationMs));
}

describe("sim/lambda: compute is measured, scaled to memory, billed and bounded by the timeout", () => {
    it("at 1 vCPU (1,769 MB) places whole quanta of compute on the timeline and bills all of it", async () => {
        const region = new Region({ seed: 1 });
        const arn = region.lambda.createFunction({
            name: "busy",
            timeoutSeconds: 10,
            memoryMb: MEMORY_MB_PER_VCPU,
            handler: async () => {
                burnCpu(250);
                await regionLambdaRuntime(region).client("ecs").send(new ListClustersCommand({}));
            },
        });
        await region.lambda.invokeSync(arn, {}, 10_000);
        const [duration] = invokedDurations(region);
        // 250 ms of compute: two quanta on the timeline before the call, the rest billed only.
        assert.equal(
            duration,
            LAMBDA_RUNTIME_OVERHEAD_MS + 2 * COMPUTE_QUANTUM_MS + DEFAULT_API_LATENCY_MS.ecs,
        );
        const billed = region.lambda.stats(arn).billedMs;
        assert.ok(
            billed >= LAMBDA_RUNTIME_OVERHEAD_MS + 250 - TICK_MS + DEFAULT_API_LATENCY_MS.ecs,
            String(billed),
        );
    });

    it("at 128 MB gives the handler 128/1,769 of a vCPU: the same work takes 13.8 times as long", async () => {
        const region = new Region({ seed: 1 });
        const arn = region.lambda.createFunction({
            name: "small",
            timeoutSeconds: 30,
            memoryMb: 128,
            handler: async () => burnCpu(100),
        });
        await region.lambda.invokeSync(arn, {}, 30_000);
        const billed = region.lambda.stats(arn).billedMs;
        assert.ok(billed >= ((100 - TICK_MS) * MEMORY_MB_PER_VCPU) / 128, String(billed));
    });

    it("times out a handler that computes past its timeout, and never serves the call it makes after", async () => {
        const region = new Region({ seed: 1 });
        let callError: Error | undefined;
        const arn = region.lambda.createFunction({
            name: "runaway",
            timeoutSeconds: 1,
            memoryMb: 128,
            handler: async () => {
                // 100 ms of CPU at 128 MB is about 1.4 s of Lambda time: past the 1 s timeout.
                burnCpu(100);
                await regionLambdaRuntime(region)
                    .client("ecs")
                    .send(new ListClustersCommand({}))
                    .catch((error: Error) => (callError = error));
            },
        });
        await assert.rejects(region.lambda.invokeSync(arn, {}, 10_000), { name: "Sandbox.Timedout" });
        assert.equal(callError?.name, "Sandbox.Timedout");
        assert.deepEqual(region.apiCalls(), {});
        const stats = region.lambda.stats(arn);
        assert.equal(stats.timeouts, 1);
        assert.equal(stats.billedMs, 1000);
    });
});
