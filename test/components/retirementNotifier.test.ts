import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { RetirementNotifier } from "../../components/retirementNotifier";
import { parseSettings } from "../../stack/settings";
import { named, ofType, settle, startMocks, valueOf, type MockRun } from "../../scripts/mockSynthesis";
import { brokenCollections, serializeHandler, type SerializedHandler } from "../../scripts/lambdaArchive";
import { retirementCallbackFactory } from "../../runtime/retirementHandler";

const SLACK_URL = "https://hooks.slack.com/services/T0/B0/not-a-real-token";
const ALERTS = "arn:aws:sns:us-east-1:123456789012:alerts";

async function synthesize(
    raw: Record<string, unknown>,
    slack?: string,
): Promise<{ run: MockRun; notifier: RetirementNotifier }> {
    const run = await startMocks();
    const notifier = new RetirementNotifier("retirement", {
        settings: parseSettings(raw, "t").retirement,
        slackWebhookUrl: slack,
        logRetentionDays: 14,
        reserveConcurrency: false,
        alertsTopicArn: ALERTS,
        tags: { team: "platform" },
    });
    await settle(run);
    return { run, notifier };
}

function policyOf(run: MockRun): Record<string, { Action: unknown; Resource: unknown }> {
    const policy = JSON.parse(
        named(run, "aws:iam/rolePolicy:RolePolicy", "retirement-fn-policy").inputs.policy,
    );
    return Object.fromEntries(policy.Statement.map((s: { Sid: string }) => [s.Sid, s]));
}

