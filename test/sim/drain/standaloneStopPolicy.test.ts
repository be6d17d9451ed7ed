import assert from "node:assert/strict";
import {
    completedHooks,
    drainSettings,
    runStandaloneTask,
    startDrainRun,
    taskStatus,
    terminateInGroup,
    timelineOf,
    type DrainRun,
    webCluster,
} from "./drainScenario";

const GRACE_SECONDS = 600;

describe("drain pipeline: a standalone task that never stops, under the stop policy", () => {
    let run: DrainRun;
    let job: { taskArn: string; instanceId: string };
    let terminationStartedAt: number;
    before(async () => {
        run = await startDrainRun({
            seed: 13,
            scenario: webCluster("stop"),
            settings: drainSettings({ standaloneTaskPolicy: "stop", standaloneGraceSeconds: GRACE_SECONDS }),
        });
        job = runStandaloneTask(run, "forever");
        terminationStartedAt = run.harness.region.clock.now();
        terminateInGroup(run, job.instanceId);
        await run.harness.run(GRACE_SECONDS + 900);
    });
    after(() => run.harness.stop());

    it("stops the task with StopTask once the grace period is over", () => {
        const task = run.harness.region.ecs.state.tasks.get(job.taskArn)!;
        assert.equal(taskStatus(run, job.taskArn), "STOPPED");
        assert.equal(
            task.stoppedReason,
            "ecs-lifecycle: instance draining, standalone-task grace period over",
        );
        const after = task.stoppingAt! - terminationStartedAt;
        assert.ok(
            after >= GRACE_SECONDS * 1000 && after < (GRACE_SECONDS + 60) * 1000,
            `stopped after ${after} ms`,
        );
    });

    it("then completes the lifecycle action with CONTINUE and the instance terminates", () => {
        const [hook] = completedHooks(run);
        assert.deepEqual([hook.instanceId, hook.result], [job.instanceId, "CONTINUE"]);
        assert.equal(timelineOf(run, "instance.terminated", job.instanceId).length, 1);
        assert.deepEqual(run.harness.region.invariants().killedTasks, []);
        assert.deepEqual(run.harness.region.invariants().terminatingWaitPastDeadline, []);
    });
});
