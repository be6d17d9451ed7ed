import assert from "node:assert/strict";
import { AwsError } from "../../../sim/errors";
import { SimHarness, type DeployedCluster } from "../../../sim/harness";
import { HIGH_ALARM, LOW_ALARM } from "../../../sim/autoscaling/targetTracking";
import { MANAGED_DRAINING_HOOK } from "../../../sim/ecs/managedDraining";
import type { Region } from "../../../sim/region";
import { createManagedService, runningCount, startManagedRun, type ManagedRun } from "./managedScenario";
import { FIXED_TIMINGS } from "../coreScenario";

function rejects(call: () => unknown, code: string, message?: RegExp): void {
    assert.throws(call, (error: unknown) => {
        assert.ok(error instanceof AwsError, String(error));
        assert.equal(error.code, code);
        if (message) assert.match(error.message, message);
        return true;
    });
}

async function emptyCluster(): Promise<{
    harness: SimHarness;
    region: Region;
    deployed: DeployedCluster;
    groupArn: string;
}> {
    const harness = await SimHarness.start({ seed: 11, timings: FIXED_TIMINGS });
    const deployed = harness.deploy({
        clusterName: "plain",
        instanceType: "m5.large",
        instanceCount: 0,
        maxSize: 4,
    });
    const groupArn = harness.region.autoscaling.groups.get(deployed.groupName)!.arn;
    return { harness, region: harness.region, deployed, groupArn };
}

