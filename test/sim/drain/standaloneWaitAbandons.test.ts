import assert from "node:assert/strict";
import { abandonedAlarmName } from "../../../sim/pipelines/drain";
import {
    completedHooks,
    drainSettings,
    lifecycleStateOf,
    runStandaloneTask,
    startDrainRun,
    taskStatus,
    terminateInGroup,
    timelineOf,
    type DrainRun,
    webCluster,
} from "./drainScenario";

const DEADLINE_SECONDS = 3600;

describe("drain pipeline: a standalone task that never stops, under the wait policy", () => {
    let run: DrainRun;
    let job: { taskArn: string; instanceId: string };
    let terminationStartedAt: number;
    before(async () => {
        run = await startDrainRun({
            seed: 11,
            scenario: webCluster("stuck"),
            settings: drainSettings({ drainDeadlineSeconds: DEADLINE_SECONDS, standaloneTaskPolicy: "wait" }),
        });
        job = runStandaloneTask(run, "forever");
        terminationStartedAt = run.harness.region.clock.now();
        terminateInGroup(run, job.instanceId);
        await run.harness.run(DEADLINE_SECONDS + 600);
    });
    after(() => run.harness.stop());

    it("ABANDONs the lifecycle action at the deadline, not before", () => {
        const [hook] = completedHooks(run);
        assert.equal(hook.instanceId, job.instanceId);
        assert.equal(hook.result, "ABANDON");
        const waited = hook.at - terminationStartedAt;
        assert.ok(waited >= DEADLINE_SECONDS * 1000, `abandoned after ${waited} ms`);
        assert.ok(waited < (DEADLINE_SECONDS + 60) * 1000, `abandoned after ${waited} ms`);
    });

    it("retains the instance with its task still running", () => {
        assert.equal(lifecycleStateOf(run, job.instanceId), "Terminating:Retained");
        assert.equal(taskStatus(run, job.taskArn), "RUNNING");
        assert.deepEqual(timelineOf(run, "instance.terminating", job.instanceId), []);
        assert.deepEqual(run.harness.region.invariants().killedTasks, []);
    });

    it("fires the abandoned-drain alarm", () => {
        const alarm = abandonedAlarmName(run.deployed.clusterName);
        const changes = timelineOf(run, "alarm.state").filter((e) => e.detail.alarm === alarm);
        assert.deepEqual(
            changes.map((e) => e.detail.to),
            ["OK", "ALARM", "OK"],
        );
    });
});
