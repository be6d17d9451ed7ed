/**
 * Managed termination protection: ECS keeps scale-in protection on the Auto Scaling instances of
 * a provider that run tasks other than daemons, and removes it from the empty ones, so a scale-in
 * can only take empty instances (ECS developer guide, managed-scaling-behavior: "Amazon ECS removes
 * the scale-in protection on the container instances that are empty", where an instance running
 * only daemon tasks counts as empty; managed-instance-draining: "Amazon ECS protects Amazon EC2
 * instances that are running tasks from being terminated by scale-in events"). ECS does it with
 * the Auto Scaling API (SetInstanceProtection) through its service-linked role.
 *
 * Inferred: ECS acts as tasks come and go (a task placed, a task told to stop) and as the
 * instance registers; "running tasks" are those whose desired
 * status is RUNNING; an instance leaving (DRAINING, or no longer counted by its group) is left
 * as it is.
 */
import { CAPACITY_STATES, type LifecycleState } from "../autoscaling/state";
import type { RegionContext } from "../types";
import type { ContainerInstanceState, EcsState } from "./state";

export class ManagedTerminationProtection {
    constructor(
        private readonly ctx: RegionContext,
        private readonly state: EcsState,
    ) {}

    /** Brings the instance's protection in line with whether it runs tasks other than daemons. */
    reconcile(instance: ContainerInstanceState): void {
        const provider = instance.capacityProviderName
            ? this.state.capacityProviders.get(instance.capacityProviderName)
            : undefined;
        if (provider?.managedTerminationProtection !== "ENABLED" || !provider.association) return;
        if (instance.status !== "ACTIVE") return;
        const member = this.ctx.autoscaling.groupInstance(instance.ec2InstanceId);
        if (!member || member.groupArn !== provider.autoScalingGroupArn) return;
        if (!CAPACITY_STATES.includes(member.lifecycleState as LifecycleState)) return;
        const busy = this.state.tasksOn(instance).some((t) => !t.daemon && t.desiredStatus === "RUNNING");
        if (member.protectedFromScaleIn === busy) return;
        this.ctx.autoscaling.serviceCall("SetInstanceProtection", {
            AutoScalingGroupName: member.groupName,
            InstanceIds: [instance.ec2InstanceId],
            ProtectedFromScaleIn: busy,
        });
    }
}
