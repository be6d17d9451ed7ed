/**
 * The ECS model's state: clusters, container instances, task definitions, services and tasks, as
 * plain records the other ECS files read and change. API shapes are built from these in shapes.ts.
 */
import type { TaskRequirements } from "./resources";

export type ContainerInstanceStatus = "ACTIVE" | "DRAINING" | "INACTIVE";
export type TaskStatus =
    "PROVISIONING" | "PENDING" | "RUNNING" | "DEACTIVATING" | "STOPPING" | "DEPROVISIONING" | "STOPPED";
export type NetworkMode = "bridge" | "host" | "awsvpc" | "none";

export interface ClusterState {
    readonly arn: string;
    readonly name: string;
    status: "ACTIVE" | "INACTIVE";
    /** Names of the capacity providers associated with the cluster (PutClusterCapacityProviders). */
    capacityProviders: readonly string[];
    /** What a service or task without a launch type or strategy of its own uses. */
    defaultCapacityProviderStrategy: readonly CapacityProviderStrategyItemState[];
}

/** One item of a capacity provider strategy: `base` tasks first, the rest shared by `weight`. */
export interface CapacityProviderStrategyItemState {
    readonly capacityProvider: string;
    readonly base: number;
    readonly weight: number;
}

/** Managed scaling settings of an Auto Scaling group capacity provider, with AWS's defaults applied. */
export interface ManagedScalingState {
    readonly status: "ENABLED" | "DISABLED";
    readonly targetCapacity: number;
    readonly minimumScalingStepSize: number;
    readonly maximumScalingStepSize: number;
    readonly instanceWarmupPeriod: number;
}

/** What ECS created on the Auto Scaling group while the provider is associated with a cluster. */
export interface ManagedGroupResources {
    readonly clusterArn: string;
    readonly scalingPolicyArn?: string;
    readonly drainingHookName?: string;
}

export interface CapacityProviderState {
    readonly arn: string;
    readonly name: string;
    readonly autoScalingGroupArn: string;
    readonly managedScaling: ManagedScalingState;
    readonly managedTerminationProtection: "ENABLED" | "DISABLED";
    readonly managedDraining: "ENABLED" | "DISABLED";
    readonly createdAt: number;
    status: "ACTIVE" | "INACTIVE";
    /** Set while the provider is associated with a cluster (an Auto Scaling group serves one cluster). */
    association?: ManagedGroupResources;
}

export interface EniAttachment {
    readonly id: string;
    readonly eniId: string;
    readonly taskArn: string;
}

export interface ContainerInstanceState {
    readonly arn: string;
    readonly id: string;
    readonly clusterArn: string;
    readonly ec2InstanceId: string;
    readonly instanceType: string;
    readonly availabilityZone: string;
    readonly amiId: string;
    /** Registration order: the deterministic tie-break of placement. */
    readonly ordinal: number;
    readonly registeredAt: number;
    readonly registeredCpu: number;
    readonly registeredMemory: number;
    /** awsvpc tasks this instance can run (ENI trunking is fixed when the instance registers). */
    readonly eniSlots: number;
    /** Set when the instance registered with a trunk network interface (the ecs.awsvpc-trunk-id attribute). */
    readonly trunkId?: string;
    status: ContainerInstanceStatus;
    agentConnected: boolean;
    version: number;
    usedCpu: number;
    usedMemory: number;
    readonly usedTcpPorts: Set<number>;
    readonly usedUdpPorts: Set<number>;
    readonly attachments: EniAttachment[];
    /** Tasks placed here that are not yet STOPPED. */
    readonly taskArns: Set<string>;
    /** Custom attributes set with PutAttributes (name → value; a value-less attribute maps to undefined). */
    readonly customAttributes: Map<string, string | undefined>;
    /** The capacity provider of the Auto Scaling group that launched it, when associated as it registered. */
    readonly capacityProviderName?: string;
}

export interface PortMappingState {
    readonly containerPort: number;
    readonly hostPort: number;
    readonly protocol: "tcp" | "udp";
}

export interface ContainerDefinitionState {
    readonly name: string;
    readonly image: string;
    readonly cpu: number;
    readonly memory?: number;
    readonly memoryReservation?: number;
    readonly essential: boolean;
    readonly portMappings: readonly PortMappingState[];
    /** Seconds between SIGTERM and SIGKILL (the agent's default is 30). */
    readonly stopTimeout: number;
}

export interface TaskDefinitionState {
    readonly arn: string;
    readonly family: string;
    readonly revision: number;
    readonly networkMode: NetworkMode;
    /** Task-level cpu/memory as the API returns them (strings), when set. */
    readonly cpu?: string;
    readonly memory?: string;
    readonly containers: readonly ContainerDefinitionState[];
    readonly requiresCompatibilities: readonly string[];
    readonly registeredAt: number;
    readonly requirements: TaskRequirements;
    /** The input as given, echoed by DescribeTaskDefinition. */
    readonly input: Readonly<Record<string, unknown>>;
}

