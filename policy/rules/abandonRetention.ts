import { isUnknown, knownArray, knownObject, knownString } from "./known";
import { AUTOSCALING_GROUP_TYPE, LIFECYCLE_HOOK_TYPE } from "./lifecycleHookHeartbeat";
import { referencedResources } from "./references";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

const TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING";
/** PutLifecycleHook's DefaultResult when none is given. */
const AWS_DEFAULT_RESULT = "ABANDON";

/**
 * Whether a hook ends in ABANDON when nobody completes it: for a terminating instance both results
 * terminate it (EC2 Auto Scaling User Guide, "Complete a lifecycle action"), so without retention
 * the tasks a drain could not move are killed with their host. An unknown result is not judged.
 */
function abandonsOnTermination(hook: Record<string, unknown>): boolean {
    if (knownString(hook.lifecycleTransition) !== TERMINATING || isUnknown(hook.defaultResult)) return false;
    return (knownString(hook.defaultResult) ?? AWS_DEFAULT_RESULT) === AWS_DEFAULT_RESULT;
}

/**
 * "retain", "terminate" (AWS's default when unset) or undefined while unknown: the group's
 * instance lifecycle policy, whose TerminateHookAbandon trigger keeps an abandoned instance
 * (Retained state) instead of terminating it.
 */
function abandonRetention(group: PlannedResource): string | undefined {
    const policy = group.props.instanceLifecyclePolicy;
    const triggers = knownObject(policy)?.retentionTriggers;
    const trigger = knownObject(triggers)?.terminateHookAbandon;
    if (isUnknown(policy) || isUnknown(triggers) || isUnknown(trigger)) return undefined;
    return knownString(trigger) ?? "terminate";
}

const REMEDY =
    "set the group's instanceLifecyclePolicy.retentionTriggers.terminateHookAbandon to \"retain\", or the hook's defaultResult to CONTINUE";

/**
 * A TERMINATING lifecycle hook that defaults to ABANDON is paired with retention on its group, so
 * a drain that times out or gives up leaves the instance (and its tasks) alive for an operator,
 * never terminated: hooks declared on their own and inline (initialLifecycleHooks) alike.
 */
export function checkAbandonRetention(resources: PlannedResource[]): StackViolation[] {
    const groups = resources.filter((resource) => resource.type === AUTOSCALING_GROUP_TYPE);
    const violations: StackViolation[] = [];
    for (const group of groups) {
        if (abandonRetention(group) !== "terminate") continue;
        knownArray(group.props.initialLifecycleHooks).forEach((inline, index) => {
            const hook = knownObject(inline);
            if (hook && abandonsOnTermination(hook))
                violations.push(
                    violationOf(
                        group,
                        `initialLifecycleHooks[${index}] ("${knownString(hook.name) ?? "?"}") abandons a terminating instance by default, which terminates it with its tasks; ${REMEDY}`,
                    ),
                );
        });
    }
    for (const hook of resources.filter((resource) => resource.type === LIFECYCLE_HOOK_TYPE)) {
        if (!abandonsOnTermination(hook.props)) continue;
        const [group] = referencedResources(
            resources,
            hook,
            "autoscalingGroupName",
            [hook.props.autoscalingGroupName],
            AUTOSCALING_GROUP_TYPE,
        );
        if (group !== undefined && abandonRetention(group) === "terminate")
            violations.push(
                violationOf(
                    hook,
                    `defaultResult ${knownString(hook.props.defaultResult) ?? "unset (ABANDON)"} on EC2_INSTANCE_TERMINATING terminates the instance with its tasks when the drain times out or gives up, because group "${group.name}" does not retain it; ${REMEDY}`,
                ),
            );
    }
    return violations;
}