describe("RetirementNotifier", () => {
    describe("with e-mails, Slack, extra codes and remediation", () => {
        let run: MockRun;
        let notifier: RetirementNotifier;
        before(async () => {
            ({ run, notifier } = await synthesize(
                {
                    retirementEmails: ["ops@example.com", "oncall@example.com"],
                    retirementSlackWebhook: { secure: "v1:AAAA" },
                    retirementExtraEventCodes: ["AWS_ECS_SECURITY_NOTIFICATION"],
                    retirementRemediate: true,
                    retirementWindowDays: ["sat"],
                    retirementFollowUpMinutes: 10,
                },
                SLACK_URL,
            ));
        });

        it("declares no account-wide setting: the account settings owner's AccountSettings does", () => {
            assert.deepEqual(ofType(run, "aws:ecs/accountSettingDefault:AccountSettingDefault"), []);
        });

        it("tells a person when its own handler fails, not only the notice's readers", () => {
            for (const name of ["retirement-fn-errors", "retirement-fn-failed-events"]) {
                const alarm = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", name);
                assert.deepEqual(
                    [alarm.inputs.alarmActions, alarm.inputs.okActions],
                    [[ALERTS], [ALERTS]],
                    name,
                );
            }
        });

        it("matches AWS Health's ECS retirement notices and the configured extra codes", () => {
            const rule = named(run, "aws:cloudwatch/eventRule:EventRule", "retirement-health");
            assert.deepEqual(JSON.parse(rule.inputs.eventPattern), {
                source: ["aws.health"],
                "detail-type": ["AWS Health Event"],
                detail: {
                    service: ["ECS"],
                    eventTypeCode: ["AWS_ECS_TASK_PATCHING_RETIREMENT", "AWS_ECS_SECURITY_NOTIFICATION"],
                },
            });
            const target = named(run, "aws:cloudwatch/eventTarget:EventTarget", "retirement-health");
            assert.equal(
                target.inputs.arn,
                named(run, "aws:lambda/function:Function", "retirement-fn").outputs.arn,
            );
            assert.equal(
                named(run, "aws:lambda/permission:Permission", "retirement-health").inputs.sourceArn,
                rule.outputs.arn,
            );
            assert.equal(
                named(run, "aws:cloudwatch/eventRule:EventRule", "retirement-follow-up").inputs
                    .scheduleExpression,
                "rate(10 minutes)",
            );
        });

        it("publishes to an encrypted topic with one e-mail subscription per address", () => {
            assert.equal(
                named(run, "aws:sns/topic:Topic", "retirement-topic").inputs.kmsMasterKeyId,
                "alias/aws/sns",
            );
            const subscriptions = ofType(run, "aws:sns/topicSubscription:TopicSubscription").map((s) => [
                s.name,
                s.inputs.protocol,
                s.inputs.endpoint,
            ]);
            assert.deepEqual(subscriptions, [
                ["retirement-email-0", "email", "ops@example.com"],
                ["retirement-email-1", "email", "oncall@example.com"],
            ]);
        });

        it("dedupes in an on-demand, encrypted table whose items expire", () => {
            const table = named(run, "aws:dynamodb/table:Table", "retirement-events");
            assert.deepEqual(
                {
                    billingMode: table.inputs.billingMode,
                    hashKey: table.inputs.hashKey,
                    attributes: table.inputs.attributes,
                    ttl: table.inputs.ttl,
                    serverSideEncryption: table.inputs.serverSideEncryption,
                },
                {
                    billingMode: "PAY_PER_REQUEST",
                    hashKey: "communicationId",
                    attributes: [{ name: "communicationId", type: "S" }],
                    ttl: { attributeName: "expiresAt", enabled: true },
                    serverSideEncryption: { enabled: true },
                },
            );
        });

        it("keeps the Slack webhook in an SSM SecureString and gives the Lambda only its name", async () => {
            const parameter = named(run, "aws:ssm/parameter:Parameter", "retirement-slack-webhook");
            assert.equal(parameter.inputs.type, "SecureString");
            assert.equal(parameter.inputs.name, "/ecs-lifecycle/test/retirement/slack-webhook");
            // Recorded as Pulumi's secret envelope: the state file holds it encrypted.
            assert.deepEqual(parameter.inputs.value, {
                [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
                value: SLACK_URL,
            });
            assert.equal(
                await valueOf(notifier.slackParameterName!),
                "/ecs-lifecycle/test/retirement/slack-webhook",
            );
            const fn = named(run, "aws:lambda/function:Function", "retirement-fn");
            assert.deepEqual(fn.inputs.environment.variables, {
                TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:retirement-topic-physical",
                TABLE_NAME: "retirement-events-physical",
                SLACK_PARAMETER_NAME: "/ecs-lifecycle/test/retirement/slack-webhook",
            });
            assert.doesNotMatch(JSON.stringify(fn.inputs.environment), /hooks\.slack\.com/);
        });

        it("grants only its topic, its table, its parameter and this account's services", () => {
            assert.deepEqual(policyOf(run), {
                WriteOwnLogs: {
                    Sid: "WriteOwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource:
                        "arn:aws:logs:us-east-1:123456789012:log-group:retirement-fn-logs-physical:log-stream:*",
                },
                ParkFailedInvocations: {
                    Sid: "ParkFailedInvocations",
                    Effect: "Allow",
                    Action: "sqs:SendMessage",
                    Resource: "arn:aws:sqs:us-east-1:123456789012:retirement-fn-failures-physical",
                },
                PublishToOwnTopic: {
                    Sid: "PublishToOwnTopic",
                    Effect: "Allow",
                    Action: "sns:Publish",
                    Resource: "arn:aws:sns:us-east-1:123456789012:retirement-topic-physical",
                },
                RecordEventsInOwnTable: {
                    Sid: "RecordEventsInOwnTable",
                    Effect: "Allow",
                    Action: ["dynamodb:UpdateItem", "dynamodb:Scan"],
                    Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/retirement-events-physical",
                },
                ReadAndRedeployServices: {
                    Sid: "ReadAndRedeployServices",
                    Effect: "Allow",
                    Action: ["ecs:DescribeServices", "ecs:UpdateService"],
                    Resource: "arn:aws:ecs:us-east-1:123456789012:service/*",
                },
                ReadOwnSlackWebhook: {
                    Sid: "ReadOwnSlackWebhook",
                    Effect: "Allow",
                    Action: "ssm:GetParameter",
                    Resource:
                        "arn:aws:ssm:us-east-1:123456789012:parameter/ecs-lifecycle/test/retirement/slack-webhook",
                },
            } as never);
            assert.equal(ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
        });
    });

    describe("with the defaults", () => {
        let run: MockRun;
        before(async () => {
            ({ run } = await synthesize({}));
        });

        it("has no subscription, no parameter, and may only read services", () => {
            assert.equal(ofType(run, "aws:sns/topicSubscription:TopicSubscription").length, 0);
            assert.equal(ofType(run, "aws:ssm/parameter:Parameter").length, 0);
            const policy = policyOf(run);
            assert.deepEqual(Object.keys(policy), [
                "WriteOwnLogs",
                "ParkFailedInvocations",
                "PublishToOwnTopic",
                "RecordEventsInOwnTable",
                "ReadServices",
            ]);
            assert.equal(policy.ReadServices.Action, "ecs:DescribeServices");
            assert.deepEqual(
                JSON.parse(
                    named(run, "aws:cloudwatch/eventRule:EventRule", "retirement-health").inputs.eventPattern,
                ).detail.eventTypeCode,
                ["AWS_ECS_TASK_PATCHING_RETIREMENT"],
            );
        });
    });

    it("refuses a Slack URL the settings do not expect, and a missing one they do", async () => {
        await startMocks();
        const settings = parseSettings({}, "t").retirement;
        assert.throws(
            () =>
                new RetirementNotifier("r", {
                    settings,
                    slackWebhookUrl: SLACK_URL,
                    logRetentionDays: 7,
                    reserveConcurrency: false,
                    alertsTopicArn: ALERTS,
                    tags: {},
                }),
            /slackWebhookUrl: expected none, as settings.slackWebhookConfigured is false/,
        );
    });

    describe("the serialized retirement handler, as Lambda would load it", () => {
        let handler: SerializedHandler;
        before(async () => {
            handler = await serializeHandler(
                retirementCallbackFactory({
                    remediate: true,
                    window: { days: [6], startHourUtc: 2, hours: 4 },
                    redeploySingleTask: false,
                    pageWaitSeconds: 900,
                }),
            );
        });

        it("is a small archive that requires the SDK at run time and carries no Pulumi code", () => {
            assert.ok(handler.zipBytes < 50_000, `retirement archive is ${handler.zipBytes} bytes`);
            for (const client of ["client-ecs", "client-sns", "client-ssm", "client-dynamodb"])
                assert.match(handler.text, new RegExp(`require\\("@aws-sdk/${client}"\\)`));
            assert.doesNotMatch(handler.text, /@pulumi\//);
            assert.match(handler.text, /__settings\.pageWaitSeconds = 900;/);
        });

        it("holds no module-level Set or Map, which serialization breaks", () => {
            assert.deepEqual(brokenCollections(handler.text), []);
        });

        it("runs: logs and counts a malformed event instead of throwing it back", async () => {
            Object.assign(process.env, {
                AWS_REGION: "us-east-1",
                AWS_ACCESS_KEY_ID: "test",
                AWS_SECRET_ACCESS_KEY: "test",
                TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:retirement",
                TABLE_NAME: "retirement-events",
            });
            const lines: string[] = [];
            const log = console.log;
            console.log = (line: string) => lines.push(line);
            let result: unknown;
            try {
                result = await handler.load()({
                    "detail-type": "AWS Health Event",
                    time: "2023-08-16T23:18:51Z",
                    detail: {},
                });
            } finally {
                console.log = log;
            }
            assert.equal((result as { kind: string }).kind, "malformed");
            assert.ok(
                lines.some((l) => l.includes('"MalformedEvents":1')),
                lines.join("\n"),
            );
        });
    });
});
