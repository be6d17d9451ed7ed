/**
 * Amazon SQS (standard queues) in the simulated region: visibility timeouts, DelaySeconds,
 * retention, redrive to a dead-letter queue after maxReceiveCount receives, and the internal
 * surface Lambda's event source mappings poll through. Times are the running invocation's
 * virtual time (`ctx.lambda.invocationNow()`), so a handler's SendMessage lands when it made it.
 */
import { paginate } from "./ecs/input";
import { AwsError } from "./errors";
import { InputReader, parseNumber, unknownOperation } from "./inputFields";
import { md5Hex, uuid } from "./messageIds";
import type { MessageTrace, RegionContext, ServiceModel, SqsInternal } from "./types";

export interface SqsMessageAttribute {
    readonly DataType: string;
    readonly StringValue?: string;
    /** Base64. */
    readonly BinaryValue?: string;
}

export type SqsMessageAttributes = Readonly<Record<string, SqsMessageAttribute>>;

/** A message as the model holds it. */
export interface StoredMessage {
    readonly messageId: string;
    readonly body: string;
    readonly attributes: SqsMessageAttributes;
    readonly sentAt: number;
    readonly trace: MessageTrace | undefined;
    /** When the message can next be received (after its delay or its visibility timeout). */
    availableAt: number;
    receiveCount: number;
    firstReceiveAt: number | undefined;
    /** The receipt handle of the latest receive; earlier handles still delete, as in standard queues. */
    currentHandle: string | undefined;
}

/** A message handed to a receiver, with the handle that receive issued. */
export interface ReceivedMessage {
    readonly message: StoredMessage;
    readonly receiptHandle: string;
}

interface RedrivePolicy {
    readonly deadLetterTargetArn: string;
    readonly maxReceiveCount: number;
}

interface Queue {
    readonly name: string;
    readonly arn: string;
    readonly createdAt: number;
    visibilityTimeoutSeconds: number;
    delaySeconds: number;
    retentionSeconds: number;
    maximumMessageBytes: number;
    redrive: RedrivePolicy | undefined;
    /** Attributes as last set, echoed by GetQueueAttributes. */
    readonly configured: Record<string, string>;
    messages: StoredMessage[];
    /** Every receipt handle issued and not yet deleted → its message. */
    readonly handles: Map<string, StoredMessage>;
    /** Notified when a message becomes receivable (event source mappings). */
    readonly availabilityListeners: (() => void)[];
}

const DEFAULT_VISIBILITY_SECONDS = 30;
const DEFAULT_RETENTION_SECONDS = 345_600;
const MAX_DELAY_SECONDS = 900;
const MAX_VISIBILITY_SECONDS = 43_200;
/**
 * SQS quotas ("Amazon SQS message quotas", since August 2025): a message is 1 byte to 1 MiB
 * (1,048,576 bytes), its attributes' names, types and values counted in; a queue's
 * MaximumMessageSize lowers that to as little as 1,024 bytes; a batch is at most 1 MiB in all.
 */
const MAX_MESSAGE_BYTES = 1_048_576;
const MIN_MAXIMUM_MESSAGE_SIZE = 1024;
/**
 * The characters a message may hold (SendMessage: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to
 * #xFFFD | #x10000 to #x10FFFF, XML 1.0's); any other is refused with InvalidMessageContents.
 */
const FORBIDDEN_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const MAX_BATCH_ENTRIES = 10;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const CODES = { missing: "MissingParameter", invalid: "InvalidParameterValue" };

const SETTABLE_ATTRIBUTES = new Set([
    "VisibilityTimeout",
    "DelaySeconds",
    "MessageRetentionPeriod",
    "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "Policy",
]);

export interface SqsModelOptions {
    /** Base of queue URLs, e.g. the loopback server's "http://127.0.0.1:PORT". */
    readonly endpoint?: string;
}

export class SqsModel implements ServiceModel, SqsInternal {
    readonly service = "sqs" as const;
    readonly operations = [
        "CreateQueue",
        "DeleteQueue",
        "GetQueueUrl",
        "GetQueueAttributes",
        "SetQueueAttributes",
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "PurgeQueue",
        "ListQueues",
    ] as const;

    private readonly queues = new Map<string, Queue>();
    private endpoint: string;

