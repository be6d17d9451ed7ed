/**
 * Deploys the managed capacity mode into the simulated region as the component declares it
 * (stack/capacityProvider.ts): the group protects new instances from scale-in (when ECS manages
 * protection), the Auto Scaling group capacity provider is created and associated with the
 * cluster as its default strategy. ECS then puts its own target tracking policy, alarms and
 * draining hook on the group, as AWS does. Deploy-time calls go through `region.admin`
 * (uncounted), as in harness.ts. AWS recommends an empty group: instances registered before the
 * provider exists do not belong to it.
 */
import {
    MANAGED_CAPACITY_DEFAULTS,
    autoScalingGroupProviderDeclaration,
    capacityProviderName,
    defaultStrategyDeclaration,
    groupProtectsNewInstances,
    managedCapacityProblems,
    type ManagedCapacitySettings,
} from "../../stack/capacityProvider";
import type { DeployedCluster, SimHarness } from "../harness";

export interface ManagedCapacityDeployment {
    readonly capacityProviderName: string;
    readonly capacityProviderArn: string;
    /** ECS's target tracking policy on the group, and the two alarms AWS created for it. */
    readonly scalingPolicyArn: string;
    readonly alarmNames: readonly string[];
    /** ECS's TERMINATING hook on the group, when managed draining is on. */
    readonly drainingHookName?: string;
}

export function deployManagedCapacity(
    harness: SimHarness,
    deployed: DeployedCluster,
    settings: ManagedCapacitySettings = MANAGED_CAPACITY_DEFAULTS,
): ManagedCapacityDeployment {
    const problems = managedCapacityProblems(settings);
    if (problems.length > 0) throw new Error(`managed capacity settings: ${problems.join("; ")}`);
    const region = harness.region;
    if (groupProtectsNewInstances(settings)) {
        region.admin("autoscaling", "UpdateAutoScalingGroup", {
            AutoScalingGroupName: deployed.groupName,
            NewInstancesProtectedFromScaleIn: true,
        });
    }
    const { AutoScalingGroups } = region.admin("autoscaling", "DescribeAutoScalingGroups", {
        AutoScalingGroupNames: [deployed.groupName],
    }) as { AutoScalingGroups: { AutoScalingGroupARN: string }[] };
    const name = capacityProviderName(deployed.clusterName);
    const { capacityProvider } = region.admin("ecs", "CreateCapacityProvider", {
        name,
        autoScalingGroupProvider: autoScalingGroupProviderDeclaration(
            AutoScalingGroups[0].AutoScalingGroupARN,
            settings,
        ),
    }) as { capacityProvider: { capacityProviderArn: string } };
    region.admin("ecs", "PutClusterCapacityProviders", {
        cluster: deployed.clusterName,
        capacityProviders: [name],
        defaultCapacityProviderStrategy: defaultStrategyDeclaration(name),
    });

    const { ScalingPolicies } = region.admin("autoscaling", "DescribePolicies", {
        AutoScalingGroupName: deployed.groupName,
    }) as { ScalingPolicies: { PolicyARN: string; PolicyName: string; Alarms: { AlarmName: string }[] }[] };
    const policy = ScalingPolicies.find((p) => p.PolicyName.startsWith("ECSManaged"))!;
    const { LifecycleHooks } = region.admin("autoscaling", "DescribeLifecycleHooks", {
        AutoScalingGroupName: deployed.groupName,
    }) as { LifecycleHooks: { LifecycleHookName: string }[] };
    const drainingHook = LifecycleHooks.find((h) => h.LifecycleHookName.startsWith("ecs-managed-draining"));
    return {
        capacityProviderName: name,
        capacityProviderArn: capacityProvider.capacityProviderArn,
        scalingPolicyArn: policy.PolicyARN,
        alarmNames: policy.Alarms.map((a) => a.AlarmName),
        ...(drainingHook ? { drainingHookName: drainingHook.LifecycleHookName } : {}),
    };
}
