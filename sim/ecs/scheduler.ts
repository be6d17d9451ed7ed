/**
 * The service scheduler. A pass runs shortly after any change (coalesced) and again periodically
 * while a service is short of tasks. For each REPLICA service it brings the tasks of the primary
 * deployment on ACTIVE instances to desiredCount, and retires "obsolete" tasks — on DRAINING
 * instances or of an older deployment — within the deployment configuration: new tasks start
 * while the total stays ≤ maximumPercent, old RUNNING ones stop while RUNNING stays ≥
 * minimumHealthyPercent (so with no room left, the minimum is what frees it). DAEMON services run
 * one task per ACTIVE instance; on a DRAINING instance the daemon task stops only once no other
 * service task is left there. Standalone tasks are never touched.
 *
 * A service with a capacity provider strategy places each new task on an instance of the provider
 * the strategy picks; when none fits and the provider has managed scaling, the task waits in
 * PROVISIONING (provisioning.ts) and each pass first places the waiting tasks that fit.
 */
import type { RegionContext } from "../types";
import { placeTask, type PlacementResult } from "./placement";
import { chooseCapacityProvider, type ProvisioningQueue } from "./provisioning";
import {
    awaitingCapacity,
    type ClusterState,
    type ContainerInstanceState,
    type EcsState,
    type EcsTimings,
    type ServiceState,
    type TaskState,
} from "./state";
import type { TaskLifecycle } from "./tasks";

const MAX_SERVICE_EVENTS = 100;
const TROUBLESHOOTING =
    "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.";

export class ServiceScheduler {
    private passTimer?: number;
    private retryTimer?: number;
    private readonly lastHealth = new Map<string, string>();

    constructor(
        private readonly ctx: RegionContext,
        private readonly state: EcsState,
        private readonly lifecycle: TaskLifecycle,
        private readonly timings: EcsTimings,
        private readonly provisioning: ProvisioningQueue,
    ) {}

    /** Asks for a pass soon; many requests within the delay make one pass. */
    request(): void {
        if (this.passTimer !== undefined) return;
        this.passTimer = this.ctx.clock.schedule(this.timings.schedulerDelayMs, "ecs.scheduler", () => {
            this.passTimer = undefined;
            this.pass();
        });
    }

    /** Records the service's RUNNING count against its desired count when either changed (for the invariants). */
    reportHealth(service: ServiceState): void {
        const running = this.state
            .serviceTasks(service)
            .filter((t) => t.lastStatus === "RUNNING" && !t.daemon).length;
        const desired = service.schedulingStrategy === "DAEMON" ? undefined : service.desiredCount;
        if (desired === undefined) return;
        const key = `${running}/${desired}`;
        if (this.lastHealth.get(service.arn) === key) return;
        this.lastHealth.set(service.arn, key);
        this.ctx.record("ecs.service.health", { serviceArn: service.arn, running, desired });
    }

    pass(): void {
        let short = this.placeWaiting() > 0;
        for (const cluster of this.state.clusters.values()) {
            if (cluster.status !== "ACTIVE") continue;
            const services = [...this.state.services.values()].filter(
                (s) => s.clusterArn === cluster.arn && s.status === "ACTIVE",
            );
            // Daemon tasks claim their instance first, as ECS places them before replica tasks.
            for (const service of services.filter((s) => s.schedulingStrategy === "DAEMON")) {
                short = this.reconcileDaemon(cluster, service) || short;
            }
            for (const service of services.filter((s) => s.schedulingStrategy === "REPLICA")) {
                short = this.reconcileReplica(cluster, service) || short;
            }
        }
        if (short && this.retryTimer === undefined) {
            this.retryTimer = this.ctx.clock.schedule(
                this.timings.schedulerRetryMs,
                "ecs.scheduler.retry",
                () => {
                    this.retryTimer = undefined;
                    this.pass();
                },
            );
        }
    }

