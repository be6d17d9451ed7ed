/**
 * The stack as the program declares it, deployed into a simulated region: the cluster from the
 * stack's instance types and sizes (a mixed instances policy when several types are listed, as
 * EcsCluster does), the stack's services as awsvpc REPLICA services with task-level cpu/memory
 * and their container port, each registered with a target group of the stack's deregistration
 * delay (as AppService does), and the control loops of the stack's capacity management mode:
 * - custom: the drain pipeline with the stack's drain settings, the capacity scaler with its
 *   thresholds and the termination policy (scenarios switch loops off to show what happens
 *   without them);
 * - managed: the group created empty, then the capacity provider with the stack's settings as the
 *   cluster's default strategy (sim/pipelines/managed.ts) and the alarm on its reservation staying
 *   high (ManagedCapacity's), and the services placed through the strategy instead of a launch type.
 * Services from outside the stack's settings may be added: bridge-mode services with a static host
 * port (one task per instance), so a run mixes task sizes and port constraints.
 */
import {
    defaultStrategyDeclaration,
    managedCapacityAlarmDeclarations,
    refreshScaleInProtectedInstances,
    type ManagedCapacitySettings,
} from "../../stack/capacityProvider";
import { clusterNameOf, type CapacityManagementMode, type StackSettings } from "../../stack/settings";
import type { DeployedCluster, RollPreferences, SimHarness } from "../harness";
import { deployCapacityScaler, type CapacityScalerDeployment } from "../pipelines/capacity";
import { deployDrainPipeline, type DrainPipeline } from "../pipelines/drain";
import { deployManagedCapacity, type ManagedCapacityDeployment } from "../pipelines/managed";
import { deployTerminationPolicy } from "../pipelines/termination";
import type { Region } from "../region";
import { workloadInstances } from "./serviceLoad";

/** The AMI the stack's instances boot first; a rolling update moves them to another. */
export const INITIAL_AMI = "ami-0aaaaaaaaaaaaaaa1";

/**
 * A service besides the stack's: bridge network mode with a static host port and no load
 * balancer, so at most one of its tasks runs on an instance.
 */
export interface HostPortService {
    readonly name: string;
    readonly image: string;
    /** Container-level reservation: CPU units and MiB. */
    readonly cpu: number;
    readonly memory: number;
    readonly hostPort: number;
    /** Its counts for the stack's desiredCapacity instances; scenarios scale them with the cluster. */
    readonly desiredCount: number;
    readonly minCount: number;
    readonly maxCount: number;
}

export interface StackDeploymentOptions {
    /**
     * custom: the group starts with these instances (the stack's desiredCapacity when omitted);
     * maxSize grows to fit. managed: the group starts empty (as the program creates it) and
     * grows to twice this at most, unless the stack's maxSize is larger.
     */
    readonly instances?: number;
    /** The capacity management mode to deploy (the stack's own when omitted). */
    readonly capacityManagement?: CapacityManagementMode;
    /** Services from outside the stack's settings, deployed next to its own. */
    readonly hostPortServices?: readonly HostPortService[];
    /** Run every instance above the stack's on-demand base as Spot (the stack's own split when false). */
    readonly spot?: boolean;
    /** custom mode: the drain pipeline (on unless false: a rolling update without it shows what it prevents). */
    readonly drainHook?: boolean;
    readonly capacityScaler?: boolean;
    readonly terminationPolicy?: boolean;
    /** Replica counts per service name, replacing the stack's desiredCount (e.g. to fill a large cluster). */
    readonly desiredCounts?: Readonly<Record<string, number>>;
}

export interface StackDeployment {
    readonly settings: StackSettings;
    readonly capacityManagement: CapacityManagementMode;
    readonly deployed: DeployedCluster;
    readonly drain?: DrainPipeline;
    readonly capacity?: CapacityScalerDeployment;
    readonly terminationFunctionArn?: string;
    /** managed mode: the capacity provider, ECS's policy and hook, and the reservation alarm. */
    readonly managed?: ManagedCapacityDeployment & { readonly reservationHighAlarmName: string };
    /** Service name → ARN. */
    readonly services: Readonly<Record<string, string>>;
}

