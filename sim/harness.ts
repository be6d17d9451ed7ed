/**
 * The test bed the handler issues use: a Region with its loopback server and the AWS SDK
 * environment pointed at it, the Lambda runtime the deployed handlers get (in-process clients, or
 * the real SDK clients over the wire), and helpers that deploy a scenario (a cluster, its launch
 * template and Auto Scaling group, services with their task definitions, a TERMINATING hook to an
 * SNS topic), wait for it to settle and roll a new AMI through an instance refresh.
 */
import { awsLambdaRuntime, type LambdaRuntime } from "../runtime/lambdaRuntime";
import { capacityInstances } from "./autoscaling/state";
import { regionLambdaRuntime } from "./inProcessClients";
import type { FunctionSpec } from "./lambda";
import { Region, type RegionOptions } from "./region";
import { startRegionServer, type RegionServer } from "./protocol/server";
import { overlapConcurrentWireCalls } from "./wireCalls";

export interface ServiceScenario {
    readonly name: string;
    /** Replica count; ignored for daemons. */
    readonly desiredCount?: number;
    readonly daemon?: boolean;
    readonly networkMode?: "bridge" | "host" | "awsvpc";
    /** Container-level reservation (CPU units and MiB). */
    readonly cpu?: number;
    readonly memory?: number;
    /** Static host port (bridge/host); omitted means a dynamic port. */
    readonly hostPort?: number;
    readonly containerPort?: number;
    readonly stopTimeout?: number;
    readonly minimumHealthyPercent?: number;
    readonly maximumPercent?: number;
}

export interface ClusterScenario {
    readonly clusterName: string;
    readonly instanceType: string;
    readonly instanceCount: number;
    readonly maxSize?: number;
    readonly availabilityZones?: readonly string[];
    readonly amiId?: string;
    readonly services?: readonly ServiceScenario[];
    /** A TERMINATING lifecycle hook whose notifications go to a new SNS topic. */
    readonly hook?: { readonly heartbeatTimeout?: number; readonly defaultResult?: "CONTINUE" | "ABANDON" };
    readonly terminationPolicies?: readonly string[];
    /** instanceLifecyclePolicy retention: ABANDON keeps the instance (Terminating:Retained). */
    readonly retainOnAbandon?: boolean;
}

export interface DeployedCluster {
    readonly clusterName: string;
    readonly clusterArn: string;
    readonly groupName: string;
    readonly launchTemplateId: string;
    readonly hookName?: string;
    readonly topicArn?: string;
    readonly serviceArns: readonly string[];
}

export interface RollPreferences {
    readonly minHealthyPercentage?: number;
    readonly maxHealthyPercentage?: number;
    readonly instanceWarmupSeconds?: number;
    readonly skipMatching?: boolean;
    /** What the refresh does with instances protected from scale-in (Auto Scaling's default: Wait). */
    readonly scaleInProtectedInstances?: "Refresh" | "Ignore" | "Wait";
}

/** Deploys the scenario through the models' own API (uncounted): what Pulumi would have created. */
export function deployCluster(region: Region, scenario: ClusterScenario): DeployedCluster {
    const zones = scenario.availabilityZones ?? [
        `${region.ctx.region}a`,
        `${region.ctx.region}b`,
        `${region.ctx.region}c`,
    ];
    const { cluster } = region.admin("ecs", "CreateCluster", { clusterName: scenario.clusterName }) as {
        cluster: { clusterArn: string };
    };
    const template = region.ec2.createLaunchTemplate(
        `${scenario.clusterName}-lt`,
        scenario.amiId ?? "ami-0aaaaaaaaaaaaaaa1",
        scenario.instanceType,
        scenario.clusterName,
    );
    const groupName = `${scenario.clusterName}-asg`;
    let topicArn: string | undefined;
    const hookName = scenario.hook ? `${scenario.clusterName}-drain` : undefined;
    if (scenario.hook) {
        ({ TopicArn: topicArn } = region.admin("sns", "CreateTopic", {
            Name: `${scenario.clusterName}-drain`,
        }) as {
            TopicArn: string;
        });
    }
    region.admin("autoscaling", "CreateAutoScalingGroup", {
        AutoScalingGroupName: groupName,
        MinSize: 0,
        MaxSize: scenario.maxSize ?? scenario.instanceCount * 2,
        DesiredCapacity: scenario.instanceCount,
        AvailabilityZones: [...zones],
        LaunchTemplate: { LaunchTemplateId: template.id, Version: "1" },
        TerminationPolicies: scenario.terminationPolicies ? [...scenario.terminationPolicies] : undefined,
        InstanceLifecyclePolicy: scenario.retainOnAbandon
            ? { RetentionTriggers: { TerminateHookAbandon: "retain" } }
            : undefined,
    });
    if (scenario.hook) {
        region.admin("autoscaling", "PutLifecycleHook", {
            AutoScalingGroupName: groupName,
            LifecycleHookName: hookName,
            LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
            NotificationTargetARN: topicArn,
            RoleARN: `arn:aws:iam::${region.ctx.accountId}:role/${scenario.clusterName}-hook`,
            HeartbeatTimeout: scenario.hook.heartbeatTimeout ?? 900,
            DefaultResult: scenario.hook.defaultResult ?? "CONTINUE",
        });
    }
    const serviceArns = (scenario.services ?? []).map((s) => createService(region, scenario.clusterName, s));
    return {
        clusterName: scenario.clusterName,
        clusterArn: cluster.clusterArn,
        groupName,
        launchTemplateId: template.id,
        hookName,
        topicArn,
        serviceArns,
    };
}

