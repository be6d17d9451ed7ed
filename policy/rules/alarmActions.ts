import { isUnknown, knownArray, knownString } from "./known";
import { TOPIC_TYPE } from "./encryptedMessaging";
import { referencedResources } from "./references";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

export const METRIC_ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SCALING_POLICY_TYPES = ["aws:autoscaling/policy:Policy", "aws:appautoscaling/policy:Policy"];
/** The AWS-managed SNS key: its policy admits no service principal, so CloudWatch cannot publish with it. */
const AWS_MANAGED_SNS_KEY = "alias/aws/sns";

type ActionKind = "scaling" | "topic" | "other" | "unknown";

function kindOf(
    resources: PlannedResource[],
    alarm: PlannedResource,
    property: string,
    action: unknown,
): ActionKind {
    if (isUnknown(action)) return "unknown";
    const arn = knownString(action) ?? "";
    if (
        SCALING_POLICY_TYPES.some(
            (type) => referencedResources(resources, alarm, property, [action], type).length > 0,
        )
    )
        return "scaling";
    if (referencedResources(resources, alarm, property, [action], TOPIC_TYPE).length > 0) return "topic";
    if (/^arn:aws[a-z-]*:autoscaling:.*:scalingPolicy:/.test(arn)) return "scaling";
    if (/^arn:aws[a-z-]*:sns:/.test(arn)) return "topic";
    return "other";
}

function topicsNotifiedBy(resources: PlannedResource[], alarm: PlannedResource): PlannedResource[] {
    const topics = ["alarmActions", "okActions"].flatMap((property) =>
        referencedResources(resources, alarm, property, knownArray(alarm.props[property]), TOPIC_TYPE),
    );
    return [...new Set(topics)];
}

/**
 * Every alarm reaches a person or a scaling policy: an alarm whose actions are all scaling policies
 * scales; any other notifies an SNS topic both when it fires and when it clears. A topic an alarm
 * notifies is not encrypted with the AWS-managed alias/aws/sns key, whose policy CloudWatch
 * cannot use (the notification would be dropped).
 */
export function checkAlarmActions(resources: PlannedResource[]): StackViolation[] {
    const violations: StackViolation[] = [];
    for (const alarm of resources.filter((resource) => resource.type === METRIC_ALARM_TYPE)) {
        const kinds = (property: string) =>
            knownArray(alarm.props[property]).map((action) => kindOf(resources, alarm, property, action));
        const onAlarm = kinds("alarmActions");
        if (isUnknown(alarm.props.alarmActions) || onAlarm.includes("unknown")) continue;
        if (onAlarm.length > 0 && onAlarm.every((kind) => kind === "scaling")) continue;
        if (!onAlarm.includes("topic")) {
            violations.push(
                violationOf(
                    alarm,
                    "alarmActions notify no SNS topic and scale nothing: nobody hears this alarm; notify the alerts topic",
                ),
            );
        } else if (
            !isUnknown(alarm.props.okActions) &&
            !kinds("okActions").some((kind) => kind === "topic" || kind === "unknown")
        ) {
            violations.push(
                violationOf(
                    alarm,
                    "okActions notify no SNS topic: whoever was paged is never told it cleared; notify the alerts topic",
                ),
            );
        }
        for (const topic of topicsNotifiedBy(resources, alarm)) {
            if (knownString(topic.props.kmsMasterKeyId) === AWS_MANAGED_SNS_KEY) {
                violations.push(
                    violationOf(
                        alarm,
                        `notifies topic "${topic.name}", encrypted with ${AWS_MANAGED_SNS_KEY}, whose key policy CloudWatch cannot use: the notification is dropped; use a customer-managed key that admits cloudwatch.amazonaws.com`,
                    ),
                );
            }
        }
    }
    return violations;
}