/** Deploys the stack's cluster, services and control loops, and waits until every service runs its tasks. */
export async function deployStack(
    harness: SimHarness,
    settings: StackSettings,
    options: StackDeploymentOptions = {},
): Promise<StackDeployment> {
    const mode = options.capacityManagement ?? settings.capacityManagement.mode;
    return mode === "managed"
        ? deployManagedStack(harness, settings, options)
        : deployCustomStack(harness, settings, options);
}

async function deployCustomStack(
    harness: SimHarness,
    settings: StackSettings,
    options: StackDeploymentOptions,
): Promise<StackDeployment> {
    const region = harness.region;
    const instances = options.instances ?? settings.cluster.desiredCapacity;
    const group = deployStackGroup(region, settings, options, maxSizeFor(settings, instances));
    const deployed = { ...group, serviceArns: deployStackServices(region, settings, group, options) };
    const drain =
        options.drainHook === false
            ? undefined
            : await deployDrainPipeline(harness, deployed, settings.drain, {
                  reserveConcurrency: settings.reserveLambdaConcurrency,
              });
    const termination =
        options.terminationPolicy === false
            ? undefined
            : await deployTerminationPolicy(harness, deployed, {
                  reserveConcurrency: settings.reserveLambdaConcurrency,
              });
    const capacity =
        options.capacityScaler === false
            ? undefined
            : await deployCapacityScaler(harness, deployed, settings.capacity, {
                  reserveConcurrency: settings.reserveLambdaConcurrency,
              });
    return {
        settings,
        capacityManagement: "custom",
        deployed,
        drain,
        capacity,
        terminationFunctionArn: termination?.functionArn,
        services: servicesByName(settings, deployed, options),
    };
}

/**
 * The managed mode as the program deploys it: the group empty, the capacity provider and the
 * cluster's default strategy before any service (a strategy may only name a provider associated
 * with the cluster), then the services through the strategy. ECS's managed scaling launches the
 * instances their tasks wait for.
 */
async function deployManagedStack(
    harness: SimHarness,
    settings: StackSettings,
    options: StackDeploymentOptions,
): Promise<StackDeployment> {
    const region = harness.region;
    const workload = options.instances ?? settings.cluster.desiredCapacity;
    const group = deployStackGroup(
        region,
        settings,
        { ...options, instances: 0 },
        maxSizeFor(settings, workload),
    );
    const providerSettings = settings.capacityManagement.managed;
    const managed = deployManagedCapacity(harness, { ...group, serviceArns: [] }, providerSettings);
    const deployed = {
        ...group,
        serviceArns: deployStackServices(region, settings, group, options, managed.capacityProviderName),
    };
    const reservationHighAlarmName = putReservationHighAlarm(
        region,
        deployed.clusterName,
        managed.capacityProviderName,
        providerSettings,
    );
    return {
        settings,
        capacityManagement: "managed",
        deployed,
        managed: { ...managed, reservationHighAlarmName },
        services: servicesByName(settings, deployed, options),
    };
}

/**
 * ManagedCapacity's alarm on CapacityProviderReservation staying above its target (tasks waiting
 * for instances that do not come), without actions: the region has no person to tell. Returns its name.
 */
export function putReservationHighAlarm(
    region: Region,
    clusterName: string,
    capacityProviderName: string,
    settings: ManagedCapacitySettings,
): string {
    const high = managedCapacityAlarmDeclarations(settings).reservationHigh;
    const alarmName = `${clusterName}-capacity-reservation-high`;
    region.admin("monitoring", "PutMetricAlarm", {
        AlarmName: alarmName,
        AlarmDescription: high.description,
        Namespace: high.namespace,
        MetricName: high.metricName,
        Dimensions: [
            { Name: "ClusterName", Value: clusterName },
            { Name: "CapacityProviderName", Value: capacityProviderName },
        ],
        Statistic: high.statistic,
        Period: high.period,
        EvaluationPeriods: high.evaluationPeriods,
        DatapointsToAlarm: high.datapointsToAlarm,
        Threshold: high.threshold,
        ComparisonOperator: high.comparisonOperator,
        TreatMissingData: high.treatMissingData,
    });
    return alarmName;
}

