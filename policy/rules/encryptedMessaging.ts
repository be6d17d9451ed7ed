import { isUnknown, knownBoolean, knownString } from "./known";
import { label } from "./subject";
import { PlannedResource } from "./types";

export const TOPIC_TYPE = "aws:sns/topic:Topic";
export const QUEUE_TYPE = "aws:sqs/queue:Queue";

/** Set, or not yet known (a key ARN computed during preview). */
function hasKey(value: unknown): boolean {
    return isUnknown(value) || (knownString(value) ?? "") !== "";
}

/**
 * Lifecycle and retirement messages name instances, tasks and accounts; SNS topics are
 * encrypted with a KMS key, SQS queues with a KMS key or SQS-managed SSE.
 */
export function checkEncryptedMessaging(resource: PlannedResource): string[] {
    if (resource.type === TOPIC_TYPE && !hasKey(resource.props.kmsMasterKeyId)) {
        return [
            `${label(resource)}: kmsMasterKeyId is unset; it must name a KMS key (customer-managed when EventBridge or CloudWatch alarms publish to the topic)`,
        ];
    }
    if (resource.type === QUEUE_TYPE) {
        const managed = resource.props.sqsManagedSseEnabled;
        if (hasKey(resource.props.kmsMasterKeyId) || isUnknown(managed) || knownBoolean(managed) === true) {
            return [];
        }
        return [
            `${label(resource)}: neither kmsMasterKeyId nor sqsManagedSseEnabled is set; set sqsManagedSseEnabled true or a KMS key`,
        ];
    }
    return [];
}