    /** Returns true when the service is still short of tasks it could not place. */
    private reconcileReplica(cluster: ClusterState, service: ServiceState): boolean {
        const primary = service.deployments[0];
        const isObsolete = (t: TaskState) =>
            t.deploymentId !== primary.id || (this.onInstance(t) && this.instanceOf(t).status !== "ACTIVE");
        const live = () => this.state.serviceTasks(service).filter((t) => t.desiredStatus === "RUNNING");

        for (const task of live().filter((t) => isObsolete(t) && t.lastStatus !== "RUNNING")) {
            const reason =
                !this.onInstance(task) || this.instanceOf(task).status === "ACTIVE"
                    ? "Task stopped before it started: its deployment was replaced"
                    : "Task stopped before it started: its container instance is draining";
            this.stopAll(service, [task], reason);
        }

        const desired = service.desiredCount;
        const current = live().filter((t) => !isObsolete(t));
        if (current.length > desired) {
            this.stopAll(
                service,
                pickScaleIn(current, current.length - desired),
                "Scaling activity initiated by (deployment " + primary.id + ")",
            );
        }

        const maxTotal = Math.floor((desired * service.maximumPercent) / 100);
        const toStart = Math.min(
            desired - live().filter((t) => !isObsolete(t)).length,
            maxTotal - live().length,
        );
        let short = false;
        if (toStart > 0) short = this.startReplicas(cluster, service, toStart) < toStart;
        if (desired - live().filter((t) => !isObsolete(t)).length > 0) short = true;

        const minHealthy = Math.ceil((desired * service.minimumHealthyPercent) / 100);
        const running = live().filter((t) => t.lastStatus === "RUNNING").length;
        const obsoleteRunning = live().filter((t) => isObsolete(t) && t.lastStatus === "RUNNING");
        const canStop = Math.min(running - minHealthy, obsoleteRunning.length);
        if (canStop > 0) {
            this.stopAll(
                service,
                obsoleteRunning.slice(0, canStop),
                "Service scheduler stopped a task to replace it",
            );
        }

        this.retireDrainedDeployments(service);
        const settled = live();
        if (
            settled.length === desired &&
            settled.every((t) => t.lastStatus === "RUNNING" && !isObsolete(t)) &&
            service.events[0]?.message !== `(service ${service.name}) has reached a steady state.`
        ) {
            this.addEvent(service, `(service ${service.name}) has reached a steady state.`);
        }
        this.reportHealth(service);
        return short;
    }

    private startReplicas(cluster: ClusterState, service: ServiceState, count: number): number {
        const primary = service.deployments[0];
        const definition = this.state.taskDefinitions.get(primary.taskDefinitionArn)!;
        const started: TaskState[] = [];
        let failure: PlacementFailure | undefined;
        for (let i = 0; i < count; i++) {
            if (service.launchType === "FARGATE") {
                // Fargate places nothing on the cluster's instances: the task gets its own host in a zone.
                const zones = ["a", "b", "c"].map((z) => `${this.ctx.region}${z}`);
                const live = this.state.serviceTasks(service).filter((t) => t.desiredStatus === "RUNNING");
                const fargateZone = zones.reduce((best, z) =>
                    live.filter((t) => t.availabilityZone === z).length <
                    live.filter((t) => t.availabilityZone === best).length
                        ? z
                        : best,
                );
                started.push(this.startServiceTask(cluster, service, undefined, false, fargateZone));
                continue;
            }
            const provider = this.providerOfNextTask(service);
            const candidates = this.candidates(cluster, provider);
            const result = placeTask({
                candidates,
                requirements: definition.requirements,
                strategies: service.placementStrategy,
                groupTasksOn: (ci) =>
                    this.state
                        .tasksOn(ci)
                        .filter((t) => t.serviceArn === service.arn && t.desiredStatus === "RUNNING").length,
                random: this.ctx.random,
            });
            if (result.placed) {
                started.push(
                    this.startServiceTask(cluster, service, result.placed, false, undefined, provider),
                );
                continue;
            }
            if (provider !== undefined && this.managedScaling(provider)) {
                const task = this.startServiceTask(cluster, service, undefined, false, undefined, provider);
                this.provisioning.add(task, service.placementStrategy);
                started.push(task);
                continue;
            }
            failure = {
                message: unableToPlace(service, result, provider !== undefined),
                shortfall: result.shortfall,
            };
            break;
        }
        if (started.length > 0) {
            this.addEvent(
                service,
                `(service ${service.name}) has started ${started.length} tasks: ${started.map((t) => `(task ${t.id})`).join(" ")}.`,
            );
        }
        if (failure) this.placementFailed(cluster, service, failure);
        return started.length;
    }

