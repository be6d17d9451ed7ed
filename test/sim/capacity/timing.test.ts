/**
 * When the deployed capacity Lambda evaluates: its schedule's invocation each minute only sends a
 * delayed message, and the evaluation runs from the queue at second 55 of the minute, once a
 * minute, whatever the cluster does in between.
 */
import assert from "node:assert/strict";
import { CAPACITY_EVALUATION_SECOND } from "../../../stack/capacity";
import { metricValues, startCapacityRun, type CapacityRun } from "./capacityScenario";

describe("sim/capacity: one evaluation a minute, late in the minute", () => {
    let run: CapacityRun | undefined;
    afterEach(async () => {
        await run?.harness.stop();
        run = undefined;
    });

    it("defers each scheduled run to second 55 and publishes one datapoint a minute, through a burst of task changes", async () => {
        run = await startCapacityRun({
            clusterName: "timing",
            instanceType: "m5.large",
            instanceCount: 3,
            maxSize: 3,
            services: [{ name: "web", cpu: 256, memory: 512, desiredCount: 2 }],
        });
        const region = run.harness.region;
        await run.harness.run(120);
        const from = region.clock.now();
        // Dozens of task starts and stops (each a container instance event on AWS) in the window.
        for (const desiredCount of [12, 2, 12, 2]) {
            region.admin("ecs", "UpdateService", { cluster: "timing", service: "web", desiredCount });
            await run.harness.run(75);
        }
        const minutes = (region.clock.now() - from) / 60_000;
        const invoked = region.timeline.filter(
            (entry) =>
                entry.kind === "lambda.invoked" &&
                entry.at >= from &&
                entry.detail.function === run!.scaler.functionName,
        );
        const evaluations = invoked.filter((entry) => entry.detail.trigger === "sqs");
        const deferrals = invoked.filter((entry) => entry.detail.trigger === "async");
        assert.equal(evaluations.length, Math.floor(minutes));
        assert.equal(deferrals.length, Math.floor(minutes));
        for (const evaluation of evaluations) {
            const second = (evaluation.at % 60_000) / 1000;
            assert.ok(
                second >= CAPACITY_EVALUATION_SECOND && second < CAPACITY_EVALUATION_SECOND + 2,
                `evaluated at second ${second}`,
            );
        }
        assert.equal(
            region.timeline.filter((entry) => entry.kind === "lambda.throttled" && entry.at >= from).length,
            0,
        );
        assert.equal(metricValues(run, "ContainerCapacity", from).length, evaluations.length);
    });
});
