/**
 * Amazon SNS in the simulated region: topics, subscriptions (sqs and lambda delivered; https and
 * email recorded), and delivery after a small delay in the shapes subscribers really receive —
 * the JSON notification envelope in an SQS body (or the raw message with RawMessageDelivery) and
 * the `aws:sns` record for Lambda. The dropRate and duplicateRate faults apply per delivery.
 */
import { paginate } from "./ecs/input";
import { AwsError } from "./errors";
import { InputReader, unknownOperation } from "./inputFields";
import { isoMillis, uuid } from "./messageIds";
import type { MessageTrace, RegionContext, ServiceModel, SnsInternal } from "./types";

/** Delay between Publish and a subscriber's delivery. */
export const SNS_DELIVERY_DELAY_MS = 100;

const CODES = { missing: "InvalidParameter", invalid: "InvalidParameter" };

/** SNS's list operations declare InvalidParameterException (query code InvalidParameter) for a bad NextToken. */
function invalidNextToken(): never {
    throw new AwsError("InvalidParameter", "Invalid parameter: NextToken");
}
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const MAX_MESSAGE_BYTES = 262_144;
const PAGE_SIZE = 100;
const DELIVERED_PROTOCOLS = new Set(["sqs", "lambda"]);
const RECORDED_PROTOCOLS = new Set(["https", "http", "email", "email-json", "sms"]);

export type SnsMessageAttributes = Readonly<Record<string, { DataType: string; StringValue: string }>>;

interface Subscription {
    readonly arn: string;
    readonly topicArn: string;
    readonly protocol: string;
    readonly endpoint: string;
    rawMessageDelivery: boolean;
}

interface Topic {
    readonly name: string;
    readonly arn: string;
    readonly attributes: Record<string, string>;
    subscriptions: Subscription[];
}

/** A message as published, for reports and tests of the handlers that publish. */
export interface PublishedMessage {
    readonly messageId: string;
    readonly topicArn: string;
    readonly at: number;
    readonly subject: string | undefined;
    readonly message: string;
    readonly attributes: SnsMessageAttributes;
}

export class SnsModel implements ServiceModel, SnsInternal {
    readonly service = "sns" as const;
    readonly operations = [
        "CreateTopic",
        "DeleteTopic",
        "Subscribe",
        "Unsubscribe",
        "Publish",
        "ListTopics",
        "ListSubscriptionsByTopic",
        "GetTopicAttributes",
        "SetSubscriptionAttributes",
    ] as const;

    private readonly topics = new Map<string, Topic>();
    private readonly published: PublishedMessage[] = [];

    constructor(private readonly ctx: RegionContext) {}

    call(operation: string, input: Record<string, unknown>): unknown {
        const reader = new InputReader(input, CODES);
        switch (operation) {
            case "CreateTopic":
                return this.createTopic(reader);
            case "DeleteTopic": {
                // Deleting a topic that does not exist succeeds; a malformed ARN does not.
                const arn = reader.string("TopicArn");
                this.checkTopicArn(arn, "TopicArn");
                this.topics.delete(arn);
                return {};
            }
            case "Subscribe":
                return this.subscribe(reader);
            case "Unsubscribe":
                this.unsubscribe(reader.string("SubscriptionArn"));
                return {};
            case "Publish":
                return this.publish(reader);
            case "ListTopics":
                return this.listTopics(reader);
            case "ListSubscriptionsByTopic":
                return this.listSubscriptions(reader);
            case "GetTopicAttributes":
                return { Attributes: this.topicAttributes(this.topicByArn(reader.string("TopicArn"))) };
            case "SetSubscriptionAttributes":
                this.setSubscriptionAttribute(reader);
                return {};
            default:
                throw unknownOperation("InvalidAction", "sns", operation);
        }
    }

    publishInternal(
        topicArn: string,
        message: string,
        subject?: string,
        attributes?: SnsMessageAttributes,
    ): string {
        return this.deliver(this.topicByArn(topicArn), message, subject, attributes ?? {}, undefined);
    }

    /** Everything published to a topic so far, oldest first. */
    messagesFor(topicArn: string): readonly PublishedMessage[] {
        return this.published.filter((m) => m.topicArn === topicArn);
    }

    // ---- operations --------------------------------------------------------------------

