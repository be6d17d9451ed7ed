import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { AwsError } from "../../sim/errors";
import { messagingRegion, type MessagingRegion } from "./messagingContext";

interface ReceiveOutput {
    Messages?: {
        MessageId: string;
        ReceiptHandle: string;
        Body: string;
        MD5OfBody: string;
        Attributes?: Record<string, string>;
        MessageAttributes?: Record<string, { DataType: string; StringValue: string }>;
    }[];
}

function createQueue(region: MessagingRegion, name: string, attributes: Record<string, string> = {}): void {
    region.sqs.call("CreateQueue", { QueueName: name, Attributes: attributes });
}

function queueUrl(region: MessagingRegion, name: string, attributes: Record<string, string> = {}): string {
    return (
        region.sqs.call("CreateQueue", { QueueName: name, Attributes: attributes }) as { QueueUrl: string }
    ).QueueUrl;
}

function receive(region: MessagingRegion, url: string, extra: Record<string, unknown> = {}): ReceiveOutput {
    return region.sqs.call("ReceiveMessage", {
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ["All"],
        ...extra,
    }) as ReceiveOutput;
}

function attributes(region: MessagingRegion, url: string): Record<string, string> {
    return (
        region.sqs.call("GetQueueAttributes", { QueueUrl: url, AttributeNames: ["All"] }) as {
            Attributes: Record<string, string>;
        }
    ).Attributes;
}

async function at(region: MessagingRegion, seconds: number): Promise<void> {
    await region.clock.runUntil(Date.UTC(2026, 0, 1) + seconds * 1000);
}

