import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccountSettings } from "./components/accountSettings";
import { AlertsTopic } from "./components/alerts";
import { AutoScalingServiceRole } from "./components/autoScalingRole";
import { stackAwsProvider } from "./components/awsProvider";
import { ManagedCapacity } from "./components/capacityProvider";
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
import { capacityProviderName as providerNameOf } from "./stack/capacityProvider";
import { INTERRUPTION_RULES } from "./stack/drain";
import { CONFIG_NAMESPACE } from "./stack/settings";

const settings = loadStackSettings();
const tags = { "ecs-lifecycle:stack": settings.stack, ...settings.tags };
// Every resource gets the stack's tags from its provider (default tags), but for what the group
// launches: the cluster sets those on its instances and volumes itself.
const provider = stackAwsProvider("aws", tags);
const withProvider = { providers: [provider] };
const clusterName = clusterNameOf(settings);
const reserveConcurrency = settings.reserveLambdaConcurrency;
// managed: ECS's capacity provider scales and drains the group, and the stack's drain hook,
// capacity scaler and termination policy Lambdas are not deployed (README: Which mode).
const managedCapacity =
    settings.capacityManagement.mode === "managed" ? settings.capacityManagement.managed : undefined;
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

const terminationPolicy = managedCapacity
    ? undefined
    : new TerminationPolicy(
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
        terminationPolicies: terminationPolicy
            ? [terminationPolicy.policyArn, "OldestLaunchTemplate", "OldestInstance"]
            : undefined,
        capacityProvider: managedCapacity,
        serviceLinkedRoleArn: autoScalingRoleArn,
        groupDependsOn: [
            ...(terminationPolicy ? [terminationPolicy.permission] : []),
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
            // custom mode drains these instances on the event; managed mode has no drain of its own to
            // start, so a person replaces the instance through the group and ECS drains it (README runbook).
            ...(managedCapacity ? [scheduledEventAlert()] : []),
        ],
    },
    withProvider,
);
resolveAlertsTopicArn(alerts.topicArn);

const drain = managedCapacity
    ? undefined
    : new DrainHook(
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

const capacity = managedCapacity
    ? undefined
    : new CapacityScaler(
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

const managed = managedCapacity
    ? new ManagedCapacity(
          "capacity",
          {
              settings: managedCapacity,
              clusterName,
              cluster: cluster.clusterName,
              autoScalingGroupArn: cluster.autoScalingGroupArn,
              autoScalingGroupName: cluster.autoScalingGroupName,
              alertsTopicArn: alerts.topicArn,
          },
          withProvider,
      )
    : undefined;

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
                capacityProviderName: managed?.capacityProviderName,
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
        capacity: managedCapacity
            ? {
                  mode: "managed",
                  capacityProviderName: providerNameOf(clusterName),
                  targetCapacity: managedCapacity.targetCapacity,
              }
            : {
                  mode: "custom",
                  minimumSpareTasks: settings.capacity.minimumSpareTasks,
                  idleHostThreshold: settings.capacity.idleHostThreshold,
              },
        functionNames: {
            ...(drain ? { drain: drain.functionName } : {}),
            ...(capacity ? { capacity: capacity.functionName } : {}),
            ...(terminationPolicy ? { "termination policy": terminationPolicy.functionName } : {}),
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
export const capacityManagement = settings.capacityManagement.mode;
export const capacityProviderName = managed?.capacityProviderName;
export const drainTopicArn = drain?.topicArn;
export const drainQueueUrl = drain?.queueUrl;
export const drainDeadLetterQueueUrl = drain?.deadLetterQueueUrl;
export const albDnsName = alb.dnsName;
export const retirementTopicArn = retirement.topicArn;
export const alertsTopicArn = alerts.topicArn;
export const dashboardName = dashboard.dashboardName;
export const serviceNames = services.map((s) => s.serviceName);

/** AWS Health's scheduled retirement, stop, reboot and maintenance of EC2 instances, forwarded to people. */
function scheduledEventAlert() {
    const rule = INTERRUPTION_RULES.find((r) => r.id === "scheduled-event")!;
    return {
        id: "ec2-scheduled-event",
        description:
            "AWS scheduled an EC2 instance for retirement, stop, reboot or maintenance: if it is one of the group's, replace it through the group so ECS drains it first",
        eventPattern: JSON.stringify(rule.eventPattern),
    };
}
