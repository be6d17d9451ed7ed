import assert from "node:assert/strict";
import { SimHarness, type DeployedCluster } from "../../../sim/harness";
import { deployTerminationPolicy } from "../../../sim/pipelines/termination";
import type { Region } from "../../../sim/region";
import { FIXED_TIMINGS } from "../coreScenario";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

/** Standalone tasks live on each EC2 instance (not STOPPED, not stopping). */
function liveTasks(region: Region, ec2InstanceId: string) {
    return [...region.ecs.state.tasks.values()].filter(
        (task) => task.ec2InstanceId === ec2InstanceId && task.desiredStatus === "RUNNING",
    );
}

/** Stops standalone tasks on the instance until `count` are left. */
function keepTasks(region: Region, deployed: DeployedCluster, ec2InstanceId: string, count: number): void {
    const tasks = liveTasks(region, ec2InstanceId);
    assert.ok(tasks.length >= count, `${ec2InstanceId} has ${tasks.length} tasks, ${count} wanted`);
    for (const task of tasks.slice(count)) {
        region.admin("ecs", "StopTask", { cluster: deployed.clusterName, task: task.arn });
    }
}

describe("sim/capacity: the deployed termination policy", () => {
    let harness: SimHarness | undefined;
    afterEach(async () => {
        await harness?.stop();
        harness = undefined;
    });

    it("names, per AZ, the unregistered or DRAINING instance first, then the one with the fewest tasks over the oldest", async () => {
        harness = await SimHarness.start({ seed: 11, timings: FIXED_TIMINGS });
        const region = harness.region;
        // Five registered instances (a a b b c) and a sixth in c whose agent never registers.
        const deployed = await harness.deploySteady({
            clusterName: "pick",
            instanceType: "m5.large",
            instanceCount: 5,
            maxSize: 6,
            availabilityZones: ZONES,
        });
        region.ctx.faults.neverRegisterRate = 1;
        region.admin("autoscaling", "SetDesiredCapacity", {
            AutoScalingGroupName: deployed.groupName,
            DesiredCapacity: 6,
        });
        await harness.run(120);
        region.ctx.faults.neverRegisterRate = 0;
        const { functionArn } = await deployTerminationPolicy(harness, deployed);

        const group = region.autoscaling.groups.get(deployed.groupName)!;
        assert.equal(group.terminationPolicies[0], functionArn);
        const inZone = (zone: string) =>
            [...group.instances.values()]
                .filter((instance) => instance.availabilityZone === zone)
                .map((instance) => instance.instanceId);
        const registration = (id: string) => region.ecs.state.instanceByEc2Id(id);
        const [a, b, c] = ZONES.map(inZone);
        assert.deepEqual([a.length, b.length, c.length], [2, 2, 2]);
        const unregistered = c.find((id) => registration(id) === undefined)!;
        const registeredInC = c.find((id) => id !== unregistered)!;
        assert.ok(unregistered !== undefined && registration(registeredInC) !== undefined);

        region.admin("ecs", "RegisterTaskDefinition", {
            family: "batch",
            containerDefinitions: [
                { name: "batch", image: "example/batch:1", cpu: 128, memory: 256, essential: true },
            ],
        });
        for (let call = 0; call < 3; call++) {
            region.admin("ecs", "RunTask", {
                cluster: "pick",
                taskDefinition: "batch",
                count: 10,
                placementStrategy: [{ type: "spread", field: "instanceId" }],
            });
        }
        // AZ a: the older instance runs 3 tasks, the newer 1 (fewest tasks beats oldest).
        const [olderA, newerA] = [...a].sort(
            (x, y) => registration(x)!.registeredAt - registration(y)!.registeredAt,
        );
        keepTasks(region, deployed, olderA, 3);
        keepTasks(region, deployed, newerA, 1);
        // AZ b: the DRAINING instance keeps 2 standalone tasks (they never leave), its ACTIVE sibling 1.
        const [drainingB, activeB] = b;
        keepTasks(region, deployed, drainingB, 2);
        keepTasks(region, deployed, activeB, 1);
        region.admin("ecs", "UpdateContainerInstancesState", {
            cluster: "pick",
            containerInstances: [registration(drainingB)!.arn],
            status: "DRAINING",
        });
        // AZ c: the registered instance is empty, yet the unregistered one goes first.
        keepTasks(region, deployed, registeredInC, 0);
        await harness.run(60);

        region.admin("autoscaling", "SetDesiredCapacity", {
            AutoScalingGroupName: deployed.groupName,
            DesiredCapacity: 3,
        });
        await harness.run(30);
        const answers = region.timeline.filter(
            (entry) => entry.kind === "autoscaling.terminationPolicy.answered",
        );
        assert.equal(answers.length, 1);
        assert.deepEqual(
            [...(answers[0].detail.instanceIds as string[])].sort(),
            [newerA, drainingB, unregistered].sort(),
        );
        assert.deepEqual(
            region.timeline.filter((entry) => entry.kind === "autoscaling.terminationPolicy.failed"),
            [],
        );
        const remaining = [...group.instances.values()]
            .filter((instance) => instance.lifecycleState === "InService")
            .map((instance) => instance.instanceId)
            .sort();
        assert.deepEqual(remaining, [olderA, activeB, registeredInC].sort());
    });
});
