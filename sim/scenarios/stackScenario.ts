/**
 * The stack as the program declares it, deployed into a simulated region: the cluster from the
 * stack's instance types and sizes (a mixed instances policy when several types are listed, as
 * EcsCluster does), the stack's services as awsvpc REPLICA services with task-level cpu/memory
 * and their container port, each registered with a target group of the stack's deregistration
 * delay (as AppService does), and the stack's control loops: the drain pipeline with the stack's
 * drain settings, the capacity scaler with its thresholds and the termination policy. Scenarios
 * switch loops off to show what happens without them.
 */
import { clusterNameOf, type StackSettings } from "../../stack/settings";
import type { DeployedCluster, SimHarness } from "../harness";
import { deployCapacityScaler, type CapacityScalerDeployment } from "../pipelines/capacity";
import { deployDrainPipeline, type DrainPipeline } from "../pipelines/drain";
import { deployTerminationPolicy } from "../pipelines/termination";
import type { Region } from "../region";

/** The AMI the stack's instances boot first; a rolling update moves them to another. */
export const INITIAL_AMI = "ami-0aaaaaaaaaaaaaaa1";

export interface StackDeploymentOptions {
    /** Instances the group starts with (the stack's desiredCapacity when omitted); maxSize grows to fit. */
    readonly instances?: number;
    /** Run every instance above the stack's on-demand base as Spot (the stack's own split when false). */
    readonly spot?: boolean;
    /** The drain pipeline (on unless false: a rolling update without it shows what it prevents). */
    readonly drainHook?: boolean;
    readonly capacityScaler?: boolean;
    readonly terminationPolicy?: boolean;
    /** Replica counts per service name, replacing the stack's desiredCount (e.g. to fill a large cluster). */
    readonly desiredCounts?: Readonly<Record<string, number>>;
}

export interface StackDeployment {
    readonly settings: StackSettings;
    readonly deployed: DeployedCluster;
    readonly drain?: DrainPipeline;
    readonly capacity?: CapacityScalerDeployment;
    readonly terminationFunctionArn?: string;
    /** Service name → ARN. */
    readonly services: Readonly<Record<string, string>>;
}

/** Deploys the stack's cluster, services and control loops, and waits until every service runs its tasks. */
export async function deployStack(
    harness: SimHarness,
    settings: StackSettings,
    options: StackDeploymentOptions = {},
): Promise<StackDeployment> {
    const region = harness.region;
    const deployed = deployStackCluster(region, settings, options);
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
    const services = Object.fromEntries(
        settings.services.map((s, i) => [s.name, deployed.serviceArns[i]] as const),
    );
    return {
        settings,
        deployed,
        drain,
        capacity,
        terminationFunctionArn: termination?.functionArn,
        services,
    };
}

/** The cluster, launch template, group and services, created through the models' own API (uncounted). */
export function deployStackCluster(
    region: Region,
    settings: StackSettings,
    options: StackDeploymentOptions = {},
): DeployedCluster {
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
        MaxSize: Math.max(c.maxSize, instances * 2),
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
    const serviceArns = settings.services.map((s) => {
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
                    stopTimeout: c.containerStopTimeoutSeconds,
                    portMappings: [{ containerPort: s.containerPort, protocol: "tcp" }],
                },
            ],
        }) as { taskDefinition: { taskDefinitionArn: string } };
        const { service } = region.admin("ecs", "CreateService", {
            cluster: clusterName,
            serviceName: s.name,
            taskDefinition: taskDefinition.taskDefinitionArn,
            schedulingStrategy: "REPLICA",
            desiredCount: options.desiredCounts?.[s.name] ?? s.desiredCount,
            launchType: "EC2",
            deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
            placementStrategy: [
                { type: "spread", field: "attribute:ecs.availability-zone" },
                { type: "binpack", field: "memory" },
            ],
            networkConfiguration: {
                awsvpcConfiguration: { subnets: ["subnet-0sim0000000000001"], assignPublicIp: "DISABLED" },
            },
            loadBalancers: [{ targetGroupArn, containerName: s.name, containerPort: s.containerPort }],
        }) as { service: { serviceArn: string } };
        return service.serviceArn;
    });
    return {
        clusterName,
        clusterArn: cluster.clusterArn,
        groupName,
        launchTemplateId: template.id,
        serviceArns,
    };
}