    constructor(
        private readonly ctx: RegionContext,
        options: SqsModelOptions = {},
    ) {
        this.endpoint = options.endpoint ?? `https://sqs.${ctx.region}.amazonaws.com`;
    }

    /**
     * Queue URLs are built on this base; the loopback server learns its port only after the
     * region exists, so it sets the base here. Lookups ignore the host, so URLs handed out
     * earlier keep working.
     */
    setEndpoint(endpoint: string): void {
        this.endpoint = endpoint.replace(/\/+$/, "");
    }

    call(operation: string, input: Record<string, unknown>): unknown {
        const reader = new InputReader(input, CODES);
        switch (operation) {
            case "CreateQueue":
                return this.createQueue(reader);
            case "DeleteQueue":
                this.queues.delete(this.queueByUrl(reader).name);
                return {};
            case "GetQueueUrl":
                return { QueueUrl: this.urlOf(this.queueByName(reader.string("QueueName"))) };
            case "GetQueueAttributes":
                return this.getQueueAttributes(reader);
            case "SetQueueAttributes":
                this.setAttributes(this.queueByUrl(reader), reader.optionalStringMap("Attributes") ?? {});
                return {};
            case "SendMessage":
                return this.sendMessage(reader);
            case "SendMessageBatch":
                return this.sendMessageBatch(reader);
            case "ReceiveMessage":
                return this.receiveMessage(reader);
            case "DeleteMessage":
                this.deleteMessage(this.queueByUrl(reader), reader.string("ReceiptHandle"));
                return {};
            case "DeleteMessageBatch":
                return this.deleteMessageBatch(reader);
            case "ChangeMessageVisibility":
                this.changeVisibility(
                    this.queueByUrl(reader),
                    reader.string("ReceiptHandle"),
                    this.visibilitySeconds(reader, "VisibilityTimeout", true)!,
                );
                return {};
            case "PurgeQueue":
                return this.purgeQueue(reader);
            case "ListQueues":
                return this.listQueues(reader);
            default:
                throw unknownOperation("UnknownOperationException", "sqs", operation);
        }
    }

    // ---- internal surface ---------------------------------------------------------------

    sendInternal(
        queueArn: string,
        body: string,
        delaySeconds?: number,
        options: { attributes?: SqsMessageAttributes; trace?: MessageTrace } = {},
    ): string {
        const queue = this.queueByArn(queueArn);
        return this.enqueue(
            queue,
            body,
            delaySeconds ?? queue.delaySeconds,
            options.attributes ?? {},
            options.trace,
        ).messageId;
    }

    /** Receives up to `max` messages with the queue's visibility timeout (event source mappings). */
    receiveInternal(queueArn: string, max: number): ReceivedMessage[] {
        const queue = this.queueByArn(queueArn);
        return this.receive(queue, max, queue.visibilityTimeoutSeconds);
    }

    /** Deletes by receipt handle; false when the handle is unknown or already deleted. */
    deleteInternal(queueArn: string, receiptHandle: string): boolean {
        const queue = this.queueByArn(queueArn);
        const message = queue.handles.get(receiptHandle);
        if (!message) return false;
        this.remove(queue, message);
        return true;
    }

    /** Moves a received message to the queue's dead-letter queue; false when the queue has none. */
    deadLetterInternal(queueArn: string, receiptHandle: string, reason: string): boolean {
        const queue = this.queueByArn(queueArn);
        const message = queue.handles.get(receiptHandle);
        if (!message || !queue.redrive) return false;
        this.moveToDeadLetterQueue(queue, message, reason);
        return true;
    }

    /** Calls `listener` (through the clock) whenever a message of the queue becomes receivable. */
    onAvailable(queueArn: string, listener: () => void): void {
        const queue = this.queueByArn(queueArn);
        queue.availabilityListeners.push(listener);
        if (queue.messages.length > 0) this.ctx.clock.schedule(0, `sqs.available ${queue.name}`, listener);
    }

    hasQueue(queueArn: string): boolean {
        return this.findByArn(queueArn) !== undefined;
    }

    visibilityTimeoutOf(queueArn: string): number {
        return this.queueByArn(queueArn).visibilityTimeoutSeconds;
    }

    /** Messages currently held (visible, in flight or delayed), for reports and tests. */
    depth(queueArn: string): number {
        const queue = this.queueByArn(queueArn);
        this.dropExpired(queue);
        return queue.messages.length;
    }

