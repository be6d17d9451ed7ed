import assert from "node:assert/strict";
import { ECS_AMI_PARAMETER, EcsCluster, ecsAgentConfig } from "../../components/cluster";
import { MANAGED_CAPACITY_DEFAULTS, type ManagedCapacitySettings } from "../../stack/capacityProvider";
import { parseSettings } from "../../stack/settings";
import * as aws from "@pulumi/aws";
import {
    SSM_AMI_ID,
    named,
    ofType,
    recordOptions,
    settle,
    startMocks,
    type MockRun,
} from "../../scripts/mockSynthesis";

const ROLE_ARN =
    "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_c.us-east-1";

async function synthesize(
    raw: Record<string, unknown>,
    terminationPolicies?: string[],
    capacityProvider?: ManagedCapacitySettings,
): Promise<MockRun> {
    const run = await startMocks();
    new EcsCluster("ecs", {
        settings: parseSettings(raw, "test").cluster,
        clusterName: "ecs-lifecycle-test",
        vpcId: "vpc-1",
        privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
        terminationPolicies,
        capacityProvider,
        serviceLinkedRoleArn: ROLE_ARN,
        tags: { team: "platform" },
    });
    await settle(run);
    return run;
}

function userDataOf(run: MockRun): string[] {
    const lt = named(run, "aws:ec2/launchTemplate:LaunchTemplate", "ecs-lt");
    return Buffer.from(lt.inputs.userData, "base64").toString("utf8").split("\n");
}

