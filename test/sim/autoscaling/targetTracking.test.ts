import assert from "node:assert/strict";
import { targetTrackingDecision } from "../../../sim/autoscaling/targetTracking";
import type { TargetTrackingState } from "../../../sim/autoscaling/state";
import type { Region } from "../../../sim/region";
import { fixedRegion } from "../coreScenario";

/** A group of `count` InService instances, launched at the start of the run. */
async function groupOf(count: number): Promise<{ region: Region; name: string }> {
    const region = fixedRegion();
    region.admin("ecs", "CreateCluster", { clusterName: "c" });
    const template = region.ec2.createLaunchTemplate("lt", "ami-0aaaaaaaaaaaaaaa1", "m5.large", "c");
    region.admin("autoscaling", "CreateAutoScalingGroup", {
        AutoScalingGroupName: "g",
        MinSize: 0,
        MaxSize: 20,
        DesiredCapacity: count,
        AvailabilityZones: ["us-east-1a"],
        LaunchTemplate: { LaunchTemplateId: template.id, Version: "1" },
    });
    await region.run(120);
    return { region, name: "g" };
}

const tracking = (overrides: Partial<TargetTrackingState> = {}): TargetTrackingState => ({
    targetValue: 100,
    namespace: "AWS/ECS/ManagedScaling",
    metricName: "CapacityProviderReservation",
    dimensions: [],
    statistic: "Average",
    instanceWarmupSeconds: 300,
    alarms: [],
    ...overrides,
});

describe("sim/autoscaling target tracking for ECS managed scaling", () => {
    it("scales out from zero to two on 200 %, as from a capacity of one", async () => {
        const { region, name } = await groupOf(0);
        const group = region.autoscaling.groups.get(name)!;
        assert.deepEqual(targetTrackingDecision(group, tracking(), 200, region.clock.now()), { desired: 2 });
    });

    it("scales out in proportion once no instance is within its warm-up, and not before", async () => {
        const { region, name } = await groupOf(4);
        const group = region.autoscaling.groups.get(name)!;
        const launched = Math.max(...[...group.instances.values()].map((i) => i.launchedAt));
        assert.deepEqual(targetTrackingDecision(group, tracking(), 150, launched + 299_000), {
            skipped: "warmup",
        });
        assert.deepEqual(targetTrackingDecision(group, tracking(), 150, launched + 300_000), { desired: 6 });
        // A target below 100 keeps spare instances: 3 of 4 busy at a 50 % target wants 6.
        assert.deepEqual(
            targetTrackingDecision(group, tracking({ targetValue: 50 }), 75, launched + 300_000),
            {
                desired: 6,
            },
        );
    });

    it("scales in by at least one and at most half the group a minute, never within 15 minutes of a scale-out", async () => {
        const { region, name } = await groupOf(8);
        const group = region.autoscaling.groups.get(name)!;
        const now = region.clock.now();
        assert.deepEqual(targetTrackingDecision(group, tracking(), 0, now), { desired: 4 });
        assert.deepEqual(targetTrackingDecision(group, tracking(), 75, now), { desired: 6 });
        assert.deepEqual(targetTrackingDecision(group, tracking(), 95, now), { skipped: "atTarget" });
        assert.deepEqual(
            targetTrackingDecision(group, tracking({ lastScaleOutAt: now - 14 * 60_000 }), 0, now),
            {
                skipped: "afterScaleOut",
            },
        );
        assert.deepEqual(
            targetTrackingDecision(group, tracking({ lastScaleOutAt: now - 15 * 60_000 }), 0, now),
            {
                desired: 4,
            },
        );
    });
});
