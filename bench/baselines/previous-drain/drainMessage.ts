/*
 * The previous drain design's message parser, as it shipped before event-driven completion and the ECS
 * request budget (runtime/drainMessage.ts then); kept unchanged for the bench's comparison (design.ts).
 */
/**
 * Turns one delivery from the drain queue into typed drain requests. The queue receives, through
 * the SNS topic (in the SNS JSON envelope) or directly (raw):
 * - Auto Scaling lifecycle notifications and the hook's test notification;
 * - EventBridge events: Spot interruption warnings, rebalance recommendations, AWS Health EC2
 *   scheduled events (which may name several instances);
 * - an operator's `{"action":"drain","instanceId":"i-…"}`;
 * - the sweep's re-drive of a lifecycle action no delivery was driving (lifecycle-shaped, with
 *   `Origin: SWEEP_ORIGIN` and no token: the sweep cannot know it).
 * Anything else is malformed: `parseDrainMessage` throws a MalformedDrainMessage naming the field
 * and what was expected, so the handler can log the reason and let the message go.
 */

import { describeValue } from "../../../runtime/describeValue";

export const TERMINATING_TRANSITION = "autoscaling:EC2_INSTANCE_TERMINATING";
export const TEST_NOTIFICATION_EVENT = "autoscaling:TEST_NOTIFICATION";
/** `Origin` of the lifecycle-shaped messages the sweep sends (Auto Scaling's own is "AutoScalingGroup"). */
export const SWEEP_ORIGIN = "ecs-lifecycle.sweep";

export const SPOT_INTERRUPTION_DETAIL_TYPE = "EC2 Spot Instance Interruption Warning";
export const REBALANCE_DETAIL_TYPE = "EC2 Instance Rebalance Recommendation";
export const HEALTH_DETAIL_TYPE = "AWS Health Event";

const INSTANCE_ID_PATTERN = /^i-[0-9a-f]{8,17}$/;

/** A lifecycle action of the group, from Auto Scaling itself or re-driven by the sweep. */
export interface LifecycleDrainRequest {
    readonly kind: "lifecycle";
    readonly origin: "autoscaling" | "sweep";
    readonly transition: string;
    readonly autoScalingGroupName: string;
    readonly lifecycleHookName: string;
    readonly instanceId: string;
    /** Absent on sweep re-drives; calls then name the action by instance id. */
    readonly lifecycleActionToken: string | undefined;
    /** The message's `Time` in epoch seconds: when the lifecycle action started (for Auto Scaling's messages). */
    readonly lifecycleStartedAt: number;
}

/** The hook's test notification, sent when the hook is created: nothing to drain. */
export interface TestNotificationRequest {
    readonly kind: "test-notification";
    readonly autoScalingGroupName: string | undefined;
}

export type ExternalDrainSource =
    "spot-interruption" | "rebalance-recommendation" | "scheduled-event" | "manual";

/** A drain asked for by another producer: no lifecycle action to complete. */
export interface ExternalDrainRequest {
    readonly kind: "external";
    readonly source: ExternalDrainSource;
    readonly instanceId: string;
    /** When the producer emitted it (epoch seconds), when it says so. */
    readonly requestedAt: number | undefined;
}

export type DrainRequest = LifecycleDrainRequest | TestNotificationRequest | ExternalDrainRequest;

export class MalformedDrainMessage extends Error {
    constructor(message: string) {
        super(message);
        this.name = "MalformedDrainMessage";
    }
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJsonObject(text: string, field: string): JsonObject {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new MalformedDrainMessage(
            `${field}: expected a JSON object, got text that is not JSON: ${describeValue(text)}`,
        );
    }
    if (!isObject(parsed))
        throw new MalformedDrainMessage(`${field}: expected a JSON object, got ${describeValue(parsed)}`);
    return parsed;
}

function requireString(object: JsonObject, field: string): string {
    const value = object[field];
    if (typeof value !== "string" || value.length === 0) {
        throw new MalformedDrainMessage(`${field}: expected a non-empty string, got ${describeValue(value)}`);
    }
    return value;
}

function requireInstanceId(value: unknown, field: string): string {
    if (typeof value !== "string" || !INSTANCE_ID_PATTERN.test(value)) {
        throw new MalformedDrainMessage(
            `${field}: expected an EC2 instance id like "i-0123456789abcdef0", got ${describeValue(value)}`,
        );
    }
    return value;
}

function requireEpochSeconds(value: unknown, field: string): number {
    const millis = typeof value === "string" ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(millis))
        throw new MalformedDrainMessage(
            `${field}: expected an ISO 8601 timestamp, got ${describeValue(value)}`,
        );
    return Math.floor(millis / 1000);
}

function optionalEpochSeconds(value: unknown, field: string): number | undefined {
    return value === undefined ? undefined : requireEpochSeconds(value, field);
}

