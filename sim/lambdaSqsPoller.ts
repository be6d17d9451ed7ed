/**
 * A Lambda event source mapping on an SQS queue: pollers receive batches (the messages stay
 * invisible for the queue's visibility timeout), invoke the function, delete what succeeded —
 * all of the batch, or all but the reported `batchItemFailures` — and leave the rest to come back
 * after the visibility timeout (and reach the queue's DLQ through its redrive policy). Concurrent
 * batches are bounded by the function's reserved concurrency. Messages whose trace shows a
 * recursive loop are not delivered: they go to the queue's DLQ, or are dropped without one.
 */
import {
    RECURSION_LIMIT,
    type InvocationOutcome,
    type InvocationTrigger,
    type LambdaFunction,
} from "./lambda";
import { md5Hex } from "./messageIds";
import type { ReceivedMessage, SqsModel } from "./sqs";
import type { MessageTrace, RegionContext } from "./types";

export interface EventSourceMappingSpec {
    readonly queueArn: string;
    readonly functionArn: string;
    /** 1–10 (up to 10,000 with a batching window); default 10. */
    readonly batchSize?: number;
    /** 0–300; default 0. */
    readonly maximumBatchingWindowSeconds?: number;
    readonly reportBatchItemFailures?: boolean;
    /** 2–1000; caps concurrent batches below the function's own limit. */
    readonly maximumConcurrency?: number;
}

/** What the mapping needs from the Lambda model. */
export interface PollerHost {
    invoke(fn: LambdaFunction, payload: unknown, trigger: InvocationTrigger): Promise<InvocationOutcome>;
    maxConcurrency(fn: LambdaFunction): number;
    recursionStopped(fn: LambdaFunction, sourceArn: string, trace: MessageTrace): void;
}

export class SqsEventSourceMapping {
    private readonly batchSize: number;
    private readonly windowMs: number;
    private inFlightBatches = 0;
    private pollScheduled = false;

    constructor(
        readonly uuid: string,
        private readonly spec: EventSourceMappingSpec,
        private readonly fn: LambdaFunction,
        private readonly sqs: SqsModel,
        private readonly ctx: RegionContext,
        private readonly host: PollerHost,
    ) {
        const window = spec.maximumBatchingWindowSeconds ?? 0;
        if (!Number.isInteger(window) || window < 0 || window > 300) {
            throw new Error(
                `createEventSourceMapping: maximumBatchingWindowSeconds must be an integer from 0 to 300, got ${window}`,
            );
        }
        const batchSize = spec.batchSize ?? 10;
        const maxBatch = window > 0 ? 10_000 : 10;
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatch) {
            throw new Error(
                `createEventSourceMapping: batchSize must be an integer from 1 to ${maxBatch} with this batching window, got ${batchSize}`,
            );
        }
        const maxConcurrency = spec.maximumConcurrency;
        if (
            maxConcurrency !== undefined &&
            (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000)
        ) {
            throw new Error(
                `createEventSourceMapping: maximumConcurrency must be an integer from 2 to 1000, got ${maxConcurrency}`,
            );
        }
        this.batchSize = batchSize;
        this.windowMs = window * 1000;
        sqs.onAvailable(spec.queueArn, () => this.schedulePoll());
    }

    private schedulePoll(): void {
        if (this.pollScheduled) return;
        this.pollScheduled = true;
        this.ctx.clock.schedule(this.windowMs, `lambda.poll ${this.fn.spec.name}`, () => {
            this.pollScheduled = false;
            return this.poll();
        });
    }

    private maxBatches(): number {
        return Math.min(this.host.maxConcurrency(this.fn), this.spec.maximumConcurrency ?? Infinity);
    }

    private async poll(): Promise<void> {
        while (this.inFlightBatches < this.maxBatches()) {
            const received = this.sqs.receiveInternal(this.spec.queueArn, this.batchSize);
            if (received.length === 0) return;
            const batch = received.filter((item) => !this.stopIfLooping(item));
            if (batch.length === 0) continue;
            this.inFlightBatches++;
            const outcome = await this.host.invoke(this.fn, this.event(batch), {
                kind: "sqs",
                sourceArn: this.spec.queueArn,
                trace: deepestTrace(batch),
            });
            this.ctx.clock.at(
                outcome.startedAt + outcome.elapsedMs,
                `lambda.batch-done ${this.fn.spec.name}`,
                () => {
                    this.inFlightBatches--;
                    this.settle(batch, outcome);
                    this.schedulePoll();
                },
            );
        }
    }

    private stopIfLooping(item: ReceivedMessage): boolean {
        const trace = item.message.trace;
        if (!trace || trace.depth < RECURSION_LIMIT) return false;
        this.host.recursionStopped(this.fn, this.spec.queueArn, trace);
        const reason = "RecursiveInvocationException";
        if (!this.sqs.deadLetterInternal(this.spec.queueArn, item.receiptHandle, reason)) {
            this.sqs.deleteInternal(this.spec.queueArn, item.receiptHandle);
            this.ctx.record("sqs.dropped", {
                queue: this.spec.queueArn,
                messageId: item.message.messageId,
                reason,
            });
        }
        return true;
    }

    private settle(batch: readonly ReceivedMessage[], outcome: InvocationOutcome): void {
        if (outcome.status !== "ok") return;
        const failed = this.reportedFailures(batch, outcome.result);
        for (const item of batch) {
            if (!failed.has(item.message.messageId))
                this.sqs.deleteInternal(this.spec.queueArn, item.receiptHandle);
        }
    }

    /**
     * Message ids the function reported as failed. A malformed report (an id not in the batch,
     * a missing itemIdentifier) fails the whole batch, as Lambda treats it.
     */
    private reportedFailures(batch: readonly ReceivedMessage[], result: unknown): Set<string> {
        const everything = new Set(batch.map((item) => item.message.messageId));
        if (!this.spec.reportBatchItemFailures) return new Set();
        const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
        if (failures === undefined || failures === null) return new Set();
        if (!Array.isArray(failures)) return everything;
        const ids = new Set<string>();
        for (const failure of failures) {
            const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
            if (typeof id !== "string" || !everything.has(id)) return everything;
            ids.add(id);
        }
        return ids;
    }

    private event(batch: readonly ReceivedMessage[]): unknown {
        return {
            Records: batch.map(({ message, receiptHandle }) => ({
                messageId: message.messageId,
                receiptHandle,
                body: message.body,
                attributes: {
                    ApproximateReceiveCount: String(message.receiveCount),
                    SentTimestamp: String(message.sentAt),
                    SenderId: this.ctx.accountId,
                    ApproximateFirstReceiveTimestamp: String(message.firstReceiveAt ?? message.sentAt),
                },
                messageAttributes: Object.fromEntries(
                    Object.entries(message.attributes).map(([name, value]) => [
                        name,
                        {
                            ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
                            ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
                            stringListValues: [],
                            binaryListValues: [],
                            dataType: value.DataType,
                        },
                    ]),
                ),
                md5OfBody: md5Hex(message.body),
                eventSource: "aws:sqs",
                eventSourceARN: this.spec.queueArn,
                awsRegion: this.ctx.region,
            })),
        };
    }
}

/** A batch runs under the trace of its most-looped message. */
function deepestTrace(batch: readonly ReceivedMessage[]): MessageTrace | undefined {
    let deepest: MessageTrace | undefined;
    for (const { message } of batch) {
        if (message.trace && (!deepest || message.trace.depth > deepest.depth)) deepest = message.trace;
    }
    return deepest;
}