function createService(region: Region, clusterName: string, s: ServiceScenario): string {
    const networkMode = s.networkMode ?? "bridge";
    const containerPort = s.containerPort ?? 8080;
    const { taskDefinition } = region.admin("ecs", "RegisterTaskDefinition", {
        family: s.name,
        networkMode,
        containerDefinitions: [
            {
                name: s.name,
                image: `public.ecr.aws/example/${s.name}:1`,
                cpu: s.cpu ?? 256,
                memory: s.memory ?? 512,
                essential: true,
                stopTimeout: s.stopTimeout,
                portMappings: [
                    { containerPort, hostPort: s.hostPort ?? (networkMode === "bridge" ? 0 : containerPort) },
                ],
            },
        ],
    }) as { taskDefinition: { taskDefinitionArn: string } };
    const { service } = region.admin("ecs", "CreateService", {
        cluster: clusterName,
        serviceName: s.name,
        taskDefinition: taskDefinition.taskDefinitionArn,
        schedulingStrategy: s.daemon ? "DAEMON" : "REPLICA",
        desiredCount: s.daemon ? undefined : (s.desiredCount ?? 1),
        launchType: "EC2",
        deploymentConfiguration:
            s.minimumHealthyPercent !== undefined || s.maximumPercent !== undefined
                ? { minimumHealthyPercent: s.minimumHealthyPercent, maximumPercent: s.maximumPercent }
                : undefined,
        networkConfiguration:
            networkMode === "awsvpc"
                ? {
                      awsvpcConfiguration: {
                          subnets: ["subnet-0sim0000000000001"],
                          assignPublicIp: "DISABLED",
                      },
                  }
                : undefined,
    }) as { service: { serviceArn: string } };
    return service.serviceArn;
}

/** True when every group instance is InService and registered, and every service runs its desired count. */
export function isSteady(region: Region, deployed: DeployedCluster): boolean {
    const group = region.autoscaling.groups.get(deployed.groupName)!;
    const capacity = capacityInstances(group);
    if (capacity.length !== group.desiredCapacity || capacity.some((i) => i.lifecycleState !== "InService")) {
        return false;
    }
    if (group.instances.size !== capacity.length) return false;
    const state = region.ecs.state;
    const registered = state.instancesOf(deployed.clusterArn).filter((ci) => ci.status === "ACTIVE");
    const agents = capacity.filter((i) => !region.ec2.get(i.instanceId)!.neverRegisters);
    if (!agents.every((i) => registered.some((ci) => ci.ec2InstanceId === i.instanceId))) return false;
    return deployed.serviceArns.every((arn) => {
        const service = state.services.get(arn)!;
        const live = state.serviceTasks(service).filter((t) => t.desiredStatus === "RUNNING");
        const running = live.filter((t) => t.lastStatus === "RUNNING").length;
        const wanted = service.schedulingStrategy === "DAEMON" ? registered.length : service.desiredCount;
        return running === wanted && live.length === wanted;
    });
}

/** Creates a launch template version with the new AMI and starts an instance refresh to it. */
export function rollAmi(
    region: Region,
    deployed: DeployedCluster,
    amiId: string,
    preferences: RollPreferences = {},
): string {
    const version = region.ec2.createLaunchTemplateVersion(deployed.launchTemplateId, { imageId: amiId });
    const { InstanceRefreshId } = region.admin("autoscaling", "StartInstanceRefresh", {
        AutoScalingGroupName: deployed.groupName,
        Strategy: "Rolling",
        DesiredConfiguration: {
            LaunchTemplate: { LaunchTemplateId: deployed.launchTemplateId, Version: String(version) },
        },
        Preferences: {
            MinHealthyPercentage: preferences.minHealthyPercentage ?? 100,
            MaxHealthyPercentage: preferences.maxHealthyPercentage ?? 200,
            InstanceWarmup: preferences.instanceWarmupSeconds ?? 60,
            SkipMatching: preferences.skipMatching ?? true,
            ...(preferences.scaleInProtectedInstances
                ? { ScaleInProtectedInstances: preferences.scaleInProtectedInstances }
                : {}),
        },
    }) as { InstanceRefreshId: string };
    return InstanceRefreshId;
}

