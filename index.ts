import { EcsCluster } from "./components/cluster";
import { clusterNameOf, loadStackSettings } from "./components/config";
import { AppLoadBalancer } from "./components/loadBalancer";
import { TaskNetwork } from "./components/network";
import { AppService } from "./components/service";

const settings = loadStackSettings();
const tags = { "ecs-lifecycle:stack": settings.stack, ...settings.tags };
const clusterName = clusterNameOf(settings);

const network = new TaskNetwork("network", { settings: settings.network, tags });

const cluster = new EcsCluster("ecs", {
    settings: settings.cluster,
    clusterName,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
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
export const albDnsName = alb.dnsName;
export const serviceNames = services.map((s) => s.serviceName);
