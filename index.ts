import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccountSettings } from "./components/accountSettings";
import { AlertsTopic } from "./components/alerts";
import { AutoScalingServiceRole } from "./components/autoScalingRole";
import { stackAwsProvider } from "./components/awsProvider";
import { CapacityScaler } from "./components/capacityScaler";
import { EcsCluster } from "./components/cluster";
import { clusterNameOf, loadStackSettings } from "./components/config";
import { OperationsDashboard } from "./components/dashboard";
import { DrainHook } from "./components/drainHook";
import { AppLoadBalancer } from "./components/loadBalancer";
import { TaskNetwork } from "./components/network";
import { RetirementNotifier } from "./components/retirementNotifier";
import { AppService } from "./components/service";
import { TerminationPolicy } from "./components/terminationPolicy";
import { instanceRefreshStoppedPattern } from "./stack/alerts";
import { CONFIG_NAMESPACE } from "./stack/settings";

const settings = loadStackSettings();
const tags = { "ecs-lifecycle:stack": settings.stack, ...settings.tags };
// Every resource gets the stack's tags from its provider (default tags), but for what the group
// launches: the cluster sets those on its instances and volumes itself.
const provider = stackAwsProvider("aws", tags);
const withProvider = { providers: [provider] };
const clusterName = clusterNameOf(settings);
const reserveConcurrency = settings.reserveLambdaConcurrency;
// Known before the cluster exists, so the termination policy can be created before the group that uses it.
const plannedClusterArn = pulumi.interpolate`arn:aws:ecs:${aws.getRegionOutput({}, { provider }).region}:${aws.getCallerIdentityOutput({}, { provider }).accountId}:cluster/${clusterName}`;
// The alerts topic is declared once the group exists (its event rules watch the group); what
// alarms before it (the termination policy Lambda's) gets its ARN when it is.
const [earlyAlertsTopicArn, resolveAlertsTopicArn] = pulumi.deferredOutput<string>();

const accountSettings = settings.accountSettingsOwner
    ? new AccountSettings(
          "account",
          {
              awsvpcTrunking: settings.cluster.awsvpcTrunking,
              fargateTaskRetirementWaitPeriodDays: settings.retirement.waitPeriodDays,
          },
          withProvider,
      )
    : undefined;

const network = new TaskNetwork("network", { settings: settings.network }, withProvider);

const autoScalingRoleArn =
    settings.cluster.serviceLinkedRoleArn ??
    new AutoScalingServiceRole("autoscaling", { clusterName }, withProvider).arn;

const terminationPolicy = new TerminationPolicy(
    "termination",
    {
        clusterName,
        clusterArn: plannedClusterArn,
        daemonTaskFamilies: [],
        autoScalingRoleArn,
        reserveConcurrency,
        alertsTopicArn: earlyAlertsTopicArn,
        logRetentionDays: settings.logRetentionDays,
    },
    withProvider,
);

const cluster = new EcsCluster(
    "ecs",
    {
        settings: settings.cluster,
        clusterName,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        terminationPolicies: [terminationPolicy.policyArn, "OldestLaunchTemplate", "OldestInstance"],
        serviceLinkedRoleArn: autoScalingRoleArn,
        groupDependsOn: [
            terminationPolicy.permission,
            ...(accountSettings?.trunking ? [accountSettings.trunking] : []),
        ],
        tags,
    },
    withProvider,
);

const alerts = new AlertsTopic(
    "alerts",
    {
        settings: settings.alerts,
        events: [
            {
                id: "refresh-stopped",
                description:
                    "An instance refresh of the group failed or was cancelled: it runs a mix of launch template versions",
                eventPattern: cluster.autoScalingGroupName.apply((group) =>
                    JSON.stringify(instanceRefreshStoppedPattern(group)),
                ),
            },
        ],
    },
    withProvider,
);
resolveAlertsTopicArn(alerts.topicArn);