    // ---- operations --------------------------------------------------------------------

    private createQueue(reader: InputReader): unknown {
        const name = reader.string("QueueName");
        if (!QUEUE_NAME.test(name)) {
            throw new AwsError(
                "InvalidParameterValue",
                `Value ${name} for parameter QueueName is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.`,
            );
        }
        const attributes = reader.optionalStringMap("Attributes") ?? {};
        const existing = this.queues.get(name);
        if (existing) {
            for (const [key, value] of Object.entries(attributes)) {
                if (existing.configured[key] !== value) {
                    throw new AwsError(
                        "QueueAlreadyExists",
                        `A queue already exists with the same name and a different value for attribute ${key}`,
                    );
                }
            }
            return { QueueUrl: this.urlOf(existing) };
        }
        const queue: Queue = {
            name,
            arn: `arn:aws:sqs:${this.ctx.region}:${this.ctx.accountId}:${name}`,
            createdAt: this.now(),
            visibilityTimeoutSeconds: DEFAULT_VISIBILITY_SECONDS,
            delaySeconds: 0,
            retentionSeconds: DEFAULT_RETENTION_SECONDS,
            maximumMessageBytes: MAX_MESSAGE_BYTES,
            redrive: undefined,
            configured: {},
            messages: [],
            handles: new Map(),
            availabilityListeners: [],
        };
        this.setAttributes(queue, attributes);
        this.queues.set(name, queue);
        return { QueueUrl: this.urlOf(queue) };
    }

    private setAttributes(queue: Queue, attributes: Record<string, string>): void {
        for (const [key, value] of Object.entries(attributes)) {
            if (!SETTABLE_ATTRIBUTES.has(key)) {
                throw new AwsError("InvalidAttributeName", `Unknown Attribute ${key}.`);
            }
            switch (key) {
                case "VisibilityTimeout":
                    queue.visibilityTimeoutSeconds = integerAttribute(key, value, 0, MAX_VISIBILITY_SECONDS);
                    break;
                case "DelaySeconds":
                    queue.delaySeconds = integerAttribute(key, value, 0, MAX_DELAY_SECONDS);
                    break;
                case "MessageRetentionPeriod":
                    queue.retentionSeconds = integerAttribute(key, value, 60, 1_209_600);
                    break;
                case "MaximumMessageSize":
                    queue.maximumMessageBytes = integerAttribute(
                        key,
                        value,
                        MIN_MAXIMUM_MESSAGE_SIZE,
                        MAX_MESSAGE_BYTES,
                    );
                    break;
                case "RedrivePolicy":
                    queue.redrive = value === "" ? undefined : this.parseRedrivePolicy(value);
                    break;
            }
            queue.configured[key] = value;
        }
    }

