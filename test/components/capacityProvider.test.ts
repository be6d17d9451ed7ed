import * as aws from "@pulumi/aws";
import assert from "node:assert/strict";
import { ManagedCapacity } from "../../components/capacityProvider";
import { named, ofType, settle, startMocks, valueOf, type MockRun } from "../../scripts/mockSynthesis";
import { MANAGED_CAPACITY_DEFAULTS, type ManagedCapacitySettings } from "../../stack/capacityProvider";

const GROUP_ARN =
    "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/ecs-asg-physical";
const ALERTS = "arn:aws:sns:us-east-1:123456789012:alerts";

async function synthesize(
    settings: ManagedCapacitySettings = MANAGED_CAPACITY_DEFAULTS,
): Promise<{ run: MockRun; component: ManagedCapacity }> {
    const run = await startMocks();
    const component = new ManagedCapacity("capacity", {
        settings,
        clusterName: "ecs-lifecycle-prod",
        cluster: "ecs-lifecycle-prod",
        autoScalingGroupArn: GROUP_ARN,
        autoScalingGroupName: "ecs-asg-physical",
        alertsTopicArn: ALERTS,
        tags: { team: "platform" },
    });
    await settle(run);
    return { run, component };
}

describe("ManagedCapacity", () => {
    it("declares the group's capacity provider with managed scaling, termination protection and draining", async () => {
        const { run } = await synthesize({
            ...MANAGED_CAPACITY_DEFAULTS,
            targetCapacity: 90,
            maximumScalingStepSize: 20,
            instanceWarmupPeriod: 180,
        });
        const provider = named(run, "aws:ecs/capacityProvider:CapacityProvider", "capacity-provider");
        assert.equal(provider.inputs.name, "cp-ecs-lifecycle-prod", "ECS refuses names starting with ecs");
        assert.deepEqual(provider.inputs.autoScalingGroupProvider, {
            autoScalingGroupArn: GROUP_ARN,
            managedScaling: {
                status: "ENABLED",
                targetCapacity: 90,
                minimumScalingStepSize: 1,
                maximumScalingStepSize: 20,
                instanceWarmupPeriod: 180,
            },
            managedTerminationProtection: "ENABLED",
            managedDraining: "ENABLED",
        });
        assert.equal(provider.inputs.tags.team, "platform");
    });

    it("makes it the cluster's default strategy, and hands services its name only through that association", async () => {
        const { run, component } = await synthesize();
        const association = named(
            run,
            "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
            "capacity-association",
        );
        assert.equal(association.inputs.clusterName, "ecs-lifecycle-prod");
        assert.deepEqual(association.inputs.capacityProviders, ["cp-ecs-lifecycle-prod"]);
        assert.deepEqual(association.inputs.defaultCapacityProviderStrategies, [
            { capacityProvider: "cp-ecs-lifecycle-prod", base: 0, weight: 1 },
        ]);
        assert.equal(await valueOf(component.capacityProviderName), "cp-ecs-lifecycle-prod");
        // What a service with a strategy naming the provider waits for: the association, not just the provider.
        new aws.ecs.Service("svc", {
            capacityProviderStrategies: [{ capacityProvider: component.capacityProviderName, weight: 1 }],
        });
        await settle(run);
        assert.ok(
            named(run, "aws:ecs/service:Service", "svc").dependencies.includes(association.urn),
            "a service placed through the provider is created after the cluster's association",
        );
    });

    it("tells a person when ECS's loops fall behind: tasks waiting for instances, a drain over an hour", async () => {
        const { run } = await synthesize({ ...MANAGED_CAPACITY_DEFAULTS, targetCapacity: 90 });
        const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.deepEqual(alarms.map((a) => a.name).sort(), [
            "capacity-drain-long",
            "capacity-reservation-high",
        ]);
        const high = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "capacity-reservation-high").inputs;
        assert.deepEqual(
            [high.namespace, high.metricName, high.dimensions, high.statistic, high.period],
            [
                "AWS/ECS/ManagedScaling",
                "CapacityProviderReservation",
                { ClusterName: "ecs-lifecycle-prod", CapacityProviderName: "cp-ecs-lifecycle-prod" },
                "Minimum",
                60,
            ],
        );
        assert.deepEqual(
            [high.threshold, high.comparisonOperator, high.evaluationPeriods, high.datapointsToAlarm],
            [90, "GreaterThanThreshold", 15, 15],
            "above the target in every one of 15 minutes",
        );
        const long = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "capacity-drain-long").inputs;
        assert.deepEqual(
            [long.namespace, long.metricName, long.dimensions, long.threshold, long.evaluationPeriods],
            [
                "AWS/AutoScaling",
                "GroupTerminatingInstances",
                { AutoScalingGroupName: "ecs-asg-physical" },
                1,
                60,
            ],
        );
        for (const alarm of alarms) {
            assert.deepEqual(
                [alarm.inputs.alarmActions, alarm.inputs.okActions],
                [[ALERTS], [ALERTS]],
                alarm.name,
            );
            assert.equal(alarm.inputs.treatMissingData, "notBreaching", alarm.name);
            assert.match(alarm.inputs.alarmDescription, /README runbook/, alarm.name);
        }
    });

    it("refuses settings AWS would, naming the field", async () => {
        await startMocks();
        assert.throws(
            () =>
                new ManagedCapacity("capacity", {
                    settings: { ...MANAGED_CAPACITY_DEFAULTS, instanceWarmupPeriod: 10_001 },
                    clusterName: "c",
                    cluster: "c",
                    autoScalingGroupArn: GROUP_ARN,
                    autoScalingGroupName: "g",
                    alertsTopicArn: ALERTS,
                    tags: {},
                }),
            new Error(
                "ManagedCapacity: settings.instanceWarmupPeriod: expected an integer from 0 to 10000, got 10001",
            ),
        );
    });
});
