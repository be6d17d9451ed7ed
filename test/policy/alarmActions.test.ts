import assert from "node:assert/strict";
import { checkAlarmActions } from "../../policy/rules/alarmActions";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

const ALERTS = "arn:aws:sns:us-east-1:123456789012:alerts";
const SCALE_OUT =
    "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0b1c:autoScalingGroupName/asg:policyName/out";

function alarm(name: string, alarmActions: unknown, okActions?: unknown): PlannedResource {
    return { type: "aws:cloudwatch/metricAlarm:MetricAlarm", name, props: { alarmActions, okActions } };
}

describe("policy rule alarm-actions", () => {
    it("passes scaling alarms and alarms that notify a topic on ALARM and OK", () => {
        assert.deepEqual(
            checkAlarmActions([
                alarm("capacity-low", [SCALE_OUT]),
                alarm("drain-abandoned", [ALERTS], [ALERTS]),
            ]),
            [],
        );
    });

    it("fails an alarm with no action, and one that never says it cleared", () => {
        assert.deepEqual(
            checkAlarmActions([alarm("drain-dlq-depth", undefined), alarm("drain-abandoned", [ALERTS])]).map(
                (v) => v.message,
            ),
            [
                'aws:cloudwatch/metricAlarm:MetricAlarm "drain-dlq-depth": alarmActions notify no SNS topic and scale nothing: nobody hears this alarm; notify the alerts topic',
                'aws:cloudwatch/metricAlarm:MetricAlarm "drain-abandoned": okActions notify no SNS topic: whoever was paged is never told it cleared; notify the alerts topic',
            ],
        );
    });

    it("fails an alarm notifying a topic under the AWS-managed SNS key, which CloudWatch cannot use", () => {
        const topic: PlannedResource = {
            type: "aws:sns/topic:Topic",
            name: "drain-topic",
            props: { kmsMasterKeyId: "alias/aws/sns" },
            outputs: { arn: "arn:aws:sns:us-east-1:123456789012:drain-topic" },
        };
        const topicArn = "arn:aws:sns:us-east-1:123456789012:drain-topic";
        assert.deepEqual(
            checkAlarmActions([topic, alarm("drain-abandoned", [topicArn], [topicArn])]).map(
                (v) => v.message,
            ),
            [
                'aws:cloudwatch/metricAlarm:MetricAlarm "drain-abandoned": notifies topic "drain-topic", encrypted with alias/aws/sns, whose key policy CloudWatch cannot use: the notification is dropped; use a customer-managed key that admits cloudwatch.amazonaws.com',
            ],
        );
    });

    it("does not judge actions unknown during preview", () => {
        assert.deepEqual(checkAlarmActions([alarm("x", [UNKNOWN])]), []);
    });
});
