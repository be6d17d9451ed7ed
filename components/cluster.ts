import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ECS_MANAGED_TAG,
    groupProtectsNewInstances,
    managedCapacityProblems,
    refreshScaleInProtectedInstances,
    type ManagedCapacitySettings,
} from "../stack/capacityProvider";
import type { ClusterSettings } from "../stack/settings";
import { assumeRolePolicyFor, clusterScopedArn } from "./iam";

/** The public SSM parameter holding the current ECS-optimized Amazon Linux 2023 AMI (x86_64). */
export const ECS_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

export interface EcsClusterArgs {
    /** Validated cluster settings of the stack (see components/settings.ts). */
    readonly settings: ClusterSettings;
    /** ECS cluster name; fixed up front so Lambdas and IAM conditions can name it before it exists. */
    readonly clusterName: string;
    /** VPC of the instance security group. */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets the group launches into, one per AZ. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** Termination policies, most important first; defaults to Auto Scaling's own. A Lambda ARN goes first. */
    readonly terminationPolicies?: pulumi.Input<string>[];
    /**
     * Resources the group must wait for: the termination policy Lambda's invoke permission, and the
     * awsvpcTrunking account setting (instances launched before it get no trunk ENI).
     */
    readonly groupDependsOn?: pulumi.Input<pulumi.Resource>[];
    /**
     * The ECS capacity provider the group will serve (capacityManagement managed): the group then
     * protects new instances from scale-in when ECS manages termination protection, its instance
     * refresh replaces protected instances, and it carries ECS's AmazonECSManaged tag. The provider
     * itself is ManagedCapacity's. Undefined: the stack's own Lambdas scale and drain the group.
     */
    readonly capacityProvider?: ManagedCapacitySettings;
    /** The group's service-linked role (the principal its termination policy Lambda admits). */
    readonly serviceLinkedRoleArn: pulumi.Input<string>;
    /**
     * The stack's tags: its provider's default tags never reach what the group launches, so the group
     * propagates these to its instances and the launch template sets them on instances and volumes.
     */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * The ECS cluster and the Auto Scaling group of container instances that serves it. A new AMI
 * (from SSM at deploy time, or `amiId`) makes a new launch template version, which starts an
 * instance refresh that launches replacements before it terminates anything
 * (min 100 % / max 200 % healthy); terminations go through the drain hook, and an abandoned
 * drain keeps the instance (retention) instead of killing its tasks. Given `capacityProvider`, the
 * group is prepared for ECS's managed loops instead (ManagedCapacity declares the provider).
 */
export class EcsCluster extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    readonly clusterArn: pulumi.Output<string>;
    readonly autoScalingGroupName: pulumi.Output<string>;
    readonly autoScalingGroupArn: pulumi.Output<string>;
    readonly instanceSecurityGroupId: pulumi.Output<string>;
    readonly instanceRoleArn: pulumi.Output<string>;
    readonly launchTemplateId: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Input<string>[];

