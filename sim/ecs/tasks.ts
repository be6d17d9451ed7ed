/**
 * The task lifecycle, as the ECS developer guide's "Amazon ECS task lifecycle" describes it:
 * PROVISIONING → PENDING → RUNNING on start; on stop, DEACTIVATING while a service task is
 * deregistered from its load balancer's target groups (the groups' deregistration delay, see
 * targetGroups.ts; tasks without a load balancer skip it), STOPPING from SIGTERM until the
 * containers exit or their stop timeout passes and the agent sends SIGKILL, DEPROVISIONING while
 * an awsvpc task's ENI is detached, then STOPPED. Durations are seeded draws from the ranges in
 * EcsTimings; tasks hit by the stuckTaskRate fault stay in STOPPING. Resources are reserved at
 * placement and released at STOPPED, as ECS accounts for them.
 *
 * A host that goes away takes every task on it that is not STOPPED: each is recorded as killed,
 * whatever its last status (a task still deregistering or exiting loses its work all the same).
 *
 * A task launched through a capacity provider with managed scaling that fits no instance waits in
 * PROVISIONING on no instance until `place` gives it one (the scheduler does, as capacity
 * arrives). AWS's deep dive on cluster auto scaling: "provisioning tasks will wait for capacity
 * for between 10 and 30 minutes before transitioning to 'stopped'" (quoted in
 * aws/containers-roadmap#2381); the wait is drawn from that range per task. Inferred: the stop
 * code TaskFailedToStart and the wording of the stopped reason.
 */
import type { RegionContext } from "../types";
import type { TargetGroups } from "../targetGroups";
import type { EcsEvents } from "./events";
import { release, reserve } from "./resources";
import {
    awaitingCapacity,
    type ContainerInstanceState,
    type EcsState,
    type EcsTimings,
    type TaskState,
    type TaskStatus,
} from "./state";

/** How long a task may wait in PROVISIONING for capacity, [min, max] ms (see the file comment). */
const PROVISIONING_WAIT_MS: readonly [number, number] = [10 * 60_000, 30 * 60_000];

/** Where a task was in its life when its host went away. */
export type KillPhase = "running" | "stopping" | "starting";

export function killPhase(status: TaskStatus): KillPhase {
    if (status === "RUNNING") return "running";
    if (status === "PROVISIONING" || status === "PENDING") return "starting";
    return "stopping";
}

/** What the lifecycle tells the scheduler. */
export interface TaskLifecycleObserver {
    /** A task reached RUNNING, left it, or stopped: services may need a new pass and health changed. */
    taskChanged(task: TaskState): void;
    /** A task was given an instance (at launch, or when one waiting for capacity is placed). */
    taskPlaced?(task: TaskState, instance: ContainerInstanceState): void;
}

export interface StartTaskRequest {
    readonly clusterArn: string;
    readonly clusterName: string;
    readonly taskDefinitionArn: string;
    /**
     * Undefined for a Fargate task, which runs in `fargateZone` with no container instance, and for
     * a task of `capacityProviderName` that waits for capacity.
     */
    readonly instance: ContainerInstanceState | undefined;
    readonly capacityProviderName?: string;
    readonly fargateZone?: string;
    readonly group: string;
    readonly startedBy?: string;
    readonly serviceArn?: string;
    readonly deploymentId?: string;
    readonly daemon: boolean;
}

export class TaskLifecycle {
    observer?: TaskLifecycleObserver;

    constructor(
        private readonly ctx: RegionContext,
        private readonly state: EcsState,
        private readonly events: EcsEvents,
        private readonly timings: EcsTimings,
        private readonly targetGroups: TargetGroups,
    ) {}

