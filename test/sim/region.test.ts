import assert from "node:assert/strict";
import {
    AutoScalingClient,
    CompleteLifecycleActionCommand,
    DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import {
    ECSClient,
    ListContainerInstancesCommand,
    DescribeContainerInstancesCommand,
    ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { AwsError } from "../../sim/errors";
import { SimHarness } from "../../sim/harness";
import { Region } from "../../sim/region";
import type { LambdaHandler } from "../../sim/types";

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
    await assert.rejects(promise, (e: unknown) => e instanceof AwsError && e.code === code);
}

describe("sim/region", () => {
    it("counts API calls by service and operation", async () => {
        const region = new Region({ seed: 1 });
        await region.call("ecs", "CreateCluster", { clusterName: "a" });
        await region.call("ecs", "ListClusters", {});
        await region.call("ecs", "ListClusters", {});
        await rejectsWith(region.call("ecs", "ListTasks", { cluster: "nope" }), "ClusterNotFoundException");
        assert.deepEqual(region.apiCalls(), { ecs: { CreateCluster: 1, ListClusters: 2, ListTasks: 1 } });
    });

    it("charges each call's modelled latency to the running Lambda invocation", async () => {
        const region = new Region({ seed: 1, apiLatencyMs: { ecs: 75 } });
        await region.call("ecs", "CreateCluster", { clusterName: "a" });
        const remaining: number[] = [];
        const handler: LambdaHandler = async (_event, context) => {
            remaining.push(context.getRemainingTimeInMillis());
            await region.call("ecs", "ListClusters", {});
            await region.call("ecs", "ListClusters", {});
            remaining.push(context.getRemainingTimeInMillis());
            return null;
        };
        const arn = region.lambda.createFunction({ name: "f", handler, timeoutSeconds: 10, memoryMb: 128 });
        await region.lambda.invokeSync(arn, {}, 10_000);
        assert.equal(remaining[0] - remaining[1], 150);
    });

    it("throttles ECS at the configured rate with ThrottlingException", async () => {
        const region = new Region({ seed: 1, faults: { throttleRate: 1 } });
        await rejectsWith(region.call("ecs", "ListClusters", {}), "ThrottlingException");
        await region.call("autoscaling", "DescribeAutoScalingGroups", {});
        assert.deepEqual(region.throttledCalls(), { ecs: { ListClusters: 1 } });
    });

    it("enforces ECS's 20 requests/s with a burst of 100 in virtual time", async () => {
        const region = new Region({ seed: 1, faults: { ecsRateLimit: true } });
        for (let i = 0; i < 100; i++) await region.call("ecs", "ListClusters", {});
        await rejectsWith(region.call("ecs", "ListClusters", {}), "ThrottlingException");
        await region.run(1);
        for (let i = 0; i < 20; i++) await region.call("ecs", "ListClusters", {});
        await rejectsWith(region.call("ecs", "ListClusters", {}), "ThrottlingException");
    });

    it("rejects fault rates outside [0, 1] naming the fault", () => {
        assert.throws(
            () => new Region({ seed: 1, faults: { dropRate: 2 } }),
            /faults\.dropRate: expected a probability in \[0, 1\], got 2/,
        );
    });

    it("serves the compute core's operations", () => {
        const served = new Region({ seed: 1 }).servedOperations();
        for (const op of [
            "ecs:ListContainerInstances",
            "ecs:DescribeContainerInstances",
            "ecs:UpdateContainerInstancesState",
            "ecs:ListTasks",
            "ecs:DescribeTasks",
            "ecs:RunTask",
            "ecs:StopTask",
            "ecs:PutAccountSetting",
            "autoscaling:CompleteLifecycleAction",
            "autoscaling:RecordLifecycleActionHeartbeat",
            "autoscaling:StartInstanceRefresh",
            "autoscaling:DescribeInstanceRefreshes",
            "autoscaling:ExecutePolicy",
        ]) {
            assert.ok(served.includes(op), op);
        }
        console.log(`      the region serves ${served.length} API operations`);
    });

    describe("through the loopback server and the real SDK clients", () => {
        let harness: SimHarness;
        before(async () => {
            harness = await SimHarness.start({ seed: 3 });
        });
        after(async () => {
            await harness.stop();
        });

        it("deploys a scenario and answers ECS and Auto Scaling calls as the SDK expects", async () => {
            const deployed = await harness.deploySteady({
                clusterName: "demo",
                instanceType: "c5.large",
                instanceCount: 3,
                services: [{ name: "web", desiredCount: 3 }],
                hook: { heartbeatTimeout: 300 },
            });
            assert.equal(process.env.AWS_ENDPOINT_URL, harness.endpoint);
            const ecs = new ECSClient({});
            const autoscaling = new AutoScalingClient({});
            const group = harness.region.autoscaling.groups.get(deployed.groupName)!;
            const instanceId = [...group.instances.keys()][1];
            const listed = await ecs.send(
                new ListContainerInstancesCommand({
                    cluster: "demo",
                    filter: `ec2InstanceId == ${instanceId}`,
                }),
            );
            assert.equal(listed.containerInstanceArns?.length, 1);
            const described = await ecs.send(
                new DescribeContainerInstancesCommand({
                    cluster: "demo",
                    containerInstances: listed.containerInstanceArns,
                }),
            );
            const instance = described.containerInstances![0];
            assert.equal(instance.ec2InstanceId, instanceId);
            assert.equal(instance.registeredResources?.find((r) => r.name === "CPU")?.integerValue, 2048);
            assert.ok(instance.registeredAt instanceof Date);
            const tasks = await ecs.send(new ListTasksCommand({ cluster: "demo", serviceName: "web" }));
            assert.equal(tasks.taskArns?.length, 3);
            const groups = await autoscaling.send(
                new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [deployed.groupName] }),
            );
            assert.equal(groups.AutoScalingGroups?.[0].Instances?.length, 3);
            assert.equal(groups.AutoScalingGroups?.[0].DesiredCapacity, 3);
            await assert.rejects(
                autoscaling.send(
                    new CompleteLifecycleActionCommand({
                        AutoScalingGroupName: deployed.groupName,
                        LifecycleHookName: deployed.hookName,
                        InstanceId: instanceId,
                        LifecycleActionResult: "CONTINUE",
                    }),
                ),
                (e: Error) =>
                    e.name === "ValidationError" &&
                    e.message === `No active Lifecycle Action found with instance ID ${instanceId}`,
            );
            assert.deepEqual(harness.region.apiCalls(), {
                ecs: { ListContainerInstances: 1, DescribeContainerInstances: 1, ListTasks: 1 },
                autoscaling: { DescribeAutoScalingGroups: 1, CompleteLifecycleAction: 1 },
            });
        });

        it("runs a handler subscribed to the hook's topic that completes the lifecycle action through the SDK", async () => {
            const region = harness.region;
            const deployed = harness.deploy({
                clusterName: "hooked",
                instanceType: "m5.large",
                instanceCount: 1,
                hook: { heartbeatTimeout: 900 },
            });
            const seen: string[] = [];
            const handler: LambdaHandler = async (event) => {
                const message = JSON.parse(
                    (event as { Records: { Sns: { Message: string } }[] }).Records[0].Sns.Message,
                );
                seen.push(message.Event ?? message.LifecycleTransition);
                if (message.Event === "autoscaling:TEST_NOTIFICATION") return;
                await new AutoScalingClient({}).send(
                    new CompleteLifecycleActionCommand({
                        AutoScalingGroupName: message.AutoScalingGroupName,
                        LifecycleHookName: message.LifecycleHookName,
                        LifecycleActionToken: message.LifecycleActionToken,
                        LifecycleActionResult: "CONTINUE",
                    }),
                );
            };
            const fn = harness.deployFunction({
                name: "complete-hook",
                handler,
                timeoutSeconds: 30,
                memoryMb: 128,
            });
            harness.subscribe(deployed.topicArn!, fn);
            await harness.run(120);
            const [instance] = region.autoscaling.groups.get(deployed.groupName)!.instances.values();
            region.admin("autoscaling", "TerminateInstanceInAutoScalingGroup", {
                InstanceId: instance.instanceId,
                ShouldDecrementDesiredCapacity: true,
            });
            await harness.run(10);
            assert.deepEqual(seen, ["autoscaling:EC2_INSTANCE_TERMINATING"]);
            assert.equal(instance.lifecycleState, "Terminating:Proceed");
        });
    });
});
