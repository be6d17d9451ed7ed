import { knownString } from "./known";
import { PlannedResource } from "./types";

/**
 * The strings another resource may use to point at this one: its id and, when known, its arn,
 * name and url (IAM attachments refer to roles by name, Lambda functions by ARN, queue policies
 * to queues by URL).
 */
function identitiesOf(resource: PlannedResource): string[] {
    const candidates: unknown[] = [resource.id];
    for (const source of [resource.props, resource.outputs ?? {}]) {
        candidates.push(source.id, source.arn, source.name, source.url);
    }
    return candidates.map(knownString).filter((value): value is string => value !== undefined);
}

/**
 * The resources of `targetType` that `from.props[property]` points at. A reference is followed
 * two ways so that both the plan and the policy engine can resolve it: by value (a known id, ARN
 * or name among `values`) and by the engine's propertyDependencies for `property`, which hold
 * the URNs even while the value itself is unknown during preview.
 */
export function referencedResources(
    resources: PlannedResource[],
    from: PlannedResource,
    property: string,
    values: unknown[],
    targetType: string,
): PlannedResource[] {
    const wanted = new Set(values.map(knownString).filter((value): value is string => value !== undefined));
    const dependencyUrns = new Set(from.propertyDependencies?.[property] ?? []);
    return resources.filter(
        (candidate) =>
            candidate.type === targetType &&
            ((candidate.urn !== undefined && dependencyUrns.has(candidate.urn)) ||
                identitiesOf(candidate).some((identity) => wanted.has(identity))),
    );
}

/** Whether `resource` is created after `target` (known only when the planner recorded dependencies). */
export function isCreatedAfter(resource: PlannedResource, target: PlannedResource): boolean {
    return target.urn !== undefined && (resource.dependencies ?? []).includes(target.urn);
}
