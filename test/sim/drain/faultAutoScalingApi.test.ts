import assert from "node:assert/strict";
import {
    completedHooks,
    drainLogs,
    groupInstances,
    rollNewAmi,
    rollingClusterScenario,
    startDrainRun,
    type DrainRun,
} from "./drainScenario";

describe("drain pipeline fault: Auto Scaling throttles and reports ResourceContention", () => {
    let run: DrainRun;
    let oldInstances: string[];
    before(async () => {
        run = await startDrainRun({
            seed: 23,
            scenario: rollingClusterScenario("contended", 10),
            faults: { autoscalingThrottleRate: 0.5, resourceContentionRate: 0.5 },
        });
        oldInstances = groupInstances(run);
        await rollNewAmi(run, "ami-0bbbbbbbbbbbbbbb2", 4 * 3600);
    });
    after(() => run.harness.stop());

    it("answered the drain Lambda's Auto Scaling calls with both faults, some past the SDK's retries", () => {
        const injected = run.harness.region.autoscaling.injectedFaults;
        assert.ok((injected.Throttling ?? 0) >= 3, JSON.stringify(injected));
        assert.ok((injected.ResourceContention ?? 0) >= 3, JSON.stringify(injected));
        const failed = drainLogs(run).filter((line) =>
            [
                "throttled; left for redelivery",
                "drain step failed; left for redelivery",
                "could not read lifecycle states",
            ].includes(String(line.message)),
        );
        assert.ok(failed.length >= 1, "no Auto Scaling call failed past the retries");
        assert.ok(
            failed.every((line) => /^(ResourceContentionFault|Throttling): /.test(String(line.error))),
            JSON.stringify(failed),
        );
    });

    it("still completes every old instance's hook once, with CONTINUE, and kills nothing", () => {
        const hooks = completedHooks(run);
        assert.deepEqual(hooks.map((hook) => hook.instanceId).sort(), [...oldInstances].sort());
        assert.deepEqual(new Set(hooks.map((hook) => hook.result)), new Set(["CONTINUE"]));
        const report = run.harness.region.invariants();
        assert.deepEqual(report.killedTasks, []);
        assert.deepEqual(report.terminatingWaitPastDeadline, []);
    });
});
