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

/** A service of `count` awsvpc tasks registered with a target group of the given deregistration delay. */
function serviceBehindTargetGroup(region: Region, deregistrationDelaySeconds: number, count = 1): string {
    const targetGroupArn = region.targetGroups.create("web-tg", deregistrationDelaySeconds);
    const td = registerTaskDefinition(region, {
        family: "web",
        networkMode: "awsvpc",
        containerDefinitions: [
            { name: "web", image: "x", memory: 128, portMappings: [{ containerPort: 8080 }] },
        ],
    });
    const { service } = region.admin("ecs", "CreateService", {
        cluster: "c",
        serviceName: "web",
        taskDefinition: td,
        desiredCount: count,
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } },
        loadBalancers: [{ targetGroupArn, containerName: "web", containerPort: 8080 }],
    }) as { service: { serviceArn: string } };
    return service.serviceArn;
}

function serviceTaskArns(region: Region, serviceArn: string): string[] {
    return [...region.ecs.state.tasks.values()].filter((t) => t.serviceArn === serviceArn).map((t) => t.arn);
}

describe("sim/ecs task lifecycle", () => {
    it("goes PROVISIONING → PENDING → RUNNING, then STOPPING → STOPPED with no load balancer or ENI", async () => {
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
            [100, "STOPPING"],
            [103, "STOPPED"],
        ]);
        const task = region.ecs.state.tasks.get(arn)!;
        assert.equal(task.stoppedReason, "test");
        assert.equal(task.stopCode, "UserInitiated");
    });

    it("stays DEACTIVATING for the target group's 300 s deregistration delay, then STOPPING, DEPROVISIONING", async () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", [["i-1", "m5.large", "us-east-1a"]]);
        const serviceArn = serviceBehindTargetGroup(region, 300);
        await region.run(60);
        const [arn] = serviceTaskArns(region, serviceArn);
        region.admin("ecs", "StopTask", { cluster: "c", task: arn, reason: "test" });
        await region.run(400);
        assert.deepEqual(taskTimeline(region, arn).slice(3), [
            [60, "DEACTIVATING"],
            [360, "STOPPING"],
            [363, "DEPROVISIONING"],
            [368, "STOPPED"],
        ]);
        const task = region.ecs.state.tasks.get(arn)!;
        assert.ok(task.stoppedAt! - task.stoppingAt! >= 300_000);
    });

    it("counts a container instance's runningTasksCount by desired status, as the API reference defines it", async () => {
        const region = fixedRegion();
        // m5.xlarge: three awsvpc tasks (four ENIs less the primary).
        const [ci] = clusterWithInstances(region, "c", [["i-1", "m5.xlarge", "us-east-1a"]]);
        const serviceArn = serviceBehindTargetGroup(region, 30, 2);
        await region.run(60);
        const [first] = serviceTaskArns(region, serviceArn);
        region.admin("ecs", "StopTask", { cluster: "c", task: first });
        await region.run(3);
        const statuses = serviceTaskArns(region, serviceArn).map(
            (arn) => region.ecs.state.tasks.get(arn)!.lastStatus,
        );
        // One deregistering (desired STOPPED), one RUNNING, and its replacement starting.
        assert.deepEqual(statuses, ["DEACTIVATING", "RUNNING", "PROVISIONING"]);
        const { containerInstances } = region.admin("ecs", "DescribeContainerInstances", {
            cluster: "c",
            containerInstances: [ci],
        }) as { containerInstances: { runningTasksCount: number; pendingTasksCount: number }[] };
        assert.deepEqual(
            [containerInstances[0].runningTasksCount, containerInstances[0].pendingTasksCount],
            [2, 1],
        );
        const count = (filter: string) =>
            (
                region.admin("ecs", "ListContainerInstances", { cluster: "c", filter }) as {
                    containerInstanceArns: string[];
                }
            ).containerInstanceArns.length;
        assert.equal(count("runningTasksCount == 2"), 1);
    });

    it("refuses a service whose load balancer names an unknown target group or a port the container lacks", () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", [["i-1", "m5.large", "us-east-1a"]]);
        const td = registerTaskDefinition(region, {
            family: "web",
            containerDefinitions: [
                { name: "web", image: "x", memory: 128, portMappings: [{ containerPort: 80 }] },
            ],
        });
        const create = (targetGroupArn: string, containerPort: number) => () =>
            region.admin("ecs", "CreateService", {
                cluster: "c",
                serviceName: `s${containerPort}`,
                taskDefinition: td,
                loadBalancers: [{ targetGroupArn, containerName: "web", containerPort }],
            });
        assert.throws(create("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/1", 80), {
            code: "InvalidParameterException",
            message: /targetgroup\/nope\/1 does not exist/,
        });
        const known = region.targetGroups.create("tg", 30);
        assert.throws(create(known, 81), {
            message: "The container web does not have a container port 81 defined.",
        });
    });

    it("sends SIGKILL at the stopTimeout when the application ignores SIGTERM longer", async () => {
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
            [20, "STOPPING"],
            [25, "STOPPED"],
        ]);
        assert.deepEqual(
            region.timeline
                .filter((e) => e.kind === "ecs.task.sigkilled")
                .map((e) => [secondsAt(e.at), e.detail]),
            [[25, { taskArn: arn, stopTimeoutSeconds: 5 }]],
        );
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
            [30, "STOPPING"],
            [33, "DEPROVISIONING"],
            [38, "STOPPED"],
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
        // Every task that was not STOPPED counts against the invariant, the standalone one too.
        const report = region.invariants();
        assert.equal(report.tasksKilledByTermination, 3);
        assert.deepEqual(report.killedByPhase, { running: 3, stopping: 0, starting: 0 });
    });

    it("counts a task killed while it deregisters as killed while stopping, with ECS's reason", async () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", [["i-1", "m5.large", "us-east-1a"]]);
        const serviceArn = serviceBehindTargetGroup(region, 30, 2);
        await region.run(60);
        const [first] = serviceTaskArns(region, serviceArn);
        region.admin("ecs", "StopTask", { cluster: "c", task: first, reason: "Scaling in" });
        await region.run(10);
        region.ecs.instanceTerminated("i-1");
        const report = region.invariants();
        assert.deepEqual(report.killedByPhase, { running: 1, stopping: 1, starting: 0 });
        const stopping = report.killedTasks.find((k) => k.taskArn === first)!;
        assert.deepEqual(
            [stopping.lastStatus, stopping.phase, stopping.reason, stopping.stoppingBecause],
            ["DEACTIVATING", "stopping", "Host EC2 (instance i-1) terminated.", "Scaling in"],
        );
        assert.equal(region.ecs.state.tasks.get(first)!.stoppedReason, "Scaling in");
    });
});
