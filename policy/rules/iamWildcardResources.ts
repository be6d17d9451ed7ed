import { supportsOnlyAllResources } from "./actionsWithoutResourceTypes";
import { isAllow, permissionDocumentsOf } from "./policyDocument";
import { label } from "./subject";
import { PlannedResource } from "./types";

/**
 * An Allow statement on `Resource: "*"` may only hold actions that support nothing narrower
 * (see actionsWithoutResourceTypes.ts); everything else must name ARNs so each Lambda reaches
 * only its own cluster, group, topic and queue. Unreadable documents are reported by the
 * wildcard-action rule, so they are skipped here.
 */
export function checkIamWildcardResources(resource: PlannedResource): string[] {
    const subject = label(resource);
    return permissionDocumentsOf(resource).flatMap((document) =>
        document.statements
            .filter((statement) => isAllow(statement) && statement.resources.includes("*"))
            .flatMap((statement) =>
                statement.actions
                    .filter((action) => !supportsOnlyAllResources(action))
                    .map(
                        (action) =>
                            `${subject}: ${document.property} Statement[${statement.index}] allows "${action}" on Resource "*"; "${action}" supports resource ARNs, so name them (only actions without resource types may use "*")`,
                    ),
            ),
    );
}
