import assert from "node:assert/strict";
import { AwsError } from "../../../sim/errors";
import { deployCluster } from "../../../sim/harness";
import type { Region } from "../../../sim/region";
import { fixedRegion } from "../coreScenario";

function setUp(desired = 2) {
    const region = fixedRegion();
    const deployed = deployCluster(region, {
        clusterName: "c",
        instanceType: "m5.large",
        instanceCount: desired,
        maxSize: 10,
    });
    const group = region.autoscaling.groups.get(deployed.groupName)!;
    const put = (input: Record<string, unknown>) =>
        (
            region.admin("autoscaling", "PutScalingPolicy", {
                AutoScalingGroupName: group.name,
                ...input,
            }) as { PolicyARN: string }
        ).PolicyARN;
    return { region, group, put };
}

function code(fn: () => unknown): string | undefined {
    try {
        fn();
        return undefined;
    } catch (e) {
        return e instanceof AwsError ? `${e.code}: ${e.message}` : String(e);
    }
}

function scalings(region: Region): [number, number][] {
    return region.timeline
        .filter((e) => e.kind === "autoscaling.scaling")
        .map((e) => [Number(e.detail.from), Number(e.detail.to)]);
}

describe("sim/autoscaling scaling policies", () => {
    it("simple scaling waits out its cooldown between alarm executions", async () => {
        const { region, group, put } = setUp();
        const arn = put({
            PolicyName: "out",
            PolicyType: "SimpleScaling",
            AdjustmentType: "ChangeInCapacity",
            ScalingAdjustment: 2,
            Cooldown: 300,
        });
        region.autoscaling.executePolicyByArn(arn, 0.5);
        assert.equal(group.desiredCapacity, 4);
        await region.run(60);
        region.autoscaling.executePolicyByArn(arn, 0.5);
        assert.equal(group.desiredCapacity, 4);
        assert.equal(region.timeline.filter((e) => e.kind === "autoscaling.scaling.cooldown").length, 1);
        await region.run(241);
        region.autoscaling.executePolicyByArn(arn, 0.5);
        assert.equal(group.desiredCapacity, 6);
        assert.deepEqual(scalings(region), [
            [2, 4],
            [4, 6],
        ]);
    });

    it("ExecutePolicy honours the cooldown only when asked to", () => {
        const { region, group, put } = setUp();
        put({ PolicyName: "out", AdjustmentType: "ChangeInCapacity", ScalingAdjustment: 1 });
        const execute = (honor: boolean) =>
            region.admin("autoscaling", "ExecutePolicy", {
                AutoScalingGroupName: group.name,
                PolicyName: "out",
                HonorCooldown: honor,
            });
        execute(true);
        assert.match(
            code(() => execute(true))!,
            /^ScalingActivityInProgress: /,
        );
        execute(false);
        assert.equal(group.desiredCapacity, 4);
    });

    it("step scaling picks the step by the breach above the threshold and does not repeat itself during warmup", async () => {
        const { region, group, put } = setUp();
        const arn = put({
            PolicyName: "steps",
            PolicyType: "StepScaling",
            AdjustmentType: "ChangeInCapacity",
            EstimatedInstanceWarmup: 300,
            StepAdjustments: [
                { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
                { MetricIntervalLowerBound: 10, ScalingAdjustment: 3 },
            ],
        });
        await region.run(500);
        region.autoscaling.executePolicyByArn(arn, 55, 50);
        assert.equal(group.desiredCapacity, 3);
        // Only the two instances past their warmup count: 2 + 3 = 5, not 3 + 3.
        region.autoscaling.executePolicyByArn(arn, 65, 50);
        assert.equal(group.desiredCapacity, 5);
        region.autoscaling.executePolicyByArn(arn, 45, 50);
        assert.equal(group.desiredCapacity, 5);
        await region.run(500);
        region.autoscaling.executePolicyByArn(arn, 65, 50);
        assert.equal(group.desiredCapacity, 8);
    });

    it("rounds small percentage changes away from zero and clamps to the group's bounds", () => {
        const { region, group, put } = setUp(3);
        const pct = put({
            PolicyName: "pct",
            AdjustmentType: "PercentChangeInCapacity",
            ScalingAdjustment: 10,
        });
        const exact = put({ PolicyName: "exact", AdjustmentType: "ExactCapacity", ScalingAdjustment: 50 });
        region.admin("autoscaling", "ExecutePolicy", { PolicyName: pct });
        assert.equal(group.desiredCapacity, 4);
        region.admin("autoscaling", "ExecutePolicy", { PolicyName: exact });
        assert.equal(group.desiredCapacity, 10);
    });

    it("SetDesiredCapacity refuses values outside min and max with Auto Scaling's message", () => {
        const { region, group } = setUp();
        assert.equal(
            code(() =>
                region.admin("autoscaling", "SetDesiredCapacity", {
                    AutoScalingGroupName: group.name,
                    DesiredCapacity: 11,
                }),
            ),
            "ValidationError: New SetDesiredCapacity value 11 is above max value 10 for the AutoScalingGroup.",
        );
    });

    it("launches toward desired capacity into the AZ with the fewest instances, and scales in", async () => {
        const { region, group } = setUp(0);
        region.admin("autoscaling", "SetDesiredCapacity", {
            AutoScalingGroupName: group.name,
            DesiredCapacity: 5,
        });
        await region.run(120);
        const azs = [...group.instances.values()].map((i) => i.availabilityZone).sort();
        assert.deepEqual(azs, ["us-east-1a", "us-east-1a", "us-east-1b", "us-east-1b", "us-east-1c"]);
        assert.ok([...group.instances.values()].every((i) => i.lifecycleState === "InService"));
        region.admin("autoscaling", "SetDesiredCapacity", {
            AutoScalingGroupName: group.name,
            DesiredCapacity: 2,
        });
        await region.run(120);
        assert.deepEqual([...group.instances.values()].map((i) => i.availabilityZone).sort(), [
            "us-east-1b",
            "us-east-1c",
        ]);
    });

    it("counts a scale-out reversed within the window as one oscillation", async () => {
        const { region, group, put } = setUp();
        const out = put({
            PolicyName: "out",
            AdjustmentType: "ChangeInCapacity",
            ScalingAdjustment: 1,
            Cooldown: 60,
        });
        const scaleIn = put({
            PolicyName: "in",
            AdjustmentType: "ChangeInCapacity",
            ScalingAdjustment: -1,
            Cooldown: 60,
        });
        region.autoscaling.executePolicyByArn(out, 0);
        await region.run(120);
        region.autoscaling.executePolicyByArn(scaleIn, 0);
        await region.run(1000);
        region.autoscaling.executePolicyByArn(out, 0);
        const report = region.invariants();
        assert.equal(report.scalingOscillations, 1);
        assert.equal(report.oscillations[0].groupName, group.name);
        assert.equal(report.oscillations[0].firstDirection, "out");
    });
});