    start(request: StartTaskRequest): TaskState {
        const definition = this.state.taskDefinitions.get(request.taskDefinitionArn)!;
        const id = this.ctx.random.hex(32);
        const arn = `arn:aws:ecs:${this.ctx.region}:${this.ctx.accountId}:task/${request.clusterName}/${id}`;
        const now = this.ctx.clock.now();
        const instance = request.instance;
        const fargate = instance === undefined && request.capacityProviderName === undefined;
        const task: TaskState = {
            arn,
            id,
            clusterArn: request.clusterArn,
            taskDefinitionArn: definition.arn,
            containerInstanceArn: instance?.arn ?? "",
            ec2InstanceId: instance?.ec2InstanceId ?? "",
            availabilityZone:
                instance?.availabilityZone ?? (fargate ? (request.fargateZone ?? `${this.ctx.region}a`) : ""),
            ...(request.capacityProviderName !== undefined
                ? { capacityProviderName: request.capacityProviderName }
                : {}),
            ...(fargate
                ? {
                      launchType: "FARGATE",
                      platformVersion: "1.4.0",
                      platformRevision: this.state.fargatePlatformRevision,
                  }
                : {}),
            group: request.group,
            startedBy: request.startedBy,
            serviceArn: request.serviceArn,
            deploymentId: request.deploymentId,
            daemon: request.daemon,
            requirements: definition.requirements,
            eni: definition.requirements.needsEni
                ? { id: this.uuid(), eniId: `eni-${this.ctx.random.hex(17)}`, taskArn: arn }
                : undefined,
            createdAt: now,
            stuck: this.ctx.random.chance(this.ctx.faults.stuckTaskRate),
            lastStatus: "PROVISIONING",
            desiredStatus: "RUNNING",
            version: 0,
            updatedAt: now,
        };
        this.state.addTask(task);
        if (instance) this.occupy(task, instance);
        this.events.taskChanged(task);
        if (awaitingCapacity(task)) {
            this.after(task, PROVISIONING_WAIT_MS, () =>
                this.stop(
                    task,
                    `Task stopped: capacity provider ${task.capacityProviderName} found no capacity for it in time`,
                    "TaskFailedToStart",
                ),
            );
        } else {
            this.provision(task);
        }
        return task;
    }

    /** A task waiting for capacity gets its instance and starts provisioning there. */
    place(task: TaskState, instance: ContainerInstanceState): void {
        if (!awaitingCapacity(task) || task.desiredStatus !== "RUNNING") {
            throw new Error(`place: task ${task.id} is not waiting for capacity`);
        }
        this.ctx.clock.cancel(task.timer);
        this.state.placeTask(task, instance);
        this.occupy(task, instance);
        this.events.taskChanged(task);
        this.provision(task);
    }

    private occupy(task: TaskState, instance: ContainerInstanceState): void {
        instance.taskArns.add(task.arn);
        reserve(instance, task.requirements);
        if (task.eni) instance.attachments.push(task.eni);
        this.events.containerInstanceChanged(instance);
        this.observer?.taskPlaced?.(task, instance);
    }

    /** PROVISIONING → PENDING (ENI attached, image pull) → RUNNING. */
    private provision(task: TaskState): void {
        const provisioning = task.eni ? this.timings.provisioningAwsvpcMs : this.timings.provisioningMs;
        this.after(task, provisioning, () => {
            task.pullStartedAt = this.ctx.clock.now();
            this.transition(task, "PENDING");
            this.after(task, this.timings.pendingMs, () => {
                task.startedAt = this.ctx.clock.now();
                this.transition(task, "RUNNING");
            });
        });
    }

    /** StopTask, the service scheduler or a drain: deregistration first, then SIGTERM, SIGKILL at the stop timeout. */
    stop(task: TaskState, reason: string, stopCode: string): void {
        if (task.desiredStatus === "STOPPED") return;
        task.desiredStatus = "STOPPED";
        task.stoppedReason = reason;
        task.stopCode = stopCode;
        task.stoppingAt = this.ctx.clock.now();
        this.ctx.clock.cancel(task.timer);
        if (task.lastStatus !== "RUNNING") {
            // Never started: nothing to deregister or signal, only the agent's cleanup.
            this.deprovision(task);
            return;
        }
        const deregistrationMs = this.deregistrationDelayMs(task);
        if (deregistrationMs === undefined) {
            this.signal(task);
            return;
        }
        this.transition(task, "DEACTIVATING");
        task.timer = this.ctx.clock.schedule(deregistrationMs, `ecs.task.deregistered ${task.id}`, () =>
            this.signal(task),
        );
    }

