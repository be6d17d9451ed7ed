import { knownString } from "./known";
import { QUEUE_TYPE, TOPIC_TYPE } from "./encryptedMessaging";
import { AUTOSCALING_GROUP_TYPE, LIFECYCLE_HOOK_TYPE } from "./lifecycleHookHeartbeat";
import { isCreatedAfter, referencedResources } from "./references";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

export const EVENT_TARGET_TYPE = "aws:cloudwatch/eventTarget:EventTarget";
export const QUEUE_POLICY_TYPE = "aws:sqs/queuePolicy:QueuePolicy";
export const TOPIC_POLICY_TYPE = "aws:sns/topicPolicy:TopicPolicy";
export const TOPIC_SUBSCRIPTION_TYPE = "aws:sns/topicSubscription:TopicSubscription";
export const ACCOUNT_SETTING_TYPE = "aws:ecs/accountSettingDefault:AccountSettingDefault";

function queuePoliciesOf(resources: PlannedResource[], queue: PlannedResource): PlannedResource[] {
    return resources.filter(
        (policy) =>
            policy.type === QUEUE_POLICY_TYPE &&
            referencedResources(resources, policy, "queueUrl", [policy.props.queueUrl], QUEUE_TYPE).includes(
                queue,
            ),
    );
}

function topicPoliciesOf(resources: PlannedResource[], topic: PlannedResource): PlannedResource[] {
    return resources.filter(
        (policy) =>
            policy.type === TOPIC_POLICY_TYPE &&
            referencedResources(resources, policy, "arn", [policy.props.arn], TOPIC_TYPE).includes(topic),
    );
}

/** The policies that must exist before anything delivers into `destination` (a queue or a topic). */
function admittingPolicies(resources: PlannedResource[], destination: PlannedResource): PlannedResource[] {
    return destination.type === QUEUE_TYPE
        ? queuePoliciesOf(resources, destination)
        : topicPoliciesOf(resources, destination);
}

function requireAfter(
    resources: PlannedResource[],
    deliverer: PlannedResource,
    destination: PlannedResource,
    why: string,
): StackViolation[] {
    const policies = admittingPolicies(resources, destination);
    if (policies.length === 0 && destination.type === QUEUE_TYPE) {
        return [
            violationOf(
                deliverer,
                `${why} queue "${destination.name}", which has no queue policy to admit it`,
            ),
        ];
    }
    return policies
        .filter((policy) => !isCreatedAfter(deliverer, policy))
        .map((policy) =>
            violationOf(
                deliverer,
                `${why} "${destination.name}" and may be created before "${policy.name}" admits it: what it sends first is lost; make it depend on the policy`,
            ),
        );
}

function hookViolations(resources: PlannedResource[], hook: PlannedResource): StackViolation[] {
    const topics = referencedResources(
        resources,
        hook,
        "notificationTargetArn",
        [hook.props.notificationTargetArn],
        TOPIC_TYPE,
    );
    return topics.flatMap((topic) =>
        resources
            .filter(
                (subscription) =>
                    subscription.type === TOPIC_SUBSCRIPTION_TYPE &&
                    knownString(subscription.props.protocol) === "sqs" &&
                    referencedResources(
                        resources,
                        subscription,
                        "topic",
                        [subscription.props.topic],
                        TOPIC_TYPE,
                    ).includes(topic),
            )
            .flatMap((subscription) =>
                referencedResources(
                    resources,
                    subscription,
                    "endpoint",
                    [subscription.props.endpoint],
                    QUEUE_TYPE,
                ),
            )
            .flatMap((queue) =>
                requireAfter(
                    resources,
                    hook,
                    queue,
                    `sends its test notification (at creation) through topic "${topic.name}" into`,
                ),
            ),
    );
}

function isTrunkingSetting(resource: PlannedResource): boolean {
    return (
        resource.type === ACCOUNT_SETTING_TYPE &&
        knownString(resource.props.name) === "awsvpcTrunking" &&
        knownString(resource.props.value) === "enabled"
    );
}

/**
 * Nothing delivers before it is admitted: an EventBridge target into a queue or topic is created
 * after the destination's policy; a lifecycle hook after the policy of every queue its topic feeds
 * (Auto Scaling sends a test notification when the hook is created); and the Auto Scaling group
 * after the awsvpcTrunking account setting the stack declares (instances launched before it get
 * no trunk ENI). Checked only where the planner recorded dependencies.
 */
export function checkDeliveryOrder(resources: PlannedResource[]): StackViolation[] {
    const violations: StackViolation[] = [];
    for (const resource of resources) {
        if (resource.dependencies === undefined) continue;
        if (resource.type === EVENT_TARGET_TYPE) {
            for (const destinationType of [QUEUE_TYPE, TOPIC_TYPE]) {
                for (const destination of referencedResources(
                    resources,
                    resource,
                    "arn",
                    [resource.props.arn],
                    destinationType,
                )) {
                    violations.push(
                        ...requireAfter(resources, resource, destination, "delivers events into"),
                    );
                }
            }
        }
        if (resource.type === LIFECYCLE_HOOK_TYPE) violations.push(...hookViolations(resources, resource));
        if (resource.type === AUTOSCALING_GROUP_TYPE) {
            for (const trunking of resources.filter(isTrunkingSetting)) {
                if (!isCreatedAfter(resource, trunking)) {
                    violations.push(
                        violationOf(
                            resource,
                            `may launch instances before the awsvpcTrunking account setting "${trunking.name}" is on: those get no trunk ENI; make the group depend on it`,
                        ),
                    );
                }
            }
        }
    }
    return violations;
}
