import assert from "node:assert/strict";
import {
    completedHooks,
    rollNewAmi,
    rollingClusterScenario,
    startDrainRun,
    timelineOf,
    type DrainRun,
} from "./drainScenario";

const NEW_AMI = "ami-0bbbbbbbbbbbbbbb2";

for (const size of [3, 150]) {
    describe(`drain pipeline: rolling update of a ${size}-instance cluster`, () => {
        let run: DrainRun;
        let oldInstances: string[];
        before(async () => {
            run = await startDrainRun({ seed: size, scenario: rollingClusterScenario(`roll${size}`, size) });
            oldInstances = [
                ...run.harness.region.autoscaling.groups.get(run.deployed.groupName)!.instances.keys(),
            ];
            await rollNewAmi(run, NEW_AMI, 4 * 3600);
        });
        after(() => run.harness.stop());

        it("kills no running service task and misses no hook deadline", () => {
            const report = run.harness.region.invariants();
            assert.deepEqual(report.killedTasks, []);
            assert.deepEqual(report.terminatingWaitPastDeadline, []);
            assert.equal(report.ok, true);
        });

        it("keeps every service at or above desired × minimumHealthyPercent", () => {
            const services = run.harness.region.invariants().services;
            const [web, api] = run.deployed.serviceArns;
            assert.equal(services[web].lowestHealthyFraction, 1);
            assert.ok(services[api].lowestHealthyFraction! >= 0.5, JSON.stringify(services[api]));
        });

        it("completes each old instance's hook once, with CONTINUE, before the instance terminates", () => {
            const hooks = completedHooks(run);
            assert.deepEqual(hooks.map((hook) => hook.instanceId).sort(), [...oldInstances].sort());
            assert.deepEqual(
                hooks.map((hook) => hook.result),
                Array.from({ length: size }, () => "CONTINUE"),
            );
            for (const hook of hooks) {
                const [terminating] = timelineOf(run, "instance.terminating", hook.instanceId);
                assert.ok(terminating.at >= hook.at, hook.instanceId);
            }
        });

        it("leaves every instance of the group on the new AMI", () => {
            const region = run.harness.region;
            const group = region.autoscaling.groups.get(run.deployed.groupName)!;
            const amis = [...group.instances.keys()].map((id) => region.ec2.get(id)!.imageId);
            assert.deepEqual(
                amis,
                Array.from({ length: size }, () => NEW_AMI),
            );
        });
    });
}