function servicesByName(
    settings: StackSettings,
    deployed: DeployedCluster,
    options: StackDeploymentOptions,
): Record<string, string> {
    const names = [
        ...settings.services.map((s) => s.name),
        ...(options.hostPortServices ?? []).map((s) => s.name),
    ];
    return Object.fromEntries(names.map((name, i) => [name, deployed.serviceArns[i]] as const));
}

/** The instance refresh preferences EcsCluster declares for the deployed mode. */
export function refreshPreferences(stack: StackDeployment): RollPreferences {
    const c = stack.settings.cluster;
    return {
        minHealthyPercentage: c.minHealthyPercentage,
        maxHealthyPercentage: c.maxHealthyPercentage,
        instanceWarmupSeconds: c.instanceWarmupSeconds,
        ...(stack.capacityManagement === "managed"
            ? {
                  scaleInProtectedInstances: refreshScaleInProtectedInstances(
                      stack.settings.capacityManagement.managed,
                  ),
              }
            : {}),
    };
}

/** The cluster, launch template, group and services, created through the models' own API (uncounted). */
export function deployStackCluster(
    region: Region,
    settings: StackSettings,
    options: StackDeploymentOptions = {},
): DeployedCluster {
    const group = deployStackGroup(region, settings, options);
    return { ...group, serviceArns: deployStackServices(region, settings, group, options) };
}

type StackGroup = Omit<DeployedCluster, "serviceArns">;

/**
 * The cluster, launch template and group: `options.instances` to start with, and `maxSize` (by
 * default the stack's, or twice the instances if more: room for an instance refresh).
 */
function deployStackGroup(
    region: Region,
    settings: StackSettings,
    options: StackDeploymentOptions,
    maxSize?: number,
): StackGroup {
    const c = settings.cluster;
    const clusterName = clusterNameOf(settings);
    const instances = options.instances ?? c.desiredCapacity;
    const zones =
        settings.network.availabilityZones ??
        [`${region.ctx.region}a`, `${region.ctx.region}b`, `${region.ctx.region}c`].slice(
            0,
            settings.network.azCount,
        );
    const { cluster } = region.admin("ecs", "CreateCluster", { clusterName }) as {
        cluster: { clusterArn: string };
    };
    if (c.awsvpcTrunking) {
        region.admin("ecs", "PutAccountSettingDefault", { name: "awsvpcTrunking", value: "enabled" });
    }
    const template = region.ec2.createLaunchTemplate(
        `${clusterName}-lt`,
        c.amiId ?? INITIAL_AMI,
        c.instanceTypes[0],
        clusterName,
    );
    const templateSpec = { LaunchTemplateId: template.id, Version: "1" };
    const mixed = c.instanceTypes.length > 1 || options.spot === true;
    const groupName = `${clusterName}-asg`;
    region.admin("autoscaling", "CreateAutoScalingGroup", {
        AutoScalingGroupName: groupName,
        MinSize: Math.min(c.minSize, instances),
        MaxSize: maxSize ?? Math.max(c.maxSize, instances * 2),
        DesiredCapacity: instances,
        AvailabilityZones: [...zones],
        DefaultInstanceWarmup: c.instanceWarmupSeconds,
        ...(mixed
            ? {
                  MixedInstancesPolicy: {
                      LaunchTemplate: {
                          LaunchTemplateSpecification: templateSpec,
                          Overrides: c.instanceTypes.map((t) => ({ InstanceType: t })),
                      },
                      InstancesDistribution: {
                          OnDemandBaseCapacity: c.onDemandBaseCapacity,
                          OnDemandPercentageAboveBaseCapacity: options.spot ? 0 : c.onDemandPercentage,
                      },
                  },
              }
            : { LaunchTemplate: templateSpec }),
    });
    return { clusterName, clusterArn: cluster.clusterArn, groupName, launchTemplateId: template.id };
}

