import assert from "node:assert/strict";
import { messagingRegion, type MessagingRegion } from "./messagingContext";

const EPOCH = Date.UTC(2026, 0, 1);

function topic(region: MessagingRegion, name: string, attributes: Record<string, string> = {}): string {
    return (region.sns.call("CreateTopic", { Name: name, Attributes: attributes }) as { TopicArn: string })
        .TopicArn;
}

function queue(region: MessagingRegion, name: string): { url: string; arn: string } {
    const url = (region.sqs.call("CreateQueue", { QueueName: name }) as { QueueUrl: string }).QueueUrl;
    return { url, arn: `arn:aws:sqs:us-east-1:123456789012:${name}` };
}

function bodies(
    region: MessagingRegion,
    url: string,
): { body: string; attributes?: Record<string, unknown> }[] {
    const out = region.sqs.call("ReceiveMessage", {
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
    }) as {
        Messages?: { Body: string; MessageAttributes?: Record<string, unknown> }[];
    };
    return (out.Messages ?? []).map((m) => ({
        body: m.Body,
        ...(m.MessageAttributes ? { attributes: m.MessageAttributes } : {}),
    }));
}

describe("sim/sns", () => {
    it("delivers the JSON notification envelope to an SQS subscriber after the delivery delay", async () => {
        const region = messagingRegion();
        const topicArn = topic(region, "lifecycle", { KmsMasterKeyId: "alias/aws/sns" });
        const { url, arn } = queue(region, "drain");
        const { SubscriptionArn } = region.sns.call("Subscribe", {
            TopicArn: topicArn,
            Protocol: "sqs",
            Endpoint: arn,
        }) as {
            SubscriptionArn: string;
        };
        const { MessageId } = region.sns.call("Publish", {
            TopicArn: topicArn,
            Subject: "drain",
            Message: '{"EC2InstanceId":"i-1"}',
            MessageAttributes: { cluster: { DataType: "String", StringValue: "prod" } },
            MessageGroupId: "ignored-on-standard-topics",
        }) as { MessageId: string };

        await region.clock.runUntil(EPOCH + 99);
        assert.deepEqual(bodies(region, url), []);
        await region.clock.runUntil(EPOCH + 100);
        const [delivered] = bodies(region, url);
        const envelope = JSON.parse(delivered.body);
        assert.deepEqual(Object.keys(envelope), [
            "Type",
            "MessageId",
            "TopicArn",
            "Subject",
            "Message",
            "Timestamp",
            "SignatureVersion",
            "Signature",
            "SigningCertURL",
            "UnsubscribeURL",
            "MessageAttributes",
        ]);
        assert.equal(envelope.Type, "Notification");
        assert.equal(envelope.MessageId, MessageId);
        assert.equal(envelope.TopicArn, "arn:aws:sns:us-east-1:123456789012:lifecycle");
        assert.equal(envelope.Subject, "drain");
        assert.equal(envelope.Message, '{"EC2InstanceId":"i-1"}');
        assert.equal(envelope.Timestamp, "2026-01-01T00:00:00.000Z");
        assert.equal(envelope.SignatureVersion, "1");
        assert.match(envelope.Signature, /^[A-Za-z0-9+/]{80,}={0,2}$/);
        assert.equal(
            envelope.SigningCertURL,
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-simulated.pem",
        );
        assert.equal(
            envelope.UnsubscribeURL,
            `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SubscriptionArn}`,
        );
        assert.deepEqual(envelope.MessageAttributes, { cluster: { Type: "String", Value: "prod" } });
        assert.equal(delivered.attributes, undefined);

        const attributes = (
            region.sns.call("GetTopicAttributes", { TopicArn: topicArn }) as {
                Attributes: Record<string, string>;
            }
        ).Attributes;
        assert.equal(attributes.KmsMasterKeyId, "alias/aws/sns");
        assert.equal(attributes.SubscriptionsConfirmed, "1");
    });

    it("delivers the raw message and its attributes with RawMessageDelivery, and no Subject key when none was given", async () => {
        const region = messagingRegion();
        const topicArn = topic(region, "t");
        const raw = queue(region, "raw");
        const wrapped = queue(region, "wrapped");
        region.sns.call("Subscribe", {
            TopicArn: topicArn,
            Protocol: "sqs",
            Endpoint: raw.arn,
            Attributes: { RawMessageDelivery: "true" },
        });
        region.sns.call("Subscribe", { TopicArn: topicArn, Protocol: "sqs", Endpoint: wrapped.arn });
        region.sns.call("Publish", {
            TopicArn: topicArn,
            Message: "plain",
            MessageAttributes: { a: { DataType: "String", StringValue: "1" } },
        });
        await region.clock.runFor(1000);
        assert.deepEqual(bodies(region, raw.url), [
            { body: "plain", attributes: { a: { DataType: "String", StringValue: "1" } } },
        ]);
        assert.equal("Subject" in JSON.parse(bodies(region, wrapped.url)[0].body), false);
    });

    it("invokes a Lambda subscriber asynchronously with the aws:sns record", async () => {
        const region = messagingRegion();
        const topicArn = topic(region, "t");
        const seen: unknown[] = [];
        const functionArn = region.lambda.createFunction({
            name: "listener",
            handler: (event) => void seen.push(event),
            timeoutSeconds: 10,
            memoryMb: 128,
        });
        const { SubscriptionArn } = region.sns.call("Subscribe", {
            TopicArn: topicArn,
            Protocol: "lambda",
            Endpoint: functionArn,
        }) as {
            SubscriptionArn: string;
        };
        const { MessageId } = region.sns.call("Publish", { TopicArn: topicArn, Message: "m" }) as {
            MessageId: string;
        };
        await region.clock.runFor(1000);
        assert.equal(seen.length, 1);
        const record = (seen[0] as { Records: Record<string, unknown>[] }).Records[0];
        const sns = record.Sns as Record<string, unknown>;
        assert.deepEqual(
            { ...record, Sns: { ...sns, Signature: "…" } },
            {
                EventSource: "aws:sns",
                EventVersion: "1.0",
                EventSubscriptionArn: SubscriptionArn,
                Sns: {
                    Type: "Notification",
                    MessageId,
                    TopicArn: topicArn,
                    Subject: null,
                    Message: "m",
                    Timestamp: "2026-01-01T00:00:00.000Z",
                    SignatureVersion: "1",
                    Signature: "…",
                    SigningCertUrl:
                        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-simulated.pem",
                    UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SubscriptionArn}`,
                    MessageAttributes: {},
                },
            },
        );
        // SNS delivery (100 ms) + Lambda's async queue (50 ms).
        assert.deepEqual(
            region.entries("lambda.invoked").map((e) => e.t),
            [0.15],
        );
    });

    it("records e-mail deliveries, keeps e-mail subscriptions pending, and lists topics and subscriptions", async () => {
        const region = messagingRegion();
        const topicArn = topic(region, "alerts");
        const email = region.sns.call("Subscribe", {
            TopicArn: topicArn,
            Protocol: "email",
            Endpoint: "ops@example.com",
        });
        assert.deepEqual(email, { SubscriptionArn: "pending confirmation" });
        const { MessageId } = region.sns.call("Publish", {
            TopicArn: topicArn,
            Subject: "Retirement",
            Message: "body",
        }) as { MessageId: string };
        await region.clock.runFor(1000);
        assert.deepEqual(region.entries("sns.notified"), [
            {
                t: 0.1,
                detail: {
                    protocol: "email",
                    endpoint: "ops@example.com",
                    messageId: MessageId,
                    subject: "Retirement",
                },
            },
        ]);
        assert.deepEqual(
            region.sns.messagesFor(topicArn).map((m) => [m.subject, m.message]),
            [["Retirement", "body"]],
        );
        assert.deepEqual(region.sns.call("ListTopics", {}), { Topics: [{ TopicArn: topicArn }] });
        const subscriptions = (
            region.sns.call("ListSubscriptionsByTopic", { TopicArn: topicArn }) as {
                Subscriptions: Record<string, string>[];
            }
        ).Subscriptions;
        assert.deepEqual(
            subscriptions.map((s) => [s.Protocol, s.Endpoint, s.TopicArn]),
            [["email", "ops@example.com", topicArn]],
        );
        region.sns.call("Unsubscribe", { SubscriptionArn: subscriptions[0].SubscriptionArn });
        assert.deepEqual(
            (
                region.sns.call("ListSubscriptionsByTopic", { TopicArn: topicArn }) as {
                    Subscriptions: unknown[];
                }
            ).Subscriptions,
            [],
        );
    });

    it("applies the dropRate and duplicateRate faults per delivery", async () => {
        const dropping = messagingRegion({ faults: { dropRate: 1 } });
        const t1 = topic(dropping, "t");
        const q1 = queue(dropping, "q");
        dropping.sns.call("Subscribe", { TopicArn: t1, Protocol: "sqs", Endpoint: q1.arn });
        dropping.sns.call("Publish", { TopicArn: t1, Message: "lost" });
        await dropping.clock.runFor(1000);
        assert.deepEqual(bodies(dropping, q1.url), []);
        assert.equal(dropping.entries("sns.dropped").length, 1);

        const duplicating = messagingRegion({ faults: { duplicateRate: 1 } });
        const t2 = topic(duplicating, "t");
        const q2 = queue(duplicating, "q");
        duplicating.sns.call("Subscribe", {
            TopicArn: t2,
            Protocol: "sqs",
            Endpoint: q2.arn,
            Attributes: { RawMessageDelivery: "true" },
        });
        duplicating.sns.call("Publish", { TopicArn: t2, Message: "twice" });
        await duplicating.clock.runFor(1000);
        assert.deepEqual(
            bodies(duplicating, q2.url).map((b) => b.body),
            ["twice", "twice"],
        );
    });

    it("answers NotFound for an unknown topic and InvalidParameter for bad input", () => {
        const region = messagingRegion();
        assert.throws(
            () =>
                region.sns.call("Publish", {
                    TopicArn: "arn:aws:sns:us-east-1:123456789012:none",
                    Message: "x",
                }),
            {
                name: "NotFound",
                message: "Topic does not exist",
            },
        );
        const topicArn = topic(region, "t");
        assert.throws(() => region.sns.call("Publish", { TopicArn: topicArn }), { name: "InvalidParameter" });
        assert.throws(
            () => region.sns.call("Publish", { TopicArn: topicArn, Message: "x", Subject: "a\nb" }),
            { name: "InvalidParameter" },
        );
        assert.throws(
            () =>
                region.sns.call("Subscribe", { TopicArn: topicArn, Protocol: "sqs", Endpoint: "https://x" }),
            {
                name: "InvalidParameter",
            },
        );
        assert.throws(() => topic(region, "bad name"), { name: "InvalidParameter" });
        assert.throws(() => region.sns.call("Nope", {}), { name: "InvalidAction" });
    });

    it("answers InvalidParameter, not NotFound, for a malformed topic ARN or one of another region", () => {
        const region = messagingRegion();
        const topicArn = topic(region, "t");
        const refused = (arn: string, message: string) => {
            for (const [operation, input] of [
                ["Publish", { TopicArn: arn, Message: "x" }],
                ["Publish", { TargetArn: arn, Message: "x" }],
                ["GetTopicAttributes", { TopicArn: arn }],
                ["Subscribe", { TopicArn: arn, Protocol: "email", Endpoint: "ops@example.com" }],
                ["ListSubscriptionsByTopic", { TopicArn: arn }],
                ["DeleteTopic", { TopicArn: arn }],
            ] as const) {
                const field = "TargetArn" in input ? "TargetArn" : "TopicArn";
                assert.throws(
                    () => region.sns.call(operation, input),
                    {
                        name: "InvalidParameter",
                        message: message.replace("TopicArn", field),
                    },
                    `${operation} ${arn}`,
                );
            }
        };
        refused("t", "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1");
        refused(
            "arn:aws:sns:us-east-1",
            "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 4",
        );
        refused(topicArn.replace("us-east-1", "eu-west-1"), "Invalid parameter: TopicArn");
        refused(topicArn.replace(":sns:", ":sqs:"), "Invalid parameter: TopicArn");
        refused(topicArn.replace("123456789012", "1234"), "Invalid parameter: TopicArn");
        region.sns.call("DeleteTopic", { TopicArn: `${topicArn}-gone` });
        region.sns.call("DeleteTopic", { TopicArn: topicArn });
        assert.throws(() => region.sns.call("GetTopicAttributes", { TopicArn: topicArn }), {
            name: "NotFound",
        });
    });
});
