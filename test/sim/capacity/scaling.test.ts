import assert from "node:assert/strict";
import type { Region } from "../../../sim/region";
import { capacityInstances } from "../../../sim/autoscaling/state";
import type { TimelineEntry } from "../../../sim/types";
import { capacitySettings, metricValues, startCapacityRun, type CapacityRun } from "./capacityScenario";
import { CAPACITY_NAMESPACE } from "../../../stack/capacity";

/** m5.large registers 2048 CPU / 7681 MiB: four 512 CPU / 1 GiB tasks each, CPU-bound. */
const WEB = { name: "web", cpu: 512, memory: 1024 } as const;

function scalings(region: Region): TimelineEntry[] {
    return region.timeline.filter((entry) => entry.kind === "autoscaling.scaling");
}

function runningTasks(run: CapacityRun, serviceName: string): number {
    const state = run.harness.region.ecs.state;
    const service = [...state.services.values()].find((s) => s.name === serviceName)!;
    return state
        .serviceTasks(service)
        .filter((t) => t.lastStatus === "RUNNING" && t.desiredStatus === "RUNNING").length;
}

function newestServiceEvent(run: CapacityRun, serviceName: string): string {
    const service = [...run.harness.region.ecs.state.services.values()].find((s) => s.name === serviceName)!;
    return service.events[0].message;
}

describe("sim/capacity: the capacity scaler scales the group", () => {
    let run: CapacityRun | undefined;
    afterEach(async () => {
        await run?.harness.stop();
        run = undefined;
    });

    it("adds instances until every task of a service raised beyond the cluster runs", async () => {
        run = await startCapacityRun(
            {
                clusterName: "grow",
                instanceType: "m5.large",
                instanceCount: 2,
                maxSize: 10,
                services: [{ ...WEB, desiredCount: 4 }],
            },
            { withScaleInPath: true },
        );
        const region = run.harness.region;
        const raisedAt = region.clock.now();
        // 14 tasks need 14 slots (4 per instance): 2 instances hold 8, so 6 wait for new instances.
        region.admin("ecs", "UpdateService", { cluster: "grow", service: "web", desiredCount: 14 });
        const allRunning = await region.runUntil(
            () =>
                runningTasks(run!, "web") === 14 && newestServiceEvent(run!, "web").includes("steady state"),
            3600,
        );
        assert.ok(allRunning, `web runs ${runningTasks(run, "web")}/14: ${newestServiceEvent(run, "web")}`);
        const unplaced = region.timeline.filter(
            (entry) =>
                entry.kind === "ecs.service.event" &&
                entry.at > raisedAt &&
                String(entry.detail.message).includes("was unable to place a task"),
        );
        assert.ok(unplaced.length > 0, "the raise left tasks the cluster could not place");
        // Four instances hold 14 tasks with 2 spare slots; the scaler added one at a time, each after the warmup.
        const group = region.autoscaling.groups.get(run.deployed.groupName)!;
        assert.equal(group.desiredCapacity, 4);
        assert.deepEqual(
            scalings(region).map((entry) => [entry.detail.from, entry.detail.to, entry.detail.direction]),
            [
                [2, 3, "out"],
                [3, 4, "out"],
            ],
        );
        // Minutes later the cluster still has room for a worst-case task, and nothing scaled in.
        await run.harness.run(15 * 60);
        assert.equal(group.desiredCapacity, 4);
        assert.deepEqual(
            [...new Set(metricValues(run, "ContainerCapacity", region.clock.now() - 5 * 60_000))],
            [2],
        );
        assert.equal(region.invariants().scalingOscillations, 0);
    });

    it("removes idle instances one at a time through the termination policy and the drain hook, killing no task", async () => {
        const settings = capacitySettings();
        run = await startCapacityRun(
            {
                clusterName: "shrink",
                instanceType: "m5.large",
                instanceCount: 4,
                services: [{ ...WEB, desiredCount: 12 }],
            },
            { withScaleInPath: true, settings },
        );
        const region = run.harness.region;
        const group = region.autoscaling.groups.get(run.deployed.groupName)!;
        const loweredAt = region.clock.now();
        // 2 tasks fit one instance with 2 slots to spare: IdleHostCapacity 3, then 2, then 1 (no more scale-in).
        region.admin("ecs", "UpdateService", { cluster: "shrink", service: "web", desiredCount: 2 });
        const shrunk = await region.runUntil(
            () =>
                group.desiredCapacity === 2 &&
                capacityInstances(group).length === 2 &&
                group.instances.size === 2,
            3 * 3600,
        );
        assert.ok(shrunk, `desired ${group.desiredCapacity}, ${group.instances.size} instances`);
        await run.harness.run(30 * 60);

        const ins = scalings(region).filter((entry) => entry.detail.direction === "in");
        assert.deepEqual(
            ins.map((entry) => [entry.detail.from, entry.detail.to]),
            [
                [4, 3],
                [3, 2],
            ],
        );
        // The alarm's window: every datapoint of the last scaleInEvaluationMinutes whole minutes above the threshold.
        const window = settings.scaleInEvaluationMinutes * 60_000;
        const beforeFirst = region.cloudwatch
            .series(CAPACITY_NAMESPACE, "IdleHostCapacity", run.scaler.dimensions)
            .filter(
                (point) =>
                    point.at >= Math.floor((ins[0].at - window) / 60_000) * 60_000 && point.at < ins[0].at,
            );
        assert.ok(beforeFirst.length >= settings.scaleInEvaluationMinutes);
        assert.ok(beforeFirst.every((point) => point.value > settings.idleHostThreshold));
        assert.ok(beforeFirst[0].at >= loweredAt, "idle only since the service was lowered");
        assert.ok(
            ins[1].at - ins[0].at >= settings.scaleInCooldownSeconds * 1000,
            "one at a time, after the cooldown",
        );
        assert.equal(scalings(region).length, 2, "no scale-out");

        const answered = region.timeline.filter(
            (entry) => entry.kind === "autoscaling.terminationPolicy.answered",
        );
        const terminated = region.timeline.filter((entry) => entry.kind === "instance.terminated");
        assert.equal(answered.length, 2);
        const chosen = answered.map((entry) => (entry.detail.instanceIds as string[])[0]);
        assert.deepEqual(
            terminated.map((entry) => entry.detail.instanceId).sort(),
            [...chosen].sort(),
            "the instances the termination policy named are the ones terminated",
        );
        for (const instanceId of chosen) {
            const completed = region.timeline.find(
                (entry) =>
                    entry.kind === "autoscaling.hook.completed" &&
                    entry.detail.instanceId === instanceId &&
                    entry.detail.result === "CONTINUE",
            );
            assert.ok(completed, `the drain Lambda completed ${instanceId}'s hook with CONTINUE`);
        }
        const report = region.invariants();
        assert.equal(report.tasksKilledByTermination, 0);
        assert.deepEqual(report.terminatingWaitPastDeadline, []);
        assert.equal(report.scalingOscillations, 0);
        assert.equal(runningTasks(run, "web"), 2);
    });
});
