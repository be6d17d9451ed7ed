import assert from "node:assert/strict";
import {
    containerInstanceStatus,
    drainLogs,
    startDrainRun,
    timelineOf,
    type DrainRun,
    webCluster,
} from "./drainScenario";

const OTHER_GROUP = "spot-other-asg";

describe("drain pipeline: a Spot interruption of an instance outside the group", () => {
    let run: DrainRun;
    let outsider: string;
    let drainingBeforeTermination: string | undefined;
    before(async () => {
        run = await startDrainRun({
            seed: 47,
            spot: true,
            scenario: webCluster("spotmix"),
        });
        const region = run.harness.region;
        region.ecs.agentSpotDraining = false;
        // Another group whose instances join the same cluster: ECS alone cannot tell them apart.
        region.admin("autoscaling", "CreateAutoScalingGroup", {
            AutoScalingGroupName: OTHER_GROUP,
            MinSize: 0,
            MaxSize: 1,
            DesiredCapacity: 1,
            AvailabilityZones: ["us-east-1a"],
            MixedInstancesPolicy: {
                LaunchTemplate: {
                    LaunchTemplateSpecification: {
                        LaunchTemplateId: run.deployed.launchTemplateId,
                        Version: "1",
                    },
                    Overrides: [{ InstanceType: "m5.large" }],
                },
                InstancesDistribution: { OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 0 },
            },
        });
        const other = region.autoscaling.groups.get(OTHER_GROUP)!;
        await region.runUntil(() => {
            const [id] = other.instances.keys();
            return id !== undefined && containerInstanceStatus(run, id) === "ACTIVE";
        }, 600);
        [outsider] = other.instances.keys();
        region.ec2.interruptSpot(outsider);
        await region.run(100);
        drainingBeforeTermination = containerInstanceStatus(run, outsider);
        await region.run(300);
    });
    after(() => run.harness.stop());

    it("is a Spot instance registered in the same cluster", () => {
        assert.equal(run.harness.region.ec2.get(outsider)!.market, "spot");
        assert.equal(
            timelineOf(run, "ecs.instance.registered").filter((e) => e.detail.ec2InstanceId === outsider)
                .length,
            1,
        );
    });

    it("is ignored with a log line naming the group it is in", () => {
        const lines = drainLogs(run).filter((line) => line.instanceId === outsider);
        assert.deepEqual(lines, [
            {
                level: "info",
                message: "drain request ignored",
                reason: `instance ${outsider} is in group ${OTHER_GROUP}, not in ${run.deployed.groupName}`,
                kind: "external",
                source: "spot-interruption",
                instanceId: outsider,
            },
        ]);
    });

    it("is never set DRAINING by the pipeline, and no instance of the group is touched", () => {
        assert.equal(drainingBeforeTermination, "ACTIVE");
        assert.deepEqual(
            timelineOf(run, "ecs.instance.status").filter((e) => e.detail.status === "DRAINING"),
            [],
        );
        assert.deepEqual(run.harness.region.apiCalls().ecs, undefined);
    });
});
