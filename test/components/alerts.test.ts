import assert from "node:assert/strict";
import { AlertsTopic } from "../../components/alerts";
import { parseSettings } from "../../stack/settings";
import { instanceRefreshStoppedPattern } from "../../stack/alerts";
import { named, ofType, settle, startMocks, valueOf, type MockRun } from "../../scripts/mockSynthesis";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts-topic-physical";
const RULE = "arn:aws:events:us-east-1:123456789012:rule/alerts-refresh-stopped-physical";

async function synthesize(raw: Record<string, unknown>): Promise<{ run: MockRun; alerts: AlertsTopic }> {
    const run = await startMocks();
    const alerts = new AlertsTopic("alerts", {
        settings: parseSettings(raw, "t").alerts,
        events: [
            {
                id: "refresh-stopped",
                description: "refresh failed or cancelled",
                eventPattern: JSON.stringify(instanceRefreshStoppedPattern("asg")),
            },
        ],
        tags: { team: "platform" },
    });
    await settle(run);
    return { run, alerts };
}

describe("AlertsTopic", () => {
    describe("its own topic", () => {
        let run: MockRun;
        let alerts: AlertsTopic;
        before(async () => {
            ({ run, alerts } = await synthesize({ alertEmails: ["oncall@example.com", "lead@example.com"] }));
        });

        it("is encrypted with a key of its own (rotated), never the AWS-managed alias/aws/sns", async () => {
            const topic = named(run, "aws:sns/topic:Topic", "alerts-topic");
            const key = named(run, "aws:kms/key:Key", "alerts-key");
            assert.match(
                key.outputs.arn,
                /^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/,
            );
            assert.equal(topic.inputs.kmsMasterKeyId, key.outputs.arn);
            assert.equal(key.inputs.enableKeyRotation, true);
            assert.equal(await valueOf(alerts.topicArn), TOPIC);
        });

        it("lets CloudWatch alarms of this account and region, and EventBridge for this topic only, use the key", () => {
            const policy = JSON.parse(
                named(run, "aws:kms/keyPolicy:KeyPolicy", "alerts-key-policy").inputs.policy,
            );
            const bySid = Object.fromEntries(policy.Statement.map((s: { Sid: string }) => [s.Sid, s]));
            assert.deepEqual(bySid.AccountAdministersTheKey.Principal, {
                AWS: "arn:aws:iam::123456789012:root",
            });
            assert.deepEqual(bySid.CloudWatchAlarmsPublishToTheAlertsTopic, {
                Sid: "CloudWatchAlarmsPublishToTheAlertsTopic",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": "123456789012",
                        "kms:EncryptionContext:aws:sns:topicArn": TOPIC,
                    },
                    ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*" },
                },
            });
            assert.deepEqual(bySid.EventBridgePublishesToTheAlertsTopic.Principal, {
                Service: "events.amazonaws.com",
            });
            assert.deepEqual(bySid.EventBridgePublishesToTheAlertsTopic.Condition, {
                StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": TOPIC },
            });
        });

        it("admits CloudWatch alarms of this account and only the stack's own event rules to the topic", () => {
            const policy = JSON.parse(
                named(run, "aws:sns/topicPolicy:TopicPolicy", "alerts-topic-policy").inputs.policy,
            );
            assert.deepEqual(
                policy.Statement.map((s: { Principal: unknown; Resource: string; Condition: unknown }) => [
                    s.Principal,
                    s.Resource,
                    s.Condition,
                ]),
                [
                    [
                        { Service: "cloudwatch.amazonaws.com" },
                        TOPIC,
                        {
                            StringEquals: { "aws:SourceAccount": "123456789012" },
                            ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*" },
                        },
                    ],
                    [{ Service: "events.amazonaws.com" }, TOPIC, { ArnEquals: { "aws:SourceArn": [RULE] } }],
                ],
            );
        });

        it("forwards failed and cancelled instance refreshes of the group, once both policies admit EventBridge", () => {
            const rule = named(run, "aws:cloudwatch/eventRule:EventRule", "alerts-refresh-stopped");
            assert.deepEqual(JSON.parse(rule.inputs.eventPattern), {
                source: ["aws.autoscaling"],
                "detail-type": [
                    "EC2 Auto Scaling Instance Refresh Failed",
                    "EC2 Auto Scaling Instance Refresh Cancelled",
                ],
                detail: { AutoScalingGroupName: ["asg"] },
            });
            const target = named(run, "aws:cloudwatch/eventTarget:EventTarget", "alerts-refresh-stopped");
            assert.equal(target.inputs.arn, TOPIC);
            for (const policy of [
                named(run, "aws:kms/keyPolicy:KeyPolicy", "alerts-key-policy"),
                named(run, "aws:sns/topicPolicy:TopicPolicy", "alerts-topic-policy"),
            ]) {
                assert.ok(target.dependencies.includes(policy.urn), policy.name);
            }
        });

        it("e-mails every configured address", () => {
            assert.deepEqual(
                ofType(run, "aws:sns/topicSubscription:TopicSubscription").map((s) => [
                    s.inputs.protocol,
                    s.inputs.endpoint,
                    s.inputs.topic,
                ]),
                [
                    ["email", "oncall@example.com", TOPIC],
                    ["email", "lead@example.com", TOPIC],
                ],
            );
        });
    });

    it("with alertsTopicArn, publishes there and creates no topic, key or policy", async () => {
        const existing = "arn:aws:sns:us-east-1:123456789012:oncall";
        const { run, alerts } = await synthesize({ alertsTopicArn: existing });
        assert.equal(await valueOf(alerts.topicArn), existing);
        for (const type of ["aws:sns/topic:Topic", "aws:kms/key:Key", "aws:sns/topicPolicy:TopicPolicy"])
            assert.deepEqual(ofType(run, type), [], type);
        assert.equal(
            named(run, "aws:cloudwatch/eventTarget:EventTarget", "alerts-refresh-stopped").inputs.arn,
            existing,
        );
    });
});