function parseLifecycle(message: JsonObject): LifecycleDrainRequest {
    const token = message.LifecycleActionToken;
    const origin = message.Origin === SWEEP_ORIGIN ? "sweep" : "autoscaling";
    if (origin === "autoscaling" && (typeof token !== "string" || token.length === 0)) {
        throw new MalformedDrainMessage(
            `LifecycleActionToken: expected a non-empty string, got ${describeValue(token)}`,
        );
    }
    return {
        kind: "lifecycle",
        origin,
        transition: requireString(message, "LifecycleTransition"),
        autoScalingGroupName: requireString(message, "AutoScalingGroupName"),
        lifecycleHookName: requireString(message, "LifecycleHookName"),
        instanceId: requireInstanceId(message.EC2InstanceId, "EC2InstanceId"),
        lifecycleActionToken: typeof token === "string" ? token : undefined,
        lifecycleStartedAt: requireEpochSeconds(message.Time, "Time"),
    };
}

function healthInstanceIds(detail: JsonObject, resources: unknown): string[] {
    const entities = detail.affectedEntities;
    const fromEntities = Array.isArray(entities)
        ? entities.map((entity) => (isObject(entity) ? entity.entityValue : undefined))
        : [];
    const candidates = [...fromEntities, ...(Array.isArray(resources) ? resources : [])];
    const ids = [
        ...new Set(
            candidates.filter(
                (value): value is string => typeof value === "string" && INSTANCE_ID_PATTERN.test(value),
            ),
        ),
    ];
    if (ids.length === 0) {
        throw new MalformedDrainMessage(
            `detail.affectedEntities: expected at least one EC2 instance id (or one in resources), got ${describeValue(entities)}`,
        );
    }
    return ids;
}

function parseEvent(event: JsonObject, detailType: string): ExternalDrainRequest[] {
    const detail = event.detail;
    if (!isObject(detail))
        throw new MalformedDrainMessage(`detail: expected an object, got ${describeValue(detail)}`);
    const requestedAt = optionalEpochSeconds(event.time, "time");
    switch (detailType) {
        case SPOT_INTERRUPTION_DETAIL_TYPE:
            return [
                {
                    kind: "external",
                    source: "spot-interruption",
                    instanceId: requireInstanceId(detail["instance-id"], 'detail["instance-id"]'),
                    requestedAt,
                },
            ];
        case REBALANCE_DETAIL_TYPE:
            return [
                {
                    kind: "external",
                    source: "rebalance-recommendation",
                    instanceId: requireInstanceId(detail["instance-id"], 'detail["instance-id"]'),
                    requestedAt,
                },
            ];
        case HEALTH_DETAIL_TYPE: {
            const ids =
                detail["instance-id"] !== undefined
                    ? [requireInstanceId(detail["instance-id"], 'detail["instance-id"]')]
                    : healthInstanceIds(detail, event.resources);
            return ids.map((instanceId) => ({
                kind: "external",
                source: "scheduled-event",
                instanceId,
                requestedAt,
            }));
        }
        default:
            throw new MalformedDrainMessage(
                `detail-type: expected "${SPOT_INTERRUPTION_DETAIL_TYPE}", "${REBALANCE_DETAIL_TYPE}" or "${HEALTH_DETAIL_TYPE}", got ${describeValue(detailType)}`,
            );
    }
}

/** The producer's message inside a queue body: unwraps the SNS envelope when there is one. */
function unwrap(body: string): JsonObject {
    const outer = parseJsonObject(body, "body");
    if (outer.Type === "Notification" && "TopicArn" in outer) {
        if (typeof outer.Message !== "string")
            throw new MalformedDrainMessage(
                `Message: expected the SNS message as a string, got ${describeValue(outer.Message)}`,
            );
        return parseJsonObject(outer.Message, "Message");
    }
    return outer;
}

/**
 * The drain requests one queue message carries (one, or one per instance of an AWS Health event).
 * Throws MalformedDrainMessage when the message is none of the known shapes.
 */
export function parseDrainMessage(body: string): DrainRequest[] {
    const message = unwrap(body);
    if (message.Event === TEST_NOTIFICATION_EVENT) {
        const group = message.AutoScalingGroupName;
        return [
            {
                kind: "test-notification",
                autoScalingGroupName: typeof group === "string" ? group : undefined,
            },
        ];
    }
    if ("LifecycleTransition" in message) return [parseLifecycle(message)];
    if (message.action === "drain") {
        return [
            {
                kind: "external",
                source: "manual",
                instanceId: requireInstanceId(message.instanceId, "instanceId"),
                requestedAt: undefined,
            },
        ];
    }
    const detailType = message["detail-type"];
    if (typeof detailType === "string") return parseEvent(message, detailType);
    throw new MalformedDrainMessage(
        `body: expected an Auto Scaling lifecycle notification (LifecycleTransition), an EventBridge event (detail-type) or {"action":"drain","instanceId":…}, got ${describeValue(message)}`,
    );
}

/** The lifecycle-shaped message the sweep sends to re-drive an instance's lifecycle action. */
export function sweepMessageBody(request: {
    autoScalingGroupName: string;
    lifecycleHookName: string;
    instanceId: string;
    /** Epoch seconds: the best known start of the drain. */
    startedAt: number;
}): string {
    return JSON.stringify({
        Origin: SWEEP_ORIGIN,
        LifecycleTransition: TERMINATING_TRANSITION,
        AutoScalingGroupName: request.autoScalingGroupName,
        LifecycleHookName: request.lifecycleHookName,
        EC2InstanceId: request.instanceId,
        Time: new Date(request.startedAt * 1000).toISOString(),
    });
}
