/**
 * The ECS model: owns the state, the task lifecycle and the service scheduler; serves the API
 * (operations.ts, capacityProviders.ts) and the internal surface EC2 and Auto Scaling use
 * (registration, termination, Spot draining, lifecycle actions). Capacity providers bring tasks
 * waiting for capacity (provisioning.ts) and ECS's managed loops: scaling (managedScaling.ts),
 * termination protection (managedTermination.ts) and draining (managedDraining.ts).
 */
import { INSTANCE_TYPES, awsvpcTaskSlots } from "../../runtime/instanceTypes";
import { AwsError } from "../errors";
import { uuid } from "../messageIds";
import type { EcsInternal, RegionContext, ServiceModel } from "../types";
import { capacityProviderOperations } from "./capacityProviders";
import { EcsEvents } from "./events";
import { ManagedDraining } from "./managedDraining";
import { ManagedScaling } from "./managedScaling";
import { ManagedTerminationProtection } from "./managedTermination";
import { ecsOperations, type EcsOperation } from "./operations";
import { ProvisioningQueue } from "./provisioning";
import { ServiceScheduler } from "./scheduler";
import {
    DEFAULT_ECS_TIMINGS,
    EcsState,
    type ClusterState,
    type ContainerInstanceState,
    type EcsTimings,
    type TaskState,
} from "./state";
import { TaskLifecycle } from "./tasks";
import type { TargetGroups } from "../targetGroups";

export interface EcsModelOptions {
    /** The awsvpcTrunking account setting at the start of the run. */
    readonly trunking?: boolean;
    readonly timings?: Partial<EcsTimings>;
    /** The load balancers' target groups services register their tasks with. */
    readonly targetGroups: TargetGroups;
}

export class EcsModel implements ServiceModel, EcsInternal {
    readonly service = "ecs" as const;
    readonly operations: readonly string[];
    readonly state: EcsState;
    readonly events: EcsEvents;
    readonly lifecycle: TaskLifecycle;
    readonly scheduler: ServiceScheduler;
    readonly targetGroups: TargetGroups;
    readonly provisioning = new ProvisioningQueue();
    readonly managedScaling: ManagedScaling;
    readonly managedProtection: ManagedTerminationProtection;
    readonly managedDraining: ManagedDraining;
    private readonly handlers: Readonly<Record<string, EcsOperation>>;
    /**
     * The agents' ECS_ENABLE_SPOT_INSTANCE_DRAINING: on, as the cluster's user data sets it; off
     * shows what the drain pipeline does on its own when a Spot warning arrives.
     */
    agentSpotDraining = true;

    constructor(
        readonly ctx: RegionContext,
        options: EcsModelOptions,
    ) {
        const timings = { ...DEFAULT_ECS_TIMINGS, ...options.timings };
        this.targetGroups = options.targetGroups;
        this.state = new EcsState(options.trunking ?? false);
        this.events = new EcsEvents(ctx, this.state);
        this.lifecycle = new TaskLifecycle(ctx, this.state, this.events, timings, options.targetGroups);
        this.scheduler = new ServiceScheduler(ctx, this.state, this.lifecycle, timings, this.provisioning);
        this.managedScaling = new ManagedScaling(ctx, this.state, this.provisioning);
        this.managedProtection = new ManagedTerminationProtection(ctx, this.state);
        this.managedDraining = new ManagedDraining(ctx, this.state, (instance) =>
            this.setStatus(instance, "DRAINING"),
        );
        this.lifecycle.observer = {
            taskChanged: (task) => {
                this.scheduler.request();
                const service = task.serviceArn ? this.state.services.get(task.serviceArn) : undefined;
                if (service) this.scheduler.reportHealth(service);
                const instance = this.state.containerInstances.get(task.containerInstanceArn);
                if (instance) this.managedProtection.reconcile(instance);
                this.managedDraining.taskChanged(task);
            },
            taskPlaced: (_task, instance) => this.managedProtection.reconcile(instance),
        };
        this.handlers = { ...ecsOperations(this), ...capacityProviderOperations(this) };
        this.operations = Object.keys(this.handlers);
    }

    call(operation: string, input: Record<string, unknown>): unknown {
        const handler = this.handlers[operation];
        if (!handler) throw new AwsError("UnknownOperationException", `Unknown operation ${operation}`);
        return handler(input ?? {});
    }

