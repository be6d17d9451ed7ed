import assert from "node:assert/strict";
import { parseScheduleExpression } from "../../sim/scheduleExpression";
import { messagingRegion, type MessagingRegion } from "./messagingContext";

const EPOCH = Date.UTC(2026, 0, 1);

function queue(region: MessagingRegion, name: string): { url: string; arn: string } {
    const url = (region.sqs.call("CreateQueue", { QueueName: name }) as { QueueUrl: string }).QueueUrl;
    return { url, arn: `arn:aws:sqs:us-east-1:123456789012:${name}` };
}

function drain(region: MessagingRegion, url: string): unknown[] {
    const out = region.sqs.call("ReceiveMessage", { QueueUrl: url, MaxNumberOfMessages: 10 }) as {
        Messages?: { Body: string }[];
    };
    return (out.Messages ?? []).map((m) => JSON.parse(m.Body));
}

describe("sim/events", () => {
    it("routes an emitted event matching a rule's pattern to its Lambda target in the EventBridge envelope", async () => {
        const region = messagingRegion();
        const seen: unknown[] = [];
        const functionArn = region.lambda.createFunction({
            name: "capacity",
            timeoutSeconds: 30,
            memoryMb: 256,
            handler: (e) => void seen.push(e),
        });
        region.events.call("PutRule", {
            Name: "instance-changes",
            EventPattern: JSON.stringify({
                source: ["aws.ecs"],
                "detail-type": ["ECS Container Instance State Change"],
                detail: { clusterArn: ["arn:aws:ecs:us-east-1:123456789012:cluster/prod"] },
            }),
        });
        region.events.call("PutTargets", {
            Rule: "instance-changes",
            Targets: [{ Id: "capacity", Arn: functionArn }],
        });
        region.events.emit("aws.ecs", "ECS Container Instance State Change", {
            clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/other",
        });
        region.events.emit(
            "aws.ecs",
            "ECS Container Instance State Change",
            { clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod", version: 3 },
            ["arn:aws:ecs:us-east-1:123456789012:container-instance/prod/1"],
        );
        await region.clock.runFor(1000);
        assert.equal(seen.length, 1);
        const event = seen[0] as Record<string, unknown>;
        assert.match(
            event.id as string,
            /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
        assert.deepEqual(
            { ...event, id: "…" },
            {
                version: "0",
                id: "…",
                "detail-type": "ECS Container Instance State Change",
                source: "aws.ecs",
                account: "123456789012",
                time: "2026-01-01T00:00:00Z",
                region: "us-east-1",
                resources: ["arn:aws:ecs:us-east-1:123456789012:container-instance/prod/1"],
                detail: { clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod", version: 3 },
            },
        );
        // EventBridge delivery (200 ms) + Lambda's async queue (50 ms).
        assert.deepEqual(
            region.entries("lambda.invoked").map((e) => e.t),
            [0.25],
        );
    });

    it("fires rate and cron schedules on the virtual clock", async () => {
        const region = messagingRegion();
        const rate = queue(region, "rate");
        const cron = queue(region, "cron");
        region.events.call("PutRule", { Name: "every-5", ScheduleExpression: "rate(5 minutes)" });
        region.events.call("PutTargets", { Rule: "every-5", Targets: [{ Id: "q", Arn: rate.arn }] });
        region.events.call("PutRule", { Name: "quarter-past", ScheduleExpression: "cron(15 * * * ? *)" });
        region.events.call("PutTargets", {
            Rule: "quarter-past",
            Targets: [{ Id: "q", Arn: cron.arn, InputPath: "$.time" }],
        });
        await region.clock.runUntil(EPOCH + 3 * 3600_000);
        const rateEvents = drain(region, rate.url) as {
            time: string;
            "detail-type": string;
            resources: string[];
        }[];
        assert.equal(rateEvents.length, 10);
        assert.deepEqual(
            rateEvents.slice(0, 2).map((e) => e.time),
            ["2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z"],
        );
        assert.equal(rateEvents[0]["detail-type"], "Scheduled Event");
        assert.deepEqual(rateEvents[0].resources, ["arn:aws:events:us-east-1:123456789012:rule/every-5"]);
        assert.deepEqual(drain(region, cron.url), [
            "2026-01-01T00:15:00Z",
            "2026-01-01T01:15:00Z",
            "2026-01-01T02:15:00Z",
        ]);
    });

    it("parses schedule expressions as EventBridge does", () => {
        const from = Date.UTC(2026, 0, 1, 10, 7);
        const next = (expression: string) =>
            new Date(parseScheduleExpression(expression).next(from)).toISOString();
        assert.equal(next("rate(1 minute)"), "2026-01-01T10:08:00.000Z");
        assert.equal(next("rate(2 hours)"), "2026-01-01T12:07:00.000Z");
        assert.equal(next("cron(0/10 * * * ? *)"), "2026-01-01T10:10:00.000Z");
        assert.equal(next("cron(0 9 ? * MON-FRI *)"), "2026-01-02T09:00:00.000Z"); // 2026-01-01 is a Thursday
        assert.equal(next("cron(30 2 1 FEB ? *)"), "2026-02-01T02:30:00.000Z");
        assert.equal(next("cron(0 0 ? * 1 *)"), "2026-01-04T00:00:00.000Z"); // 1 = Sunday
        assert.throws(() => parseScheduleExpression("rate(1 minutes)"), /use "minute" for 1/);
        assert.throws(() => parseScheduleExpression("rate(5 weeks)"), /rate unit/);
        assert.throws(
            () => parseScheduleExpression("cron(0 9 * * * *)"),
            /exactly one of day-of-month and day-of-week/,
        );
        assert.throws(() => parseScheduleExpression("cron(61 * * * ? *)"), /cron minutes: "61"/);
        assert.throws(() => parseScheduleExpression("every hour"), /expected "rate/);
    });

    it("delivers constant Input and InputPath selections to SQS and SNS targets", async () => {
        const region = messagingRegion();
        const constant = queue(region, "constant");
        const selected = queue(region, "selected");
        const { TopicArn } = region.sns.call("CreateTopic", { Name: "drains" }) as { TopicArn: string };
        const viaTopic = queue(region, "via-topic");
        region.sns.call("Subscribe", {
            TopicArn,
            Protocol: "sqs",
            Endpoint: viaTopic.arn,
            Attributes: { RawMessageDelivery: "true" },
        });
        region.events.call("PutRule", {
            Name: "spot",
            EventPattern: JSON.stringify({
                source: ["aws.ec2"],
                "detail-type": ["EC2 Spot Instance Interruption Warning"],
            }),
        });
        region.events.call("PutTargets", {
            Rule: "spot",
            Targets: [
                { Id: "c", Arn: constant.arn, Input: '{"action":"drain"}' },
                { Id: "s", Arn: selected.arn, InputPath: "$.detail" },
                { Id: "t", Arn: TopicArn, InputPath: "$.detail.instance-id" },
            ],
        });
        const put = region.events.call("PutEvents", {
            Entries: [
                {
                    Source: "aws.ec2",
                    DetailType: "EC2 Spot Instance Interruption Warning",
                    Detail: '{"instance-id":"i-9","instance-action":"terminate"}',
                },
                { Source: "aws.ec2", DetailType: "x", Detail: "not json" },
            ],
        }) as { FailedEntryCount: number; Entries: Record<string, string>[] };
        assert.equal(put.FailedEntryCount, 1);
        assert.equal(put.Entries[1].ErrorCode, "MalformedDetail");
        await region.clock.runFor(1000);
        assert.deepEqual(drain(region, constant.url), [{ action: "drain" }]);
        assert.deepEqual(drain(region, selected.url), [
            { "instance-id": "i-9", "instance-action": "terminate" },
        ]);
        assert.deepEqual(drain(region, viaTopic.url), ["i-9"]);
    });

    it("validates rules and targets, and refuses to delete a rule that has targets", () => {
        const region = messagingRegion();
        assert.throws(() => region.events.call("PutRule", { Name: "r" }), { name: "ValidationException" });
        assert.throws(() => region.events.call("PutRule", { Name: "r", EventPattern: '{"source":"x"}' }), {
            name: "InvalidEventPatternException",
            message: 'Event pattern is not valid. Reason: "source" must be an object or an array',
        });
        assert.throws(
            () => region.events.call("PutRule", { Name: "r", ScheduleExpression: "rate(0 minutes)" }),
            { name: "ValidationException" },
        );
        region.events.call("PutRule", { Name: "r", EventPattern: '{"source":["x"]}' });
        const q = queue(region, "q");
        assert.throws(
            () =>
                region.events.call("PutTargets", {
                    Rule: "r",
                    Targets: Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: q.arn })),
                }),
            { name: "LimitExceededException" },
        );
        region.events.call("PutTargets", { Rule: "r", Targets: [{ Id: "t", Arn: q.arn }] });
        assert.throws(() => region.events.call("DeleteRule", { Name: "r" }), {
            message: "Rule can't be deleted since it has targets.",
        });
        assert.deepEqual(region.events.call("RemoveTargets", { Rule: "r", Ids: ["t", "u"] }), {
            FailedEntryCount: 1,
            FailedEntries: [
                { TargetId: "u", ErrorCode: "ResourceNotFoundException", ErrorMessage: "Target not found." },
            ],
        });
        region.events.call("DeleteRule", { Name: "r" });
        assert.throws(() => region.events.call("DescribeRule", { Name: "r" }), {
            name: "ResourceNotFoundException",
        });
    });

    it("applies the dropRate fault to deliveries", async () => {
        const region = messagingRegion({ faults: { dropRate: 1 } });
        const q = queue(region, "q");
        region.events.call("PutRule", { Name: "r", EventPattern: '{"source":["x"]}' });
        region.events.call("PutTargets", { Rule: "r", Targets: [{ Id: "t", Arn: q.arn }] });
        region.events.emit("x", "y", {});
        await region.clock.runFor(1000);
        assert.deepEqual(drain(region, q.url), []);
        assert.deepEqual(
            region.entries("events.dropped").map((e) => e.detail.rule),
            ["r"],
        );
    });
});
