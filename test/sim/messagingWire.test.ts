/**
 * The messaging models behind the loopback server, driven by a Lambda handler that uses the real
 * SDK clients: SNS → SQS → event source mapping → handler, with the handler's own API calls
 * charged to its remaining time and its console output landing in CloudWatch Logs as metrics.
 */
import assert from "node:assert/strict";
import { SNSClient, CreateTopicCommand, PublishCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import {
    ChangeMessageVisibilityCommand,
    CreateQueueCommand,
    GetQueueAttributesCommand,
    SQSClient,
} from "@aws-sdk/client-sqs";
import { DEFAULT_API_LATENCY_MS } from "../../sim/region";
import { LAMBDA_RUNTIME_OVERHEAD_MS } from "../../sim/lambda";
import { SimHarness } from "../../sim/harness";
import type { LambdaContext } from "../../sim/types";

const EPOCH = Date.UTC(2026, 0, 1);

describe("sim messaging over the wire", () => {
    let harness: SimHarness;

    before(async () => {
        harness = await SimHarness.start({ seed: 3 });
    });

    after(async () => {
        await harness.stop();
    });

    it("delivers a published message through a queue to a handler that waits by ChangeMessageVisibility", async () => {
        const sns = new SNSClient({});
        const sqs = new SQSClient({});
        const { QueueUrl } = await sqs.send(
            new CreateQueueCommand({ QueueName: "drain", Attributes: { VisibilityTimeout: "30" } }),
        );
        const { Attributes } = await sqs.send(
            new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
        );
        const queueArn = Attributes!.QueueArn!;
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "lifecycle" }));
        await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn }));

        const seen: {
            t: number;
            receiveCount: string;
            remainingBefore: number;
            remainingAfter: number;
            message: string;
        }[] = [];
        const functionArn = harness.region.lambda.createFunction({
            name: "drainer",
            timeoutSeconds: 60,
            memoryMb: 256,
            handler: async (event, context: LambdaContext) => {
                const record = (
                    event as {
                        Records: {
                            messageId: string;
                            receiptHandle: string;
                            body: string;
                            attributes: Record<string, string>;
                        }[];
                    }
                ).Records[0];
                const remainingBefore = context.getRemainingTimeInMillis();
                const client = new SQSClient({});
                const receiveCount = record.attributes.ApproximateReceiveCount;
                console.log(
                    JSON.stringify({
                        _aws: {
                            Timestamp: Date.now(),
                            CloudWatchMetrics: [
                                { Namespace: "Drain", Dimensions: [[]], Metrics: [{ Name: "Waits" }] },
                            ],
                        },
                        Waits: 1,
                    }),
                );
                if (receiveCount === "3") return {};
                await client.send(
                    new ChangeMessageVisibilityCommand({
                        QueueUrl,
                        ReceiptHandle: record.receiptHandle,
                        VisibilityTimeout: 120,
                    }),
                );
                seen.push({
                    t: (harness.region.lambda.invocationNow() - EPOCH) / 1000,
                    receiveCount,
                    remainingBefore,
                    remainingAfter: context.getRemainingTimeInMillis(),
                    message: JSON.parse(record.body).Message,
                });
                return { batchItemFailures: [{ itemIdentifier: record.messageId }] };
            },
        });
        harness.region.lambda.createEventSourceMapping({
            queueArn,
            functionArn,
            batchSize: 1,
            reportBatchItemFailures: true,
        });

        await sns.send(new PublishCommand({ TopicArn, Message: "drain i-0abc" }));
        await harness.region.run(600);

        const sqsLatency = DEFAULT_API_LATENCY_MS.sqs;
        // SNS delivers at 100 ms; each run is compute + one SQS call; the message returns 120 s after that call.
        const firstCallDone = 100 + LAMBDA_RUNTIME_OVERHEAD_MS + sqsLatency;
        const secondCallDone = firstCallDone + 120_000 + LAMBDA_RUNTIME_OVERHEAD_MS + sqsLatency;
        assert.deepEqual(seen, [
            {
                t: firstCallDone / 1000,
                receiveCount: "1",
                remainingBefore: 60_000 - LAMBDA_RUNTIME_OVERHEAD_MS,
                remainingAfter: 60_000 - LAMBDA_RUNTIME_OVERHEAD_MS - sqsLatency,
                message: "drain i-0abc",
            },
            {
                t: secondCallDone / 1000,
                receiveCount: "2",
                remainingBefore: 60_000 - LAMBDA_RUNTIME_OVERHEAD_MS,
                remainingAfter: 60_000 - LAMBDA_RUNTIME_OVERHEAD_MS - sqsLatency,
                message: "drain i-0abc",
            },
        ]);
        assert.equal(harness.region.lambda.stats(functionArn).invocations, 3);
        assert.equal(harness.region.lambda.stats(functionArn).recursionStops, 0);
        assert.equal(harness.region.sqs.depth(queueArn), 0);
        assert.deepEqual(
            harness.region.cloudwatch.series("Drain", "Waits", []).map((p) => p.value),
            [1, 1, 1],
        );
    });
});