    private parseRedrivePolicy(value: string): RedrivePolicy {
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            throw redriveError("it is not valid JSON");
        }
        const record = (parsed ?? {}) as Record<string, unknown>;
        const target = record.deadLetterTargetArn;
        const maxReceiveCount = parseNumber(record.maxReceiveCount);
        if (typeof target !== "string") throw redriveError("deadLetterTargetArn must be a queue ARN");
        if (
            maxReceiveCount === undefined ||
            !Number.isInteger(maxReceiveCount) ||
            maxReceiveCount < 1 ||
            maxReceiveCount > 1000
        ) {
            throw redriveError("maxReceiveCount must be an integer from 1 to 1000");
        }
        if (!this.findByArn(target)) throw redriveError("Dead letter target does not exist");
        return { deadLetterTargetArn: target, maxReceiveCount };
    }

    private getQueueAttributes(reader: InputReader): unknown {
        const queue = this.queueByUrl(reader);
        const requested = reader.optionalStringList("AttributeNames") ?? [];
        const all = this.allAttributes(queue);
        const wanted = requested.includes("All") ? Object.keys(all) : requested;
        const out: Record<string, string> = {};
        for (const name of wanted) {
            if (!(name in all)) {
                if (SETTABLE_ATTRIBUTES.has(name)) continue;
                throw new AwsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
            }
            out[name] = all[name];
        }
        return { Attributes: out };
    }

    private allAttributes(queue: Queue): Record<string, string> {
        this.dropExpired(queue);
        const now = this.now();
        let visible = 0;
        let inFlight = 0;
        let delayed = 0;
        for (const message of queue.messages) {
            if (message.availableAt <= now) visible++;
            else if (message.receiveCount > 0) inFlight++;
            else delayed++;
        }
        return {
            ...queue.configured,
            QueueArn: queue.arn,
            ApproximateNumberOfMessages: String(visible),
            ApproximateNumberOfMessagesNotVisible: String(inFlight),
            ApproximateNumberOfMessagesDelayed: String(delayed),
            VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
            DelaySeconds: String(queue.delaySeconds),
            MessageRetentionPeriod: String(queue.retentionSeconds),
            MaximumMessageSize: String(queue.maximumMessageBytes),
            ReceiveMessageWaitTimeSeconds: queue.configured.ReceiveMessageWaitTimeSeconds ?? "0",
            CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
            LastModifiedTimestamp: String(Math.floor(queue.createdAt / 1000)),
            SqsManagedSseEnabled:
                queue.configured.SqsManagedSseEnabled ?? (queue.configured.KmsMasterKeyId ? "false" : "true"),
        };
    }

    private sendMessage(reader: InputReader): unknown {
        const queue = this.queueByUrl(reader);
        const message = this.sendChecked(queue, reader, "");
        return {
            MessageId: message.messageId,
            MD5OfMessageBody: md5Hex(message.body),
            ...(Object.keys(message.attributes).length > 0
                ? { MD5OfMessageAttributes: md5OfMessageAttributes(message.attributes) }
                : {}),
        };
    }

    private sendMessageBatch(reader: InputReader): unknown {
        const queue = this.queueByUrl(reader);
        const entries = batchEntries(reader);
        // "the sum of the individual lengths of all of the batched messages" (SendMessageBatch).
        const batchBytes = entries.reduce(
            (sum, entry) => sum + Buffer.byteLength(entry.optionalString("MessageBody") ?? ""),
            0,
        );
        if (batchBytes > MAX_MESSAGE_BYTES) {
            throw new AwsError(
                "BatchRequestTooLong",
                `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${batchBytes} bytes.`,
            );
        }
        const successful: unknown[] = [];
        const failed: unknown[] = [];
        for (const entry of entries) {
            const id = entry.string("Id");
            try {
                const message = this.sendChecked(queue, entry, `Entries.${id}.`);
                successful.push({
                    Id: id,
                    MessageId: message.messageId,
                    MD5OfMessageBody: md5Hex(message.body),
                    ...(Object.keys(message.attributes).length > 0
                        ? { MD5OfMessageAttributes: md5OfMessageAttributes(message.attributes) }
                        : {}),
                });
            } catch (error) {
                if (!(error instanceof AwsError)) throw error;
                failed.push({ Id: id, SenderFault: true, Code: error.code, Message: error.message });
            }
        }
        return { Successful: successful, Failed: failed };
    }

    private sendChecked(queue: Queue, reader: InputReader, fieldPrefix: string): StoredMessage {
        const body = reader.string("MessageBody");
        if (body === "") {
            throw new AwsError(
                "MissingParameter",
                `The request must contain the parameter ${fieldPrefix}MessageBody.`,
            );
        }
        const forbidden = FORBIDDEN_CHARACTER.exec(body)?.[0];
        if (forbidden !== undefined) {
            throw new AwsError(
                "InvalidMessageContents",
                `Invalid binary character '#x${forbidden.codePointAt(0)!.toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].`,
            );
        }
        const delay = reader.optionalNumber("DelaySeconds");
        if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS)) {
            throw new AwsError(
                "InvalidParameterValue",
                `Value ${delay} for parameter ${fieldPrefix}DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`,
            );
        }
        const attributes = readMessageAttributes(reader);
        if (messageBytes(body, attributes) > queue.maximumMessageBytes) {
            throw new AwsError(
                "InvalidParameterValue",
                `One or more parameters are invalid. Reason: Message must be shorter than ${queue.maximumMessageBytes} bytes.`,
            );
        }
        const trace = this.ctx.lambda.traceForSend?.(queue.arn);
        return this.enqueue(queue, body, delay ?? queue.delaySeconds, attributes, trace);
    }

    private receiveMessage(reader: InputReader): unknown {
        const queue = this.queueByUrl(reader);
        const max = reader.optionalInteger("MaxNumberOfMessages", 1, 10) ?? 1;
        // Long polling returns at once: in virtual time a waiting receive would only delay the caller.
        reader.optionalInteger("WaitTimeSeconds", 0, 20);
        const visibility =
            this.visibilitySeconds(reader, "VisibilityTimeout", false) ?? queue.visibilityTimeoutSeconds;
        const systemNames = [
            ...(reader.optionalStringList("AttributeNames") ?? []),
            ...(reader.optionalStringList("MessageSystemAttributeNames") ?? []),
        ];
        const attributeNames = reader.optionalStringList("MessageAttributeNames") ?? [];
        const received = this.receive(queue, max, visibility);
        if (received.length === 0) return {};
        return {
            Messages: received.map(({ message, receiptHandle }) => {
                const system = selectSystemAttributes(this.systemAttributes(message), systemNames);
                const attributes = selectMessageAttributes(message.attributes, attributeNames);
                return {
                    MessageId: message.messageId,
                    ReceiptHandle: receiptHandle,
                    MD5OfBody: md5Hex(message.body),
                    Body: message.body,
                    ...(Object.keys(system).length > 0 ? { Attributes: system } : {}),
                    ...(Object.keys(attributes).length > 0
                        ? {
                              MessageAttributes: attributes,
                              MD5OfMessageAttributes: md5OfMessageAttributes(attributes),
                          }
                        : {}),
                };
            }),
        };
    }

    private deleteMessageBatch(reader: InputReader): unknown {
        const queue = this.queueByUrl(reader);
        const successful: unknown[] = [];
        const failed: unknown[] = [];
        for (const entry of batchEntries(reader)) {
            const id = entry.string("Id");
            try {
                this.deleteMessage(queue, entry.string("ReceiptHandle"));
                successful.push({ Id: id });
            } catch (error) {
                if (!(error instanceof AwsError)) throw error;
                failed.push({ Id: id, SenderFault: true, Code: error.code, Message: error.message });
            }
        }
        return { Successful: successful, Failed: failed };
    }

    private purgeQueue(reader: InputReader): unknown {
        const queue = this.queueByUrl(reader);
        queue.messages = [];
        queue.handles.clear();
        return {};
    }

    private listQueues(reader: InputReader): unknown {
        const prefix = reader.optionalString("QueueNamePrefix") ?? "";
        const max = reader.optionalInteger("MaxResults", 1, 1000) ?? 1000;
        const names = [...this.queues.keys()].filter((name) => name.startsWith(prefix)).sort();
        const { page, nextToken } = paginate(names, reader.optionalString("NextToken"), max, () => {
            // ListQueues declares no token error of its own: the common InvalidParameterValue (inferred).
            throw new AwsError("InvalidParameterValue", "Invalid NextToken value.");
        });
        return {
            ...(page.length > 0 ? { QueueUrls: page.map((name) => this.urlOf(this.queues.get(name)!)) } : {}),
            ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
        };
    }

    // ---- mechanics ---------------------------------------------------------------------

    private enqueue(
        queue: Queue,
        body: string,
        delaySeconds: number,
        attributes: SqsMessageAttributes,
        trace: MessageTrace | undefined,
    ): StoredMessage {
        const now = this.now();
        const message: StoredMessage = {
            messageId: uuid(this.ctx.random),
            body,
            attributes,
            sentAt: now,
            trace,
            availableAt: now + delaySeconds * 1000,
            receiveCount: 0,
            firstReceiveAt: undefined,
            currentHandle: undefined,
        };
        queue.messages.push(message);
        this.announceAt(queue, message);
        return message;
    }

    private receive(queue: Queue, max: number, visibilitySeconds: number): ReceivedMessage[] {
        this.dropExpired(queue);
        const now = this.now();
        const out: ReceivedMessage[] = [];
        for (const message of [...queue.messages]) {
            if (out.length >= max) break;
            if (message.availableAt > now) continue;
            if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
                this.moveToDeadLetterQueue(queue, message, "maxReceiveCount exceeded");
                continue;
            }
            message.receiveCount++;
            message.firstReceiveAt ??= now;
            message.availableAt = now + visibilitySeconds * 1000;
            const receiptHandle = Buffer.from(
                `${queue.arn} ${message.messageId} ${message.receiveCount} ${this.ctx.random.hex(16)}`,
            ).toString("base64");
            message.currentHandle = receiptHandle;
            queue.handles.set(receiptHandle, message);
            this.announceAt(queue, message);
            out.push({ message, receiptHandle });
        }
        return out;
    }

    private deleteMessage(queue: Queue, receiptHandle: string): void {
        const message = queue.handles.get(receiptHandle);
        if (!message) {
            throw new AwsError(
                "ReceiptHandleIsInvalid",
                `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
            );
        }
        this.remove(queue, message);
    }

    private changeVisibility(queue: Queue, receiptHandle: string, seconds: number): void {
        const message = queue.handles.get(receiptHandle);
        if (!message) {
            throw new AwsError(
                "ReceiptHandleIsInvalid",
                `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
            );
        }
        if (message.currentHandle !== receiptHandle || message.availableAt <= this.now()) {
            throw new AwsError(
                "MessageNotInflight",
                `Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
            );
        }
        message.availableAt = this.now() + seconds * 1000;
        this.announceAt(queue, message);
    }

    private moveToDeadLetterQueue(queue: Queue, message: StoredMessage, reason: string): void {
        const target = this.queueByArn(queue.redrive!.deadLetterTargetArn);
        this.remove(queue, message);
        const moved: StoredMessage = {
            ...message,
            availableAt: this.now(),
            receiveCount: 0,
            firstReceiveAt: undefined,
            currentHandle: undefined,
        };
        target.messages.push(moved);
        this.announceAt(target, moved);
        this.ctx.record("sqs.dead-lettered", {
            queue: queue.name,
            deadLetterQueue: target.name,
            messageId: message.messageId,
            receiveCount: message.receiveCount,
            reason,
        });
    }

    private remove(queue: Queue, message: StoredMessage): void {
        queue.messages = queue.messages.filter((m) => m !== message);
        for (const [handle, held] of queue.handles) if (held === message) queue.handles.delete(handle);
    }

    private dropExpired(queue: Queue): void {
        const cutoff = this.now() - queue.retentionSeconds * 1000;
        const expired = queue.messages.filter((m) => m.sentAt <= cutoff);
        for (const message of expired) this.remove(queue, message);
    }

    /** Wakes the queue's listeners when `message` becomes receivable, if it still is then. */
    private announceAt(queue: Queue, message: StoredMessage): void {
        if (queue.availabilityListeners.length === 0) return;
        const at = message.availableAt;
        this.ctx.clock.at(at, `sqs.available ${queue.name}`, () => {
            if (message.availableAt !== at || !queue.messages.includes(message)) return;
            for (const listener of queue.availabilityListeners) listener();
        });
    }

    private systemAttributes(message: StoredMessage): Record<string, string> {
        return {
            SenderId: this.ctx.accountId,
            SentTimestamp: String(message.sentAt),
            ApproximateReceiveCount: String(message.receiveCount),
            ApproximateFirstReceiveTimestamp: String(message.firstReceiveAt ?? message.sentAt),
        };
    }

    private visibilitySeconds(reader: InputReader, field: string, required: boolean): number | undefined {
        if (required && !reader.has(field)) reader.number(field);
        return reader.optionalInteger(field, 0, MAX_VISIBILITY_SECONDS);
    }

    private urlOf(queue: Queue): string {
        return `${this.endpoint}/${this.ctx.accountId}/${queue.name}`;
    }

    private queueByUrl(reader: InputReader): Queue {
        const url = reader.string("QueueUrl");
        const name = url.replace(/\/+$/, "").split("/").pop() ?? "";
        return this.queueByName(name);
    }

    private queueByName(name: string): Queue {
        const queue = this.queues.get(name);
        if (!queue) throw new AwsError("QueueDoesNotExist", "The specified queue does not exist.");
        return queue;
    }

    private findByArn(arn: string): Queue | undefined {
        const queue = this.queues.get(arn.split(":").pop() ?? "");
        return queue?.arn === arn ? queue : undefined;
    }

    private queueByArn(arn: string): Queue {
        const queue = this.findByArn(arn);
        if (!queue) throw new AwsError("QueueDoesNotExist", `The specified queue does not exist: ${arn}`);
        return queue;
    }

    private now(): number {
        return this.ctx.lambda.invocationNow();
    }
}

function integerAttribute(name: string, value: string, min: number, max: number): number {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isInteger(parsed) || parsed < min || parsed > max) {
        throw new AwsError(
            "InvalidAttributeValue",
            `Invalid value for the parameter ${name}: expected an integer from ${min} to ${max}, got "${value}".`,
        );
    }
    return parsed;
}

function redriveError(reason: string): AwsError {
    return new AwsError(
        "InvalidAttributeValue",
        `Invalid value for the parameter RedrivePolicy. Reason: ${reason}.`,
    );
}

function batchEntries(reader: InputReader): InputReader[] {
    const entries = reader.optionalRecords("Entries") ?? [];
    if (entries.length === 0)
        throw new AwsError("EmptyBatchRequest", "There should be at least one entry in the request.");
    if (entries.length > MAX_BATCH_ENTRIES) {
        throw new AwsError(
            "TooManyEntriesInBatchRequest",
            `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
        );
    }
    const ids = entries.map((entry) => entry.string("Id"));
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate !== undefined) throw new AwsError("BatchEntryIdsNotDistinct", `Id ${duplicate} repeated.`);
    return entries;
}