    constructor(name: string, args: EcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:cluster:EcsCluster", name, {}, opts);
        validateCapacityProvider(args);
        const settings = args.settings;
        const provider = args.capacityProvider;
        const parent = { parent: this };
        const tags = (role: string) => ({ ...args.tags, Name: `${name}-${role}` });
        this.privateSubnetIds = args.privateSubnetIds;

        const cluster = new aws.ecs.Cluster(
            `${name}-cluster`,
            {
                name: args.clusterName,
                settings: [{ name: "containerInsights", value: "enabled" }],
                tags: tags("cluster"),
            },
            parent,
        );
        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;

        const role = new aws.iam.Role(
            `${name}-instance-role`,
            {
                assumeRolePolicy: assumeRolePolicyFor("ec2.amazonaws.com"),
                tags: tags("instance-role"),
            },
            parent,
        );
        new aws.iam.RolePolicy(
            `${name}-instance-ecs-agent`,
            { role: role.id, policy: agentPolicy(cluster.arn) },
            parent,
        );
        new aws.iam.RolePolicyAttachment(
            `${name}-instance-ssm`,
            { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" },
            parent,
        );
        const profile = new aws.iam.InstanceProfile(
            `${name}-instance-profile`,
            { role: role.name, tags: tags("instance-profile") },
            parent,
        );
        this.instanceRoleArn = role.arn;

        // Tasks run awsvpc with security groups of their own: nothing may reach the instance itself.
        const instanceSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-instance-sg`,
            {
                vpcId: args.vpcId,
                description: "ECS container instances: no ingress",
                tags: tags("instance-sg"),
            },
            parent,
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-instance-egress`,
            {
                securityGroupId: instanceSecurityGroup.id,
                ipProtocol: "-1",
                cidrIpv4: "0.0.0.0/0",
                description: "ECS, ECR, SSM and CloudWatch endpoints through the NAT gateways",
            },
            parent,
        );
        this.instanceSecurityGroupId = instanceSecurityGroup.id;

        const imageId = settings.amiId
            ? pulumi.output(settings.amiId)
            : aws.ssm.getParameterOutput({ name: ECS_AMI_PARAMETER }, parent).value;
        const launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-lt`,
            {
                imageId,
                instanceType: settings.instanceTypes.length === 1 ? settings.instanceTypes[0] : undefined,
                iamInstanceProfile: { arn: profile.arn },
                vpcSecurityGroupIds: [instanceSecurityGroup.id],
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    httpPutResponseHopLimit: 1,
                    instanceMetadataTags: "disabled",
                },
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: {
                            volumeSize: settings.rootVolumeSizeGiB,
                            volumeType: "gp3",
                            encrypted: "true",
                            deleteOnTermination: "true",
                        },
                    },
                ],
                monitoring: { enabled: true },
                userData: cluster.name.apply((clusterName) =>
                    Buffer.from(userData(clusterName, settings.containerStopTimeoutSeconds)).toString(
                        "base64",
                    ),
                ),
                tagSpecifications: [
                    { resourceType: "instance", tags: tags("instance") },
                    { resourceType: "volume", tags: tags("volume") },
                ],
                updateDefaultVersion: true,
                tags: tags("lt"),
            },
            parent,
        );
        this.launchTemplateId = launchTemplate.id;
        // A concrete version number: `$Latest` would neither start an instance refresh nor pin what runs.
        const launchTemplateVersion = launchTemplate.latestVersion.apply((v) => String(v));

        const mixed = settings.instanceTypes.length > 1;
        const group = new aws.autoscaling.Group(
            `${name}-asg`,
            {
                vpcZoneIdentifiers: args.privateSubnetIds,
                minSize: settings.minSize,
                maxSize: settings.maxSize,
                desiredCapacity: settings.desiredCapacity,
                defaultInstanceWarmup: settings.instanceWarmupSeconds,
                healthCheckType: "EC2",
                healthCheckGracePeriod: 0,
                launchTemplate: mixed ? undefined : { id: launchTemplate.id, version: launchTemplateVersion },
                mixedInstancesPolicy: mixed
                    ? {
                          launchTemplate: {
                              launchTemplateSpecification: {
                                  launchTemplateId: launchTemplate.id,
                                  version: launchTemplateVersion,
                              },
                              overrides: settings.instanceTypes.map((instanceType) => ({ instanceType })),
                          },
                          instancesDistribution: {
                              onDemandBaseCapacity: settings.onDemandBaseCapacity,
                              onDemandPercentageAboveBaseCapacity: settings.onDemandPercentage,
                              onDemandAllocationStrategy: "prioritized",
                              spotAllocationStrategy: "price-capacity-optimized",
                          },
                      }
                    : undefined,
                capacityRebalance: mixed && settings.onDemandPercentage < 100,
                instanceRefresh: {
                    strategy: "Rolling",
                    preferences: {
                        minHealthyPercentage: settings.minHealthyPercentage,
                        maxHealthyPercentage: settings.maxHealthyPercentage,
                        instanceWarmup: String(settings.instanceWarmupSeconds),
                        skipMatching: true,
                        ...(provider
                            ? { scaleInProtectedInstances: refreshScaleInProtectedInstances(provider) }
                            : {}),
                    },
                },
                instanceLifecyclePolicy: { retentionTriggers: { terminateHookAbandon: "retain" } },
                terminationPolicies: args.terminationPolicies,
                serviceLinkedRoleArn: args.serviceLinkedRoleArn,
                protectFromScaleIn: provider ? groupProtectsNewInstances(provider) : false,
                // Instances by lifecycle state, every minute: the dashboard and an on-call person read them.
                enabledMetrics: [...GROUP_METRICS],
                metricsGranularity: "1Minute",
                tags: Object.entries({
                    ...tags("instance"),
                    ...(provider ? { [ECS_MANAGED_TAG.key]: ECS_MANAGED_TAG.value } : {}),
                }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
            },
            {
                parent: this,
                dependsOn: args.groupDependsOn,
                // The capacity scaler (or ECS's managed scaling) owns desiredCapacity after creation;
                // a deploy must not reset it.
                ignoreChanges: ["desiredCapacity"],
            },
        );
        this.autoScalingGroupName = group.name;
        this.autoScalingGroupArn = group.arn;

        this.registerOutputs({
            clusterName: this.clusterName,
            clusterArn: this.clusterArn,
            autoScalingGroupName: this.autoScalingGroupName,
            instanceSecurityGroupId: this.instanceSecurityGroupId,
        });
    }
}

/**
 * A group prepared for a capacity provider must start empty, take ECS's settings as AWS accepts
 * them, and leave scale-in choices to ECS's protection: each problem names the argument.
 */
function validateCapacityProvider(args: EcsClusterArgs): void {
    const provider = args.capacityProvider;
    if (!provider) return;
    const problems = managedCapacityProblems(provider).map((p) => `capacityProvider.${p}`);
    if (args.settings.desiredCapacity !== 0 || args.settings.minSize !== 0)
        problems.push(
            `settings.desiredCapacity and settings.minSize must be 0 with capacityProvider, got ${args.settings.desiredCapacity} and ${args.settings.minSize}: instances that register with ECS before the provider exists stay outside it`,
        );
    if (provider.managedTerminationProtection && args.terminationPolicies !== undefined)
        problems.push(
            "terminationPolicies must be unset with capacityProvider.managedTerminationProtection: ECS keeps every instance running tasks protected, so Auto Scaling only ever chooses among empty ones, and a custom termination policy (Lambda) would decide nothing",
        );
    if (problems.length > 0) throw new Error(`EcsCluster: ${problems.join("; ")}`);
}

/** The group metrics collected: sizes and instances per lifecycle state. */
export const GROUP_METRICS = [
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
] as const;

/** The lines the ECS agent reads from /etc/ecs/ecs.config, in order. */
export function ecsAgentConfig(clusterName: string, containerStopTimeoutSeconds: number): string[] {
    return [
        `ECS_CLUSTER=${clusterName}`,
        "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
        `ECS_CONTAINER_STOP_TIMEOUT=${containerStopTimeoutSeconds}s`,
        "ECS_ENABLE_TASK_IAM_ROLE=true",
        "ECS_AWSVPC_BLOCK_IMDS=true",
    ];
}

function userData(clusterName: string, containerStopTimeoutSeconds: number): string {
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        "cat >> /etc/ecs/ecs.config <<'EOF'",
        ...ecsAgentConfig(clusterName, containerStopTimeoutSeconds),
        "EOF",
        "",
    ].join("\n");
}

/**
 * What the ECS agent needs (the AmazonEC2ContainerServiceforEC2Role actions), scoped to this
 * cluster and its container instances. Image pulls and logs use each task's execution role, so
 * the instance gets no ECR or CloudWatch Logs access.
 */
function agentPolicy(clusterArn: pulumi.Output<string>): pulumi.Output<string> {
    return clusterArn.apply((arn) => {
        const containerInstances = clusterScopedArn(arn, "container-instance");
        return JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "RegisterWithThisCluster",
                    Effect: "Allow",
                    Action: [
                        "ecs:RegisterContainerInstance",
                        "ecs:DeregisterContainerInstance",
                        "ecs:SubmitAttachmentStateChanges",
                        "ecs:SubmitContainerStateChange",
                        "ecs:SubmitTaskStateChange",
                    ],
                    Resource: arn,
                },
                {
                    Sid: "AgentSessionsOnThisClustersInstances",
                    Effect: "Allow",
                    Action: ["ecs:Poll", "ecs:StartTelemetrySession", "ecs:UpdateContainerInstancesState"],
                    Resource: containerInstances,
                },
                {
                    // DiscoverPollEndpoint supports no resource-level permissions.
                    Sid: "DiscoverPollEndpoint",
                    Effect: "Allow",
                    Action: "ecs:DiscoverPollEndpoint",
                    Resource: "*",
                },
            ],
        });
    });
}