export function refreshStatus(
    region: Region,
    deployed: DeployedCluster,
    refreshId: string,
): string | undefined {
    return region.autoscaling.groups.get(deployed.groupName)!.refreshes.find((r) => r.id === refreshId)
        ?.status;
}

const SDK_ENV = ["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;

export interface HarnessOptions extends RegionOptions {
    /**
     * How deployed handlers reach the region: "in-process" (the default) calls its operations
     * directly; "wire" gives them the real SDK clients, through the loopback server.
     */
    readonly transport?: "in-process" | "wire";
    /** The loopback port to serve on; 0 (the default) takes a free one. */
    readonly port?: number;
}

/** A Region served on loopback with the SDK environment pointed at it; `stop()` restores the environment. */
export class SimHarness {
    /** What the handlers deployed here get from their environment (clients, waits, jitter). */
    readonly lambdaRuntime: () => LambdaRuntime;

    private constructor(
        readonly region: Region,
        private readonly server: RegionServer,
        private readonly savedEnv: Readonly<Record<string, string | undefined>>,
        private readonly stopOverlappingWireCalls: () => void,
        transport: "in-process" | "wire",
    ) {
        this.lambdaRuntime =
            transport === "wire"
                ? () => ({ ...regionLambdaRuntime(region), client: awsLambdaRuntime().client })
                : () => regionLambdaRuntime(region);
    }

    static async start(options: HarnessOptions): Promise<SimHarness> {
        const region = new Region(options);
        // Over the wire, the loopback server's work runs in this process while a handler waits.
        region.lambda.measureCompute = options.transport !== "wire";
        const server = await startRegionServer(
            (service, operation, input) => region.call(service, operation, input),
            {
                port: options.port ?? 0,
            },
        );
        region.sqs.setEndpoint(server.endpoint);
        const savedEnv = Object.fromEntries(SDK_ENV.map((k) => [k, process.env[k]]));
        process.env.AWS_ENDPOINT_URL = server.endpoint;
        process.env.AWS_REGION = region.ctx.region;
        process.env.AWS_ACCESS_KEY_ID = "AKIASIMULATEDREGION0";
        process.env.AWS_SECRET_ACCESS_KEY = "simulated-region-secret-key-not-a-credential";
        const stopOverlappingWireCalls = overlapConcurrentWireCalls(region.lambda, server.endpoint);
        return new SimHarness(
            region,
            server,
            savedEnv,
            stopOverlappingWireCalls,
            options.transport ?? "in-process",
        );
    }

    get endpoint(): string {
        return this.server.endpoint;
    }

    deploy(scenario: ClusterScenario): DeployedCluster {
        return deployCluster(this.region, scenario);
    }

    /** Deploys and runs until the scenario is steady (false if it is not within `maxSeconds`). */
    async deploySteady(scenario: ClusterScenario, maxSeconds = 1800): Promise<DeployedCluster> {
        const deployed = this.deploy(scenario);
        const steady = await this.region.runUntil(() => isSteady(this.region, deployed), maxSeconds);
        if (!steady)
            throw new Error(`deploySteady: ${scenario.clusterName} was not steady after ${maxSeconds} s`);
        return deployed;
    }

    run(seconds: number): Promise<void> {
        return this.region.run(seconds);
    }

    /** Registers a runtime handler as a Lambda function of the region; returns its ARN. */
    deployFunction(spec: FunctionSpec): string {
        return this.region.lambda.createFunction(spec);
    }

    /** Subscribes a function to a topic, so each publication invokes it asynchronously; returns the subscription ARN. */
    subscribe(topicArn: string, functionArn: string): string {
        const out = this.region.admin("sns", "Subscribe", {
            TopicArn: topicArn,
            Protocol: "lambda",
            Endpoint: functionArn,
        }) as { SubscriptionArn: string };
        return out.SubscriptionArn;
    }

    async stop(): Promise<void> {
        this.stopOverlappingWireCalls();
        await this.server.close();
        for (const key of SDK_ENV) {
            const value = this.savedEnv[key];
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
    }
}