const drain = new DrainHook(
    "drain",
    {
        settings: settings.drain,
        clusterName: cluster.clusterName,
        clusterArn: cluster.clusterArn,
        autoScalingGroupName: cluster.autoScalingGroupName,
        autoScalingGroupArn: cluster.autoScalingGroupArn,
        logRetentionDays: settings.logRetentionDays,
        reserveConcurrency,
        alertsTopicArn: alerts.topicArn,
    },
    withProvider,
);

const capacity = new CapacityScaler(
    "capacity",
    {
        settings: settings.capacity,
        clusterName: cluster.clusterName,
        clusterArn: cluster.clusterArn,
        autoScalingGroupName: cluster.autoScalingGroupName,
        availabilityZones: network.availabilityZones,
        logRetentionDays: settings.logRetentionDays,
        reserveConcurrency,
        alertsTopicArn: alerts.topicArn,
    },
    withProvider,
);

const retirement = new RetirementNotifier(
    "retirement",
    {
        settings: settings.retirement,
        // A secret Output: the URL reaches only the SSM SecureString, never plain state or the Lambda's environment.
        slackWebhookUrl: settings.retirement.slackWebhookConfigured
            ? new pulumi.Config(CONFIG_NAMESPACE).requireSecret("retirementSlackWebhook")
            : undefined,
        logRetentionDays: settings.logRetentionDays,
        reserveConcurrency,
        alertsTopicArn: alerts.topicArn,
    },
    withProvider,
);

const alb = new AppLoadBalancer(
    "alb",
    {
        settings: settings.alb,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
    },
    withProvider,
);

const services = settings.services.map(
    (service, i) =>
        new AppService(
            `svc-${service.name}`,
            {
                settings: service,
                clusterArn: cluster.clusterArn,
                clusterName: cluster.clusterName,
                vpcId: network.vpcId,
                vpcCidr: settings.network.vpcCidr,
                privateSubnetIds: network.privateSubnetIds,
                albSecurityGroupId: alb.securityGroupId,
                listenerArn: alb.listenerArn,
                loadBalancerArnSuffix: alb.arnSuffix,
                // A catch-all pattern must be evaluated after every specific one.
                listenerPriority: service.pathPattern === "/*" ? 50000 : 10 * (i + 1),
                deregistrationDelaySeconds: settings.alb.deregistrationDelaySeconds,
                logRetentionDays: settings.logRetentionDays,
                alertsTopicArn: alerts.topicArn,
            },
            withProvider,
        ),
);

const dashboard = new OperationsDashboard(
    "operations",
    {
        clusterName,
        autoScalingGroupName: cluster.autoScalingGroupName,
        minimumSpareTasks: settings.capacity.minimumSpareTasks,
        idleHostThreshold: settings.capacity.idleHostThreshold,
        functionNames: {
            drain: drain.functionName,
            capacity: capacity.functionName,
            "termination policy": terminationPolicy.functionName,
            retirement: retirement.functionName,
        },
        serviceNames: settings.services.map((service) => service.name),
    },
    withProvider,
);

export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const natGatewayIds = network.natGatewayIds;
export const ecsClusterName = cluster.clusterName;
export const ecsClusterArn = cluster.clusterArn;
export const autoScalingGroupName = cluster.autoScalingGroupName;
export const autoScalingServiceLinkedRoleArn = pulumi.output(autoScalingRoleArn);
export const instanceSecurityGroupId = cluster.instanceSecurityGroupId;
export const drainTopicArn = drain.topicArn;
export const drainQueueUrl = drain.queueUrl;
export const drainDeadLetterQueueUrl = drain.deadLetterQueueUrl;
export const albDnsName = alb.dnsName;
export const retirementTopicArn = retirement.topicArn;
export const alertsTopicArn = alerts.topicArn;
export const dashboardName = dashboard.dashboardName;
export const serviceNames = services.map((s) => s.serviceName);