    /** The host is gone: every task on it that is not STOPPED is STOPPED now, and killed. */
    killWithHost(task: TaskState): void {
        if (task.lastStatus === "STOPPED") return;
        this.ctx.clock.cancel(task.timer);
        const now = this.ctx.clock.now();
        const reason = `Host EC2 (instance ${task.ec2InstanceId}) terminated.`;
        const lastStatus = task.lastStatus;
        if (task.desiredStatus === "RUNNING") {
            task.stoppedReason = reason;
            task.stoppingAt = now;
        }
        task.desiredStatus = "STOPPED";
        task.executionStoppedAt ??= now;
        task.stoppedAt = now;
        this.ctx.record("ecs.task.killedByTermination", {
            taskArn: task.arn,
            ...(task.serviceArn ? { serviceArn: task.serviceArn } : {}),
            group: task.group,
            ec2InstanceId: task.ec2InstanceId,
            daemon: task.daemon,
            lastStatus,
            phase: killPhase(lastStatus),
            reason,
            ...(lastStatus !== "RUNNING" && task.stoppedReason !== reason
                ? { stoppingBecause: task.stoppedReason }
                : {}),
        });
        this.finish(task, this.state.containerInstances.get(task.containerInstanceArn));
    }

    /** The longest deregistration delay of the service's target groups; undefined without a load balancer. */
    private deregistrationDelayMs(task: TaskState): number | undefined {
        const service = task.serviceArn ? this.state.services.get(task.serviceArn) : undefined;
        if (!service || service.loadBalancers.length === 0) return undefined;
        return Math.max(
            ...service.loadBalancers.map(
                (lb) => this.targetGroups.get(lb.targetGroupArn).deregistrationDelaySeconds * 1000,
            ),
        );
    }

    /**
     * STOPPING: SIGTERM to every container; each exits after the task's drawn exit time or is
     * killed with SIGKILL at its own stop timeout (its `stopTimeout`, else the agent's
     * ECS_CONTAINER_STOP_TIMEOUT): the task is done when the last container is.
     */
    private signal(task: TaskState): void {
        this.transition(task, "STOPPING");
        if (task.stuck) {
            this.ctx.faultFired("stuckTaskRate", {
                taskArn: task.arn,
                group: task.group,
                ec2InstanceId: task.ec2InstanceId,
            });
            return;
        }
        const definition = this.state.taskDefinitions.get(task.taskDefinitionArn)!;
        const stopTimeoutMs = Math.max(...definition.containers.map((c) => c.stopTimeout)) * 1000;
        const [minExit, maxExit] = this.timings.sigtermExitMs;
        const exitMs = this.ctx.random.int(minExit, maxExit);
        task.timer = this.ctx.clock.schedule(
            Math.min(exitMs, stopTimeoutMs),
            `ecs.task.exited ${task.id}`,
            () => {
                task.executionStoppedAt = this.ctx.clock.now();
                if (exitMs > stopTimeoutMs) {
                    this.ctx.record("ecs.task.sigkilled", {
                        taskArn: task.arn,
                        stopTimeoutSeconds: stopTimeoutMs / 1000,
                    });
                }
                this.deprovision(task);
            },
        );
    }

    /**
     * DEPROVISIONING for an awsvpc task (its ENI is detached); any other task, or one that never got
     * an instance, is STOPPED at once.
     */
    private deprovision(task: TaskState): void {
        const done = () => {
            task.stoppedAt = this.ctx.clock.now();
            this.finish(task, this.state.containerInstances.get(task.containerInstanceArn));
        };
        if (!task.eni || awaitingCapacity(task)) {
            done();
            return;
        }
        this.transition(task, "DEPROVISIONING");
        this.after(task, this.timings.deprovisioningAwsvpcMs, done);
    }

    private finish(task: TaskState, instance: ContainerInstanceState | undefined): void {
        task.timer = undefined;
        if (instance) {
            instance.taskArns.delete(task.arn);
            release(instance, task.requirements);
            if (task.eni) instance.attachments.splice(instance.attachments.indexOf(task.eni), 1);
        }
        this.transition(task, "STOPPED");
        if (instance && instance.status !== "INACTIVE") this.events.containerInstanceChanged(instance);
        this.ctx.clock.schedule(this.timings.stoppedRetentionMs, `ecs.task.expire ${task.id}`, () => {
            this.state.forgetTask(task);
        });
    }

    private transition(task: TaskState, status: TaskStatus): void {
        task.lastStatus = status;
        this.events.taskChanged(task);
        this.observer?.taskChanged(task);
    }

    private after(task: TaskState, range: readonly [number, number], step: () => void): void {
        task.timer = this.ctx.clock.schedule(
            this.ctx.random.int(range[0], range[1]),
            `ecs.task ${task.id}`,
            step,
        );
    }

    private uuid(): string {
        const h = this.ctx.random.hex(32);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
}
