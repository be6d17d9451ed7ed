/**
 * The task lifecycle: PROVISIONING → PENDING → RUNNING on start; DEACTIVATING → STOPPING →
 * DEPROVISIONING → STOPPED on stop, with seeded durations. SIGTERM's grace is the container's
 * stopTimeout; tasks hit by the stuckTaskRate fault stay in STOPPING. Resources are reserved at
 * placement and released at STOPPED, as ECS accounts for them. A host that dies takes every task
 * with it at once.
 */
import type { RegionContext } from "../types";
import type { EcsEvents } from "./events";
import { release, reserve } from "./resources";
import type { ContainerInstanceState, EcsState, EcsTimings, TaskState, TaskStatus } from "./state";

/** What the lifecycle tells the scheduler. */
export interface TaskLifecycleObserver {
    /** A task reached RUNNING, left it, or stopped: services may need a new pass and health changed. */
    taskChanged(task: TaskState): void;
}

export interface StartTaskRequest {
    readonly clusterArn: string;
    readonly clusterName: string;
    readonly taskDefinitionArn: string;
    /** Undefined for a Fargate task, which runs in `fargateZone` with no container instance. */
    readonly instance: ContainerInstanceState | undefined;
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
    ) {}

    start(request: StartTaskRequest): TaskState {
        const definition = this.state.taskDefinitions.get(request.taskDefinitionArn)!;
        const id = this.ctx.random.hex(32);
        const arn = `arn:aws:ecs:${this.ctx.region}:${this.ctx.accountId}:task/${request.clusterName}/${id}`;
        const now = this.ctx.clock.now();
        const instance = request.instance;
        const fargate = instance === undefined;
        const task: TaskState = {
            arn,
            id,
            clusterArn: request.clusterArn,
            taskDefinitionArn: definition.arn,
            containerInstanceArn: instance?.arn ?? "",
            ec2InstanceId: instance?.ec2InstanceId ?? "",
            availabilityZone: instance?.availabilityZone ?? request.fargateZone ?? `${this.ctx.region}a`,
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
        this.state.tasks.set(arn, task);
        if (instance) {
            instance.taskArns.add(arn);
            reserve(instance, task.requirements);
            if (task.eni) instance.attachments.push(task.eni);
            this.events.containerInstanceChanged(instance);
        }
        this.events.taskChanged(task);
        const provisioning = task.eni ? this.timings.provisioningAwsvpcMs : this.timings.provisioningMs;
        this.after(task, provisioning, () => {
            task.pullStartedAt = this.ctx.clock.now();
            this.transition(task, "PENDING");
            this.after(task, this.timings.pendingMs, () => {
                task.startedAt = this.ctx.clock.now();
                this.transition(task, "RUNNING");
            });
        });
        return task;
    }

    /** StopTask, the service scheduler or a drain: SIGTERM now, SIGKILL after the stop timeout. */
    stop(task: TaskState, reason: string, stopCode: string): void {
        if (task.desiredStatus === "STOPPED") return;
        task.desiredStatus = "STOPPED";
        task.stoppedReason = reason;
        task.stopCode = stopCode;
        task.stoppingAt = this.ctx.clock.now();
        this.ctx.clock.cancel(task.timer);
        if (task.lastStatus !== "RUNNING") {
            // Never started: nothing to signal, only the agent's cleanup.
            this.deprovision(task);
            return;
        }
        this.transition(task, "DEACTIVATING");
        this.after(task, this.timings.deactivatingMs, () => {
            this.transition(task, "STOPPING");
            if (task.stuck) return;
            const definition = this.state.taskDefinitions.get(task.taskDefinitionArn)!;
            const graceMs = Math.min(...definition.containers.map((c) => c.stopTimeout)) * 1000;
            const [minExit, maxExit] = this.timings.sigtermExitMs;
            const exitMs = Math.min(this.ctx.random.int(minExit, maxExit), graceMs);
            this.ctx.clock.cancel(task.timer);
            task.timer = this.ctx.clock.schedule(exitMs, `ecs.task.exited ${task.id}`, () => {
                task.executionStoppedAt = this.ctx.clock.now();
                this.deprovision(task);
            });
        });
    }

    /** The EC2 host is gone: the task is STOPPED now, whatever it was doing. */
    killWithHost(task: TaskState): void {
        if (task.lastStatus === "STOPPED") return;
        this.ctx.clock.cancel(task.timer);
        const wasRunning = task.lastStatus === "RUNNING";
        const now = this.ctx.clock.now();
        if (task.desiredStatus === "RUNNING") {
            task.stoppedReason = `Host EC2 (instance ${task.ec2InstanceId}) terminated.`;
            task.stoppingAt = now;
        }
        task.desiredStatus = "STOPPED";
        task.executionStoppedAt ??= now;
        task.stoppedAt = now;
        if (task.serviceArn && wasRunning) {
            this.ctx.record("ecs.task.killedByTermination", {
                taskArn: task.arn,
                serviceArn: task.serviceArn,
                ec2InstanceId: task.ec2InstanceId,
                daemon: task.daemon,
            });
        }
        this.finish(task, this.state.containerInstances.get(task.containerInstanceArn));
    }

    private deprovision(task: TaskState): void {
        this.transition(task, "DEPROVISIONING");
        const range = task.eni ? this.timings.deprovisioningAwsvpcMs : this.timings.deprovisioningMs;
        this.after(task, range, () => {
            task.stoppedAt = this.ctx.clock.now();
            this.finish(task, this.state.containerInstances.get(task.containerInstanceArn));
        });
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
            this.state.tasks.delete(task.arn);
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