describe("sim: the capacity provider API", () => {
    let harness: SimHarness | undefined;
    afterEach(async () => harness?.stop());

    it("creates a provider with AWS's defaults and refuses what ECS refuses", async () => {
        const cluster = await emptyCluster();
        harness = cluster.harness;
        const { region, groupArn } = cluster;
        rejects(
            () =>
                region.admin("ecs", "CreateCapacityProvider", {
                    name: "cp",
                    autoScalingGroupProvider: {
                        autoScalingGroupArn: groupArn,
                        managedScaling: { status: "ENABLED" },
                        managedTerminationProtection: "ENABLED",
                    },
                }),
            "InvalidParameterException",
            /the Auto Scaling group must have instance protection from scale in enabled/,
        );
        for (const name of ["ecs-cp", "AWSome", "fargate1"]) {
            rejects(
                () =>
                    region.admin("ecs", "CreateCapacityProvider", {
                        name,
                        autoScalingGroupProvider: { autoScalingGroupArn: groupArn },
                    }),
                "InvalidParameterException",
                /can't begin with aws, ecs or fargate/,
            );
        }
        rejects(
            () =>
                region.admin("ecs", "CreateCapacityProvider", {
                    name: "cp",
                    autoScalingGroupProvider: {
                        autoScalingGroupArn: groupArn,
                        managedScaling: {
                            status: "ENABLED",
                            minimumScalingStepSize: 5,
                            maximumScalingStepSize: 2,
                        },
                    },
                }),
            "InvalidParameterException",
            /minimumScalingStepSize/,
        );
        const { capacityProvider } = region.admin("ecs", "CreateCapacityProvider", {
            name: "cp",
            autoScalingGroupProvider: {
                autoScalingGroupArn: groupArn,
                managedScaling: { status: "ENABLED" },
            },
        }) as { capacityProvider: Record<string, unknown> };
        assert.deepEqual(capacityProvider.autoScalingGroupProvider, {
            autoScalingGroupArn: groupArn,
            managedScaling: {
                status: "ENABLED",
                targetCapacity: 100,
                minimumScalingStepSize: 1,
                maximumScalingStepSize: 10_000,
                instanceWarmupPeriod: 300,
            },
            managedTerminationProtection: "DISABLED",
            managedDraining: "ENABLED",
        });
        rejects(
            () =>
                region.admin("ecs", "CreateCapacityProvider", {
                    name: "cp",
                    autoScalingGroupProvider: { autoScalingGroupArn: groupArn },
                }),
            "ClientException",
            /already exists/,
        );
        rejects(
            () =>
                region.admin("ecs", "CreateCapacityProvider", {
                    name: "cp2",
                    autoScalingGroupProvider: { autoScalingGroupArn: groupArn },
                }),
            "ClientException",
            /already used by another capacity provider/,
        );
    });

    it("describes providers with AWS's own Fargate ones, by name or ARN, page by page", async () => {
        const run = await startManagedRun({});
        harness = run.harness;
        const { region } = run;
        const all = region.admin("ecs", "DescribeCapacityProviders", {}) as {
            capacityProviders: { name: string }[];
        };
        assert.deepEqual(
            all.capacityProviders.map((p) => p.name),
            ["FARGATE", "FARGATE_SPOT", run.managed.capacityProviderName],
        );
        const some = region.admin("ecs", "DescribeCapacityProviders", {
            capacityProviders: [run.managed.capacityProviderArn, "nope"],
            maxResults: 1,
        }) as { capacityProviders: { name: string }[]; failures: unknown[]; nextToken?: string };
        assert.deepEqual(
            some.capacityProviders.map((p) => p.name),
            [run.managed.capacityProviderName],
        );
        assert.deepEqual(some.failures, [{ arn: "nope", reason: "MISSING" }]);
        assert.equal(some.nextToken, undefined);
        const paged = region.admin("ecs", "DescribeCapacityProviders", { maxResults: 2 }) as {
            nextToken?: string;
        };
        assert.ok(paged.nextToken);
    });

    it("associates a provider: ECS's policy, its two alarms and the hook appear, and go when it is removed", async () => {
        const run = await startManagedRun({});
        harness = run.harness;
        const { region } = run;
        const { clusters } = region.admin("ecs", "DescribeClusters", { clusters: ["managed"] }) as {
            clusters: Record<string, unknown>[];
        };
        assert.deepEqual(clusters[0].capacityProviders, [run.managed.capacityProviderName]);
        assert.deepEqual(clusters[0].defaultCapacityProviderStrategy, [
            { capacityProvider: run.managed.capacityProviderName, base: 0, weight: 1 },
        ]);
        const { ScalingPolicies } = region.admin("autoscaling", "DescribePolicies", {
            AutoScalingGroupName: run.deployed.groupName,
        }) as { ScalingPolicies: Record<string, unknown>[] };
        assert.equal(ScalingPolicies.length, 1);
        assert.equal(ScalingPolicies[0].PolicyType, "TargetTrackingScaling");
        assert.deepEqual(ScalingPolicies[0].TargetTrackingConfiguration, {
            CustomizedMetricSpecification: {
                MetricName: "CapacityProviderReservation",
                Namespace: "AWS/ECS/ManagedScaling",
                Dimensions: [
                    { Name: "CapacityProviderName", Value: run.managed.capacityProviderName },
                    { Name: "ClusterName", Value: "managed" },
                ],
                Statistic: "Average",
            },
            TargetValue: 100,
            DisableScaleIn: false,
        });
        const { MetricAlarms } = region.admin("monitoring", "DescribeAlarms", {
            AlarmNames: [...run.managed.alarmNames],
        }) as { MetricAlarms: Record<string, unknown>[] };
        assert.deepEqual(
            MetricAlarms.map((a) => [
                a.ComparisonOperator,
                a.Threshold,
                a.Period,
                a.EvaluationPeriods,
                a.DatapointsToAlarm,
            ]),
            [
                ["GreaterThanThreshold", 100, 60, HIGH_ALARM.evaluationPeriods, HIGH_ALARM.datapointsToAlarm],
                ["LessThanThreshold", 100, 60, LOW_ALARM.evaluationPeriods, LOW_ALARM.datapointsToAlarm],
            ],
        );
        assert.deepEqual([HIGH_ALARM.datapointsToAlarm, LOW_ALARM.datapointsToAlarm], [1, 15]);
        rejects(
            () =>
                region.admin("autoscaling", "ExecutePolicy", {
                    AutoScalingGroupName: run.deployed.groupName,
                    PolicyName: String(ScalingPolicies[0].PolicyName),
                }),
            "ValidationError",
            /target tracking/,
        );

        region.admin("ecs", "PutClusterCapacityProviders", {
            cluster: "managed",
            capacityProviders: [],
            defaultCapacityProviderStrategy: [],
        });
        const after = region.admin("autoscaling", "DescribePolicies", {
            AutoScalingGroupName: run.deployed.groupName,
        }) as { ScalingPolicies: unknown[] };
        assert.deepEqual(after.ScalingPolicies, []);
        const alarmsAfter = region.admin("monitoring", "DescribeAlarms", {
            AlarmNames: [...run.managed.alarmNames],
        }) as { MetricAlarms: unknown[] };
        assert.deepEqual(alarmsAfter.MetricAlarms, []);
        const hooks = region.admin("autoscaling", "DescribeLifecycleHooks", {
            AutoScalingGroupName: run.deployed.groupName,
        }) as { LifecycleHooks: { LifecycleHookName: string }[] };
        assert.ok(!hooks.LifecycleHooks.some((h) => h.LifecycleHookName === MANAGED_DRAINING_HOOK.name));
    });

    it("checks strategies: associated providers only, not with a launch type, and not removed while in use", async () => {
        const run: ManagedRun = await startManagedRun({});
        harness = run.harness;
        const { region } = run;
        const web = createManagedService(run, "web", { desiredCount: 1 });
        const described = (
            region.admin("ecs", "DescribeServices", { cluster: "managed", services: [web] }) as {
                services: Record<string, unknown>[];
            }
        ).services[0];
        assert.equal(described.launchType, undefined);
        assert.deepEqual(described.capacityProviderStrategy, [
            { capacityProvider: run.managed.capacityProviderName, base: 0, weight: 1 },
        ]);
        rejects(
            () =>
                region.admin("ecs", "RunTask", {
                    cluster: "managed",
                    taskDefinition: "web",
                    launchType: "EC2",
                    capacityProviderStrategy: [
                        { capacityProvider: run.managed.capacityProviderName, weight: 1 },
                    ],
                }),
            "InvalidParameterException",
            /Specifying both a launch type and capacity provider strategy is not supported/,
        );
        rejects(
            () =>
                region.admin("ecs", "RunTask", {
                    cluster: "managed",
                    taskDefinition: "web",
                    capacityProviderStrategy: [{ capacityProvider: "elsewhere", weight: 1 }],
                }),
            "InvalidParameterException",
            /not associated with the cluster/,
        );
        rejects(
            () =>
                region.admin("ecs", "PutClusterCapacityProviders", {
                    cluster: "managed",
                    capacityProviders: [],
                    defaultCapacityProviderStrategy: [],
                }),
            "ResourceInUseException",
        );
        assert.ok(await region.runUntil(() => runningCount(region, web) === 1, 900));
        const { containerInstances } = region.admin("ecs", "DescribeContainerInstances", {
            cluster: "managed",
            containerInstances: region.ecs.state.instancesOf(run.deployed.clusterArn).map((ci) => ci.arn),
        }) as { containerInstances: { capacityProviderName?: string }[] };
        assert.ok(
            containerInstances.every((ci) => ci.capacityProviderName === run.managed.capacityProviderName),
        );
    });

    it("sets scale-in protection on up to 50 instances of the group, as SetInstanceProtection does", async () => {
        const cluster = await emptyCluster();
        harness = cluster.harness;
        const { region, deployed } = cluster;
        region.admin("autoscaling", "SetDesiredCapacity", {
            AutoScalingGroupName: deployed.groupName,
            DesiredCapacity: 2,
        });
        await region.run(120);
        const group = region.autoscaling.groups.get(deployed.groupName)!;
        const [first, second] = [...group.instances.keys()];
        region.admin("autoscaling", "SetInstanceProtection", {
            AutoScalingGroupName: deployed.groupName,
            InstanceIds: [first],
            ProtectedFromScaleIn: true,
        });
        rejects(
            () =>
                region.admin("autoscaling", "SetInstanceProtection", {
                    AutoScalingGroupName: deployed.groupName,
                    InstanceIds: ["i-0123456789abcdef0"],
                    ProtectedFromScaleIn: true,
                }),
            "ValidationError",
            /is not part of Auto Scaling group/,
        );
        rejects(
            () =>
                region.admin("autoscaling", "SetInstanceProtection", {
                    AutoScalingGroupName: deployed.groupName,
                    InstanceIds: Array.from({ length: 51 }, (_, i) => `i-${i}`),
                    ProtectedFromScaleIn: true,
                }),
            "ValidationError",
            /at most 50/,
        );
        region.admin("autoscaling", "SetDesiredCapacity", {
            AutoScalingGroupName: deployed.groupName,
            DesiredCapacity: 0,
        });
        await region.run(120);
        assert.deepEqual([...group.instances.keys()], [first]);
        assert.ok(!group.instances.has(second));
        const { AutoScalingInstances } = region.admin("autoscaling", "DescribeAutoScalingInstances", {
            InstanceIds: [first],
        }) as { AutoScalingInstances: { ProtectedFromScaleIn: boolean }[] };
        assert.equal(AutoScalingInstances[0].ProtectedFromScaleIn, true);
    });
});
