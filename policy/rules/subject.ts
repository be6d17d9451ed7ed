import { PlannedResource, StackViolation } from "./types";

/** How every message names a resource: its type token and logical name. */
export function label(resource: PlannedResource): string {
    return `${resource.type} "${resource.name}"`;
}

export function violationOf(resource: PlannedResource, message: string): StackViolation {
    return { resource: resource.urn ?? resource.name, message: `${label(resource)}: ${message}` };
}