    private reconcileDaemon(cluster: ClusterState, service: ServiceState): boolean {
        const primary = service.deployments[0];
        const definition = this.state.taskDefinitions.get(primary.taskDefinitionArn)!;
        let short = false;
        const liveOn = (ci: ContainerInstanceState) =>
            this.state
                .tasksOn(ci)
                .filter((t) => t.serviceArn === service.arn && t.desiredStatus === "RUNNING");
        for (const ci of this.state.instancesOf(cluster.arn)) {
            if (ci.status === "INACTIVE") continue;
            const own = liveOn(ci);
            if (ci.status === "DRAINING") {
                const othersLeft = this.state
                    .tasksOn(ci)
                    .some((t) => t.serviceArn !== undefined && !t.daemon);
                if (!othersLeft)
                    this.stopAll(service, own, "Daemon task stopped: its container instance is draining");
                continue;
            }
            this.stopAll(
                service,
                own.filter((t) => t.deploymentId !== primary.id),
                "Service scheduler stopped a task to replace it",
            );
            if (!ci.agentConnected || liveOn(ci).length > 0) continue;
            const result = placeTask({
                candidates: [ci],
                requirements: definition.requirements,
                strategies: [],
                groupTasksOn: () => 0,
                random: this.ctx.random,
            });
            if (!result.placed) {
                this.addEvent(service, unableToPlace(service, result));
                short = true;
                continue;
            }
            const task = this.startServiceTask(cluster, service, ci, true);
            this.addEvent(service, `(service ${service.name}) has started 1 tasks: (task ${task.id}).`);
        }
        this.retireDrainedDeployments(service);
        return short;
    }

    private startServiceTask(
        cluster: ClusterState,
        service: ServiceState,
        instance: ContainerInstanceState | undefined,
        daemon: boolean,
        fargateZone?: string,
        capacityProviderName?: string,
    ): TaskState {
        const primary = service.deployments[0];
        return this.lifecycle.start({
            clusterArn: cluster.arn,
            clusterName: cluster.name,
            taskDefinitionArn: primary.taskDefinitionArn,
            instance,
            fargateZone,
            capacityProviderName,
            group: `service:${service.name}`,
            startedBy: `ecs-svc/${primary.startedBy}`,
            serviceArn: service.arn,
            deploymentId: primary.id,
            daemon,
        });
    }

    private stopAll(service: ServiceState, tasks: readonly TaskState[], reason: string): void {
        if (tasks.length === 0) return;
        for (const task of tasks) this.lifecycle.stop(task, reason, "ServiceSchedulerInitiated");
        const running = tasks.filter((t) => t.stoppingAt !== undefined && t.startedAt !== undefined);
        if (running.length > 0) {
            this.addEvent(
                service,
                `(service ${service.name}) has stopped ${running.length} running tasks: ${running.map((t) => `(task ${t.id})`).join(" ")}.`,
            );
        }
    }

    /** Deployments other than the primary end when none of their tasks is left. */
    private retireDrainedDeployments(service: ServiceState): void {
        for (const deployment of service.deployments.slice(1)) {
            if (deployment.status === "INACTIVE") continue;
            const left = this.state
                .serviceTasks(service)
                .some((t) => t.deploymentId === deployment.id && t.lastStatus !== "STOPPED");
            if (!left) {
                deployment.status = "INACTIVE";
                deployment.updatedAt = this.ctx.clock.now();
            }
        }
    }

    /** Places the tasks waiting for capacity that fit now; returns how many still wait. */
    private placeWaiting(): number {
        if (this.provisioning.size === 0) return 0;
        return this.provisioning.placeWaiting(
            (task) => this.candidates(this.state.clusters.get(task.clusterArn)!, task.capacityProviderName),
            (ci) => this.state.tasksOn(ci),
            (task, instance) => this.lifecycle.place(task, instance),
            this.ctx.random,
        );
    }

    /** ACTIVE, connected instances of the cluster; of one capacity provider when one is given. */
    private candidates(cluster: ClusterState, capacityProvider?: string): ContainerInstanceState[] {
        return this.state
            .instancesOf(cluster.arn)
            .filter(
                (ci) =>
                    ci.status === "ACTIVE" &&
                    ci.agentConnected &&
                    (capacityProvider === undefined || ci.capacityProviderName === capacityProvider),
            );
    }

    /** The capacity provider the service's strategy picks for its next task (undefined: a launch type). */
    private providerOfNextTask(service: ServiceState): string | undefined {
        if (!service.capacityProviderStrategy) return undefined;
        const live = this.state.serviceTasks(service).filter((t) => t.desiredStatus === "RUNNING");
        return chooseCapacityProvider(
            service.capacityProviderStrategy,
            (name) => live.filter((t) => t.capacityProviderName === name).length,
        );
    }

    private managedScaling(capacityProvider: string): boolean {
        return this.state.capacityProviders.get(capacityProvider)?.managedScaling.status === "ENABLED";
    }

