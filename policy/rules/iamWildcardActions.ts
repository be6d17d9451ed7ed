import { isAllow, permissionDocumentsOf } from "./policyDocument";
import { label } from "./subject";
import { PlannedResource } from "./types";

/** "*" and "service:*" (any case of the service prefix, and "*:*") grant a whole service or more. */
const WHOLE_SERVICE_ACTION = /^(\*|[^:]*:\*)$/;

/**
 * No Allow statement may grant every action, or every action of a service. Deny statements are
 * left alone: a broad Deny narrows access. An Allow with NotAction grants everything not listed,
 * which is the same fault. A document that cannot be read cannot be checked, so it is reported.
 */
export function checkIamWildcardActions(resource: PlannedResource): string[] {
    const subject = label(resource);
    return permissionDocumentsOf(resource).flatMap((document) => {
        if (document.error !== undefined) {
            return [`${subject}: ${document.error}`];
        }
        return document.statements.filter(isAllow).flatMap((statement) => {
            const where = `${document.property} Statement[${statement.index}]`;
            const violations = statement.actions
                .filter((action) => WHOLE_SERVICE_ACTION.test(action))
                .map(
                    (action) =>
                        `${subject}: ${where} allows Action "${action}"; name the specific actions (e.g. "ecs:ListTasks")`,
                );
            if (statement.notActions.length > 0) {
                violations.push(
                    `${subject}: ${where} allows NotAction ${JSON.stringify(statement.notActions)}; list the allowed actions in Action instead`,
                );
            }
            return violations;
        });
    });
}
