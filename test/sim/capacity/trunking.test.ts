/**
 * ENI trunking is decided per instance: ECS gives a trunk interface only to instances launched
 * after the account's awsvpcTrunking setting was turned on, so a cluster that lives through the
 * change runs old instances with the plain ENI limit and new ones with the trunked one. The
 * capacity scaler must count each by its own `ecs.awsvpc-trunk-id` attribute: counting the
 * untrunked instances by the account setting finds room that does not exist, and awsvpc tasks
 * stay unplaced with no scale-out.
 */
import assert from "node:assert/strict";
import { TRUNK_ATTRIBUTE } from "../../../runtime/capacity";
import { taskShapeOf } from "../../../runtime/taskShape";
import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { evaluateCapacity as accountSettingCount } from "../../runtime/capacityOracle";
import { containerInstances, metricValues, startCapacityRun, type CapacityRun } from "./capacityScenario";

/** c5.large: 2 awsvpc tasks without a trunk interface, 10 with one; 128 CPU / 256 MiB fits 14 by memory. */
const API = { name: "api", networkMode: "awsvpc", cpu: 128, memory: 256 } as const;

function trunkedInstances(run: CapacityRun): string[] {
    const { attributes } = run.harness.region.admin("ecs", "ListAttributes", {
        cluster: run.deployed.clusterName,
        targetType: "container-instance",
        attributeName: TRUNK_ATTRIBUTE,
    }) as { attributes: { targetId: string }[] };
    return attributes.map((attribute) => attribute.targetId);
}

function runningTasks(run: CapacityRun): number {
    return [...run.harness.region.ecs.state.tasks.values()].filter(
        (task) => task.clusterArn === run.deployed.clusterArn && task.lastStatus === "RUNNING",
    ).length;
}

describe("sim/capacity: trunking turned on in a cluster's life", () => {
    let run: CapacityRun | undefined;
    afterEach(async () => {
        await run?.harness.stop();
        run = undefined;
    });

    it("gives the trunk attribute only to instances registered after the setting, on types that trunk", async () => {
        run = await startCapacityRun({
            clusterName: "attr",
            instanceType: "c5.large",
            instanceCount: 2,
            maxSize: 4,
            services: [{ ...API, desiredCount: 0 }],
        });
        const region = run.harness.region;
        assert.deepEqual(trunkedInstances(run), []);
        region.admin("ecs", "PutAccountSettingDefault", { name: "awsvpcTrunking", value: "enabled" });
        region.admin("autoscaling", "SetDesiredCapacity", {
            AutoScalingGroupName: run.deployed.groupName,
            DesiredCapacity: 3,
        });
        await region.runUntil(() => containerInstances(run!).length === 3, 900);
        const [newest] = containerInstances(run).filter((instance) =>
            instance.attributes?.some((attribute) => attribute.name === TRUNK_ATTRIBUTE),
        );
        assert.deepEqual(trunkedInstances(run), [newest.containerInstanceArn]);
        assert.match(
            newest.attributes!.find((attribute) => attribute.name === TRUNK_ATTRIBUTE)!.value!,
            /^[0-9a-f-]{36}$/,
        );
        // A type without trunking support gets none, setting or not.
        const t3 = await startCapacityRun(
            { clusterName: "t3", instanceType: "t3.medium", instanceCount: 1, services: [] },
            { trunking: true },
        );
        try {
            assert.deepEqual(trunkedInstances(t3), []);
        } finally {
            await t3.harness.stop();
        }
    });

    it("scales out when awsvpc tasks cannot be placed on the untrunked instances", async () => {
        run = await startCapacityRun(
            {
                clusterName: "mixed",
                instanceType: "c5.large",
                instanceCount: 2,
                maxSize: 6,
                services: [{ ...API, desiredCount: 4 }],
            },
            { withScaleInPath: true },
        );
        const region = run.harness.region;
        region.admin("ecs", "PutAccountSettingDefault", { name: "awsvpcTrunking", value: "enabled" });
        // 4 more tasks: the two untrunked instances have no ENI slot left for them.
        region.admin("ecs", "UpdateService", { cluster: "mixed", service: "api", desiredCount: 8 });
        await run.harness.run(90);
        const before = containerInstances(run);
        assert.equal(runningTasks(run), 4, "the untrunked instances hold 2 awsvpc tasks each");
        assert.equal(metricValues(run, "ContainerCapacity").at(-1), 0);
        // What counting by the account setting says of the same instances: 8 free ENI slots each,
        // room for the 4 waiting tasks and more, so no alarm and no instance.
        const { taskDefinition } = region.admin("ecs", "DescribeTaskDefinition", {
            taskDefinition: "api",
        }) as {
            taskDefinition: TaskDefinition;
        };
        const bySetting = accountSettingCount(before, [taskShapeOf(taskDefinition)], { trunking: true });
        assert.equal(bySetting.containerCapacity, 16);

        const placed = await region.runUntil(() => runningTasks(run!) === 8, 1800);
        assert.ok(placed, `${runningTasks(run)} of 8 api tasks run`);
        const group = region.autoscaling.groups.get(run.deployed.groupName)!;
        assert.equal(group.desiredCapacity, 3, "one instance added");
        const trunked = trunkedInstances(run);
        assert.equal(trunked.length, 1, "the new instance, launched after the setting, has a trunk");
        assert.ok(!before.some((instance) => trunked.includes(instance.containerInstanceArn!)));
        const onNewest = [...region.ecs.state.tasks.values()].filter(
            (task) => task.containerInstanceArn === trunked[0] && task.lastStatus === "RUNNING",
        );
        assert.equal(onNewest.length, 4, "the waiting tasks run on the trunked instance");
        // 10 − 4 ENI slots left on it, none on the others.
        await run.harness.run(120);
        assert.equal(metricValues(run, "ContainerCapacity").at(-1), 6);
    });
});
