import assert from "node:assert/strict";
import type { Region } from "../../../sim/region";
import { clusterWithInstances, fixedRegion, registerTaskDefinition } from "../coreScenario";

interface RunTaskOut {
    tasks: { containerInstanceArn: string; taskArn: string }[];
    failures: { arn?: string; reason: string }[];
}

function runTask(region: Region, taskDefinition: string, extra: Record<string, unknown> = {}): RunTaskOut {
    return region.admin("ecs", "RunTask", { cluster: "c", taskDefinition, ...extra }) as RunTaskOut;
}

function remaining(region: Region, arn: string, name: string): unknown {
    const out = region.admin("ecs", "DescribeContainerInstances", {
        cluster: "c",
        containerInstances: [arn],
    }) as {
        containerInstances: {
            remainingResources: {
                name: string;
                type: string;
                integerValue: number;
                stringSetValue?: string[];
            }[];
        }[];
    };
    const r = out.containerInstances[0].remainingResources.find((x) => x.name === name)!;
    return r.type === "STRINGSET" ? r.stringSetValue : r.integerValue;
}

describe("sim/ecs placement", () => {
    it("registers CPU as 1024 per vCPU and the agent's memory, and reserves the agent's ports", () => {
        const region = fixedRegion();
        const [arn] = clusterWithInstances(region, "c", [["i-1", "c5.large", "us-east-1a"]]);
        const out = region.admin("ecs", "DescribeContainerInstances", {
            cluster: "c",
            containerInstances: [arn],
        }) as {
            containerInstances: {
                registeredResources: unknown[];
                attributes: { name: string; value?: string }[];
            }[];
        };
        assert.deepEqual(out.containerInstances[0].registeredResources, [
            { name: "CPU", type: "INTEGER", doubleValue: 0, longValue: 0, integerValue: 2048 },
            { name: "MEMORY", type: "INTEGER", doubleValue: 0, longValue: 0, integerValue: 3711 },
            {
                name: "PORTS",
                type: "STRINGSET",
                doubleValue: 0,
                longValue: 0,
                integerValue: 0,
                stringSetValue: ["22", "2376", "2375", "51678", "51679"],
            },
            {
                name: "PORTS_UDP",
                type: "STRINGSET",
                doubleValue: 0,
                longValue: 0,
                integerValue: 0,
                stringSetValue: [],
            },
        ]);
        const attrs = Object.fromEntries(out.containerInstances[0].attributes.map((a) => [a.name, a.value]));
        assert.equal(attrs["ecs.instance-type"], "c5.large");
        assert.equal(attrs["ecs.availability-zone"], "us-east-1a");
        assert.equal(attrs["ecs.ami-id"], "ami-0123456789abcdef0");
    });

    it("binpacks on memory: the next task goes to the instance with the least memory left", () => {
        const region = fixedRegion();
        const [a, b] = clusterWithInstances(region, "c", [
            ["i-a", "m5.large", "us-east-1a"],
            ["i-b", "m5.large", "us-east-1a"],
        ]);
        const big = registerTaskDefinition(region, {
            family: "big",
            containerDefinitions: [{ name: "x", image: "x", memory: 4000 }],
        });
        const small = registerTaskDefinition(region, {
            family: "small",
            containerDefinitions: [{ name: "x", image: "x", memoryReservation: 500, memory: 2000 }],
        });
        assert.equal(
            runTask(region, big, { placementStrategy: [{ type: "spread", field: "instanceId" }] }).tasks[0]
                .containerInstanceArn,
            a,
        );
        // i-a has 7681 - 4000 left, i-b all 7681: binpack picks i-a, and reserves memoryReservation (500), not memory.
        assert.equal(runTask(region, small).tasks[0].containerInstanceArn, a);
        assert.equal(remaining(region, a, "MEMORY"), 7681 - 4000 - 500);
        assert.equal(remaining(region, b, "MEMORY"), 7681);
    });

    it("reserves task-level cpu and memory when set, instead of the containers' sum", () => {
        const region = fixedRegion();
        const [a] = clusterWithInstances(region, "c", [["i-a", "m5.large", "us-east-1a"]]);
        const td = registerTaskDefinition(region, {
            family: "tl",
            cpu: "512",
            memory: "1024",
            containerDefinitions: [
                { name: "x", image: "x", cpu: 100, memory: 200 },
                { name: "y", image: "y", cpu: 100, memory: 200 },
            ],
        });
        runTask(region, td);
        assert.equal(remaining(region, a, "CPU"), 2048 - 512);
        assert.equal(remaining(region, a, "MEMORY"), 7681 - 1024);
    });

    it("spreads a service's tasks across AZs before binpacking", async () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", [
            ["i-a1", "m5.large", "us-east-1a"],
            ["i-a2", "m5.large", "us-east-1a"],
            ["i-b1", "m5.large", "us-east-1b"],
            ["i-c1", "m5.large", "us-east-1c"],
        ]);
        const td = registerTaskDefinition(region, {
            family: "web",
            containerDefinitions: [{ name: "x", image: "x", memory: 256 }],
        });
        region.admin("ecs", "CreateService", {
            cluster: "c",
            serviceName: "web",
            taskDefinition: td,
            desiredCount: 6,
        });
        await region.run(2);
        const perAz = new Map<string, number>();
        for (const t of region.ecs.state.tasks.values())
            perAz.set(t.availabilityZone, (perAz.get(t.availabilityZone) ?? 0) + 1);
        assert.deepEqual(Object.fromEntries(perAz), { "us-east-1a": 2, "us-east-1b": 2, "us-east-1c": 2 });
        // Within us-east-1a binpack keeps both tasks on one instance.
        const inA = [...region.ecs.state.tasks.values()].filter((t) => t.availabilityZone === "us-east-1a");
        assert.equal(new Set(inA.map((t) => t.ec2InstanceId)).size, 1);
    });

    it("places one task per static host port per instance and says which resource is short", () => {
        const region = fixedRegion();
        const [a] = clusterWithInstances(region, "c", [["i-a", "m5.large", "us-east-1a"]]);
        const td = registerTaskDefinition(region, {
            family: "static",
            containerDefinitions: [
                { name: "x", image: "x", memory: 128, portMappings: [{ containerPort: 80, hostPort: 8080 }] },
            ],
        });
        assert.equal(runTask(region, td).tasks.length, 1);
        assert.deepEqual(remaining(region, a, "PORTS"), ["22", "2376", "2375", "51678", "51679", "8080"]);
        assert.deepEqual(runTask(region, td).failures, [{ arn: a, reason: "RESOURCE:PORTS" }]);
    });

    it("reports the shortfall of the closest instance in the service's events", async () => {
        const region = fixedRegion();
        const [a] = clusterWithInstances(region, "c", [["i-a", "t3.micro", "us-east-1a"]]);
        const td = registerTaskDefinition(region, {
            family: "fat",
            containerDefinitions: [{ name: "x", image: "x", memory: 600 }],
        });
        region.admin("ecs", "CreateService", {
            cluster: "c",
            serviceName: "fat",
            taskDefinition: td,
            desiredCount: 2,
        });
        await region.run(2);
        const id = a.split("/").pop();
        const service = region.ecs.state.services.get("arn:aws:ecs:us-east-1:123456789012:service/c/fat")!;
        assert.equal(
            service.events[0].message,
            `(service fat) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ${id}) has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
        );
    });

    it("says so when the cluster has no container instance", async () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", []);
        const td = registerTaskDefinition(region, {
            family: "w",
            containerDefinitions: [{ name: "x", image: "x", memory: 64 }],
        });
        region.admin("ecs", "CreateService", {
            cluster: "c",
            serviceName: "w",
            taskDefinition: td,
            desiredCount: 1,
        });
        await region.run(2);
        const service = region.ecs.state.services.get("arn:aws:ecs:us-east-1:123456789012:service/c/w")!;
        assert.match(
            service.events[0].message,
            /Reason: No Container Instances were found in your cluster\./,
        );
    });

    it("limits awsvpc tasks to max ENIs − 1 without trunking (c5.large: 2)", () => {
        const region = fixedRegion();
        const [a] = clusterWithInstances(region, "c", [["i-a", "c5.large", "us-east-1a"]]);
        const td = registerTaskDefinition(region, {
            family: "v",
            networkMode: "awsvpc",
            containerDefinitions: [
                { name: "x", image: "x", memory: 64, portMappings: [{ containerPort: 80 }] },
            ],
        });
        const net = { networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } } };
        const out = runTask(region, td, { ...net, count: 3 });
        assert.equal(out.tasks.length, 2);
        assert.deepEqual(out.failures, [{ arn: a, reason: "RESOURCE:ENI" }]);
        assert.equal(region.ecs.state.containerInstances.get(a)!.attachments.length, 2);
    });

    it("with the awsvpcTrunking account setting, instances registered afterwards run 10 on a c5.large", () => {
        const region = fixedRegion();
        region.admin("ecs", "CreateCluster", { clusterName: "c" });
        region.ecs.registerInstance("c", "i-before", "c5.large", "us-east-1a");
        region.admin("ecs", "PutAccountSetting", { name: "awsvpcTrunking", value: "enabled" });
        region.ecs.registerInstance("c", "i-after", "c5.large", "us-east-1a");
        assert.equal(region.ecs.state.instanceByEc2Id("i-before")!.eniSlots, 2);
        assert.equal(region.ecs.state.instanceByEc2Id("i-after")!.eniSlots, 10);
        const td = registerTaskDefinition(region, {
            family: "v",
            networkMode: "awsvpc",
            containerDefinitions: [{ name: "x", image: "x", memory: 64 }],
        });
        const net = { networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } } };
        const placed = [1, 2].flatMap(() => runTask(region, td, { ...net, count: 10 }).tasks);
        assert.equal(placed.length, 12);
    });
});