/** A message's size as SQS counts it: the body and each attribute's name, type and value, in UTF-8 bytes. */
function messageBytes(body: string, attributes: SqsMessageAttributes): number {
    let bytes = Buffer.byteLength(body);
    for (const [name, attribute] of Object.entries(attributes)) {
        bytes += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType);
        bytes += Buffer.byteLength(attribute.StringValue ?? "");
        bytes +=
            attribute.BinaryValue === undefined ? 0 : Buffer.from(attribute.BinaryValue, "base64").length;
    }
    return bytes;
}

function readMessageAttributes(reader: InputReader): SqsMessageAttributes {
    const record = reader.optionalRecord("MessageAttributes");
    if (!record) return {};
    const out: Record<string, SqsMessageAttribute> = {};
    for (const name of record.keys()) {
        const value = record.optionalRecord(name)!;
        const dataType = value.string("DataType");
        const binary = value.has("BinaryValue") ? binaryToBase64(value, "BinaryValue") : undefined;
        const stringValue = value.optionalString("StringValue");
        if (stringValue === undefined && binary === undefined) {
            throw new AwsError(
                "InvalidParameterValue",
                `The message attribute '${name}' must contain a non-empty value of type '${dataType}'.`,
            );
        }
        out[name] = {
            DataType: dataType,
            ...(stringValue !== undefined ? { StringValue: stringValue } : {}),
            ...(binary !== undefined ? { BinaryValue: binary } : {}),
        };
    }
    return out;
}

