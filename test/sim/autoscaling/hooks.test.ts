import assert from "node:assert/strict";
import { AwsError } from "../../../sim/errors";
import { deployCluster, isSteady, type ClusterScenario, type DeployedCluster } from "../../../sim/harness";
import type { Region } from "../../../sim/region";
import { fixedRegion, secondsAt } from "../coreScenario";

async function steadyCluster(
    region: Region,
    scenario: Partial<ClusterScenario> = {},
): Promise<DeployedCluster> {
    const deployed = deployCluster(region, {
        clusterName: "c",
        instanceType: "m5.large",
        instanceCount: 1,
        services: [{ name: "web", desiredCount: 2 }],
        ...scenario,
    });
    assert.equal(await region.runUntil(() => isSteady(region, deployed), 600), true);
    return deployed;
}

function onlyInstance(region: Region, deployed: DeployedCluster) {
    return [...region.autoscaling.groups.get(deployed.groupName)!.instances.values()][0];
}

function terminate(region: Region, instanceId: string): void {
    region.admin("autoscaling", "TerminateInstanceInAutoScalingGroup", {
        InstanceId: instanceId,
        ShouldDecrementDesiredCapacity: true,
    });
}

/** [seconds since the termination started, state] for the instance. */
function states(region: Region, instanceId: string, since: number): [number, string][] {
    return region.timeline
        .filter(
            (e) =>
                e.kind === "autoscaling.instance.state" &&
                e.detail.instanceId === instanceId &&
                e.at >= since,
        )
        .map((e) => [(e.at - since) / 1000, String(e.detail.state)]);
}

function notifications(region: Region): Record<string, unknown>[] {
    return region.timeline
        .filter((e) => e.kind === "autoscaling.notification")
        .map((e) => JSON.parse(String(e.detail.message)));
}

function fails(fn: () => unknown, code: string, message: string): void {
    assert.throws(fn, (e: unknown) => e instanceof AwsError && e.code === code && e.message === message);
}

