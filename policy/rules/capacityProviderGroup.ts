import { isUnknown, knownArray, knownObject, knownString } from "./known";
import { AUTOSCALING_GROUP_TYPE } from "./lifecycleHookHeartbeat";
import { referencedResources } from "./references";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

export const CAPACITY_PROVIDER_TYPE = "aws:ecs/capacityProvider:CapacityProvider";
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:/;

/**
 * A capacity provider with managed termination protection needs its group to protect new
 * instances from scale-in (ECS refuses it otherwise: "To enable managed termination protection
 * for a capacity provider, the Auto Scaling group must have instance protection from scale in
 * enabled") and managed scaling; its group's instance refresh must replace protected instances
 * (the default waits an hour for ECS to lift protection it never lifts from busy instances, then
 * fails); and a custom termination policy Lambda on that group decides nothing (Auto Scaling only
 * ever chooses among the instances ECS left unprotected, the empty ones).
 */
export function checkCapacityProviderGroup(resources: PlannedResource[]): StackViolation[] {
    return resources
        .filter((r) => r.type === CAPACITY_PROVIDER_TYPE)
        .flatMap((provider) => {
            const declared = knownObject(provider.props.autoScalingGroupProvider);
            if (declared?.managedTerminationProtection !== "ENABLED") return [];
            const violations: StackViolation[] = [];
            const scaling = knownObject(declared.managedScaling)?.status;
            if (scaling !== undefined && !isUnknown(scaling) && scaling !== "ENABLED")
                violations.push(
                    violationOf(
                        provider,
                        "autoScalingGroupProvider.managedTerminationProtection ENABLED needs managedScaling.status ENABLED",
                    ),
                );
            const groups = referencedResources(
                resources,
                provider,
                "autoScalingGroupProvider",
                [declared.autoScalingGroupArn],
                AUTOSCALING_GROUP_TYPE,
            );
            for (const group of groups) violations.push(...groupViolations(group));
            return violations;
        });
}

function groupViolations(group: PlannedResource): StackViolation[] {
    const violations: string[] = [];
    const protect = group.props.protectFromScaleIn;
    if (protect !== true && !isUnknown(protect))
        violations.push(
            "protectFromScaleIn must be true: its capacity provider has managed termination protection, which ECS refuses on a group that does not protect new instances from scale-in",
        );
    const preferences = knownObject(knownObject(group.props.instanceRefresh)?.preferences);
    const onProtected = preferences?.scaleInProtectedInstances;
    if (preferences !== undefined && !isUnknown(onProtected) && onProtected !== "Refresh")
        violations.push(
            `instanceRefresh.preferences.scaleInProtectedInstances is ${onProtected === undefined ? "unset" : `"${String(onProtected)}"`}; it must be "Refresh" under managed termination protection, or a refresh waits on instances ECS keeps protected and fails`,
        );
    const lambda = knownArray(group.props.terminationPolicies)
        .map(knownString)
        .find((policy) => policy !== undefined && LAMBDA_ARN.test(policy));
    if (lambda !== undefined)
        violations.push(
            `terminationPolicies holds the Lambda "${lambda}": under managed termination protection Auto Scaling only chooses among empty instances, so a custom termination policy decides nothing; remove it`,
        );
    return violations.map((message) => violationOf(group, message));
}
