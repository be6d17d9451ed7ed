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

const HOUR_MS = 3600_000;

describe("drain pipeline: a 2 h drain behind a 900 s heartbeat timeout", () => {
    let run: DrainRun;
    let job: { taskArn: string; instanceId: string };
    let jobStoppedAt: number;
    before(async () => {
        run = await startDrainRun({
            seed: 7,
            scenario: webCluster("long"),
            settings: drainSettings({
                drainHeartbeatTimeoutSeconds: 900,
                drainDeadlineSeconds: 3 * 3600,
                standaloneTaskPolicy: "wait",
            }),
        });
        const region = run.harness.region;
        job = runStandaloneTask(run, "nightly-report");
        // The job finishes on its own two hours after the instance starts terminating.
        region.clock.schedule(2 * HOUR_MS, "job finishes", () => {
            jobStoppedAt = region.clock.now();
            region.admin("ecs", "StopTask", {
                cluster: run.deployed.clusterName,
                task: job.taskArn,
                reason: "done",
            });
        });
        terminateInGroup(run, job.instanceId);
        await region.run(3 * 3600);
    });
    after(() => run.harness.stop());

    it("keeps the lifecycle action alive with heartbeats well inside each 900 s timeout", () => {
        const heartbeats = timelineOf(run, "autoscaling.hook.heartbeat", job.instanceId).map((e) => e.at);
        const [waiting] = timelineOf(run, "autoscaling.hook.waiting", job.instanceId);
        const [completed] = completedHooks(run).filter((h) => h.instanceId === job.instanceId);
        const moments = [waiting.at, ...heartbeats, completed.at];
        const gaps = moments.slice(1).map((at, i) => at - moments[i]);
        // The action's start starts its timeout; a heartbeat every 450 s after that, for 2 h.
        assert.ok(heartbeats.length >= 15, `${heartbeats.length} heartbeats`);
        assert.ok(Math.max(...gaps) < 900_000, `longest gap ${Math.max(...gaps)} ms`);
        assert.deepEqual(run.harness.region.invariants().terminatingWaitPastDeadline, []);
    });

    it("completes with CONTINUE only after the job stopped, and terminates the instance after that", () => {
        const [hook] = completedHooks(run).filter((h) => h.instanceId === job.instanceId);
        assert.equal(hook.result, "CONTINUE");
        assert.ok(hook.at >= jobStoppedAt, `completed ${hook.at - jobStoppedAt} ms after the job stopped`);
        assert.ok(hook.at - jobStoppedAt <= 2 * 60_000, "within two poll intervals of the job's end");
        const [terminating] = timelineOf(run, "instance.terminating", job.instanceId);
        assert.ok(terminating.at >= hook.at);
        assert.equal(taskStatus(run, job.taskArn), "STOPPED");
        assert.equal(run.harness.region.ecs.state.tasks.get(job.taskArn)!.stoppedReason, "done");
    });

    it("kills no running service task", () => {
        assert.deepEqual(run.harness.region.invariants().killedTasks, []);
    });
});
