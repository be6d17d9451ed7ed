import { knownArray, knownNumber, knownObject } from "./known";
import { label } from "./subject";
import { PlannedResource } from "./types";

export const LIFECYCLE_HOOK_TYPE = "aws:autoscaling/lifecycleHook:LifecycleHook";
export const AUTOSCALING_GROUP_TYPE = "aws:autoscaling/group:Group";

/** PutLifecycleHook accepts a HeartbeatTimeout of 30 to 7200 seconds. */
export const MIN_HEARTBEAT_SECONDS = 30;
export const MAX_HEARTBEAT_SECONDS = 7200;

function heartbeatViolation(resource: PlannedResource, property: string, value: unknown): string[] {
    const seconds = knownNumber(value);
    if (seconds === undefined || (seconds >= MIN_HEARTBEAT_SECONDS && seconds <= MAX_HEARTBEAT_SECONDS)) {
        return [];
    }
    return [
        `${label(resource)}: ${property} is ${seconds}; it must be ${MIN_HEARTBEAT_SECONDS}–${MAX_HEARTBEAT_SECONDS} seconds`,
    ];
}

/** Lifecycle hooks, standalone or declared inline on the group, must have a heartbeat AWS accepts. */
export function checkLifecycleHookHeartbeat(resource: PlannedResource): string[] {
    if (resource.type === LIFECYCLE_HOOK_TYPE) {
        return heartbeatViolation(resource, "heartbeatTimeout", resource.props.heartbeatTimeout);
    }
    if (resource.type === AUTOSCALING_GROUP_TYPE) {
        return knownArray(resource.props.initialLifecycleHooks).flatMap((hook, index) =>
            heartbeatViolation(
                resource,
                `initialLifecycleHooks[${index}].heartbeatTimeout`,
                knownObject(hook)?.heartbeatTimeout,
            ),
        );
    }
    return [];
}