export type PlacementStrategyState = {
    readonly type: "binpack" | "spread" | "random";
    readonly field?: string;
};

export interface DeploymentState {
    readonly id: string;
    /** The numeric part of the scheduler's startedBy ("ecs-svc/…"). */
    readonly startedBy: string;
    readonly taskDefinitionArn: string;
    readonly createdAt: number;
    updatedAt: number;
    status: "PRIMARY" | "ACTIVE" | "INACTIVE";
}

/** A target group the service registers its tasks with (CreateService `loadBalancers`). */
export interface ServiceLoadBalancerState {
    readonly targetGroupArn: string;
    readonly containerName: string;
    readonly containerPort: number;
}

export interface ServiceEventState {
    readonly id: string;
    readonly createdAt: number;
    readonly message: string;
}

export interface ServiceState {
    readonly arn: string;
    readonly name: string;
    readonly clusterArn: string;
    /** FARGATE services run their tasks with no container instance; absent means EC2. */
    readonly launchType?: "EC2" | "FARGATE";
    readonly schedulingStrategy: "REPLICA" | "DAEMON";
    readonly createdAt: number;
    readonly placementStrategy: readonly PlacementStrategyState[];
    readonly networkConfiguration?: Readonly<Record<string, unknown>>;
    readonly loadBalancers: readonly ServiceLoadBalancerState[];
    /** Set when the service places its tasks through capacity providers instead of a launch type. */
    readonly capacityProviderStrategy?: readonly CapacityProviderStrategyItemState[];
    status: "ACTIVE" | "DRAINING" | "INACTIVE";
    desiredCount: number;
    minimumHealthyPercent: number;
    maximumPercent: number;
    taskDefinitionArn: string;
    deployments: DeploymentState[];
    /** Newest first, at most 100, as DescribeServices returns them. */
    events: ServiceEventState[];
}

export interface TaskState {
    readonly arn: string;
    readonly id: string;
    readonly clusterArn: string;
    readonly taskDefinitionArn: string;
    /** "" until a task waiting for capacity is placed (see `awaitingCapacity`), and always for Fargate. */
    containerInstanceArn: string;
    ec2InstanceId: string;
    availabilityZone: string;
    /** The capacity provider the task was launched through, if any. */
    readonly capacityProviderName?: string;
    /** "service:name" for service tasks, "family:name" otherwise. */
    readonly group: string;
    readonly startedBy?: string;
    readonly serviceArn?: string;
    readonly deploymentId?: string;
    readonly daemon: boolean;
    readonly requirements: TaskRequirements;
    readonly eni?: EniAttachment;
    readonly createdAt: number;
    /** Fargate tasks have no container instance (containerInstanceArn and ec2InstanceId are ""). */
    readonly launchType?: "FARGATE";
    readonly platformVersion?: string;
    /** The Fargate platform version revision the task was launched on (AWS retires old ones). */
    readonly platformRevision?: number;
    /** The task ignores SIGTERM and SIGKILL alike (the stuckTaskRate fault): it never reaches STOPPED. */
    readonly stuck: boolean;
    lastStatus: TaskStatus;
    desiredStatus: "RUNNING" | "STOPPED";
    version: number;
    pullStartedAt?: number;
    startedAt?: number;
    stoppingAt?: number;
    executionStoppedAt?: number;
    stoppedAt?: number;
    updatedAt: number;
    stoppedReason?: string;
    stopCode?: string;
    /** Timer of the next lifecycle step, so a stop can cancel a pending start. */
    timer?: number;
}

export interface EcsTimings {
    /** PROVISIONING → PENDING: ENI attachment for awsvpc, [min, max] ms. */
    readonly provisioningAwsvpcMs: readonly [number, number];
    readonly provisioningMs: readonly [number, number];
    /** PENDING → RUNNING: image pull and container start. */
    readonly pendingMs: readonly [number, number];
    /**
     * How long the application takes to exit after SIGTERM, drawn per task (inferred: a server
     * finishing its in-flight requests); past the container's stop timeout the agent sends SIGKILL.
     */
    readonly sigtermExitMs: readonly [number, number];
    /** DEPROVISIONING (awsvpc only): the agent detaches and deletes the task's ENI. */
    readonly deprovisioningAwsvpcMs: readonly [number, number];
    /** Delay between a change and the service scheduler's next pass. */
    readonly schedulerDelayMs: number;
    /** How often a service that could not place tasks retries. */
    readonly schedulerRetryMs: number;
    /** How long STOPPED tasks stay visible to ListTasks/DescribeTasks. */
    readonly stoppedRetentionMs: number;
}

export const DEFAULT_ECS_TIMINGS: EcsTimings = {
    provisioningAwsvpcMs: [5_000, 10_000],
    provisioningMs: [500, 1_500],
    pendingMs: [10_000, 30_000],
    sigtermExitMs: [1_000, 8_000],
    deprovisioningAwsvpcMs: [5_000, 10_000],
    schedulerDelayMs: 1_000,
    schedulerRetryMs: 30_000,
    stoppedRetentionMs: 3_600_000,
};

