import assert from "node:assert/strict";
import { ASYNC_QUEUE_DELAY_MS, COMPUTE_QUANTUM_MS, LAMBDA_RUNTIME_OVERHEAD_MS } from "../../sim/lambda";
import type { LambdaContext } from "../../sim/types";
import { TEST_API_LATENCY_MS, messagingRegion, type MessagingRegion } from "./messagingContext";

function queue(
    region: MessagingRegion,
    name: string,
    attributes: Record<string, string> = {},
): { url: string; arn: string } {
    const url = (
        region.sqs.call("CreateQueue", { QueueName: name, Attributes: attributes }) as { QueueUrl: string }
    ).QueueUrl;
    return { url, arn: `arn:aws:sqs:us-east-1:123456789012:${name}` };
}

function drain(region: MessagingRegion, url: string): string[] {
    const out = region.sqs.call("ReceiveMessage", { QueueUrl: url, MaxNumberOfMessages: 10 }) as {
        Messages?: { Body: string }[];
    };
    return (out.Messages ?? []).map((m) => m.Body);
}

function invocations(region: MessagingRegion): [number, string][] {
    return region.entries("lambda.invoked").map((e) => [e.t, e.detail.status as string]);
}

describe("sim/lambda", () => {
    describe("invocation", () => {
        it("charges compute and API latency against the timeout, and bills the elapsed time × memory", async () => {
            const region = messagingRegion();
            const remaining: number[] = [];
            const arn = region.lambda.createFunction({
                name: "worker",
                timeoutSeconds: 1,
                memoryMb: 512,
                handler: (_event, context: LambdaContext) => {
                    for (let i = 0; i < 3; i++) {
                        remaining.push(context.getRemainingTimeInMillis());
                        region.api(region.ssm, "PutParameter", {
                            Name: `/p${i}`,
                            Value: "v",
                            Type: "String",
                        });
                    }
                    remaining.push(context.getRemainingTimeInMillis());
                    return "done";
                },
            });
            assert.equal(await region.lambda.invokeSync(arn, {}, 2000), "done");
            assert.deepEqual(
                remaining,
                [0, 1, 2, 3].map((calls) => 1000 - LAMBDA_RUNTIME_OVERHEAD_MS - calls * TEST_API_LATENCY_MS),
            );
            const elapsed = LAMBDA_RUNTIME_OVERHEAD_MS + 3 * TEST_API_LATENCY_MS;
            const { billedMs, gbSeconds, computeMs, maxComputeMs, ...counts } = region.lambda.stats(arn);
            assert.equal(maxComputeMs, computeMs);
            assert.deepEqual(counts, {
                invocations: 1,
                errors: 0,
                timeouts: 0,
                throttles: 0,
                recursionStops: 0,
            });
            // Billed: the calls, plus the handler's few ms of compute (under one quantum, so off the timeline).
            assert.ok(billedMs >= elapsed && billedMs < elapsed + COMPUTE_QUANTUM_MS, String(billedMs));
            assert.equal(gbSeconds, (billedMs / 1000) * 0.5);
            // The handler's API calls happened at its own virtual time.
            const modified = (
                region.ssm.call("GetParameter", { Name: "/p2" }) as { Parameter: { LastModifiedDate: Date } }
            ).Parameter;
            assert.equal(
                modified.LastModifiedDate.getTime(),
                Date.UTC(2026, 0, 1) + LAMBDA_RUNTIME_OVERHEAD_MS + 3 * TEST_API_LATENCY_MS,
            );
        });

        it("times out when the charged time passes the timeout, whatever the handler returned", async () => {
            const region = messagingRegion();
            const arn = region.lambda.createFunction({
                name: "slow",
                timeoutSeconds: 1,
                memoryMb: 128,
                handler: () => {
                    for (let i = 0; i < 40; i++)
                        region.api(region.ssm, "PutParameter", {
                            Name: "/x",
                            Value: "v",
                            Type: "String",
                            Overwrite: true,
                        });
                    return "finished anyway";
                },
            });
            await assert.rejects(region.lambda.invokeSync(arn, {}, 5000), {
                name: "Sandbox.Timedout",
                message: /Task timed out after 1\.00 seconds$/,
            });
            assert.deepEqual(
                {
                    ...region.lambda.stats(arn),
                    gbSeconds: undefined,
                    computeMs: undefined,
                    maxComputeMs: undefined,
                },
                {
                    invocations: 1,
                    errors: 1,
                    timeouts: 1,
                    throttles: 0,
                    recursionStops: 0,
                    billedMs: 1000,
                    gbSeconds: undefined,
                    computeMs: undefined,
                    maxComputeMs: undefined,
                },
            );
        });

        it("rejects a sync invocation that outlasts the caller's limit, and passes handler errors on", async () => {
            const region = messagingRegion();
            const slow = region.lambda.createFunction({
                name: "policy",
                timeoutSeconds: 5,
                memoryMb: 128,
                handler: () => {
                    region.lambda.chargeApiLatency(2000);
                    return { InstanceIDs: [] };
                },
            });
            await assert.rejects(region.lambda.invokeSync(slow, {}, 2000), {
                name: "CallerTimeout",
                message: /^policy took 20\d\d ms, more than the caller's limit of 2000 ms$/,
            });
            const failing = region.lambda.createFunction({
                name: "failing",
                timeoutSeconds: 5,
                memoryMb: 128,
                handler: () => {
                    throw new TypeError("bad input");
                },
            });
            await assert.rejects(region.lambda.invokeSync(failing, {}, 2000), {
                name: "TypeError",
                message: "bad input",
            });
            await assert.rejects(
                region.lambda.invokeSync("arn:aws:lambda:us-east-1:123456789012:function:none", {}, 2000),
                {
                    name: "ResourceNotFoundException",
                },
            );
        });

        it("captures each console call as one event in the function's log group and sets its environment while it runs", async () => {
            const region = messagingRegion();
            let seenEnv: string | undefined;
            const arn = region.lambda.createFunction({
                name: "logger",
                timeoutSeconds: 3,
                memoryMb: 128,
                environment: { SIM_TEST_CLUSTER: "prod" },
                handler: () => {
                    seenEnv = process.env.SIM_TEST_CLUSTER;
                    console.log("draining %s", "i-1");
                    console.error("two\nlines");
                },
            });
            const originalLog = console.log;
            await region.lambda.invokeSync(arn, {}, 3000);
            assert.equal(console.log, originalLog);
            assert.equal(seenEnv, "prod");
            assert.equal(process.env.SIM_TEST_CLUSTER, undefined);
            const lines = region.cloudwatch.logEvents("/aws/lambda/logger").map((e) => e.message);
            assert.match(lines[0], /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
            assert.deepEqual(lines.slice(1, 3), ["draining i-1", "two\nlines"]);
            assert.match(lines[3], /^END RequestId: /);
            assert.match(
                lines[4],
                /^REPORT RequestId: .*\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB$/,
            );
        });

        it("runs the handler but reports a timeout under the lambdaTimeoutRate fault", async () => {
            const region = messagingRegion({ faults: { lambdaTimeoutRate: 1 } });
            let ran = false;
            const arn = region.lambda.createFunction({
                name: "t",
                timeoutSeconds: 3,
                memoryMb: 1024,
                handler: () => void (ran = true),
            });
            await assert.rejects(region.lambda.invokeSync(arn, {}, 5000), {
                name: "Sandbox.Timedout",
                message: /Task timed out after 3\.00 seconds$/,
            });
            assert.equal(ran, true);
            assert.deepEqual(
                { ...region.lambda.stats(arn), computeMs: undefined, maxComputeMs: undefined },
                {
                    invocations: 1,
                    errors: 1,
                    timeouts: 1,
                    throttles: 0,
                    recursionStops: 0,
                    billedMs: 3000,
                    gbSeconds: 3,
                    computeMs: undefined,
                    maxComputeMs: undefined,
                },
            );
        });

        it("crashes without running the handler under the lambdaCrashRate fault", async () => {
            const region = messagingRegion({ faults: { lambdaCrashRate: 1 } });
            let ran = false;
            const arn = region.lambda.createFunction({
                name: "c",
                timeoutSeconds: 3,
                memoryMb: 128,
                handler: () => void (ran = true),
            });
            await assert.rejects(region.lambda.invokeSync(arn, {}, 3000), { name: "Runtime.ExitError" });
            assert.equal(ran, false);
            assert.equal(region.lambda.stats(arn).errors, 1);
        });
    });

    describe("async invocation", () => {
        it("retries a failing event twice, ≈1 and ≈2 minutes apart, then sends it to the on-failure destination and the DLQ", async () => {
            const region = messagingRegion();
            const destination = queue(region, "on-failure");
            const dlq = queue(region, "dlq");
            const arn = region.lambda.createFunction({
                name: "flaky",
                timeoutSeconds: 3,
                memoryMb: 128,
                onFailureArn: destination.arn,
                deadLetterArn: dlq.arn,
                handler: () => {
                    throw new Error("boom");
                },
            });
            region.lambda.invokeAsync(arn, { job: 7 }, "test");
            await region.clock.runFor(600_000);
            const first = ASYNC_QUEUE_DELAY_MS / 1000;
            const compute = LAMBDA_RUNTIME_OVERHEAD_MS / 1000;
            assert.deepEqual(invocations(region), [
                [first, "error"],
                [first + compute + 60, "error"],
                [first + 2 * compute + 180, "error"],
            ]);
            assert.deepEqual(region.entries("lambda.async-failed"), [
                {
                    t: first + 3 * compute + 180,
                    detail: {
                        function: "flaky",
                        condition: "RetriesExhausted",
                        attempts: 3,
                        targets: [destination.arn, dlq.arn],
                    },
                },
            ]);
            const record = JSON.parse(drain(region, destination.url)[0]);
            assert.deepEqual(record.requestContext.condition, "RetriesExhausted");
            assert.equal(record.requestContext.approximateInvokeCount, 3);
            assert.equal(record.requestContext.functionArn, `${arn}:$LATEST`);
            assert.deepEqual(record.requestPayload, { job: 7 });
            assert.deepEqual(record.responsePayload, { errorType: "Error", errorMessage: "boom" });
            assert.deepEqual(drain(region, dlq.url), ['{"job":7}']);
        });

        it("honours maximumRetryAttempts 0: one attempt, then the DLQ", async () => {
            const region = messagingRegion();
            const dlq = queue(region, "dlq");
            const arn = region.lambda.createFunction({
                name: "once",
                timeoutSeconds: 3,
                memoryMb: 128,
                deadLetterArn: dlq.arn,
                maximumRetryAttempts: 0,
                handler: () => {
                    throw new Error("no");
                },
            });
            region.lambda.invokeAsync(arn, "payload", "test");
            await region.clock.runFor(600_000);
            assert.deepEqual(invocations(region), [[0.05, "error"]]);
            assert.deepEqual(drain(region, dlq.url), ['"payload"']);
            assert.throws(
                () =>
                    region.lambda.createFunction({
                        name: "bad",
                        timeoutSeconds: 3,
                        memoryMb: 128,
                        maximumRetryAttempts: 3,
                        handler: () => 1,
                    }),
                {
                    message:
                        "createFunction(bad): maximumRetryAttempts must be an integer from 0 to 2, got 3",
                },
            );
        });

        it("holds concurrency for the invocation's virtual duration and retries throttled events with backoff", async () => {
            const region = messagingRegion();
            const arn = region.lambda.createFunction({
                name: "single",
                timeoutSeconds: 60,
                memoryMb: 128,
                reservedConcurrency: 1,
                handler: () => region.lambda.chargeApiLatency(10_000),
            });
            region.lambda.invokeAsync(arn, 1, "test");
            region.lambda.invokeAsync(arn, 2, "test");
            await region.clock.runFor(60_000);
            // The first runs 0.05–10.07 s; the second is throttled at 0.05, 1.05, 3.05 and 7.05, then runs at 15.05.
            assert.deepEqual(
                region.entries("lambda.throttled").map((e) => e.t),
                [0.05, 1.05, 3.05, 7.05],
            );
            assert.deepEqual(invocations(region), [
                [0.05, "ok"],
                [15.05, "ok"],
            ]);
            assert.equal(region.lambda.stats(arn).throttles, 4);
        });

        it("throttles everything with reserved concurrency 0", async () => {
            const region = messagingRegion();
            const arn = region.lambda.createFunction({
                name: "off",
                timeoutSeconds: 3,
                memoryMb: 128,
                reservedConcurrency: 0,
                handler: () => 1,
            });
            await assert.rejects(region.lambda.invokeSync(arn, {}, 2000), {
                name: "TooManyRequestsException",
            });
            assert.equal(region.lambda.stats(arn).invocations, 0);
        });
    });

    describe("SQS event source mapping", () => {
        it("deletes a batch on success except the reported batchItemFailures, which return after the visibility timeout", async () => {
            const region = messagingRegion();
            const { url, arn: queueArn } = queue(region, "jobs", { VisibilityTimeout: "30" });
            const seen: [number, string[], string[]][] = [];
            const functionArn = region.lambda.createFunction({
                name: "consumer",
                timeoutSeconds: 10,
                memoryMb: 128,
                handler: (event) => {
                    const records = (
                        event as {
                            Records: {
                                messageId: string;
                                body: string;
                                attributes: Record<string, string>;
                            }[];
                        }
                    ).Records;
                    seen.push([
                        region.seconds(region.lambda.invocationNow()),
                        records.map((r) => r.body),
                        records.map((r) => r.attributes.ApproximateReceiveCount),
                    ]);
                    const failed = records.filter(
                        (r) => r.body === "b" && r.attributes.ApproximateReceiveCount === "1",
                    );
                    return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
                },
            });
            region.lambda.createEventSourceMapping({
                queueArn,
                functionArn,
                batchSize: 10,
                reportBatchItemFailures: true,
            });
            for (const body of ["a", "b", "c"])
                region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: body });
            await region.clock.runFor(120_000);
            assert.deepEqual(seen, [
                [LAMBDA_RUNTIME_OVERHEAD_MS / 1000, ["a", "b", "c"], ["1", "1", "1"]],
                [30 + LAMBDA_RUNTIME_OVERHEAD_MS / 1000, ["b"], ["2"]],
            ]);
            assert.equal(region.sqs.depth(queueArn), 0);
        });

        it("leaves the whole batch on error, so messages reach the queue's DLQ by its redrive policy", async () => {
            const region = messagingRegion();
            const dlq = queue(region, "jobs-dlq");
            const { url, arn: queueArn } = queue(region, "jobs", {
                VisibilityTimeout: "20",
                RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
            });
            const functionArn = region.lambda.createFunction({
                name: "broken",
                timeoutSeconds: 10,
                memoryMb: 128,
                handler: () => {
                    throw new Error("cannot process");
                },
            });
            region.lambda.createEventSourceMapping({ queueArn, functionArn, batchSize: 5 });
            region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "poison" });
            await region.clock.runFor(300_000);
            assert.deepEqual(invocations(region), [
                [0, "error"],
                [20, "error"],
                [40, "error"],
            ]);
            assert.deepEqual(
                region.entries("sqs.dead-lettered").map((e) => e.t),
                [60],
            );
            assert.deepEqual(drain(region, dlq.url), ["poison"]);
        });

        it("waits for the batching window to fill a batch", async () => {
            const region = messagingRegion();
            const { url, arn: queueArn } = queue(region, "windowed");
            const batches: [number, string[]][] = [];
            const functionArn = region.lambda.createFunction({
                name: "batcher",
                timeoutSeconds: 10,
                memoryMb: 128,
                handler: (event) =>
                    void batches.push([
                        region.seconds(region.clock.now()),
                        (event as { Records: { body: string }[] }).Records.map((r) => r.body),
                    ]),
            });
            region.lambda.createEventSourceMapping({
                queueArn,
                functionArn,
                batchSize: 100,
                maximumBatchingWindowSeconds: 5,
            });
            region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "first" });
            region.clock.at(
                Date.UTC(2026, 0, 1) + 3000,
                "later send",
                () => void region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "second" }),
            );
            await region.clock.runFor(20_000);
            assert.deepEqual(batches, [[5, ["first", "second"]]]);
        });

        it("runs no more concurrent batches than the reserved concurrency", async () => {
            const region = messagingRegion();
            const { url, arn: queueArn } = queue(region, "many", { VisibilityTimeout: "60" });
            const functionArn = region.lambda.createFunction({
                name: "one-at-a-time",
                timeoutSeconds: 30,
                memoryMb: 128,
                reservedConcurrency: 1,
                handler: () => region.lambda.chargeApiLatency(5_000),
            });
            region.lambda.createEventSourceMapping({ queueArn, functionArn, batchSize: 1 });
            for (let i = 0; i < 3; i++)
                region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: String(i) });
            await region.clock.runFor(60_000);
            assert.deepEqual(invocations(region), [
                [0, "ok"],
                [5 + LAMBDA_RUNTIME_OVERHEAD_MS / 1000, "ok"],
                [10 + (2 * LAMBDA_RUNTIME_OVERHEAD_MS) / 1000, "ok"],
            ]);
            assert.equal(region.lambda.stats(functionArn).throttles, 0);
        });
    });

    describe("recursive-loop detection", () => {
        it("stops an SNS → Lambda → same SNS topic loop after 16 invocations and sends the event to the on-failure target", async () => {
            const region = messagingRegion();
            const { TopicArn } = region.sns.call("CreateTopic", { Name: "lifecycle" }) as {
                TopicArn: string;
            };
            const failures = queue(region, "failures");
            const functionArn = region.lambda.createFunction({
                name: "republisher",
                timeoutSeconds: 10,
                memoryMb: 128,
                onFailureArn: failures.arn,
                handler: (event) => {
                    const message = (event as { Records: { Sns: { Message: string } }[] }).Records[0].Sns
                        .Message;
                    region.api(region.sns, "Publish", { TopicArn, Message: message });
                },
            });
            region.sns.call("Subscribe", { TopicArn, Protocol: "lambda", Endpoint: functionArn });
            region.sns.call("Publish", { TopicArn, Message: "drain i-1" });
            await region.clock.runFor(600_000);
            assert.equal(region.lambda.stats(functionArn).invocations, 16);
            assert.equal(region.lambda.stats(functionArn).recursionStops, 1);
            const [stop] = region.entries("lambda.recursion-stopped");
            assert.equal(stop.detail.depth, 16);
            assert.equal(stop.detail.source, TopicArn);
            const record = JSON.parse(drain(region, failures.url)[0]);
            assert.equal(record.requestContext.condition, "RecursiveInvocationException");
            assert.equal(record.requestPayload.Records[0].Sns.Message, "drain i-1");
            assert.equal(region.sns.messagesFor(TopicArn).length, 17);
        });

        it("counts SQS sends with DelaySeconds back into the same queue, and moves the looping message to the queue's DLQ", async () => {
            const region = messagingRegion();
            const dlq = queue(region, "loop-dlq");
            const { url, arn: queueArn } = queue(region, "loop", {
                RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
            });
            const functionArn = region.lambda.createFunction({
                name: "poller",
                timeoutSeconds: 10,
                memoryMb: 128,
                handler: (event) => {
                    const body = (event as { Records: { body: string }[] }).Records[0].body;
                    region.api(region.sqs, "SendMessage", {
                        QueueUrl: url,
                        MessageBody: body,
                        DelaySeconds: 60,
                    });
                },
            });
            region.lambda.createEventSourceMapping({ queueArn, functionArn, batchSize: 1 });
            region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "check i-1" });
            await region.clock.runFor(3600_000);
            assert.equal(region.lambda.stats(functionArn).invocations, 16);
            assert.equal(region.lambda.stats(functionArn).recursionStops, 1);
            assert.deepEqual(drain(region, dlq.url), ["check i-1"]);
            assert.equal(
                region.entries("sqs.dead-lettered")[0].detail.reason,
                "RecursiveInvocationException",
            );
        });

        it("does not stop a function that waits by ChangeMessageVisibility on its own message", async () => {
            const region = messagingRegion();
            const dlq = queue(region, "wait-dlq");
            const { url, arn: queueArn } = queue(region, "wait", {
                RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 30 }),
            });
            const functionArn = region.lambda.createFunction({
                name: "waiter",
                timeoutSeconds: 10,
                memoryMb: 128,
                handler: (event) => {
                    const record = (event as { Records: { messageId: string; receiptHandle: string }[] })
                        .Records[0];
                    region.api(region.sqs, "ChangeMessageVisibility", {
                        QueueUrl: url,
                        ReceiptHandle: record.receiptHandle,
                        VisibilityTimeout: 60,
                    });
                    return { batchItemFailures: [{ itemIdentifier: record.messageId }] };
                },
            });
            region.lambda.createEventSourceMapping({
                queueArn,
                functionArn,
                batchSize: 1,
                reportBatchItemFailures: true,
            });
            region.sqs.call("SendMessage", { QueueUrl: url, MessageBody: "wait for drain" });
            await region.clock.runFor(3600_000);
            assert.equal(region.lambda.stats(functionArn).invocations, 30);
            assert.equal(region.lambda.stats(functionArn).recursionStops, 0);
            assert.deepEqual(drain(region, dlq.url), ["wait for drain"]);
            assert.equal(region.entries("sqs.dead-lettered")[0].detail.reason, "maxReceiveCount exceeded");
        });
    });
});
