/**
 * ECS API output shapes (as `@aws-sdk/client-ecs` types them: dates as Date objects, the wire
 * layer renders them) built from the model's state, and the same shapes as EventBridge detail
 * (dates as ISO strings).
 */
import type {
    Attachment,
    Attribute,
    Cluster,
    Container,
    ContainerInstance,
    Deployment,
    Service,
    Task,
    TaskDefinition,
} from "@aws-sdk/client-ecs";
import { registeredResources, remainingResources } from "./resources";
import type {
    ClusterState,
    ContainerInstanceState,
    EcsState,
    EniAttachment,
    ServiceState,
    TaskDefinitionState,
    TaskState,
} from "./state";

const AGENT_VERSION = "1.89.0";

export function clusterShape(cluster: ClusterState, state: EcsState): Cluster {
    const instances = state.instancesOf(cluster.arn).filter((ci) => ci.status !== "INACTIVE");
    const tasks = state.clusterTasks(cluster.arn);
    return {
        clusterArn: cluster.arn,
        clusterName: cluster.name,
        status: cluster.status,
        registeredContainerInstancesCount: instances.length,
        runningTasksCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
        pendingTasksCount: tasks.filter((t) => isPending(t)).length,
        activeServicesCount: [...state.services.values()].filter(
            (s) => s.clusterArn === cluster.arn && s.status === "ACTIVE",
        ).length,
        statistics: [],
        tags: [],
        settings: [{ name: "containerInsights", value: "disabled" }],
        capacityProviders: [...cluster.capacityProviders],
        defaultCapacityProviderStrategy: cluster.defaultCapacityProviderStrategy.map((i) => ({ ...i })),
    };
}

/**
 * A container instance's runningTasksCount as the API reference defines it: tasks whose *desired*
 * status is RUNNING (so a PENDING task counts, and a task already told to stop does not, though it
 * may still be deregistering or exiting). The cluster's count is by last status instead.
 */
export function instanceRunningTasksCount(tasks: readonly TaskState[]): number {
    return tasks.filter((t) => t.desiredStatus === "RUNNING").length;
}

function isPending(task: TaskState): boolean {
    return task.lastStatus === "PROVISIONING" || task.lastStatus === "PENDING";
}

export function instanceAttributes(instance: ContainerInstanceState): Attribute[] {
    const attr = (name: string, value?: string): Attribute => ({
        name,
        value,
        targetType: "container-instance",
        targetId: instance.arn,
    });
    return [
        attr("ecs.capability.task-eni"),
        attr("ecs.capability.container-health-check"),
        attr("ecs.ami-id", instance.amiId),
        attr("ecs.availability-zone", instance.availabilityZone),
        attr("ecs.instance-type", instance.instanceType),
        attr("ecs.os-type", "linux"),
        attr("ecs.os-family", "LINUX"),
        attr("ecs.cpu-architecture", "x86_64"),
        ...(instance.trunkId === undefined ? [] : [attr("ecs.awsvpc-trunk-id", instance.trunkId)]),
        ...[...instance.customAttributes].map(([name, value]) => attr(name, value)),
    ];
}

function eniAttachmentShape(eni: EniAttachment, status: string): Attachment {
    return {
        id: eni.id,
        type: "ElasticNetworkInterface",
        status,
        details: [
            { name: "networkInterfaceId", value: eni.eniId },
            { name: "taskArn", value: eni.taskArn },
        ],
    };
}

export function containerInstanceShape(instance: ContainerInstanceState, state: EcsState): ContainerInstance {
    const tasks = state.tasksOn(instance);
    return {
        containerInstanceArn: instance.arn,
        ec2InstanceId: instance.ec2InstanceId,
        version: instance.version,
        versionInfo: {
            agentVersion: AGENT_VERSION,
            agentHash: "4023248a",
            dockerVersion: "DockerVersion: 25.0.8",
        },
        remainingResources: remainingResources(instance),
        registeredResources: registeredResources(instance),
        status: instance.status,
        agentConnected: instance.agentConnected,
        runningTasksCount: instanceRunningTasksCount(tasks),
        pendingTasksCount: tasks.filter(isPending).length,
        attributes: instanceAttributes(instance),
        registeredAt: new Date(instance.registeredAt),
        attachments: instance.attachments.map((eni) => eniAttachmentShape(eni, "ATTACHED")),
        tags: [],
        capacityProviderName: instance.capacityProviderName,
    };
}

