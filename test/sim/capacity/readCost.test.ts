/**
 * What one capacity evaluation reads from ECS, as the region measures it: calls by operation and,
 * when asked, the bytes of the answers.
 */
import assert from "node:assert/strict";
import { startCapacityRun, type CapacityRun } from "./capacityScenario";

/** What the evaluation queue's event source mapping delivers. */
const FROM_QUEUE = { Records: [{ messageId: "m-1", body: "{}", eventSource: "aws:sqs" }] };

describe("sim/capacity: what one evaluation reads", () => {
    let run: CapacityRun | undefined;
    afterEach(async () => {
        await run?.harness.stop();
        run = undefined;
    });

    it("counts response bytes only when asked, as the JSON of each answer", async () => {
        run = await startCapacityRun({
            clusterName: "reads",
            instanceType: "m5.large",
            instanceCount: 3,
            services: [{ name: "web", cpu: 512, memory: 1024, desiredCount: 4 }],
        });
        const region = run.harness.region;
        // The test invokes the function itself, a minute apart, as its queue would.
        region.admin("events", "PutRule", {
            Name: run.scaler.scheduleRuleName,
            ScheduleExpression: "rate(1 minute)",
            State: "DISABLED",
        });
        await run.harness.run(60);
        await region.lambda.invokeSync(run.scaler.functionArn, FROM_QUEUE, 60_000);
        assert.deepEqual(region.responseBytes(), {}, "off unless asked");
        await run.harness.run(60);

        region.countResponseBytes = true;
        const callsBefore = region.apiCalls().ecs;
        await region.lambda.invokeSync(run.scaler.functionArn, FROM_QUEUE, 60_000);
        const calls = Object.fromEntries(
            Object.entries(region.apiCalls().ecs)
                .map(([op, n]) => [op, n - (callsBefore[op] ?? 0)] as const)
                .filter(([, n]) => n > 0),
        );
        // Task definitions are cached by the warm function: list and describe instances and services.
        assert.deepEqual(calls, {
            ListContainerInstances: 1,
            DescribeContainerInstances: 1,
            ListServices: 1,
            DescribeServices: 1,
        });
        const { containerInstanceArns } = region.admin("ecs", "ListContainerInstances", {
            cluster: "reads",
            maxResults: 100,
        }) as { containerInstanceArns: string[] };
        const described = region.admin("ecs", "DescribeContainerInstances", {
            cluster: "reads",
            containerInstances: containerInstanceArns,
        });
        const bytes = region.responseBytes().ecs;
        assert.equal(bytes.DescribeContainerInstances, Buffer.byteLength(JSON.stringify(described)));
        assert.ok(bytes.DescribeServices > 0 && bytes.ListServices > 0 && bytes.ListContainerInstances > 0);
    });
});
