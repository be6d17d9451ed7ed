import assert from "node:assert/strict";
import { AwsError } from "../../../sim/errors";
import type { Region } from "../../../sim/region";
import { clusterWithInstances, fixedRegion, registerTaskDefinition } from "../coreScenario";

function ecs(region: Region, operation: string, input: Record<string, unknown>): Record<string, unknown> {
    return region.admin("ecs", operation, input) as Record<string, unknown>;
}

function fails(fn: () => unknown, code: string, message: RegExp): void {
    assert.throws(fn, (e: unknown) => e instanceof AwsError && e.code === code && message.test(e.message));
}

const instances = (n: number) =>
    Array.from(
        { length: n },
        (_, i) => [`i-${String(i).padStart(3, "0")}`, "m5.large", `us-east-1${"abc"[i % 3]}`] as const,
    );

describe("sim/ecs API", () => {
    it("pages ListContainerInstances 100 at a time with an opaque nextToken", () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", instances(150));
        const first = ecs(region, "ListContainerInstances", { cluster: "c" });
        assert.equal((first.containerInstanceArns as string[]).length, 100);
        const second = ecs(region, "ListContainerInstances", { cluster: "c", nextToken: first.nextToken });
        assert.equal((second.containerInstanceArns as string[]).length, 50);
        assert.equal(second.nextToken, undefined);
        fails(
            () => ecs(region, "ListContainerInstances", { cluster: "c", maxResults: 101 }),
            "InvalidParameterException",
            /maxResults/,
        );
    });

    it("filters container instances with the cluster query language and by status", () => {
        const region = fixedRegion();
        const arns = clusterWithInstances(region, "c", instances(6));
        const one = ecs(region, "ListContainerInstances", { cluster: "c", filter: "ec2InstanceId == i-004" });
        assert.deepEqual(one.containerInstanceArns, [arns[4]]);
        const inB = ecs(region, "ListContainerInstances", {
            cluster: "c",
            filter: "attribute:ecs.availability-zone == us-east-1b and runningTasksCount == 0",
        });
        assert.deepEqual(inB.containerInstanceArns, [arns[1], arns[4]]);
        const list = ecs(region, "ListContainerInstances", {
            cluster: "c",
            filter: "ec2InstanceId in [i-000, i-005]",
        });
        assert.deepEqual(list.containerInstanceArns, [arns[0], arns[5]]);
        ecs(region, "UpdateContainerInstancesState", {
            cluster: "c",
            containerInstances: [arns[2]],
            status: "DRAINING",
        });
        assert.deepEqual(
            ecs(region, "ListContainerInstances", { cluster: "c", status: "DRAINING" }).containerInstanceArns,
            [arns[2]],
        );
        fails(
            () => ecs(region, "ListContainerInstances", { cluster: "c", filter: "bogus == 1" }),
            "InvalidParameterException",
            /filter: unknown subject bogus/,
        );
    });

    it("refuses more than 100 ARNs per describe call and 10 services per DescribeServices", () => {
        const region = fixedRegion();
        const arns = clusterWithInstances(region, "c", instances(101));
        fails(
            () => ecs(region, "DescribeContainerInstances", { cluster: "c", containerInstances: arns }),
            "InvalidParameterException",
            /at most 100/,
        );
        fails(
            () =>
                ecs(region, "DescribeServices", {
                    cluster: "c",
                    services: Array.from({ length: 11 }, (_, i) => `s${i}`),
                }),
            "InvalidParameterException",
            /at most 10 services/,
        );
        const out = ecs(region, "DescribeContainerInstances", {
            cluster: "c",
            containerInstances: [arns[0], "nope"],
        });
        assert.deepEqual(out.failures, [{ arn: "nope", reason: "MISSING" }]);
    });

    it("answers ClusterNotFoundException for an unknown cluster", () => {
        const region = fixedRegion();
        fails(
            () => ecs(region, "ListTasks", { cluster: "ghost" }),
            "ClusterNotFoundException",
            /^Cluster not found\.$/,
        );
    });

    it("lists tasks by container instance, desired status, family, service and startedBy", async () => {
        const region = fixedRegion();
        const [a, b] = clusterWithInstances(region, "c", instances(2));
        const web = registerTaskDefinition(region, {
            family: "web",
            containerDefinitions: [{ name: "w", image: "w", memory: 64 }],
        });
        const job = registerTaskDefinition(region, {
            family: "job",
            containerDefinitions: [{ name: "j", image: "j", memory: 64 }],
        });
        ecs(region, "CreateService", {
            cluster: "c",
            serviceName: "web",
            taskDefinition: web,
            desiredCount: 2,
        });
        const run = ecs(region, "RunTask", { cluster: "c", taskDefinition: job, startedBy: "ops" }) as {
            tasks: { taskArn: string; containerInstanceArn: string }[];
        };
        await region.run(30);
        const count = (input: Record<string, unknown>) =>
            (ecs(region, "ListTasks", { cluster: "c", ...input }).taskArns as string[]).length;
        assert.equal(count({}), 3);
        assert.equal(count({ serviceName: "web" }), 2);
        assert.equal(count({ family: "job" }), 1);
        assert.equal(count({ startedBy: "ops" }), 1);
        assert.equal(count({ containerInstance: a }) + count({ containerInstance: b }), 3);
        ecs(region, "StopTask", { cluster: "c", task: run.tasks[0].taskArn });
        assert.equal(count({ desiredStatus: "STOPPED" }), 1);
        assert.equal(count({ desiredStatus: "RUNNING" }), 2);
        const described = ecs(region, "DescribeTasks", { cluster: "c", tasks: [run.tasks[0].taskArn] }) as {
            tasks: { lastStatus: string; desiredStatus: string; group: string; startedBy: string }[];
        };
        assert.deepEqual(
            [
                described.tasks[0].lastStatus,
                described.tasks[0].desiredStatus,
                described.tasks[0].group,
                described.tasks[0].startedBy,
            ],
            ["STOPPING", "STOPPED", "family:job", "ops"],
        );
    });

    it("validates task definitions as ECS does", () => {
        const region = fixedRegion();
        fails(
            () =>
                ecs(region, "RegisterTaskDefinition", {
                    family: "f",
                    containerDefinitions: [{ name: "x", image: "x" }],
                }),
            "ClientException",
            /^Invalid setting for container 'x'\. At least one of 'memory' or 'memoryReservation' must be specified\.$/,
        );
        fails(
            () => ecs(region, "RegisterTaskDefinition", { family: "f" }),
            "InvalidParameterException",
            /containerDefinitions/,
        );
        const first = registerTaskDefinition(region, {
            family: "f",
            containerDefinitions: [{ name: "x", image: "x", memory: 64 }],
        });
        const second = registerTaskDefinition(region, {
            family: "f",
            containerDefinitions: [{ name: "x", image: "x", memory: 64 }],
        });
        assert.equal(first, "arn:aws:ecs:us-east-1:123456789012:task-definition/f:1");
        assert.equal(second, "arn:aws:ecs:us-east-1:123456789012:task-definition/f:2");
        const latest = ecs(region, "DescribeTaskDefinition", { taskDefinition: "f" }) as {
            taskDefinition: { revision: number };
        };
        assert.equal(latest.taskDefinition.revision, 2);
    });

    it("replaces every task of a service on forceNewDeployment within its percentages", async () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", instances(3));
        const web = registerTaskDefinition(region, {
            family: "web",
            containerDefinitions: [{ name: "w", image: "w", memory: 64 }],
        });
        ecs(region, "CreateService", {
            cluster: "c",
            serviceName: "web",
            taskDefinition: web,
            desiredCount: 3,
        });
        await region.run(30);
        const before = new Set([...region.ecs.state.tasks.keys()]);
        ecs(region, "UpdateService", { cluster: "c", service: "web", forceNewDeployment: true });
        await region.run(60);
        const running = [...region.ecs.state.tasks.values()].filter((t) => t.lastStatus === "RUNNING");
        assert.equal(running.length, 3);
        assert.ok(running.every((t) => !before.has(t.arn)));
        const service = ecs(region, "DescribeServices", { cluster: "c", services: ["web"] }) as {
            services: { deployments: unknown[]; runningCount: number }[];
        };
        assert.equal(service.services[0].deployments.length, 1);
        assert.equal(service.services[0].runningCount, 3);
        assert.equal(
            region.invariants().services["arn:aws:ecs:us-east-1:123456789012:service/c/web"]
                .lowestHealthyFraction,
            1,
        );
    });

    it("pages ListServices 10 at a time by default", () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", []);
        const td = registerTaskDefinition(region, {
            family: "s",
            containerDefinitions: [{ name: "x", image: "x", memory: 64 }],
        });
        for (let i = 0; i < 12; i++)
            ecs(region, "CreateService", {
                cluster: "c",
                serviceName: `s${i}`,
                taskDefinition: td,
                desiredCount: 0,
            });
        const first = ecs(region, "ListServices", { cluster: "c" });
        assert.equal((first.serviceArns as string[]).length, 10);
        assert.equal(
            (
                ecs(region, "ListServices", { cluster: "c", nextToken: first.nextToken })
                    .serviceArns as string[]
            ).length,
            2,
        );
    });
});
