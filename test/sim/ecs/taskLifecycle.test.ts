import assert from "node:assert/strict";
import type { Region } from "../../../sim/region";
import {
    captureEvents,
    clusterWithInstances,
    fixedRegion,
    registerTaskDefinition,
    secondsAt,
} from "../coreScenario";

function taskTimeline(region: Region, taskArn: string): [number, string][] {
    return region.timeline
        .filter((e) => e.kind === "ecs.task.status" && e.detail.taskArn === taskArn)
        .map((e) => [secondsAt(e.at), String(e.detail.lastStatus)]);
}

function runOne(region: Region, td: string, extra: Record<string, unknown> = {}): string {
    const out = region.admin("ecs", "RunTask", { cluster: "c", taskDefinition: td, ...extra }) as {
        tasks: { taskArn: string }[];
    };
    return out.tasks[0].taskArn;
}

describe("sim/ecs task lifecycle", () => {
    it("goes PROVISIONING → PENDING → RUNNING, then DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED", async () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", [["i-1", "m5.large", "us-east-1a"]]);
        const td = registerTaskDefinition(region, {
            family: "app",
            containerDefinitions: [{ name: "x", image: "x", memory: 128 }],
        });
        const arn = runOne(region, td);
        await region.run(100);
        region.admin("ecs", "StopTask", { cluster: "c", task: arn, reason: "test" });
        await region.run(100);
        assert.deepEqual(taskTimeline(region, arn), [
            [0, "PROVISIONING"],
            [1, "PENDING"],
            [11, "RUNNING"],
            [100, "DEACTIVATING"],
            [101, "STOPPING"],
            [104, "DEPROVISIONING"],
            [105, "STOPPED"],
        ]);
        const task = region.ecs.state.tasks.get(arn)!;
        assert.equal(task.stoppedReason, "test");
        assert.equal(task.stopCode, "UserInitiated");
    });

    it("kills the container at the stopTimeout when the application ignores SIGTERM longer", async () => {
        const region = fixedRegion({ timings: { ecs: { sigtermExitMs: [60_000, 60_000] } } });
        clusterWithInstances(region, "c", [["i-1", "m5.large", "us-east-1a"]]);
        const td = registerTaskDefinition(region, {
            family: "slow",
            containerDefinitions: [{ name: "x", image: "x", memory: 128, stopTimeout: 5 }],
        });
        const arn = runOne(region, td);
        await region.run(20);
        region.admin("ecs", "StopTask", { cluster: "c", task: arn });
        await region.run(100);
        assert.deepEqual(taskTimeline(region, arn).slice(3), [
            [20, "DEACTIVATING"],
            [21, "STOPPING"],
            [26, "DEPROVISIONING"],
            [27, "STOPPED"],
        ]);
    });

    it("awsvpc tasks take ENI attach and detach time", async () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", [["i-1", "m5.large", "us-east-1a"]]);
        const td = registerTaskDefinition(region, {
            family: "v",
            networkMode: "awsvpc",
            containerDefinitions: [{ name: "x", image: "x", memory: 128 }],
        });
        const arn = runOne(region, td, {
            networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } },
        });
        await region.run(30);
        region.admin("ecs", "StopTask", { cluster: "c", task: arn });
        await region.run(30);
        assert.deepEqual(taskTimeline(region, arn), [
            [0, "PROVISIONING"],
            [5, "PENDING"],
            [15, "RUNNING"],
            [30, "DEACTIVATING"],
            [31, "STOPPING"],
            [34, "DEPROVISIONING"],
            [39, "STOPPED"],
        ]);
    });

    it("a task hit by the stuckTaskRate fault never leaves STOPPING and keeps its resources", async () => {
        const region = fixedRegion({ faults: { stuckTaskRate: 1 } });
        const [ci] = clusterWithInstances(region, "c", [["i-1", "m5.large", "us-east-1a"]]);
        const td = registerTaskDefinition(region, {
            family: "stuck",
            containerDefinitions: [{ name: "x", image: "x", memory: 1000 }],
        });
        const arn = runOne(region, td);
        await region.run(20);
        region.admin("ecs", "StopTask", { cluster: "c", task: arn });
        await region.run(3600);
        assert.equal(region.ecs.state.tasks.get(arn)!.lastStatus, "STOPPING");
        assert.equal(region.ecs.state.containerInstances.get(ci)!.usedMemory, 1000);
    });

    it("emits task and container instance state changes with a rising version", async () => {
        const region = fixedRegion();
        const events = captureEvents(region);
        const [ci] = clusterWithInstances(region, "c", [["i-1", "m5.large", "us-east-1a"]]);
        const td = registerTaskDefinition(region, {
            family: "app",
            containerDefinitions: [{ name: "x", image: "x", memory: 128 }],
        });
        const arn = runOne(region, td);
        await region.run(20);
        region.admin("ecs", "UpdateContainerInstancesState", {
            cluster: "c",
            containerInstances: [ci],
            status: "DRAINING",
        });
        const instanceEvents = events.filter((e) => e.detailType === "ECS Container Instance State Change");
        assert.deepEqual(
            instanceEvents.map((e) => [
                e.detail.version,
                e.detail.status,
                (e.detail.remainingResources as { name: string; integerValue: number }[])[1].integerValue,
            ]),
            [
                [1, "ACTIVE", 7681],
                [2, "ACTIVE", 7681 - 128],
                [3, "DRAINING", 7681 - 128],
            ],
        );
        assert.deepEqual(instanceEvents[2].resources, [ci]);
        assert.equal(instanceEvents[2].detail.ec2InstanceId, "i-1");
        assert.equal(instanceEvents[2].detail.clusterArn, "arn:aws:ecs:us-east-1:123456789012:cluster/c");
        assert.equal(instanceEvents[2].detail.updatedAt, "2026-01-01T00:00:20.000Z");
        const taskEvents = events.filter(
            (e) => e.detailType === "ECS Task State Change" && e.detail.taskArn === arn,
        );
        assert.deepEqual(
            taskEvents.map((e) => [e.detail.version, e.detail.lastStatus]),
            [
                [1, "PROVISIONING"],
                [2, "PENDING"],
                [3, "RUNNING"],
            ],
        );
        assert.ok(events.every((e) => e.source === "aws.ecs"));
    });

    it("kills every task at once when EC2 terminates the host, and the instance goes INACTIVE", async () => {
        const region = fixedRegion();
        const [ci] = clusterWithInstances(region, "c", [["i-1", "m5.large", "us-east-1a"]]);
        const td = registerTaskDefinition(region, {
            family: "app",
            containerDefinitions: [{ name: "x", image: "x", memory: 128 }],
        });
        region.admin("ecs", "CreateService", {
            cluster: "c",
            serviceName: "s",
            taskDefinition: td,
            desiredCount: 2,
        });
        const standalone = runOne(region, td);
        await region.run(30);
        region.ecs.instanceTerminated("i-1");
        const tasks = [...region.ecs.state.tasks.values()];
        assert.deepEqual(
            tasks.map((t) => [t.lastStatus, t.stoppedReason]),
            tasks.map(() => ["STOPPED", "Host EC2 (instance i-1) terminated."]),
        );
        assert.ok(tasks.some((t) => t.arn === standalone));
        const instance = region.ecs.state.containerInstances.get(ci)!;
        assert.equal(instance.status, "INACTIVE");
        assert.equal(instance.agentConnected, false);
        // Only the two RUNNING service tasks count against the invariant; the standalone one does not.
        assert.equal(region.invariants().runningServiceTasksKilledByTermination, 2);
    });
});