    /** False for a Fargate task and a task still waiting for capacity. */
    private onInstance(task: TaskState): boolean {
        return task.launchType !== "FARGATE" && !awaitingCapacity(task);
    }

    private instanceOf(task: TaskState): ContainerInstanceState {
        return this.state.containerInstances.get(task.containerInstanceArn)!;
    }

    /**
     * A replica task that fits nowhere: the service's event message, and, when that message is new,
     * ECS's "ECS Service Action" event SERVICE_TASK_PLACEMENT_FAILURE with the reason (ECS developer
     * guide, "Amazon ECS service action events"; the detail's fields follow its example). Inferred:
     * the event is sent when the message is, and repeats are left out as the service's event
     * messages leave them out.
     */
    private placementFailed(cluster: ClusterState, service: ServiceState, failure: PlacementFailure): void {
        const repeated = service.events[0]?.message === failure.message;
        this.addEvent(service, failure.message);
        if (repeated) return;
        this.ctx.events.emit(
            "aws.ecs",
            "ECS Service Action",
            {
                eventType: "ERROR",
                eventName: "SERVICE_TASK_PLACEMENT_FAILURE",
                clusterArn: cluster.arn,
                createdAt: new Date(this.ctx.clock.now()).toISOString(),
                // The documented example gives "RESOURCE:MEMORY"; "RESOURCE:INSTANCE" for an empty cluster is inferred.
                reason:
                    failure.shortfall === "NO_INSTANCES"
                        ? "RESOURCE:INSTANCE"
                        : `RESOURCE:${failure.shortfall}`,
            },
            [service.arn],
        );
    }

    addEvent(service: ServiceState, message: string): void {
        if (service.events[0]?.message === message) return;
        const h = this.ctx.random.hex(32);
        service.events.unshift({
            id: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
            createdAt: this.ctx.clock.now(),
            message,
        });
        if (service.events.length > MAX_SERVICE_EVENTS) service.events.length = MAX_SERVICE_EVENTS;
        this.ctx.record("ecs.service.event", { serviceArn: service.arn, message });
    }
}

/** Why a replica task was not placed: the service event's message and what fell short. */
interface PlacementFailure {
    readonly message: string;
    readonly shortfall: "NO_INSTANCES" | "CPU" | "MEMORY" | "PORTS" | "ENI";
}

/** Scale-in takes tasks that have not started first, then from the AZ with the most tasks, newest first. */
function pickScaleIn(tasks: readonly TaskState[], count: number): TaskState[] {
    const remaining = [...tasks];
    const picked: TaskState[] = [];
    while (picked.length < count) {
        const perAz = new Map<string, number>();
        for (const t of remaining) perAz.set(t.availabilityZone, (perAz.get(t.availabilityZone) ?? 0) + 1);
        remaining.sort(
            (a, b) =>
                Number(a.lastStatus === "RUNNING") - Number(b.lastStatus === "RUNNING") ||
                perAz.get(b.availabilityZone)! - perAz.get(a.availabilityZone)! ||
                b.createdAt - a.createdAt,
        );
        picked.push(remaining.shift()!);
    }
    return picked;
}

/**
 * The service event ECS writes when a task cannot be placed, naming the closest instance's
 * shortfall. Through a capacity provider with no instances, the reason names the provider (as
 * ECS wrote it in aws/containers-roadmap#653).
 */
export function unableToPlace(
    service: ServiceState,
    result: PlacementResult,
    viaCapacityProvider = false,
): string {
    const prefix = `(service ${service.name}) was unable to place a task because no container instance met all of its requirements.`;
    if (result.placed) throw new Error("unableToPlace: the task was placed");
    if (result.shortfall === "NO_INSTANCES") {
        const where = viaCapacityProvider ? "capacity provider" : "cluster";
        return `${prefix} Reason: No Container Instances were found in your ${where}. ${TROUBLESHOOTING}`;
    }
    const closest = `The closest matching (container-instance ${result.closest.id})`;
    switch (result.shortfall) {
        case "CPU":
            return `${prefix} ${closest} has insufficient CPU units available. ${TROUBLESHOOTING}`;
        case "MEMORY":
            return `${prefix} ${closest} has insufficient memory available. ${TROUBLESHOOTING}`;
        case "PORTS":
            return `${prefix} ${closest} is already using a port required by your task. ${TROUBLESHOOTING}`;
        case "ENI":
            return `${prefix} ${closest} encountered error "RESOURCE:ENI". ${TROUBLESHOOTING}`;
    }
}
