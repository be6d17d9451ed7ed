import assert from "node:assert/strict";
import {
    completedHooks,
    drainLogs,
    groupInstances,
    queuedMessages,
    rollNewAmi,
    rollingClusterScenario,
    startDrainRun,
    type DrainRun,
} from "./drainScenario";

describe("drain pipeline fault: every other delivery arrives twice", () => {
    let run: DrainRun;
    let oldInstances: string[];
    before(async () => {
        run = await startDrainRun({
            seed: 23,
            scenario: rollingClusterScenario("duplicated", 4),
            faults: { duplicateRate: 0.5 },
        });
        oldInstances = groupInstances(run);
        await rollNewAmi(run, "ami-0bbbbbbbbbbbbbbb2", 4 * 3600);
    });
    after(() => run.harness.stop());

    it("polled the same drain from two deliveries, and let the late one go", () => {
        const late = drainLogs(run).filter(
            (line) =>
                line.message === "duplicate drain request let go" ||
                line.message === "lifecycle action already over" ||
                line.message === "lifecycle action was already completed" ||
                line.message === "lifecycle action no longer active; drain over",
        );
        assert.ok(late.length >= 1, "no duplicate delivery reached the drain Lambda");
    });

    it("completes every old instance's hook exactly once, with CONTINUE, and kills nothing", () => {
        const hooks = completedHooks(run);
        assert.deepEqual(hooks.map((hook) => hook.instanceId).sort(), [...oldInstances].sort());
        assert.deepEqual(new Set(hooks.map((hook) => hook.result)), new Set(["CONTINUE"]));
        const report = run.harness.region.invariants();
        assert.deepEqual(report.killedTasks, []);
        assert.deepEqual(report.terminatingWaitPastDeadline, []);
    });

    it("sends nothing to the dead-letter queue", () => {
        assert.equal(queuedMessages(run, run.pipeline.deadLetterQueueUrl), 0);
    });
});