export function taskShape(task: TaskState, state: EcsState): Task {
    const definition = state.taskDefinitions.get(task.taskDefinitionArn)!;
    const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
    const containers: Container[] = definition.containers.map((c, i) => ({
        containerArn: `${task.arn.replace(":task/", ":container/")}/${i}`,
        taskArn: task.arn,
        name: c.name,
        image: c.image,
        lastStatus: containerStatus(task),
        exitCode: task.lastStatus === "STOPPED" && task.startedAt !== undefined ? 0 : undefined,
        networkBindings:
            definition.networkMode === "awsvpc"
                ? []
                : c.portMappings
                      .filter((p) => p.hostPort !== 0 || definition.networkMode === "host")
                      .map((p) => ({
                          bindIP: "0.0.0.0",
                          containerPort: p.containerPort,
                          hostPort: definition.networkMode === "host" ? p.containerPort : p.hostPort,
                          protocol: p.protocol,
                      })),
        cpu: String(c.cpu),
        memory: c.memory === undefined ? undefined : String(c.memory),
        memoryReservation: c.memoryReservation === undefined ? undefined : String(c.memoryReservation),
    }));
    return {
        taskArn: task.arn,
        clusterArn: task.clusterArn,
        taskDefinitionArn: task.taskDefinitionArn,
        containerInstanceArn: task.containerInstanceArn === "" ? undefined : task.containerInstanceArn,
        // A task waiting for capacity has no instance, hence no zone yet.
        availabilityZone: task.availabilityZone === "" ? undefined : task.availabilityZone,
        capacityProviderName: task.capacityProviderName,
        lastStatus: task.lastStatus,
        desiredStatus: task.desiredStatus,
        launchType: task.launchType ?? "EC2",
        ...(task.launchType === "FARGATE"
            ? { platformVersion: task.platformVersion, platformFamily: "Linux" }
            : {}),
        group: task.group,
        startedBy: task.startedBy,
        version: task.version,
        cpu: String(task.requirements.cpu),
        memory: String(task.requirements.memory),
        createdAt: new Date(task.createdAt),
        pullStartedAt: date(task.pullStartedAt),
        startedAt: date(task.startedAt),
        stoppingAt: date(task.stoppingAt),
        executionStoppedAt: date(task.executionStoppedAt),
        stoppedAt: date(task.stoppedAt),
        stoppedReason: task.stoppedReason,
        stopCode: task.stopCode as Task["stopCode"],
        connectivity: task.lastStatus === "RUNNING" ? "CONNECTED" : undefined,
        healthStatus: "UNKNOWN",
        attachments: task.eni ? [eniAttachmentShape(task.eni, eniStatus(task))] : [],
        containers,
        overrides: { containerOverrides: definition.containers.map((c) => ({ name: c.name })) },
        tags: [],
    };
}

function containerStatus(task: TaskState): string {
    if (task.lastStatus === "RUNNING") return "RUNNING";
    if (task.lastStatus === "STOPPED" || task.lastStatus === "DEPROVISIONING") return "STOPPED";
    if (task.lastStatus === "DEACTIVATING" || task.lastStatus === "STOPPING") return "RUNNING";
    return "PENDING";
}

function eniStatus(task: TaskState): string {
    if (task.lastStatus === "PROVISIONING") return "PRECREATED";
    if (task.lastStatus === "DEPROVISIONING") return "DELETED";
    if (task.lastStatus === "STOPPED") return "DELETED";
    return "ATTACHED";
}

