/**
 * ECS state change events on the default EventBridge bus. Every change bumps the record's
 * `version` first, so consumers can order events and drop stale ones, as the ECS docs advise.
 */
import type { RegionContext } from "../types";
import { asEventDetail, containerInstanceShape, taskShape } from "./shapes";
import type { ContainerInstanceState, EcsState, TaskState } from "./state";

export class EcsEvents {
    constructor(
        private readonly ctx: RegionContext,
        private readonly state: EcsState,
    ) {}

    containerInstanceChanged(instance: ContainerInstanceState): void {
        instance.version++;
        const shape = containerInstanceShape(instance, this.state);
        const detail = asEventDetail({
            ...shape,
            clusterArn: instance.clusterArn,
            updatedAt: new Date(this.ctx.clock.now()),
        });
        this.ctx.events.emit("aws.ecs", "ECS Container Instance State Change", detail, [instance.arn]);
    }

    taskChanged(task: TaskState): void {
        task.version++;
        task.updatedAt = this.ctx.clock.now();
        const detail = asEventDetail({ ...taskShape(task, this.state), updatedAt: new Date(task.updatedAt) });
        this.ctx.events.emit("aws.ecs", "ECS Task State Change", detail, [task.arn]);
        this.ctx.record("ecs.task.status", {
            taskArn: task.arn,
            lastStatus: task.lastStatus,
            desiredStatus: task.desiredStatus,
            ec2InstanceId: task.ec2InstanceId,
            group: task.group,
        });
    }
}