    private createTopic(reader: InputReader): unknown {
        const name = reader.string("Name");
        if (!TOPIC_NAME.test(name)) {
            throw new AwsError(
                "InvalidParameter",
                "Invalid parameter: Topic Name must be 1–256 letters, digits, hyphens or underscores (with .fifo for FIFO topics)",
            );
        }
        const arn = `arn:aws:sns:${this.ctx.region}:${this.ctx.accountId}:${name}`;
        const attributes = reader.optionalStringMap("Attributes") ?? {};
        const existing = this.topics.get(arn);
        if (existing) {
            for (const [key, value] of Object.entries(attributes)) {
                if (existing.attributes[key] !== value) {
                    throw new AwsError(
                        "InvalidParameter",
                        `Invalid parameter: Attributes Reason: Topic already exists with different attribute ${key}`,
                    );
                }
            }
            return { TopicArn: arn };
        }
        this.topics.set(arn, {
            name,
            arn,
            attributes: { ...(name.endsWith(".fifo") ? { FifoTopic: "true" } : {}), ...attributes },
            subscriptions: [],
        });
        return { TopicArn: arn };
    }

    private subscribe(reader: InputReader): unknown {
        const topic = this.topicByArn(reader.string("TopicArn"));
        const protocol = reader.string("Protocol");
        const endpoint = reader.string("Endpoint");
        if (!DELIVERED_PROTOCOLS.has(protocol) && !RECORDED_PROTOCOLS.has(protocol)) {
            throw new AwsError(
                "InvalidParameter",
                `Invalid parameter: Protocol ${protocol} is not supported`,
            );
        }
        if (protocol === "sqs" && !endpoint.startsWith("arn:aws:sqs:")) {
            throw new AwsError("InvalidParameter", "Invalid parameter: SQS endpoint ARN");
        }
        if (protocol === "lambda" && !endpoint.startsWith("arn:aws:lambda:")) {
            throw new AwsError("InvalidParameter", "Invalid parameter: Lambda endpoint ARN");
        }
        const attributes = reader.optionalStringMap("Attributes") ?? {};
        const existing = topic.subscriptions.find((s) => s.protocol === protocol && s.endpoint === endpoint);
        if (existing) return { SubscriptionArn: existing.arn };
        const subscription: Subscription = {
            arn: `${topic.arn}:${uuid(this.ctx.random)}`,
            topicArn: topic.arn,
            protocol,
            endpoint,
            rawMessageDelivery: attributes.RawMessageDelivery === "true",
        };
        topic.subscriptions.push(subscription);
        // Email and HTTPS endpoints must confirm before AWS reveals the subscription's ARN.
        const confirmed =
            DELIVERED_PROTOCOLS.has(protocol) || reader.optionalBoolean("ReturnSubscriptionArn") === true;
        return { SubscriptionArn: confirmed ? subscription.arn : "pending confirmation" };
    }

    private unsubscribe(subscriptionArn: string): void {
        const topic = [...this.topics.values()].find((t) =>
            t.subscriptions.some((s) => s.arn === subscriptionArn),
        );
        if (!topic) throw new AwsError("NotFound", "Subscription does not exist", 404);
        topic.subscriptions = topic.subscriptions.filter((s) => s.arn !== subscriptionArn);
    }

    private setSubscriptionAttribute(reader: InputReader): void {
        const arn = reader.string("SubscriptionArn");
        const subscription = [...this.topics.values()]
            .flatMap((t) => t.subscriptions)
            .find((s) => s.arn === arn);
        if (!subscription) throw new AwsError("NotFound", "Subscription does not exist", 404);
        const name = reader.string("AttributeName");
        if (name !== "RawMessageDelivery") {
            throw new AwsError(
                "InvalidParameter",
                `Invalid parameter: AttributeName ${name} is not supported in the simulated region`,
            );
        }
        subscription.rawMessageDelivery = reader.optionalString("AttributeValue") === "true";
    }