describe("sim/sqs", () => {
    it("creates queues with URLs under the configured endpoint and ARNs, idempotently", () => {
        const region = messagingRegion();
        const url = queueUrl(region, "drain");
        assert.equal(url, "https://sqs.us-east-1.amazonaws.com/123456789012/drain");
        region.sqs.setEndpoint("http://127.0.0.1:4566/");
        assert.equal(queueUrl(region, "drain"), "http://127.0.0.1:4566/123456789012/drain");
        assert.deepEqual(region.sqs.call("GetQueueUrl", { QueueName: "drain" }), {
            QueueUrl: "http://127.0.0.1:4566/123456789012/drain",
        });
        // A URL handed out before the endpoint changed still names the queue.
        assert.equal(attributes(region, url).QueueArn, "arn:aws:sqs:us-east-1:123456789012:drain");
        assert.throws(() => createQueue(region, "drain", { VisibilityTimeout: "60" }), {
            name: "QueueAlreadyExists",
        });
        assert.throws(() => createQueue(region, "bad name"), { name: "InvalidParameterValue" });
        assert.throws(() => region.sqs.call("GetQueueUrl", { QueueName: "nope" }), {
            name: "QueueDoesNotExist",
        });
    });

    it("hides a received message for the visibility timeout and redelivers it with a rising ApproximateReceiveCount", async () => {
        const region = messagingRegion();
        const url = queueUrl(region, "work", { VisibilityTimeout: "30" });
        const sent = region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "hello" }) as {
            MessageId: string;
            MD5OfMessageBody: string;
        };
        assert.equal(sent.MD5OfMessageBody, createHash("md5").update("hello").digest("hex"));

        const first = receive(region, url).Messages!;
        assert.equal(first.length, 1);
        assert.equal(first[0].MessageId, sent.MessageId);
        assert.equal(first[0].MD5OfBody, createHash("md5").update("hello").digest("hex"));
        assert.deepEqual(first[0].Attributes, {
            SenderId: "123456789012",
            SentTimestamp: String(Date.UTC(2026, 0, 1)),
            ApproximateReceiveCount: "1",
            ApproximateFirstReceiveTimestamp: String(Date.UTC(2026, 0, 1)),
        });
        assert.equal(attributes(region, url).ApproximateNumberOfMessagesNotVisible, "1");

        await at(region, 29.999);
        assert.deepEqual(receive(region, url), {});
        await at(region, 30);
        const second = receive(region, url).Messages!;
        assert.equal(second[0].Attributes!.ApproximateReceiveCount, "2");
        assert.equal(second[0].Attributes!.ApproximateFirstReceiveTimestamp, String(Date.UTC(2026, 0, 1)));
        assert.notEqual(second[0].ReceiptHandle, first[0].ReceiptHandle);

        // A per-receive VisibilityTimeout overrides the queue's.
        await at(region, 60);
        const third = receive(region, url, { VisibilityTimeout: 5 }).Messages!;
        assert.equal(third[0].Attributes!.ApproximateReceiveCount, "3");
        await at(region, 65);
        region.sqs.call("DeleteMessage", {
            QueueUrl: url,
            ReceiptHandle: receive(region, url).Messages![0].ReceiptHandle,
        });
        assert.equal(attributes(region, url).ApproximateNumberOfMessages, "0");
        assert.equal(attributes(region, url).ApproximateNumberOfMessagesNotVisible, "0");
    });

    it("delays a message by DelaySeconds up to 900 and rejects 901", async () => {
        const region = messagingRegion();
        const url = queueUrl(region, "later");
        region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "wait", DelaySeconds: 900 });
        assert.equal(attributes(region, url).ApproximateNumberOfMessagesDelayed, "1");
        assert.equal(attributes(region, url).ApproximateNumberOfMessages, "0");
        assert.throws(
            () => region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "x", DelaySeconds: 901 }),
            (error: unknown) =>
                error instanceof AwsError &&
                error.code === "InvalidParameterValue" &&
                error.message ===
                    "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
        );
        await at(region, 899);
        assert.deepEqual(receive(region, url), {});
        await at(region, 900);
        assert.equal(receive(region, url).Messages![0].Body, "wait");
    });

    it("moves a message to the dead-letter queue on the receive after maxReceiveCount", async () => {
        const region = messagingRegion();
        const dlqUrl = queueUrl(region, "work-dlq");
        const dlqArn = attributes(region, dlqUrl).QueueArn;
        const url = queueUrl(region, "work", {
            VisibilityTimeout: "10",
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "2" }),
        });
        const { MessageId } = region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "poison" }) as {
            MessageId: string;
        };
        assert.equal(receive(region, url).Messages!.length, 1);
        await at(region, 10);
        assert.equal(receive(region, url).Messages![0].Attributes!.ApproximateReceiveCount, "2");
        await at(region, 20);
        assert.deepEqual(receive(region, url), {});
        assert.deepEqual(region.entries("sqs.dead-lettered"), [
            {
                t: 20,
                detail: {
                    queue: "work",
                    deadLetterQueue: "work-dlq",
                    messageId: MessageId,
                    receiveCount: 2,
                    reason: "maxReceiveCount exceeded",
                },
            },
        ]);
        const dead = receive(region, dlqUrl).Messages!;
        assert.equal(dead[0].MessageId, MessageId);
        assert.equal(dead[0].Body, "poison");
        assert.equal(dead[0].Attributes!.ApproximateReceiveCount, "1");
        assert.throws(
            () =>
                createQueue(region, "other", {
                    RedrivePolicy: JSON.stringify({
                        deadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:gone",
                        maxReceiveCount: 3,
                    }),
                }),
            { name: "InvalidAttributeValue" },
        );
    });

    it("changes visibility only with a live receipt handle", async () => {
        const region = messagingRegion();
        const url = queueUrl(region, "vis", { VisibilityTimeout: "30" });
        region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "m" });
        const handle = receive(region, url).Messages![0].ReceiptHandle;
        assert.throws(
            () =>
                region.sqs.call("ChangeMessageVisibility", {
                    QueueUrl: url,
                    ReceiptHandle: "bogus",
                    VisibilityTimeout: 0,
                }),
            {
                name: "ReceiptHandleIsInvalid",
            },
        );
        assert.throws(
            () =>
                region.sqs.call("ChangeMessageVisibility", {
                    QueueUrl: url,
                    ReceiptHandle: handle,
                    VisibilityTimeout: 43_201,
                }),
            {
                name: "InvalidParameterValue",
            },
        );
        region.sqs.call("ChangeMessageVisibility", {
            QueueUrl: url,
            ReceiptHandle: handle,
            VisibilityTimeout: 120,
        });
        await at(region, 119);
        assert.deepEqual(receive(region, url), {});
        await at(region, 120);
        const again = receive(region, url).Messages![0];
        assert.equal(again.Attributes!.ApproximateReceiveCount, "2");
        // The first handle was superseded by the second receive.
        assert.throws(
            () =>
                region.sqs.call("ChangeMessageVisibility", {
                    QueueUrl: url,
                    ReceiptHandle: handle,
                    VisibilityTimeout: 10,
                }),
            {
                name: "MessageNotInflight",
            },
        );
        region.sqs.call("DeleteMessage", { QueueUrl: url, ReceiptHandle: again.ReceiptHandle });
        assert.throws(
            () => region.sqs.call("DeleteMessage", { QueueUrl: url, ReceiptHandle: again.ReceiptHandle }),
            {
                name: "ReceiptHandleIsInvalid",
            },
        );
    });

    it("sends and deletes in batches with per-entry failures, and returns selected message attributes", () => {
        const region = messagingRegion();
        const url = queueUrl(region, "batch");
        const sent = region.sqs.call("SendMessageBatch", {
            QueueUrl: url,
            Entries: [
                {
                    Id: "a",
                    MessageBody: "one",
                    MessageAttributes: { kind: { DataType: "String", StringValue: "drain" } },
                },
                { Id: "b", MessageBody: "two", DelaySeconds: 1000 },
            ],
        }) as { Successful: { Id: string }[]; Failed: { Id: string; Code: string; SenderFault: boolean }[] };
        assert.deepEqual(
            sent.Successful.map((s) => s.Id),
            ["a"],
        );
        assert.deepEqual(
            sent.Failed.map((f) => [f.Id, f.Code, f.SenderFault]),
            [["b", "InvalidParameterValue", true]],
        );
        assert.throws(() => region.sqs.call("SendMessageBatch", { QueueUrl: url, Entries: [] }), {
            name: "EmptyBatchRequest",
        });
        assert.throws(
            () =>
                region.sqs.call("SendMessageBatch", {
                    QueueUrl: url,
                    Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: "x" })),
                }),
            { name: "TooManyEntriesInBatchRequest" },
        );

        const message = receive(region, url, { MessageAttributeNames: ["All"] }).Messages![0];
        assert.deepEqual(message.MessageAttributes, { kind: { DataType: "String", StringValue: "drain" } });
        const deleted = region.sqs.call("DeleteMessageBatch", {
            QueueUrl: url,
            Entries: [
                { Id: "ok", ReceiptHandle: message.ReceiptHandle },
                { Id: "bad", ReceiptHandle: "nope" },
            ],
        }) as { Successful: { Id: string }[]; Failed: { Id: string; Code: string }[] };
        assert.deepEqual(deleted.Successful, [{ Id: "ok" }]);
        assert.deepEqual(
            deleted.Failed.map((f) => [f.Id, f.Code]),
            [["bad", "ReceiptHandleIsInvalid"]],
        );
        assert.throws(() => receive(region, url, { MaxNumberOfMessages: 11 }), {
            name: "InvalidParameterValue",
        });
    });

    it("purges and lists queues", () => {
        const region = messagingRegion();
        const a = queueUrl(region, "alpha");
        queueUrl(region, "beta");
        region.sqs.call("SendMessage", { QueueUrl: a, MessageBody: "x" });
        region.sqs.call("PurgeQueue", { QueueUrl: a });
        assert.equal(attributes(region, a).ApproximateNumberOfMessages, "0");
        assert.deepEqual(region.sqs.call("ListQueues", { QueueNamePrefix: "al" }), { QueueUrls: [a] });
        assert.throws(() => region.sqs.call("Nope", {}), { name: "UnknownOperationException" });
    });

    it("takes messages of 1 byte to 1 MiB, attributes counted in, and refuses empty bodies and characters outside XML's", () => {
        const region = messagingRegion();
        const url = queueUrl(region, "sizes");
        const send = (body: string, extra: Record<string, unknown> = {}) =>
            region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: body, ...extra });
        send("x".repeat(1_048_576));
        send("\t\n\r é 😀 \uFFFD");
        assert.throws(() => send("x".repeat(1_048_577)), {
            name: "InvalidParameterValue",
            message:
                "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.",
        });
        assert.throws(
            () =>
                send("x".repeat(1_048_570), {
                    MessageAttributes: { kind: { DataType: "String", StringValue: "drain" } },
                }),
            { name: "InvalidParameterValue" },
            "name, type and value of each attribute count toward the size",
        );
        assert.throws(() => send(""), {
            name: "MissingParameter",
            message: "The request must contain the parameter MessageBody.",
        });
        for (const [body, code] of [
            ["a\u0000b", "0"],
            ["bell\u0007", "7"],
            ["\u000B", "B"],
            ["\uFFFE", "FFFE"],
            ["lone \uD800 surrogate", "D800"],
        ]) {
            assert.throws(() => send(body), {
                name: "InvalidMessageContents",
                message: `Invalid binary character '#x${code}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].`,
            });
        }
        assert.equal(attributes(region, url).ApproximateNumberOfMessages, "2");
    });

    it("holds a queue to its MaximumMessageSize (1 KiB to 1 MiB) and a batch to 1 MiB in all", () => {
        const region = messagingRegion();
        const url = queueUrl(region, "small", { MaximumMessageSize: "1024" });
        assert.equal(attributes(region, url).MaximumMessageSize, "1024");
        region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "x".repeat(1024) });
        assert.throws(
            () => region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "x".repeat(1025) }),
            {
                name: "InvalidParameterValue",
                message:
                    "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
            },
        );
        for (const size of ["1023", "1048577"]) {
            assert.throws(() => queueUrl(region, `bad-${size}`, { MaximumMessageSize: size }), {
                name: "InvalidAttributeValue",
            });
        }
        const big = queueUrl(region, "big");
        assert.equal(attributes(region, big).MaximumMessageSize, "1048576");
        assert.throws(
            () =>
                region.sqs.call("SendMessageBatch", {
                    QueueUrl: big,
                    Entries: [0, 1].map((i) => ({ Id: `m${i}`, MessageBody: "x".repeat(600_000) })),
                }),
            { name: "BatchRequestTooLong" },
        );
    });
});
