import assert from "node:assert/strict";
import { parseSettings } from "../../../stack/settings";
import {
    completedHooks,
    rollNewAmi,
    rollingClusterScenario,
    startDrainRun,
    timelineOf,
    type DrainRun,
} from "./drainScenario";

const NEW_AMI = "ami-0bbbbbbbbbbbbbbb2";

// The small roll alone; the large one with the stack's capacity scaler running as well, which may
// add or remove instances while the refresh replaces them.
for (const { size, withCapacityScaler } of [
    { size: 3, withCapacityScaler: false },
    { size: 150, withCapacityScaler: true },
]) {
    const title = `drain pipeline: rolling update of a ${size}-instance cluster${withCapacityScaler ? ", with the capacity scaler" : ""}`;
    describe(title, () => {
        let run: DrainRun;
        let oldInstances: string[];
        before(async () => {
            run = await startDrainRun({
                seed: size,
                scenario: rollingClusterScenario(`roll${size}`, size),
                ...(withCapacityScaler ? { capacity: parseSettings({}, "sim").capacity } : {}),
            });
            oldInstances = [
                ...run.harness.region.autoscaling.groups.get(run.deployed.groupName)!.instances.keys(),
            ];
            await rollNewAmi(run, NEW_AMI, 4 * 3600);
        });
        after(() => run.harness.stop());

        it("kills no task and misses no hook deadline", () => {
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
            const hooks = completedHooks(run).filter((hook) => oldInstances.includes(hook.instanceId));
            assert.deepEqual(hooks.map((hook) => hook.instanceId).sort(), [...oldInstances].sort());
            assert.ok(
                hooks.every((hook) => hook.result === "CONTINUE"),
                JSON.stringify(hooks),
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
            assert.ok(amis.length > 0);
            assert.deepEqual(new Set(amis), new Set([NEW_AMI]));
            if (!withCapacityScaler) assert.equal(amis.length, size);
        });

        if (withCapacityScaler) {
            it("ran the capacity scaler throughout: an evaluation a minute, none throttled", () => {
                const region = run.harness.region;
                const name = Object.keys(region.lambda.allStats()).find((fn) => fn.endsWith("-capacity-fn"))!;
                const invocations = region.timeline.filter(
                    (e) => e.kind === "lambda.invoked" && e.detail.function === name,
                );
                const minutes = (region.clock.now() - invocations[0].at) / 60_000;
                // Each minute: the schedule's invocation, then the evaluation it queues.
                assert.ok(
                    invocations.length >= 2 * Math.floor(minutes),
                    `${invocations.length} in ${minutes} min`,
                );
                const stats = region.lambda.allStats()[name];
                assert.equal(stats.throttles, 0);
                assert.equal(stats.errors, 0);
            });
        }
    });
}
