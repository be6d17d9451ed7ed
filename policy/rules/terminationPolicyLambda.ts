import { knownArray, knownString } from "./known";
import { AUTOSCALING_GROUP_TYPE } from "./lifecycleHookHeartbeat";
import { label } from "./subject";
import { PlannedResource } from "./types";

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:/;

/**
 * Auto Scaling consults a custom termination policy only when its Lambda ARN is the first entry
 * of terminationPolicies, and rejects a `$LATEST`-qualified ARN (use the unqualified ARN, an
 * alias or a published version).
 */
export function checkTerminationPolicyLambda(resource: PlannedResource): string[] {
    if (resource.type !== AUTOSCALING_GROUP_TYPE) {
        return [];
    }
    const violations: string[] = [];
    knownArray(resource.props.terminationPolicies).forEach((entry, index) => {
        const policy = knownString(entry);
        if (policy === undefined || !LAMBDA_ARN.test(policy)) {
            return;
        }
        if (index !== 0) {
            violations.push(
                `${label(resource)}: terminationPolicies[${index}] is the Lambda "${policy}"; a Lambda termination policy must be terminationPolicies[0]`,
            );
        }
        if (policy.endsWith(":$LATEST")) {
            violations.push(
                `${label(resource)}: terminationPolicies[${index}] "${policy}" is $LATEST-qualified; use the unqualified function ARN, an alias or a version`,
            );
        }
    });
    return violations;
}
