import assert from "node:assert/strict";
import {
    containerInstanceStatus,
    drainLogs,
    groupInstances,
    lifecycleStateOf,
    queuedMessages,
    startDrainRun,
    timelineOf,
    type DrainRun,
} from "./drainScenario";

describe("drain pipeline: the hook's test notification", () => {
    let run: DrainRun;
    before(async () => {
        run = await startDrainRun({
            seed: 41,
            scenario: {
                clusterName: "fresh",
                instanceType: "m5.large",
                instanceCount: 2,
                services: [{ name: "web", desiredCount: 2 }],
            },
        });
        // Less than a sweep interval: only the test notification reaches the Lambda.
        await run.harness.run(60);
    });
    after(() => run.harness.stop());

    it("was sent when the hook was put, and reached the drain Lambda", () => {
        const sent = timelineOf(run, "autoscaling.notification").filter((e) =>
            String(e.detail.message).includes("autoscaling:TEST_NOTIFICATION"),
        );
        assert.equal(sent.length, 1);
        assert.deepEqual(drainLogs(run), [
            {
                level: "info",
                message: "drain request ignored",
                reason: "the lifecycle hook's test notification",
                kind: "test-notification",
            },
        ]);
    });

    it("is let go without a single AWS call, leaving no message behind", () => {
        assert.deepEqual(run.harness.region.apiCalls(), {});
        assert.equal(queuedMessages(run, run.pipeline.queueUrl), 0);
        assert.equal(queuedMessages(run, run.pipeline.deadLetterQueueUrl), 0);
    });

    it("touches no instance", () => {
        for (const id of groupInstances(run)) {
            assert.equal(lifecycleStateOf(run, id), "InService");
            assert.equal(containerInstanceStatus(run, id), "ACTIVE");
        }
    });
});
