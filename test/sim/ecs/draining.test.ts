import assert from "node:assert/strict";
import type { Region } from "../../../sim/region";
import { clusterWithInstances, fixedRegion, registerTaskDefinition, secondsAt } from "../coreScenario";

const SERVICE = "arn:aws:ecs:us-east-1:123456789012:service/c/web";

function drain(region: Region, ec2InstanceId: string): void {
    const arn = region.ecs.state.instanceByEc2Id(ec2InstanceId)!.arn;
    region.admin("ecs", "UpdateContainerInstancesState", {
        cluster: "c",
        containerInstances: [arn],
        status: "DRAINING",
    });
}

function tasksOn(region: Region, ec2InstanceId: string, group: string) {
    return [...region.ecs.state.tasks.values()].filter(
        (t) => t.ec2InstanceId === ec2InstanceId && t.group === group,
    );
}

function statusAt(region: Region, taskArn: string, status: string): number | undefined {
    const entry = region.timeline.find(
        (e) => e.kind === "ecs.task.status" && e.detail.taskArn === taskArn && e.detail.lastStatus === status,
    );
    return entry && secondsAt(entry.at);
}

describe("sim/ecs draining", () => {
    async function cluster(webMemory: number, deployment: Record<string, number>) {
        const region = fixedRegion();
        clusterWithInstances(region, "c", [["i-a", "m5.large", "us-east-1a"]]);
        const web = registerTaskDefinition(region, {
            family: "web",
            containerDefinitions: [{ name: "w", image: "w", memory: webMemory }],
        });
        const agent = registerTaskDefinition(region, {
            family: "agent",
            containerDefinitions: [{ name: "a", image: "a", memory: 64 }],
        });
        region.admin("ecs", "CreateService", {
            cluster: "c",
            serviceName: "agent",
            taskDefinition: agent,
            schedulingStrategy: "DAEMON",
        });
        region.admin("ecs", "CreateService", {
            cluster: "c",
            serviceName: "web",
            taskDefinition: web,
            desiredCount: 4,
            deploymentConfiguration: deployment,
        });
        const standalone = region.admin("ecs", "RunTask", {
            cluster: "c",
            taskDefinition: agent,
            startedBy: "ops",
        }) as {
            tasks: { taskArn: string }[];
        };
        await region.run(30);
        return { region, standaloneArn: standalone.tasks[0].taskArn };
    }

    it("starts replacements elsewhere before stopping (100/200), stops the daemon last and leaves standalone tasks", async () => {
        const { region, standaloneArn } = await cluster(512, {
            minimumHealthyPercent: 100,
            maximumPercent: 200,
        });
        assert.equal(tasksOn(region, "i-a", "service:web").length, 4);
        region.ecs.registerInstance("c", "i-b", "m5.large", "us-east-1b", "ami-1");
        region.ecs.registerInstance("c", "i-c", "m5.large", "us-east-1c", "ami-1");
        await region.run(30);
        drain(region, "i-a");
        await region.run(120);

        const old = tasksOn(region, "i-a", "service:web");
        const replacements = [
            ...tasksOn(region, "i-b", "service:web"),
            ...tasksOn(region, "i-c", "service:web"),
        ];
        assert.equal(replacements.length, 4);
        assert.ok(old.every((t) => t.lastStatus === "STOPPED"));
        // Old tasks began stopping only once every replacement was RUNNING.
        const lastReplacementRunning = Math.max(
            ...replacements.map((t) => statusAt(region, t.arn, "RUNNING")!),
        );
        // No load balancer: RUNNING goes straight to STOPPING.
        const firstOldStopping = Math.min(...old.map((t) => statusAt(region, t.arn, "STOPPING")!));
        assert.ok(
            firstOldStopping >= lastReplacementRunning,
            `${firstOldStopping} < ${lastReplacementRunning}`,
        );
        assert.equal(region.invariants().services[SERVICE].lowestHealthyFraction, 1);

        const [daemonOnA] = tasksOn(region, "i-a", "service:agent");
        const lastOldStopped = Math.max(...old.map((t) => statusAt(region, t.arn, "STOPPED")!));
        assert.equal(daemonOnA.lastStatus, "STOPPED");
        assert.ok(statusAt(region, daemonOnA.arn, "STOPPING")! >= lastOldStopped);

        assert.equal(region.ecs.state.tasks.get(standaloneArn)!.lastStatus, "RUNNING");
        assert.equal(region.ecs.state.instanceByEc2Id("i-a")!.status, "DRAINING");
    });

    it("with no room elsewhere honours minimumHealthyPercent (50%) to free it", async () => {
        const { region } = await cluster(1700, { minimumHealthyPercent: 50, maximumPercent: 100 });
        // m5.large registers 7681 MiB: four 1700 MiB tasks fit on i-a; i-b (a t3.medium, 3892 MiB) fits two.
        region.ecs.registerInstance("c", "i-b", "t3.medium", "us-east-1b", "ami-1");
        await region.run(30);
        drain(region, "i-a");
        await region.run(300);
        assert.equal(
            tasksOn(region, "i-b", "service:web").filter((t) => t.lastStatus === "RUNNING").length,
            2,
        );
        assert.ok(tasksOn(region, "i-a", "service:web").every((t) => t.lastStatus === "STOPPED"));
        assert.equal(region.invariants().services[SERVICE].lowestHealthyFraction, 0.5);
        const service = region.ecs.state.services.get(SERVICE)!;
        assert.match(service.events[0].message, /has insufficient memory available/);
    });

    it("stops service tasks that have not started yet on the instance at once, and places nothing new there", async () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", [["i-a", "m5.large", "us-east-1a"]]);
        const web = registerTaskDefinition(region, {
            family: "web",
            containerDefinitions: [{ name: "w", image: "w", memory: 256 }],
        });
        region.admin("ecs", "CreateService", {
            cluster: "c",
            serviceName: "web",
            taskDefinition: web,
            desiredCount: 2,
        });
        await region.run(5);
        assert.deepEqual(
            tasksOn(region, "i-a", "service:web").map((t) => t.lastStatus),
            ["PENDING", "PENDING"],
        );
        drain(region, "i-a");
        // Never started and no ENI to detach: STOPPED at once.
        assert.deepEqual(
            tasksOn(region, "i-a", "service:web").map((t) => t.lastStatus),
            ["STOPPED", "STOPPED"],
        );
        await region.run(120);
        assert.equal(tasksOn(region, "i-a", "service:web").length, 2);
        const out = region.admin("ecs", "RunTask", { cluster: "c", taskDefinition: web }) as {
            failures: unknown[];
        };
        assert.deepEqual(out.failures, [{ reason: "No Container Instances were found in your cluster." }]);
    });

    it("drains a Spot instance when EC2 gives the interruption warning", async () => {
        const region = fixedRegion();
        clusterWithInstances(region, "c", [["i-a", "m5.large", "us-east-1a"]]);
        region.ecs.spotInterruption("i-a");
        assert.equal(region.ecs.state.instanceByEc2Id("i-a")!.status, "DRAINING");
    });
});