    registerInstance(
        clusterName: string,
        ec2InstanceId: string,
        instanceType: string,
        availabilityZone: string,
        imageId: string = "ami-unknown",
    ): void {
        const cluster = this.state.clusters.get(this.clusterArn(clusterName));
        const info = INSTANCE_TYPES[instanceType];
        if (!cluster || cluster.status !== "ACTIVE" || !info) {
            // The agent cannot register to a missing cluster; it keeps retrying and the instance idles.
            this.ctx.record("ecs.registrationFailed", { clusterName, ec2InstanceId });
            return;
        }
        const id = this.ctx.random.hex(32);
        // ECS attaches a trunk interface only to instances of a supported type launched while the
        // account's awsvpcTrunking setting is on; earlier instances keep their plain ENI limit until
        // replaced (ECS developer guide, "Elastic network interface trunking"). Such an instance
        // carries the ecs.awsvpc-trunk-id attribute ("Amazon ECS container instance attributes");
        // its value's format is not documented: a UUID here (inferred).
        const trunkId = this.state.trunking && info.trunkEnis > 0 ? uuid(this.ctx.random) : undefined;
        const instance: ContainerInstanceState = {
            arn: `arn:aws:ecs:${this.ctx.region}:${this.ctx.accountId}:container-instance/${cluster.name}/${id}`,
            id,
            clusterArn: cluster.arn,
            ec2InstanceId,
            instanceType,
            availabilityZone,
            amiId: imageId,
            ordinal: this.state.nextInstanceOrdinal++,
            registeredAt: this.ctx.clock.now(),
            registeredCpu: info.vcpus * 1024,
            registeredMemory: info.registeredMemoryMiB,
            eniSlots: awsvpcTaskSlots(info, trunkId !== undefined),
            trunkId,
            status: "ACTIVE",
            agentConnected: true,
            version: 0,
            usedCpu: 0,
            usedMemory: 0,
            usedTcpPorts: new Set(),
            usedUdpPorts: new Set(),
            attachments: [],
            taskArns: new Set(),
            customAttributes: new Map(),
            ...this.capacityProviderOf(ec2InstanceId),
        };
        this.state.addInstance(instance);
        this.ctx.record("ecs.instance.registered", { ec2InstanceId, containerInstanceArn: instance.arn });
        this.events.containerInstanceChanged(instance);
        this.managedProtection.reconcile(instance);
        this.scheduler.request();
    }

    /** The capacity provider of the Auto Scaling group that launched the instance, if any. */
    private capacityProviderOf(ec2InstanceId: string): { capacityProviderName?: string } {
        const groupArn = this.ctx.autoscaling.groupInstance(ec2InstanceId)?.groupArn;
        if (groupArn === undefined) return {};
        const provider = [...this.state.capacityProviders.values()].find(
            (p) => p.status === "ACTIVE" && p.autoScalingGroupArn === groupArn,
        );
        return provider ? { capacityProviderName: provider.name } : {};
    }

    terminatingLifecycleAction(groupName: string, hookName: string, instanceId: string): void {
        this.managedDraining.lifecycleActionStarted(groupName, hookName, instanceId);
    }

    instanceTerminated(ec2InstanceId: string): void {
        const instance = this.state.instanceByEc2Id(ec2InstanceId);
        if (!instance || instance.status === "INACTIVE") return;
        instance.status = "INACTIVE";
        instance.agentConnected = false;
        for (const task of this.state.tasksOn(instance)) this.lifecycle.killWithHost(task);
        this.ctx.record("ecs.instance.inactive", { ec2InstanceId, containerInstanceArn: instance.arn });
        this.events.containerInstanceChanged(instance);
        this.scheduler.request();
    }

    /**
     * The agent's Spot draining, or managed draining, which "puts the instance in draining state in
     * response" to the Spot interruption notice (managed-instance-draining).
     */
    spotInterruption(ec2InstanceId: string): void {
        const instance = this.state.instanceByEc2Id(ec2InstanceId);
        if (!instance || instance.status !== "ACTIVE") return;
        const provider = instance.capacityProviderName
            ? this.state.capacityProviders.get(instance.capacityProviderName)
            : undefined;
        const managedDraining = provider?.managedDraining === "ENABLED" && provider.association !== undefined;
        if (this.agentSpotDraining || managedDraining) this.setStatus(instance, "DRAINING");
    }

    /** ACTIVE ↔ DRAINING. Draining stops the instance's service tasks that have not started; the scheduler replaces the rest. */
    setStatus(instance: ContainerInstanceState, status: "ACTIVE" | "DRAINING"): void {
        if (instance.status === status) return;
        instance.status = status;
        this.ctx.record("ecs.instance.status", { ec2InstanceId: instance.ec2InstanceId, status });
        this.events.containerInstanceChanged(instance);
        if (status === "DRAINING") {
            for (const task of this.state.tasksOn(instance)) {
                const pending = task.lastStatus === "PROVISIONING" || task.lastStatus === "PENDING";
                if (task.serviceArn && pending) {
                    this.lifecycle.stop(task, "Container instance is draining", "ServiceSchedulerInitiated");
                }
            }
        }
        this.scheduler.request();
    }

    clusterArn(nameOrArn: string): string {
        return nameOrArn.startsWith("arn:")
            ? nameOrArn
            : `arn:aws:ecs:${this.ctx.region}:${this.ctx.accountId}:cluster/${nameOrArn}`;
    }

    /** The cluster a request names (or "default"); ClusterNotFoundException as ECS answers it. */
    cluster(nameOrArn: string | undefined): ClusterState {
        const cluster = this.state.clusters.get(this.clusterArn(nameOrArn ?? "default"));
        if (!cluster || cluster.status !== "ACTIVE")
            throw new AwsError("ClusterNotFoundException", "Cluster not found.");
        return cluster;
    }

    /** Tasks of a cluster in creation order, newest retained STOPPED ones included. */
    clusterTasks(cluster: ClusterState): TaskState[] {
        return this.state.clusterTasks(cluster.arn);
    }
}