/**
 * Records by ARN, plus the indexes the region needs at thousands of instances: instances per
 * cluster and by EC2 id, tasks per service (a task's instance holds its own `taskArns`). Instances
 * and tasks are added and removed only through the methods here, which keep the indexes.
 */
/** A task launched through a capacity provider that found no room: PROVISIONING, on no instance yet. */
export function awaitingCapacity(task: TaskState): boolean {
    return task.capacityProviderName !== undefined && task.containerInstanceArn === "";
}

export class EcsState {
    readonly clusters = new Map<string, ClusterState>();
    /** Capacity providers by name (ACTIVE ones; INACTIVE ones stay describable). */
    readonly capacityProviders = new Map<string, CapacityProviderState>();
    readonly containerInstances: ReadonlyMap<string, ContainerInstanceState> = new Map();
    readonly taskDefinitions = new Map<string, TaskDefinitionState>();
    readonly services = new Map<string, ServiceState>();
    readonly tasks: ReadonlyMap<string, TaskState> = new Map();
    private readonly instancesByCluster = new Map<string, ContainerInstanceState[]>();
    private readonly instancesByEc2Id = new Map<string, ContainerInstanceState>();
    private readonly tasksByCluster = new Map<string, Set<TaskState>>();
    private readonly tasksByInstance = new Map<string, Set<TaskState>>();
    private readonly tasksByService = new Map<string, Set<TaskState>>();
    /** The awsvpcTrunking account setting, applied to instances when they register. */
    trunking: boolean;
    /** The newest Fargate platform version revision: every new Fargate task launches on it. */
    fargatePlatformRevision = 1;
    nextInstanceOrdinal = 0;

    constructor(trunking: boolean) {
        this.trunking = trunking;
    }

    addInstance(instance: ContainerInstanceState): void {
        (this.containerInstances as Map<string, ContainerInstanceState>).set(instance.arn, instance);
        const ofCluster = this.instancesByCluster.get(instance.clusterArn) ?? [];
        ofCluster.push(instance);
        this.instancesByCluster.set(instance.clusterArn, ofCluster);
        // An instance id registers again only after its record went INACTIVE: the newest is the live one.
        this.instancesByEc2Id.set(instance.ec2InstanceId, instance);
    }

    addTask(task: TaskState): void {
        (this.tasks as Map<string, TaskState>).set(task.arn, task);
        for (const [index, key] of this.taskIndexes(task)) {
            const tasks = index.get(key) ?? new Set();
            tasks.add(task);
            index.set(key, tasks);
        }
    }

    /** A task that waited for capacity is placed: it joins the instance's index. */
    placeTask(task: TaskState, instance: ContainerInstanceState): void {
        task.containerInstanceArn = instance.arn;
        task.ec2InstanceId = instance.ec2InstanceId;
        task.availabilityZone = instance.availabilityZone;
        const onInstance = this.tasksByInstance.get(instance.arn) ?? new Set();
        onInstance.add(task);
        this.tasksByInstance.set(instance.arn, onInstance);
    }

    /** A STOPPED task past its retention: no longer listed or described. */
    forgetTask(task: TaskState): void {
        (this.tasks as Map<string, TaskState>).delete(task.arn);
        for (const [index, key] of this.taskIndexes(task)) index.get(key)?.delete(task);
    }

    private taskIndexes(task: TaskState): [Map<string, Set<TaskState>>, string][] {
        const indexes: [Map<string, Set<TaskState>>, string][] = [[this.tasksByCluster, task.clusterArn]];
        if (task.containerInstanceArn !== "") indexes.push([this.tasksByInstance, task.containerInstanceArn]);
        if (task.serviceArn !== undefined) indexes.push([this.tasksByService, task.serviceArn]);
        return indexes;
    }

    /** The cluster's listed tasks (STOPPED ones until their retention ends), in creation order. */
    clusterTasks(clusterArn: string): TaskState[] {
        return [...(this.tasksByCluster.get(clusterArn) ?? [])];
    }

    /** Every listed task placed on the instance, STOPPED ones included, in creation order. */
    tasksPlacedOn(containerInstanceArn: string): TaskState[] {
        return [...(this.tasksByInstance.get(containerInstanceArn) ?? [])];
    }

    /** The cluster's instances, INACTIVE ones included, in registration order. */
    instancesOf(clusterArn: string): ContainerInstanceState[] {
        return [...(this.instancesByCluster.get(clusterArn) ?? [])];
    }

    tasksOn(instance: ContainerInstanceState): TaskState[] {
        return [...instance.taskArns].map((arn) => this.tasks.get(arn)!);
    }

    /** The service's tasks still listed (STOPPED ones until their retention ends), oldest first. */
    serviceTasks(service: ServiceState): TaskState[] {
        return [...(this.tasksByService.get(service.arn) ?? [])];
    }

    instanceByEc2Id(ec2InstanceId: string): ContainerInstanceState | undefined {
        return this.instancesByEc2Id.get(ec2InstanceId);
    }
}
