/**
 * What one capacity evaluation reads from ECS, as the region measures it: calls by operation and,
 * when asked, the bytes of the answers.
 */
import assert from "node:assert/strict";
import { createCapacityHandler, type CapacityHandlerDeps } from "../../../runtime/capacityHandler";
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
        // Task definitions are cached by the warm function: list (one query per zone of the group's
        // three, and one for any other zone) and describe instances, list and describe services.
        assert.deepEqual(calls, {
            ListContainerInstances: 4,
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

describe("sim/capacity: listing a large cluster one zone per query", () => {
    it("finds every instance, the ones outside the group's zones too, and sooner", async () => {
        const run = await startCapacityRun({
            clusterName: "zones",
            instanceType: "m5.large",
            instanceCount: 300,
            services: [{ name: "web", cpu: 512, memory: 1024, desiredCount: 300 }],
        });
        try {
            const region = run.harness.region;
            region.admin("events", "PutRule", {
                Name: run.scaler.scheduleRuleName,
                ScheduleExpression: "rate(1 minute)",
                State: "DISABLED",
            });
            // One more instance in a zone the group does not list, as an instance of another group would be.
            region.ecs.registerInstance("zones", "i-0elsewhere00000001", "m5.large", "us-east-1d", "ami-1");
            await run.harness.run(60);
            const handler = (zones: string[]) =>
                createCapacityHandler(
                    {
                        ecs: run.harness.lambdaRuntime().client("ecs") as CapacityHandlerDeps["ecs"],
                        sqs: run.harness.lambdaRuntime().client("sqs") as CapacityHandlerDeps["sqs"],
                        log: () => undefined,
                        now: () => region.clock.now(),
                    },
                    {
                        clusterName: "zones",
                        evaluationQueueUrl: run.scaler.evaluationQueueUrl,
                        namespace: "Test",
                        availabilityZones: zones,
                    },
                );
            const measure = async (zones: string[]) => {
                let result: unknown;
                const arn = region.lambda.createFunction({
                    name: `measure-${zones.length}`,
                    handler: async (event) => (result = await handler(zones)(event)),
                    timeoutSeconds: 60,
                    memoryMb: 1769,
                });
                await region.lambda.invokeSync(arn, FROM_QUEUE, 60_000);
                const invoked = region.timeline.filter(
                    (e) => e.kind === "lambda.invoked" && e.detail.function === `measure-${zones.length}`,
                );
                return { result, ms: Number(invoked[0].detail.durationMs) };
            };
            const single = await measure([]);
            const byZone = await measure(["us-east-1a", "us-east-1b", "us-east-1c"]);
            assert.deepEqual(byZone.result, single.result);
            // 301 instances: 4 pages one after another, against at most 2 per zone side by side.
            assert.ok(byZone.ms < single.ms, `${byZone.ms} ms by zone, ${single.ms} ms in one list`);
        } finally {
            await run.harness.stop();
        }
    });
});