/**
 * The group's maxSize in a scenario whose workload is scaled to `instances`: the stack's maxSize
 * scaled with the workload (a surge to maxCount needs the same headroom at any size) up to four
 * times the workload, and always room for an instance refresh (twice the workload).
 */
function maxSizeFor(settings: StackSettings, instances: number): number {
    const c = settings.cluster;
    const scaled = Math.ceil((c.maxSize * instances) / workloadInstances(settings));
    return Math.max(c.maxSize, instances * 2, Math.min(scaled, instances * 4));
}

/**
 * The stack's services (AppService's: awsvpc, an ip target group, spread over AZs then binpacked
 * on memory) and the host-port services, through the EC2 launch type or, given a capacity
 * provider, through its strategy.
 */
function deployStackServices(
    region: Region,
    settings: StackSettings,
    group: StackGroup,
    options: StackDeploymentOptions,
    capacityProvider?: string,
): string[] {
    const clusterName = group.clusterName;
    const placement = {
        ...(capacityProvider === undefined
            ? { launchType: "EC2" }
            : { capacityProviderStrategy: defaultStrategyDeclaration(capacityProvider) }),
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
        placementStrategy: [
            { type: "spread", field: "attribute:ecs.availability-zone" },
            { type: "binpack", field: "memory" },
        ],
    };
    const createService = (name: string, taskDefinitionArn: string, desiredCount: number, extra: object) => {
        const { service } = region.admin("ecs", "CreateService", {
            cluster: clusterName,
            serviceName: name,
            taskDefinition: taskDefinitionArn,
            schedulingStrategy: "REPLICA",
            desiredCount: options.desiredCounts?.[name] ?? desiredCount,
            ...placement,
            ...extra,
        }) as { service: { serviceArn: string } };
        return service.serviceArn;
    };
    const own = settings.services.map((s) => {
        // AppService's ip target group on the shared ALB, with the stack's deregistration delay.
        const targetGroupArn = region.targetGroups.create(
            `${s.name}-tg`.slice(0, 32),
            settings.alb.deregistrationDelaySeconds,
        );
        const { taskDefinition } = region.admin("ecs", "RegisterTaskDefinition", {
            family: `${clusterName}-${s.name}`,
            networkMode: "awsvpc",
            requiresCompatibilities: ["EC2"],
            cpu: String(s.cpu),
            memory: String(s.memory),
            containerDefinitions: [
                {
                    name: s.name,
                    image: s.image,
                    essential: true,
                    stopTimeout: settings.cluster.containerStopTimeoutSeconds,
                    portMappings: [{ containerPort: s.containerPort, protocol: "tcp" }],
                },
            ],
        }) as { taskDefinition: { taskDefinitionArn: string } };
        return createService(s.name, taskDefinition.taskDefinitionArn, s.desiredCount, {
            networkConfiguration: {
                awsvpcConfiguration: { subnets: ["subnet-0sim0000000000001"], assignPublicIp: "DISABLED" },
            },
            loadBalancers: [{ targetGroupArn, containerName: s.name, containerPort: s.containerPort }],
        });
    });
    const hostPort = (options.hostPortServices ?? []).map((s) => {
        const { taskDefinition } = region.admin("ecs", "RegisterTaskDefinition", {
            family: `${clusterName}-${s.name}`,
            networkMode: "bridge",
            requiresCompatibilities: ["EC2"],
            containerDefinitions: [
                {
                    name: s.name,
                    image: s.image,
                    essential: true,
                    cpu: s.cpu,
                    memory: s.memory,
                    stopTimeout: settings.cluster.containerStopTimeoutSeconds,
                    portMappings: [{ containerPort: s.hostPort, hostPort: s.hostPort, protocol: "tcp" }],
                },
            ],
        }) as { taskDefinition: { taskDefinitionArn: string } };
        return createService(s.name, taskDefinition.taskDefinitionArn, s.desiredCount, {});
    });
    return [...own, ...hostPort];
}
