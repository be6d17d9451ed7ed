import { isUnknown, knownArray, knownString } from "./known";
import { parsePolicyDocument, ROLE_TYPE } from "./policyDocument";
import { referencedResources } from "./references";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

export const LAMBDA_FUNCTION_TYPE = "aws:lambda/function:Function";
export const ROLE_POLICY_ATTACHMENT_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const LAMBDA_SERVICE_PRINCIPAL = "lambda.amazonaws.com";

/** AWS managed policies named "…FullAccess" (and "…FullAccessV2") grant whole services. */
function isFullAccessPolicy(policyArn: string): boolean {
    const policyName = policyArn.slice(policyArn.lastIndexOf("/") + 1);
    return /FullAccess/.test(policyName);
}

function trustsLambda(role: PlannedResource): boolean {
    const trust = parsePolicyDocument("assumeRolePolicy", role.props.assumeRolePolicy);
    return (trust?.statements ?? []).some(
        (statement) =>
            statement.effect === "Allow" && statement.servicePrincipals.includes(LAMBDA_SERVICE_PRINCIPAL),
    );
}

/**
 * aws.lambda.CallbackFunction, given no `role`, creates an IAM role with the function's own
 * name and parent and attaches about nine broad managed policies to it. That sibling role is how
 * a missing explicit role shows in the resource graph.
 */
function implicitRoleOf(resources: PlannedResource[], lambda: PlannedResource): PlannedResource | undefined {
    return resources.find(
        (candidate) =>
            candidate.type === ROLE_TYPE &&
            candidate.name === lambda.name &&
            candidate.parent === lambda.parent,
    );
}

/**
 * Every Lambda function names an explicit role, and no Lambda's role (one a function uses, or one
 * that trusts lambda.amazonaws.com) gets a *FullAccess managed policy, by attachment or through
 * the role's managedPolicyArns.
 */
export function checkLambdaRole(resources: PlannedResource[]): StackViolation[] {
    const violations: StackViolation[] = [];
    const lambdas = resources.filter((resource) => resource.type === LAMBDA_FUNCTION_TYPE);
    const lambdaRoles = new Set(
        resources.filter((resource) => resource.type === ROLE_TYPE && trustsLambda(resource)),
    );
    for (const lambda of lambdas) {
        const role = lambda.props.role;
        if (!isUnknown(role) && (knownString(role) ?? "") === "") {
            violations.push(
                violationOf(lambda, "role is not set; it must be an explicit least-privilege IAM role ARN"),
            );
        }
        const implicitRole = implicitRoleOf(resources, lambda);
        if (implicitRole !== undefined) {
            violations.push(
                violationOf(
                    lambda,
                    `role is the default role "${implicitRole.name}" CallbackFunction creates; pass an explicit least-privilege role`,
                ),
            );
        }
        referencedResources(resources, lambda, "role", [role], ROLE_TYPE).forEach((used) =>
            lambdaRoles.add(used),
        );
    }
    for (const role of lambdaRoles) {
        knownArray(role.props.managedPolicyArns)
            .map(knownString)
            .filter((arn): arn is string => arn !== undefined && isFullAccessPolicy(arn))
            .forEach((arn) =>
                violations.push(
                    violationOf(
                        role,
                        `managedPolicyArns includes "${arn}"; a Lambda's role must not hold *FullAccess policies`,
                    ),
                ),
            );
    }
    for (const attachment of resources.filter((resource) => resource.type === ROLE_POLICY_ATTACHMENT_TYPE)) {
        const policyArn = knownString(attachment.props.policyArn);
        if (policyArn === undefined || !isFullAccessPolicy(policyArn)) {
            continue;
        }
        const attachedTo = referencedResources(
            resources,
            attachment,
            "role",
            [attachment.props.role],
            ROLE_TYPE,
        );
        for (const role of attachedTo.filter((candidate) => lambdaRoles.has(candidate))) {
            violations.push(
                violationOf(
                    attachment,
                    `policyArn "${policyArn}" is attached to the Lambda role "${role.name}"; a Lambda's role must not hold *FullAccess policies`,
                ),
            );
        }
    }
    return violations;
}
