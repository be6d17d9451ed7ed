import { isUnknown, knownArray, knownObject } from "./known";
import { PlannedResource } from "./types";

/** One statement of an IAM policy document, with its single-or-list fields made lists. */
export interface PolicyStatement {
    /** Position in the document's Statement list, for messages. */
    index: number;
    effect: string;
    actions: string[];
    notActions: string[];
    resources: string[];
    /** Service principals (e.g. "lambda.amazonaws.com") the statement names. */
    servicePrincipals: string[];
}

/** A document found in a resource: where it sits, and its statements or why it could not be read. */
export interface LocatedPolicyDocument {
    property: string;
    statements: PolicyStatement[];
    /** Set when the document is known but is not a readable policy. */
    error?: string;
}

function stringList(value: unknown): string[] {
    if (typeof value === "string") {
        return isUnknown(value) ? [] : [value];
    }
    return knownArray(value).filter((item): item is string => typeof item === "string" && !isUnknown(item));
}

function servicePrincipalsOf(principal: unknown): string[] {
    return stringList(knownObject(principal)?.Service);
}

/**
 * Reads a policy document given as a JSON string or an object. Returns undefined for an unknown
 * or absent document.
 */
export function parsePolicyDocument(property: string, document: unknown): LocatedPolicyDocument | undefined {
    if (document === undefined || document === null || isUnknown(document)) {
        return undefined;
    }
    let parsed: unknown = document;
    if (typeof document === "string") {
        try {
            parsed = JSON.parse(document);
        } catch (error) {
            return {
                property,
                statements: [],
                error: `${property} is not valid JSON (${(error as Error).message})`,
            };
        }
    }
    const body = knownObject(parsed);
    if (body === undefined) {
        return { property, statements: [], error: `${property} must be a JSON object with a Statement` };
    }
    const rawStatements = Array.isArray(body.Statement) ? body.Statement : [body.Statement];
    const statements = rawStatements
        .map((raw, index) => ({ raw: knownObject(raw), index }))
        .filter((entry): entry is { raw: Record<string, unknown>; index: number } => entry.raw !== undefined)
        .map(({ raw, index }) => ({
            index,
            effect: typeof raw.Effect === "string" ? raw.Effect : "",
            actions: stringList(raw.Action),
            notActions: stringList(raw.NotAction),
            resources: stringList(raw.Resource),
            servicePrincipals: servicePrincipalsOf(raw.Principal),
        }));
    return { property, statements };
}

/** Resource types whose `policy` input is a permissions or resource policy document. */
const POLICY_PROPERTY_TYPES = [
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topic:Topic",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sqs/queue:Queue",
];
export const ROLE_TYPE = "aws:iam/role:Role";

/** Every permissions document a resource carries (a role's trust policy is not one). */
export function permissionDocumentsOf(resource: PlannedResource): LocatedPolicyDocument[] {
    const documents: Array<LocatedPolicyDocument | undefined> = [];
    if (POLICY_PROPERTY_TYPES.includes(resource.type)) {
        documents.push(parsePolicyDocument("policy", resource.props.policy));
    }
    if (resource.type === ROLE_TYPE) {
        knownArray(resource.props.inlinePolicies).forEach((inline, index) => {
            documents.push(
                parsePolicyDocument(`inlinePolicies[${index}].policy`, knownObject(inline)?.policy),
            );
        });
    }
    return documents.filter((document): document is LocatedPolicyDocument => document !== undefined);
}

export function isAllow(statement: PolicyStatement): boolean {
    return statement.effect === "Allow";
}