export function taskDefinitionShape(definition: TaskDefinitionState): TaskDefinition {
    return {
        ...(definition.input as TaskDefinition),
        taskDefinitionArn: definition.arn,
        family: definition.family,
        revision: definition.revision,
        networkMode: definition.networkMode,
        cpu: definition.cpu,
        memory: definition.memory,
        status: "ACTIVE",
        compatibilities: ["EC2"],
        requiresCompatibilities: [
            ...definition.requiresCompatibilities,
        ] as TaskDefinition["requiresCompatibilities"],
        registeredAt: new Date(definition.registeredAt),
        requiresAttributes: definition.networkMode === "awsvpc" ? [{ name: "ecs.capability.task-eni" }] : [],
        placementConstraints: [],
        volumes: [],
    };
}

export function serviceShape(service: ServiceState, state: EcsState): Service {
    const tasks = state.serviceTasks(service).filter((t) => t.desiredStatus === "RUNNING");
    const deployments: Deployment[] = service.deployments
        .filter((d) => d.status !== "INACTIVE")
        .map((d) => {
            const own = tasks.filter((t) => t.deploymentId === d.id);
            return {
                id: d.id,
                status: d.status,
                taskDefinition: d.taskDefinitionArn,
                desiredCount: d.status === "PRIMARY" ? service.desiredCount : 0,
                pendingCount: own.filter(isPending).length,
                runningCount: own.filter((t) => t.lastStatus === "RUNNING").length,
                failedTasks: 0,
                createdAt: new Date(d.createdAt),
                updatedAt: new Date(d.updatedAt),
                ...launchShape(service),
                rolloutState: d.status === "PRIMARY" && settled(service, tasks) ? "COMPLETED" : "IN_PROGRESS",
            };
        });
    return {
        serviceArn: service.arn,
        serviceName: service.name,
        clusterArn: service.clusterArn,
        status: service.status,
        desiredCount: service.desiredCount,
        runningCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
        pendingCount: tasks.filter(isPending).length,
        ...launchShape(service),
        ...(service.launchType === "FARGATE" ? { platformVersion: "LATEST", platformFamily: "Linux" } : {}),
        taskDefinition: service.taskDefinitionArn,
        deploymentConfiguration: {
            minimumHealthyPercent: service.minimumHealthyPercent,
            maximumPercent: service.maximumPercent,
        },
        deployments,
        events: service.events.map((e) => ({
            id: e.id,
            createdAt: new Date(e.createdAt),
            message: e.message,
        })),
        createdAt: new Date(service.createdAt),
        placementConstraints: [],
        placementStrategy: service.placementStrategy.map((s) => ({ ...s })),
        networkConfiguration: service.networkConfiguration,
        loadBalancers: service.loadBalancers.map((lb) => ({ ...lb })),
        schedulingStrategy: service.schedulingStrategy,
        deploymentController: { type: "ECS" },
        enableECSManagedTags: false,
        propagateTags: "NONE",
        enableExecuteCommand: false,
    };
}

/** A service places its tasks either by launch type or through a capacity provider strategy. */
function launchShape(service: ServiceState): Pick<Service, "launchType" | "capacityProviderStrategy"> {
    return service.capacityProviderStrategy
        ? { capacityProviderStrategy: service.capacityProviderStrategy.map((i) => ({ ...i })) }
        : { launchType: service.launchType ?? "EC2" };
}

/** A deployment is complete when only the primary's tasks run, as many as desired. */
function settled(service: ServiceState, live: readonly TaskState[]): boolean {
    const primary = service.deployments[0];
    const running = live.filter((t) => t.lastStatus === "RUNNING");
    return (
        running.length === live.length &&
        live.every((t) => t.deploymentId === primary.id) &&
        (service.schedulingStrategy === "DAEMON" || live.length === service.desiredCount)
    );
}

/** An API shape as EventBridge detail: JSON values only, dates as ISO-8601 strings. */
export function asEventDetail(shape: object): Record<string, unknown> {
    return JSON.parse(JSON.stringify(shape)) as Record<string, unknown>;
}
