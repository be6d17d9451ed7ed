import assert from "node:assert/strict";
import {
    completedHooks,
    groupInstances,
    rollNewAmi,
    rollingClusterScenario,
    startDrainRun,
    type DrainRun,
} from "./drainScenario";

describe("drain pipeline fault: ECS throttles half of the drain Lambda's calls", () => {
    let run: DrainRun;
    let oldInstances: string[];
    before(async () => {
        run = await startDrainRun({
            seed: 21,
            scenario: rollingClusterScenario("throttled", 10),
            faults: { throttleRate: 0.5 },
        });
        oldInstances = groupInstances(run);
        await rollNewAmi(run, "ami-0bbbbbbbbbbbbbbb2", 4 * 3600);
    });
    after(() => run.harness.stop());

    it("was throttled", () => {
        const throttled = Object.values(run.harness.region.throttledCalls().ecs ?? {}).reduce(
            (a, b) => a + b,
            0,
        );
        assert.ok(throttled >= 10, `${throttled} throttled ECS calls`);
    });

    it("still completes every old instance's hook once, with CONTINUE, and kills nothing", () => {
        const hooks = completedHooks(run);
        assert.deepEqual(hooks.map((hook) => hook.instanceId).sort(), [...oldInstances].sort());
        assert.deepEqual(new Set(hooks.map((hook) => hook.result)), new Set(["CONTINUE"]));
        const report = run.harness.region.invariants();
        assert.deepEqual(report.killedTasks, []);
        assert.deepEqual(report.terminatingWaitPastDeadline, []);
        assert.equal(
            run.harness.region.invariants().services[run.deployed.serviceArns[0]].lowestHealthyFraction,
            1,
        );
    });
});
