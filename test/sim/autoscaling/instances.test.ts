import assert from "node:assert/strict";
import type { Region } from "../../../sim/region";
import { captureEvents, fixedRegion, secondsAt } from "../coreScenario";

function mixedGroup(region: Region): void {
    region.admin("ecs", "CreateCluster", { clusterName: "c" });
    const lt = region.ec2.createLaunchTemplate("lt", "ami-0aaa", "m5.large", "c");
    region.admin("autoscaling", "CreateAutoScalingGroup", {
        AutoScalingGroupName: "g",
        MinSize: 0,
        MaxSize: 4,
        DesiredCapacity: 2,
        AvailabilityZones: ["us-east-1a", "us-east-1b"],
        MixedInstancesPolicy: {
            LaunchTemplate: {
                LaunchTemplateSpecification: { LaunchTemplateId: lt.id, Version: "1" },
                Overrides: [{ InstanceType: "m5.large" }, { InstanceType: "c5.large" }],
            },
            InstancesDistribution: { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 0 },
        },
    });
}

function groupInstances(region: Region) {
    return [...region.autoscaling.groups.get("g")!.instances.values()];
}

describe("sim/autoscaling instances", () => {
    it("launches the on-demand base on the first type and Spot above it on the cheapest", async () => {
        const region = fixedRegion();
        mixedGroup(region);
        await region.run(120);
        assert.deepEqual(
            groupInstances(region).map((i) => [
                i.market,
                i.instanceType,
                i.availabilityZone,
                i.lifecycleState,
            ]),
            [
                ["on-demand", "m5.large", "us-east-1a", "InService"],
                ["spot", "c5.large", "us-east-1b", "InService"],
            ],
        );
    });

    it("interrupts a Spot instance: warning event, ECS draining, termination two minutes later, replacement", async () => {
        const region = fixedRegion();
        const events = captureEvents(region);
        mixedGroup(region);
        await region.run(120);
        const spot = groupInstances(region).find((i) => i.market === "spot")!;
        const warnedAt = secondsAt(region.clock.now());
        region.ec2.interruptSpot(spot.instanceId);
        const warning = events.find((e) => e.detailType === "EC2 Spot Instance Interruption Warning")!;
        assert.equal(warning.source, "aws.ec2");
        assert.deepEqual(warning.detail, { "instance-id": spot.instanceId, "instance-action": "terminate" });
        assert.equal(region.ecs.state.instanceByEc2Id(spot.instanceId)!.status, "DRAINING");
        await region.run(300);
        const terminating = region.timeline.find(
            (e) => e.kind === "instance.terminating" && e.detail.instanceId === spot.instanceId,
        )!;
        assert.equal(secondsAt(terminating.at) - warnedAt, 120);
        assert.equal(region.ecs.state.instanceByEc2Id(spot.instanceId)!.status, "INACTIVE");
        const now = groupInstances(region);
        assert.equal(now.length, 2);
        assert.ok(!now.some((i) => i.instanceId === spot.instanceId));
        assert.deepEqual(now.map((i) => i.market).sort(), ["on-demand", "spot"]);
    });

    it("instances hit by the neverRegisterRate fault run and go InService but never join the cluster", async () => {
        const region = fixedRegion({ faults: { neverRegisterRate: 1 } });
        mixedGroup(region);
        await region.run(120);
        assert.deepEqual(
            groupInstances(region).map((i) => i.lifecycleState),
            ["InService", "InService"],
        );
        assert.equal(region.ecs.state.containerInstances.size, 0);
    });

    it("holds a launch in Pending:Wait under a LAUNCHING hook until it is completed", async () => {
        const region = fixedRegion();
        mixedGroup(region);
        region.admin("autoscaling", "PutLifecycleHook", {
            AutoScalingGroupName: "g",
            LifecycleHookName: "warm",
            LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
            HeartbeatTimeout: 120,
        });
        await region.run(90);
        const [first, second] = groupInstances(region);
        assert.deepEqual([first.lifecycleState, second.lifecycleState], ["Pending:Wait", "Pending:Wait"]);
        region.admin("autoscaling", "CompleteLifecycleAction", {
            AutoScalingGroupName: "g",
            LifecycleHookName: "warm",
            InstanceId: first.instanceId,
            LifecycleActionResult: "CONTINUE",
        });
        assert.equal(first.lifecycleState, "InService");
        // The other one reaches the default result (ABANDON) at the heartbeat timeout and is terminated.
        await region.run(120);
        assert.equal(region.ec2.get(second.instanceId)!.state, "terminated");
        assert.equal(groupInstances(region).length, 2);
    });
});