    private publish(reader: InputReader): unknown {
        const field = reader.has("TopicArn") ? "TopicArn" : "TargetArn";
        const topicArn = reader.optionalString(field);
        if (topicArn === undefined)
            throw new AwsError(
                "InvalidParameter",
                "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
            );
        const topic = this.topicByArn(topicArn, field);
        const message = reader.string("Message");
        if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
            throw new AwsError("InvalidParameter", "Invalid parameter: Message too long");
        }
        const subject = reader.optionalString("Subject");
        if (
            subject !== undefined &&
            (subject.length === 0 || subject.length > 100 || /[\r\n]/.test(subject))
        ) {
            throw new AwsError(
                "InvalidParameter",
                "Invalid parameter: Subject must be 1–100 characters with no line breaks",
            );
        }
        const attributes = readAttributes(reader);
        const trace = this.ctx.lambda.traceForSend?.(topic.arn);
        return { MessageId: this.deliver(topic, message, subject, attributes, trace) };
    }

    private listTopics(reader: InputReader): unknown {
        const arns = [...this.topics.keys()].sort();
        const { page, nextToken } = paginate(
            arns,
            reader.optionalString("NextToken"),
            PAGE_SIZE,
            invalidNextToken,
        );
        return {
            Topics: page.map((TopicArn) => ({ TopicArn })),
            ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
        };
    }

    private listSubscriptions(reader: InputReader): unknown {
        const topic = this.topicByArn(reader.string("TopicArn"));
        const { page, nextToken } = paginate(
            topic.subscriptions,
            reader.optionalString("NextToken"),
            PAGE_SIZE,
            invalidNextToken,
        );
        return {
            Subscriptions: page.map((s) => ({
                SubscriptionArn: s.arn,
                Owner: this.ctx.accountId,
                Protocol: s.protocol,
                Endpoint: s.endpoint,
                TopicArn: s.topicArn,
            })),
            ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
        };
    }

    private topicAttributes(topic: Topic): Record<string, string> {
        return {
            ...topic.attributes,
            TopicArn: topic.arn,
            Owner: this.ctx.accountId,
            DisplayName: topic.attributes.DisplayName ?? "",
            SubscriptionsConfirmed: String(topic.subscriptions.length),
            SubscriptionsPending: "0",
            SubscriptionsDeleted: "0",
        };
    }

    // ---- delivery ----------------------------------------------------------------------

    private deliver(
        topic: Topic,
        message: string,
        subject: string | undefined,
        attributes: SnsMessageAttributes,
        trace: MessageTrace | undefined,
    ): string {
        const published: PublishedMessage = {
            messageId: uuid(this.ctx.random),
            topicArn: topic.arn,
            at: this.ctx.lambda.invocationNow(),
            subject,
            message,
            attributes,
        };
        this.published.push(published);
        for (const subscription of topic.subscriptions) {
            const delivery = { via: "sns", topic: topic.name, subscription: subscription.arn };
            if (this.ctx.faultFires("dropRate", delivery)) {
                this.ctx.record("sns.dropped", {
                    topic: topic.name,
                    subscription: subscription.arn,
                    messageId: published.messageId,
                });
                continue;
            }
            const copies = this.ctx.faultFires("duplicateRate", delivery) ? 2 : 1;
            for (let copy = 0; copy < copies; copy++) {
                this.ctx.clock.at(
                    published.at + SNS_DELIVERY_DELAY_MS,
                    `sns.deliver ${topic.name} → ${subscription.protocol}`,
                    () => this.deliverTo(subscription, published, trace),
                );
            }
        }
        return published.messageId;
    }

    private deliverTo(
        subscription: Subscription,
        published: PublishedMessage,
        trace: MessageTrace | undefined,
    ): void {
        try {
            switch (subscription.protocol) {
                case "sqs":
                    this.ctx.sqs.sendInternal(
                        subscription.endpoint,
                        subscription.rawMessageDelivery
                            ? published.message
                            : JSON.stringify(this.envelope(subscription, published)),
                        undefined,
                        { attributes: subscription.rawMessageDelivery ? published.attributes : {}, trace },
                    );
                    break;
                case "lambda":
                    this.ctx.lambda.invokeAsync(
                        subscription.endpoint,
                        { Records: [this.lambdaRecord(subscription, published)] },
                        subscription.topicArn,
                        trace,
                    );
                    break;
                default:
                    this.ctx.record("sns.notified", {
                        protocol: subscription.protocol,
                        endpoint: subscription.endpoint,
                        messageId: published.messageId,
                        subject: published.subject,
                    });
            }
        } catch (error) {
            if (!(error instanceof AwsError)) throw error;
            this.ctx.record("sns.delivery-failed", {
                subscription: subscription.arn,
                endpoint: subscription.endpoint,
                messageId: published.messageId,
                error: error.code,
            });
        }
    }

    /** The notification envelope an SQS (or HTTPS) subscriber receives. */
    private envelope(subscription: Subscription, published: PublishedMessage): Record<string, unknown> {
        return {
            Type: "Notification",
            MessageId: published.messageId,
            TopicArn: published.topicArn,
            ...(published.subject !== undefined ? { Subject: published.subject } : {}),
            Message: published.message,
            Timestamp: isoMillis(published.at),
            SignatureVersion: "1",
            Signature: this.signature(),
            SigningCertURL: this.signingCertUrl(),
            UnsubscribeURL: this.unsubscribeUrl(subscription),
            ...(Object.keys(published.attributes).length > 0
                ? { MessageAttributes: envelopeAttributes(published.attributes) }
                : {}),
        };
    }

    /** The record Lambda receives; note Lambda's own spelling of SigningCertUrl and UnsubscribeUrl. */
    private lambdaRecord(subscription: Subscription, published: PublishedMessage): Record<string, unknown> {
        return {
            EventSource: "aws:sns",
            EventVersion: "1.0",
            EventSubscriptionArn: subscription.arn,
            Sns: {
                Type: "Notification",
                MessageId: published.messageId,
                TopicArn: published.topicArn,
                Subject: published.subject ?? null,
                Message: published.message,
                Timestamp: isoMillis(published.at),
                SignatureVersion: "1",
                Signature: this.signature(),
                SigningCertUrl: this.signingCertUrl(),
                UnsubscribeUrl: this.unsubscribeUrl(subscription),
                MessageAttributes: envelopeAttributes(published.attributes),
            },
        };
    }

    private signature(): string {
        return Buffer.from(this.ctx.random.hex(128), "hex").toString("base64");
    }

    private signingCertUrl(): string {
        return `https://sns.${this.ctx.region}.amazonaws.com/SimpleNotificationService-simulated.pem`;
    }

    private unsubscribeUrl(subscription: Subscription): string {
        return `https://sns.${this.ctx.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`;
    }

    /** The topic `arn` names: InvalidParameter when it is no topic ARN of this region, NotFound when there is none. */
    private topicByArn(arn: string, field = "TopicArn"): Topic {
        this.checkTopicArn(arn, field);
        const topic = this.topics.get(arn);
        if (!topic) throw new AwsError("NotFound", "Topic does not exist", 404);
        return topic;
    }

    /**
     * SNS answers a malformed topic ARN with InvalidParameter before looking the topic up: "Invalid
     * parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1" for a bare name, and
     * "Invalid parameter: TopicArn" for a topic ARN of another region (as SDK users report it:
     * aws-samples/amazon-rekognition-video-analyzer#41, mozilla/security#8); another service's ARN
     * or a malformed account is refused the same way (inferred).
     */
    private checkTopicArn(arn: string, field: string): void {
        const parts = arn.split(":");
        if (parts.length < 6) {
            throw new AwsError(
                "InvalidParameter",
                `Invalid parameter: ${field} Reason: An ARN must have at least 6 elements, not ${parts.length}`,
            );
        }
        const [prefix, , service, region, account] = parts;
        if (
            prefix !== "arn" ||
            service !== "sns" ||
            region !== this.ctx.region ||
            !/^\d{12}$/.test(account)
        ) {
            throw new AwsError("InvalidParameter", `Invalid parameter: ${field}`);
        }
    }
}

function envelopeAttributes(
    attributes: SnsMessageAttributes,
): Record<string, { Type: string; Value: string }> {
    return Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [
            name,
            { Type: value.DataType, Value: value.StringValue },
        ]),
    );
}

function readAttributes(reader: InputReader): SnsMessageAttributes {
    const record = reader.optionalRecord("MessageAttributes");
    if (!record) return {};
    const out: Record<string, { DataType: string; StringValue: string }> = {};
    for (const name of record.keys()) {
        const value = record.optionalRecord(name)!;
        out[name] = { DataType: value.string("DataType"), StringValue: value.string("StringValue") };
    }
    return out;
}
