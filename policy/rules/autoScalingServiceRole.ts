import { isUnknown, knownArray, knownString } from "./known";
import { LAMBDA_FUNCTION_TYPE } from "./lambdaRole";
import { AUTOSCALING_GROUP_TYPE } from "./lifecycleHookHeartbeat";
import { referencedResources } from "./references";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

export const SERVICE_LINKED_ROLE_TYPE = "aws:iam/serviceLinkedRole:ServiceLinkedRole";
export const LAMBDA_PERMISSION_TYPE = "aws:lambda/permission:Permission";
const AUTO_SCALING_SERVICE = "autoscaling.amazonaws.com";

/** The Lambda functions a group lists first in terminationPolicies (the only place Auto Scaling reads one). */
function terminationLambdasOf(resources: PlannedResource[], group: PlannedResource): PlannedResource[] {
    const first = knownArray(group.props.terminationPolicies)[0];
    if (first === undefined) return [];
    return referencedResources(resources, group, "terminationPolicies", [first], LAMBDA_FUNCTION_TYPE);
}

function permissionsOn(resources: PlannedResource[], lambda: PlannedResource): PlannedResource[] {
    return resources.filter(
        (permission) =>
            permission.type === LAMBDA_PERMISSION_TYPE &&
            referencedResources(
                resources,
                permission,
                "function",
                [permission.props.function],
                LAMBDA_FUNCTION_TYPE,
            ).includes(lambda),
    );
}

/** Whether two inputs name the same role: equal known ARNs, or both computed from one declared role. */
function sameRole(
    a: PlannedResource,
    aProperty: string,
    b: PlannedResource,
    bProperty: string,
): boolean | undefined {
    const aValue = knownString(a.props[aProperty]);
    const bValue = knownString(b.props[bProperty]);
    if (aValue !== undefined && bValue !== undefined) return aValue === bValue;
    const aSources = a.propertyDependencies?.[aProperty] ?? [];
    const bSources = b.propertyDependencies?.[bProperty] ?? [];
    if (aSources.some((urn) => bSources.includes(urn))) return true;
    return undefined;
}

/**
 * The account's default AWSServiceRoleForAutoScaling exists only after its first Auto Scaling
 * group, so a termination policy Lambda permission naming it fails in a new account ("The provided
 * principal was invalid"); declaring that role fails where it exists, and destroying the stack
 * would delete it from under every other group. So a group with a termination policy Lambda names
 * its service-linked role, the Lambda admits exactly that role, and a role the stack declares has
 * a custom suffix (it is the stack's own).
 */
export function checkAutoScalingServiceRole(resources: PlannedResource[]): StackViolation[] {
    const violations: StackViolation[] = [];
    for (const role of resources.filter((resource) => resource.type === SERVICE_LINKED_ROLE_TYPE)) {
        const suffix = role.props.customSuffix;
        if (
            knownString(role.props.awsServiceName) === AUTO_SCALING_SERVICE &&
            !isUnknown(suffix) &&
            !knownString(suffix)
        ) {
            violations.push(
                violationOf(
                    role,
                    'declares the account\'s default AWSServiceRoleForAutoScaling: creating it fails where it exists ("has been taken") and destroying the stack deletes it from under every other group; give it a customSuffix',
                ),
            );
        }
    }
    for (const group of resources.filter((resource) => resource.type === AUTOSCALING_GROUP_TYPE)) {
        for (const lambda of terminationLambdasOf(resources, group)) {
            const roleArn = group.props.serviceLinkedRoleArn;
            if (!isUnknown(roleArn) && !knownString(roleArn)) {
                violations.push(
                    violationOf(
                        group,
                        `serviceLinkedRoleArn is unset, so the group runs as the account's AWSServiceRoleForAutoScaling, which exists only after the account's first group: the termination policy Lambda "${lambda.name}" cannot admit it in a new account; name a service-linked role the stack declares`,
                    ),
                );
                continue;
            }
            const permissions = permissionsOn(resources, lambda);
            if (permissions.length === 0) {
                violations.push(
                    violationOf(
                        group,
                        `no Lambda permission lets the group's service-linked role invoke its termination policy "${lambda.name}"`,
                    ),
                );
            }
            for (const permission of permissions) {
                if (sameRole(permission, "principal", group, "serviceLinkedRoleArn") === false) {
                    violations.push(
                        violationOf(
                            permission,
                            `principal ${knownString(permission.props.principal)} is not the service-linked role of group "${group.name}" (${knownString(roleArn)}), as which Auto Scaling invokes its termination policy`,
                        ),
                    );
                }
            }
        }
    }
    return violations;
}
