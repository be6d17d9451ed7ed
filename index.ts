import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CapacityScaler } from "./components/capacityScaler";
import { EcsCluster } from "./components/cluster";
import { clusterNameOf, loadStackSettings } from "./components/config";
import { RetirementNotifier } from "./components/retirementNotifier";
import { CONFIG_NAMESPACE } from "./stack/settings";
import { DrainHook } from "./components/drainHook";
import { AppLoadBalancer } from "./components/loadBalancer";
import { TaskNetwork } from "./components/network";
import { AppService } from "./components/service";
import { TerminationPolicy } from "./components/terminationPolicy";

const settings = loadStackSettings();
const tags = { "ecs-lifecycle:stack": settings.stack, ...settings.tags };
const clusterName = clusterNameOf(settings);
// Known before the cluster exists, so the termination policy can be created before the group that uses it.
const plannedClusterArn = pulumi.interpolate`arn:aws:ecs:${aws.getRegionOutput().region}:${aws.getCallerIdentityOutput().accountId}:cluster/${clusterName}`;

if (settings.cluster.awsvpcTrunking) {
    // Account-wide, for the stack's region: instances launched afterwards get trunk ENIs.
    new aws.ecs.AccountSettingDefault("awsvpc-trunking", { name: "awsvpcTrunking", value: "enabled" });
}

const network = new TaskNetwork("network", { settings: settings.network, tags });

const terminationPolicy = new TerminationPolicy("termination", {
    clusterName,
    clusterArn: plannedClusterArn,
    daemonTaskFamilies: [],
    logRetentionDays: settings.logRetentionDays,
    tags,
});

const cluster = new EcsCluster("ecs", {
    settings: settings.cluster,
    clusterName,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    terminationPolicies: [terminationPolicy.policyArn, "OldestLaunchTemplate", "OldestInstance"],
    groupDependsOn: [terminationPolicy.permission],
    tags,
});

const drain = new DrainHook("drain", {
    settings: settings.drain,
    clusterName: cluster.clusterName,
    clusterArn: cluster.clusterArn,
    autoScalingGroupName: cluster.autoScalingGroupName,
    autoScalingGroupArn: cluster.autoScalingGroupArn,
    logRetentionDays: settings.logRetentionDays,
    tags,
});

new CapacityScaler("capacity", {
    settings: settings.capacity,
    clusterName: cluster.clusterName,
    clusterArn: cluster.clusterArn,
    autoScalingGroupName: cluster.autoScalingGroupName,
    logRetentionDays: settings.logRetentionDays,
    tags,
});

const retirement = new RetirementNotifier("retirement", {
    settings: settings.retirement,
    // A secret Output: the URL reaches only the SSM SecureString, never plain state or the Lambda's environment.
    slackWebhookUrl: settings.retirement.slackWebhookConfigured
        ? new pulumi.Config(CONFIG_NAMESPACE).requireSecret("retirementSlackWebhook")
        : undefined,
    logRetentionDays: settings.logRetentionDays,
    tags,
});

const alb = new AppLoadBalancer("alb", {
    settings: settings.alb,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    tags,
});

const services = settings.services.map(
    (service, i) =>
        new AppService(`svc-${service.name}`, {
            settings: service,
            clusterArn: cluster.clusterArn,
            clusterName: cluster.clusterName,
            vpcId: network.vpcId,
            vpcCidr: settings.network.vpcCidr,
            privateSubnetIds: network.privateSubnetIds,
            albSecurityGroupId: alb.securityGroupId,
            listenerArn: alb.listenerArn,
            // A catch-all pattern must be evaluated after every specific one.
            listenerPriority: service.pathPattern === "/*" ? 50000 : 10 * (i + 1),
            deregistrationDelaySeconds: settings.alb.deregistrationDelaySeconds,
            logRetentionDays: settings.logRetentionDays,
            tags,
        }),
);

export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const natGatewayIds = network.natGatewayIds;
export const ecsClusterName = cluster.clusterName;
export const ecsClusterArn = cluster.clusterArn;
export const autoScalingGroupName = cluster.autoScalingGroupName;
export const instanceSecurityGroupId = cluster.instanceSecurityGroupId;
export const drainTopicArn = drain.topicArn;
export const drainQueueUrl = drain.queueUrl;
export const albDnsName = alb.dnsName;
export const retirementTopicArn = retirement.topicArn;
export const serviceNames = services.map((s) => s.serviceName);