function binaryToBase64(reader: InputReader, field: string): string {
    const value = reader.rawField(field);
    if (typeof value === "string") return value;
    if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
    throw reader.invalid(field, "binary data");
}

function selectSystemAttributes(
    all: Record<string, string>,
    names: readonly string[],
): Record<string, string> {
    if (names.includes("All")) return all;
    return Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
}

function selectMessageAttributes(
    all: SqsMessageAttributes,
    names: readonly string[],
): Record<string, SqsMessageAttribute> {
    const wanted = (name: string) =>
        names.some((pattern) =>
            pattern === "All" || pattern === ".*"
                ? true
                : pattern.endsWith(".*")
                  ? name.startsWith(pattern.slice(0, -1))
                  : pattern === name,
        );
    return Object.fromEntries(Object.entries(all).filter(([name]) => wanted(name)));
}

/** MD5 of message attributes as SQS computes it (sorted names, length-prefixed fields). */
export function md5OfMessageAttributes(attributes: SqsMessageAttributes): string {
    const parts: Buffer[] = [];
    const lengthPrefixed = (bytes: Buffer) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(bytes.length);
        parts.push(length, bytes);
    };
    for (const name of Object.keys(attributes).sort()) {
        const attribute = attributes[name];
        lengthPrefixed(Buffer.from(name, "utf8"));
        lengthPrefixed(Buffer.from(attribute.DataType, "utf8"));
        if (attribute.BinaryValue !== undefined) {
            parts.push(Buffer.from([2]));
            lengthPrefixed(Buffer.from(attribute.BinaryValue, "base64"));
        } else {
            parts.push(Buffer.from([1]));
            lengthPrefixed(Buffer.from(attribute.StringValue ?? "", "utf8"));
        }
    }
    return md5Hex(Buffer.concat(parts));
}