describe("EcsCluster", () => {
    it("rolls new AMIs by instance refresh, launching before terminating", async () => {
        const run = await synthesize({ instanceWarmupSeconds: 240 });
        const group = named(run, "aws:autoscaling/group:Group", "ecs-asg");
        assert.deepEqual(group.inputs.instanceRefresh, {
            strategy: "Rolling",
            preferences: {
                minHealthyPercentage: 100,
                maxHealthyPercentage: 200,
                instanceWarmup: "240",
                skipMatching: true,
            },
        });
        assert.deepEqual(group.inputs.instanceLifecyclePolicy, {
            retentionTriggers: { terminateHookAbandon: "retain" },
        });
        assert.deepEqual(group.inputs.vpcZoneIdentifiers, ["subnet-a", "subnet-b", "subnet-c"]);
        assert.deepEqual(
            [group.inputs.minSize, group.inputs.maxSize, group.inputs.desiredCapacity],
            [1, 10, 2],
        );
    });

    it("pins the launch template's concrete latest version, never $Latest or $Default", async () => {
        const run = await synthesize({});
        const group = named(run, "aws:autoscaling/group:Group", "ecs-asg");
        assert.deepEqual(group.inputs.launchTemplate, { id: "ecs-lt-id", version: "7" });
        assert.equal(group.inputs.mixedInstancesPolicy, undefined);
    });

    it("resolves the ECS-optimized AL2023 AMI from SSM, unless amiId pins one", async () => {
        const fromSsm = await synthesize({});
        assert.equal(
            named(fromSsm, "aws:ec2/launchTemplate:LaunchTemplate", "ecs-lt").inputs.imageId,
            SSM_AMI_ID,
        );
        assert.deepEqual(
            fromSsm.invokes
                .filter((i) => i.token === "aws:ssm/getParameter:getParameter")
                .map((i) => i.inputs.name),
            [ECS_AMI_PARAMETER],
        );
        const pinned = await synthesize({ amiId: "ami-0bbbbbbbbbbbbbbb2" });
        assert.equal(
            named(pinned, "aws:ec2/launchTemplate:LaunchTemplate", "ecs-lt").inputs.imageId,
            "ami-0bbbbbbbbbbbbbbb2",
        );
        assert.equal(pinned.invokes.filter((i) => i.token === "aws:ssm/getParameter:getParameter").length, 0);
    });

    it("requires IMDSv2 and writes the agent config in user data", async () => {
        const run = await synthesize({ containerStopTimeoutSeconds: 90 });
        const lt = named(run, "aws:ec2/launchTemplate:LaunchTemplate", "ecs-lt");
        assert.equal(lt.inputs.metadataOptions.httpTokens, "required");
        assert.equal(lt.inputs.metadataOptions.httpEndpoint, "enabled");
        assert.deepEqual(userDataOf(run), [
            "#!/bin/bash",
            "set -euo pipefail",
            "cat >> /etc/ecs/ecs.config <<'EOF'",
            "ECS_CLUSTER=ecs-lifecycle-test",
            "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
            "ECS_CONTAINER_STOP_TIMEOUT=90s",
            "ECS_ENABLE_TASK_IAM_ROLE=true",
            "ECS_AWSVPC_BLOCK_IMDS=true",
            "EOF",
            "",
        ]);
        assert.deepEqual(ecsAgentConfig("c", 30).slice(0, 2), [
            "ECS_CLUSTER=c",
            "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
        ]);
        assert.equal(lt.inputs.blockDeviceMappings[0].ebs.encrypted, "true");
    });

    it("uses a mixed instances policy for several types, with the same pinned version", async () => {
        const run = await synthesize({
            instanceTypes: ["m5.large", "m6i.large"],
            onDemandPercentage: 50,
            onDemandBaseCapacity: 1,
        });
        const group = named(run, "aws:autoscaling/group:Group", "ecs-asg");
        assert.equal(group.inputs.launchTemplate, undefined);
        const policy = group.inputs.mixedInstancesPolicy;
        assert.deepEqual(policy.launchTemplate.launchTemplateSpecification, {
            launchTemplateId: "ecs-lt-id",
            version: "7",
        });
        assert.deepEqual(policy.launchTemplate.overrides, [
            { instanceType: "m5.large" },
            { instanceType: "m6i.large" },
        ]);
        assert.equal(policy.instancesDistribution.onDemandPercentageAboveBaseCapacity, 50);
        assert.equal(policy.instancesDistribution.onDemandBaseCapacity, 1);
        assert.equal(group.inputs.capacityRebalance, true);
        assert.equal(
            named(run, "aws:ec2/launchTemplate:LaunchTemplate", "ecs-lt").inputs.instanceType,
            undefined,
        );
    });

    it("puts a given termination policy first", async () => {
        const lambdaArn = "arn:aws:lambda:us-east-1:123456789012:function:pick";
        const run = await synthesize({}, [lambdaArn, "OldestLaunchTemplate"]);
        assert.deepEqual(named(run, "aws:autoscaling/group:Group", "ecs-asg").inputs.terminationPolicies, [
            lambdaArn,
            "OldestLaunchTemplate",
        ]);
    });

    it("gives the instances a security group with no ingress and an agent policy scoped to the cluster", async () => {
        const run = await synthesize({});
        assert.equal(ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").length, 0);
        assert.equal(
            named(run, "aws:ec2/securityGroup:SecurityGroup", "ecs-instance-sg").inputs.ingress,
            undefined,
        );
        const policy = JSON.parse(
            named(run, "aws:iam/rolePolicy:RolePolicy", "ecs-instance-ecs-agent").inputs.policy,
        );
        const clusterArn = "arn:aws:ecs:us-east-1:123456789012:cluster/ecs-lifecycle-test";
        assert.deepEqual(
            policy.Statement.map((s: { Resource: string }) => s.Resource),
            [clusterArn, "arn:aws:ecs:us-east-1:123456789012:container-instance/ecs-lifecycle-test/*", "*"],
        );
        assert.deepEqual(policy.Statement[2].Action, "ecs:DiscoverPollEndpoint");
        assert.deepEqual(
            ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn),
            ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
        );
        const cluster = named(run, "aws:ecs/cluster:Cluster", "ecs-cluster");
        assert.deepEqual(cluster.inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
        assert.equal(cluster.inputs.name, "ecs-lifecycle-test");
    });

    it("leaves desiredCapacity to the capacity scaler after creation and waits for what the group depends on", async () => {
        const run = await startMocks();
        const recorder = recordOptions();
        const permission = new aws.lambda.Permission("invoke-permission", {
            action: "lambda:InvokeFunction",
            function: "f",
            principal: "autoscaling.amazonaws.com",
        });
        new EcsCluster(
            "ecs",
            {
                settings: parseSettings({}, "test").cluster,
                clusterName: "c",
                vpcId: "vpc-1",
                privateSubnetIds: ["subnet-a"],
                serviceLinkedRoleArn: ROLE_ARN,
                groupDependsOn: [permission],
                tags: {},
            },
            { transformations: [recorder.transformation] },
        );
        await settle(run);
        const groupOptions = recorder.options.get("ecs-asg");
        assert.deepEqual(groupOptions?.ignoreChanges, ["desiredCapacity"]);
        assert.deepEqual(groupOptions?.dependsOn, [permission]);
    });

    it("runs as the given service-linked role and publishes instances by lifecycle state every minute", async () => {
        const run = await synthesize({});
        const group = named(run, "aws:autoscaling/group:Group", "ecs-asg");
        assert.equal(group.inputs.serviceLinkedRoleArn, ROLE_ARN);
        assert.equal(group.inputs.metricsGranularity, "1Minute");
        assert.deepEqual(group.inputs.enabledMetrics, [
            "GroupMinSize",
            "GroupMaxSize",
            "GroupDesiredCapacity",
            "GroupInServiceInstances",
            "GroupPendingInstances",
            "GroupStandbyInstances",
            "GroupTerminatingInstances",
            "GroupTotalInstances",
        ]);
    });

    it("propagates the stack tags to instances", async () => {
        const run = await synthesize({});
        const tags = named(run, "aws:autoscaling/group:Group", "ecs-asg").inputs.tags;
        assert.deepEqual(tags, [
            { key: "team", value: "platform", propagateAtLaunch: true },
            { key: "Name", value: "ecs-instance", propagateAtLaunch: true },
        ]);
    });
});

describe("EcsCluster prepared for an ECS capacity provider (capacityManagement managed)", () => {
    const EMPTY = { desiredCapacity: 0, minSize: 0 };

    it("protects new instances from scale-in, replaces protected ones on refresh and carries ECS's tag", async () => {
        const run = await synthesize(EMPTY, undefined, MANAGED_CAPACITY_DEFAULTS);
        const group = named(run, "aws:autoscaling/group:Group", "ecs-asg");
        assert.equal(group.inputs.protectFromScaleIn, true);
        assert.equal(group.inputs.instanceRefresh.preferences.scaleInProtectedInstances, "Refresh");
        assert.deepEqual(
            [group.inputs.minSize, group.inputs.desiredCapacity],
            [0, 0],
            "the group starts empty: instances registered before the provider exists stay outside it",
        );
        assert.deepEqual(group.inputs.tags, [
            { key: "team", value: "platform", propagateAtLaunch: true },
            { key: "Name", value: "ecs-instance", propagateAtLaunch: true },
            { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
        ]);
        assert.equal(group.inputs.terminationPolicies, undefined);
        assert.deepEqual(group.inputs.instanceLifecyclePolicy, {
            retentionTriggers: { terminateHookAbandon: "retain" },
        });
        assert.ok(
            userDataOf(run).includes("ECS_ENABLE_SPOT_INSTANCE_DRAINING=true"),
            "the agent drains Spot instances itself: in managed mode nothing else does",
        );
    });

    it("without managed termination protection, protects nothing and lets the refresh wait as AWS does", async () => {
        const run = await synthesize(EMPTY, undefined, {
            ...MANAGED_CAPACITY_DEFAULTS,
            managedTerminationProtection: false,
        });
        const group = named(run, "aws:autoscaling/group:Group", "ecs-asg");
        assert.equal(group.inputs.protectFromScaleIn, false);
        assert.equal(group.inputs.instanceRefresh.preferences.scaleInProtectedInstances, "Wait");
    });

    it("refuses, naming the arguments, what cannot work with a capacity provider", async () => {
        await startMocks();
        const attempt =
            (raw: Record<string, unknown>, provider: ManagedCapacitySettings, policies?: string[]) => () =>
                new EcsCluster("ecs", {
                    settings: parseSettings(raw, "test").cluster,
                    clusterName: "c",
                    vpcId: "vpc-1",
                    privateSubnetIds: ["subnet-a"],
                    terminationPolicies: policies,
                    capacityProvider: provider,
                    serviceLinkedRoleArn: ROLE_ARN,
                    tags: {},
                });
        assert.throws(
            attempt({}, MANAGED_CAPACITY_DEFAULTS),
            /^Error: EcsCluster: settings.desiredCapacity and settings.minSize must be 0 with capacityProvider, got 2 and 1/,
        );
        assert.throws(
            attempt(EMPTY, MANAGED_CAPACITY_DEFAULTS, [
                "arn:aws:lambda:us-east-1:123456789012:function:t",
                "OldestInstance",
            ]),
            /^Error: EcsCluster: terminationPolicies must be unset with capacityProvider.managedTerminationProtection: .*a custom termination policy \(Lambda\) would decide nothing/,
        );
        assert.throws(
            attempt(EMPTY, {
                ...MANAGED_CAPACITY_DEFAULTS,
                targetCapacity: 0,
                minimumScalingStepSize: 20,
                maximumScalingStepSize: 10,
            }),
            new Error(
                "EcsCluster: capacityProvider.targetCapacity: expected an integer from 1 to 100, got 0; capacityProvider.minimumScalingStepSize: must not exceed maximumScalingStepSize (10), got 20",
            ),
        );
        assert.doesNotThrow(
            attempt(EMPTY, { ...MANAGED_CAPACITY_DEFAULTS, managedTerminationProtection: false }, [
                "OldestInstance",
            ]),
            "without managed protection a named termination policy still chooses",
        );
    });
});