describe("sim/autoscaling lifecycle hooks", () => {
    it("sends the test notification when the hook is put", async () => {
        const region = fixedRegion();
        const deployed = await steadyCluster(region, { hook: { heartbeatTimeout: 300 } });
        const [test] = notifications(region);
        assert.deepEqual(Object.keys(test).sort(), [
            "AccountId",
            "AutoScalingGroupARN",
            "AutoScalingGroupName",
            "Event",
            "RequestId",
            "Service",
            "Time",
        ]);
        assert.equal(test.Event, "autoscaling:TEST_NOTIFICATION");
        assert.equal(test.AutoScalingGroupName, deployed.groupName);
        assert.equal(test.Time, "2026-01-01T00:00:00.000Z");
    });

    it("notifies the hook's topic with the lifecycle message and applies the default result at the heartbeat timeout", async () => {
        const region = fixedRegion();
        const deployed = await steadyCluster(region, {
            hook: { heartbeatTimeout: 300, defaultResult: "CONTINUE" },
        });
        const instance = onlyInstance(region, deployed);
        const start = region.clock.now();
        terminate(region, instance.instanceId);
        await region.run(400);
        assert.deepEqual(states(region, instance.instanceId, start), [
            [0, "Terminating:Wait"],
            [300, "Terminating:Proceed"],
            [330, "Terminated"],
        ]);
        const message = notifications(region)[1];
        assert.deepEqual(
            { ...message, RequestId: "…", LifecycleActionToken: "…" },
            {
                Origin: "AutoScalingGroup",
                Destination: "EC2",
                LifecycleHookName: deployed.hookName,
                AccountId: "123456789012",
                RequestId: "…",
                LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
                AutoScalingGroupName: deployed.groupName,
                Service: "AWS Auto Scaling",
                Time: new Date(start).toISOString(),
                EC2InstanceId: instance.instanceId,
                LifecycleActionToken: "…",
            },
        );
        assert.match(
            String(message.LifecycleActionToken),
            /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        );
        assert.deepEqual(
            region
                .invariants()
                .terminatingWaitPastDeadline.map((m) => [m.instanceId, m.deadline, m.waitedSeconds]),
            [[instance.instanceId, "heartbeat", 300]],
        );
    });

    it("extends the wait by the heartbeat timeout on RecordLifecycleActionHeartbeat", async () => {
        const region = fixedRegion();
        const deployed = await steadyCluster(region, { hook: { heartbeatTimeout: 300 } });
        const instance = onlyInstance(region, deployed);
        const start = region.clock.now();
        terminate(region, instance.instanceId);
        await region.run(200);
        region.admin("autoscaling", "RecordLifecycleActionHeartbeat", {
            AutoScalingGroupName: deployed.groupName,
            LifecycleHookName: deployed.hookName,
            InstanceId: instance.instanceId,
        });
        await region.run(400);
        assert.deepEqual(states(region, instance.instanceId, start), [
            [0, "Terminating:Wait"],
            [500, "Terminating:Proceed"],
            [530, "Terminated"],
        ]);
    });

    it("ends the wait at the global timeout, min(48 h, 100 × heartbeat), however often it heartbeats", async () => {
        const region = fixedRegion();
        const deployed = await steadyCluster(region, { hook: { heartbeatTimeout: 30 } });
        const instance = onlyInstance(region, deployed);
        const start = region.clock.now();
        terminate(region, instance.instanceId);
        const beat = () =>
            region.admin("autoscaling", "RecordLifecycleActionHeartbeat", {
                AutoScalingGroupName: deployed.groupName,
                LifecycleHookName: deployed.hookName,
                InstanceId: instance.instanceId,
            });
        for (let t = 20; t < 3000; t += 20) {
            await region.run(20);
            beat();
        }
        await region.run(20);
        assert.equal(states(region, instance.instanceId, start)[1][0], 3000);
        assert.equal(region.invariants().terminatingWaitPastDeadline[0].deadline, "global");
        fails(
            beat,
            "ValidationError",
            `No active Lifecycle Action found with instance ID ${instance.instanceId}`,
        );
        const hooks = region.admin("autoscaling", "DescribeLifecycleHooks", {
            AutoScalingGroupName: deployed.groupName,
        }) as {
            LifecycleHooks: { GlobalTimeout: number; HeartbeatTimeout: number }[];
        };
        assert.deepEqual(
            [hooks.LifecycleHooks[0].HeartbeatTimeout, hooks.LifecycleHooks[0].GlobalTimeout],
            [30, 3000],
        );
    });

    it("proceeds on CompleteLifecycleAction CONTINUE and rejects a second completion with ValidationError", async () => {
        const region = fixedRegion();
        const deployed = await steadyCluster(region, { hook: { heartbeatTimeout: 900 } });
        const instance = onlyInstance(region, deployed);
        const start = region.clock.now();
        terminate(region, instance.instanceId);
        await region.run(42);
        const complete = () =>
            region.admin("autoscaling", "CompleteLifecycleAction", {
                AutoScalingGroupName: deployed.groupName,
                LifecycleHookName: deployed.hookName,
                InstanceId: instance.instanceId,
                LifecycleActionResult: "CONTINUE",
            });
        complete();
        await region.run(60);
        assert.deepEqual(states(region, instance.instanceId, start), [
            [0, "Terminating:Wait"],
            [42, "Terminating:Proceed"],
            [72, "Terminated"],
        ]);
        fails(
            complete,
            "ValidationError",
            `No active Lifecycle Action found with instance ID ${instance.instanceId}`,
        );
        assert.deepEqual(region.invariants().terminatingWaitPastDeadline, []);
    });

    it("accepts the action token instead of the instance id", async () => {
        const region = fixedRegion();
        const deployed = await steadyCluster(region, { hook: { heartbeatTimeout: 900 } });
        const instance = onlyInstance(region, deployed);
        terminate(region, instance.instanceId);
        const token = String(notifications(region)[1].LifecycleActionToken);
        region.admin("autoscaling", "CompleteLifecycleAction", {
            AutoScalingGroupName: deployed.groupName,
            LifecycleHookName: deployed.hookName,
            LifecycleActionToken: token,
            LifecycleActionResult: "ABANDON",
        });
        assert.equal(instance.lifecycleState, "Terminating:Proceed");
    });

    it("keeps the instance and its tasks running on ABANDON when the group retains, terminates it otherwise", async () => {
        for (const retain of [true, false]) {
            const region = fixedRegion();
            const deployed = await steadyCluster(region, {
                hook: { heartbeatTimeout: 900 },
                retainOnAbandon: retain,
            });
            const instance = onlyInstance(region, deployed);
            terminate(region, instance.instanceId);
            region.admin("autoscaling", "CompleteLifecycleAction", {
                AutoScalingGroupName: deployed.groupName,
                LifecycleHookName: deployed.hookName,
                InstanceId: instance.instanceId,
                LifecycleActionResult: "ABANDON",
            });
            await region.run(120);
            const tasks = [...region.ecs.state.tasks.values()].filter(
                (t) => t.ec2InstanceId === instance.instanceId,
            );
            if (retain) {
                assert.equal(instance.lifecycleState, "Terminating:Retained");
                assert.equal(region.ec2.get(instance.instanceId)!.state, "running");
                assert.deepEqual(
                    tasks.map((t) => t.lastStatus),
                    ["RUNNING", "RUNNING"],
                );
            } else {
                assert.equal(region.ec2.get(instance.instanceId)!.state, "terminated");
                assert.deepEqual(
                    tasks.map((t) => t.lastStatus),
                    ["STOPPED", "STOPPED"],
                );
            }
        }
    });

    it("terminates at once without a hook, killing the running service tasks", async () => {
        const region = fixedRegion();
        const deployed = await steadyCluster(region);
        const instance = onlyInstance(region, deployed);
        const start = region.clock.now();
        terminate(region, instance.instanceId);
        await region.run(60);
        assert.deepEqual(states(region, instance.instanceId, start), [
            [0, "Terminating"],
            [30, "Terminated"],
        ]);
        assert.equal(region.invariants().tasksKilledByTermination, 2);
        assert.equal(secondsAt(region.invariants().killedTasks[0].at), secondsAt(start));
    });

    it("loses lifecycle notifications at the dropRate fault", async () => {
        const region = fixedRegion({ faults: { dropRate: 1 } });
        await steadyCluster(region, { hook: { heartbeatTimeout: 300 } });
        assert.equal(notifications(region).length, 0);
        assert.equal(region.timeline.filter((e) => e.kind === "autoscaling.notification.dropped").length, 1);
    });

    it("validates the heartbeat timeout range", async () => {
        const region = fixedRegion();
        const deployed = await steadyCluster(region);
        assert.throws(
            () =>
                region.admin("autoscaling", "PutLifecycleHook", {
                    AutoScalingGroupName: deployed.groupName,
                    LifecycleHookName: "h",
                    LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
                    HeartbeatTimeout: 10,
                }),
            (e: unknown) =>
                e instanceof AwsError &&
                e.code === "ValidationError" &&
                /HeartbeatTimeout: expected an integer from 30 to 7200/.test(e.message),
        );
    });
});
