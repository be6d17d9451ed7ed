/**
 * Turns one delivery from the drain queue into typed drain requests. The queue receives, through
 * the SNS topic (in the SNS JSON envelope) or directly (raw):
 * - Auto Scaling lifecycle notifications and the hook's test notification;
 * - EventBridge events: Spot interruption warnings, rebalance recommendations, AWS Health EC2
 *   scheduled events (which may name several instances);
 * - an operator's `{"action":"drain","instanceId":"i-…"}`;
 * - ECS events of the cluster that may mean a draining instance just emptied (nudges): a
 *   container instance that is DRAINING changed, or a task on a container instance STOPPED;
 * - the scheduled sweep's `{"action":"sweep","instanceIds":[…]}`, the instances in
 *   Terminating:Wait it found, to be checked for a drain no delivery drives;
 * - a poll's `{"action":"stop-standalone",…}`: under the stop policy, look at the instance's tasks
 *   and stop its standalone ones (a step of its own, so that it fits the ECS budget);
 * - the sweep's re-drive of a lifecycle action no delivery was driving (lifecycle-shaped, with
 *   `Origin: SWEEP_ORIGIN` and no token: the sweep cannot know it).
 * Anything else is malformed: `parseDrainMessage` throws a MalformedDrainMessage naming the field
 * and what was expected, so the handler can log the reason and let the message go.
 */

import { describeValue } from "./describeValue";

export const TERMINATING_TRANSITION = "autoscaling:EC2_INSTANCE_TERMINATING";
export const TEST_NOTIFICATION_EVENT = "autoscaling:TEST_NOTIFICATION";
/** `Origin` of the lifecycle-shaped messages the sweep sends (Auto Scaling's own is "AutoScalingGroup"). */
export const SWEEP_ORIGIN = "ecs-lifecycle.sweep";

export const SPOT_INTERRUPTION_DETAIL_TYPE = "EC2 Spot Instance Interruption Warning";
export const REBALANCE_DETAIL_TYPE = "EC2 Instance Rebalance Recommendation";
export const HEALTH_DETAIL_TYPE = "AWS Health Event";
export const CONTAINER_INSTANCE_CHANGE_DETAIL_TYPE = "ECS Container Instance State Change";
export const TASK_CHANGE_DETAIL_TYPE = "ECS Task State Change";
/** The most instance ids one sweep message carries (DescribeAutoScalingInstances takes 50). */
export const SWEEP_MESSAGE_INSTANCES = 50;

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

/** The requests that poll one instance's drain. */
export type DrainPollRequest = LifecycleDrainRequest | TestNotificationRequest | ExternalDrainRequest;

/** A container instance of the cluster changed while DRAINING: what ECS says it still holds. */
export interface InstanceChangeNudge {
    readonly kind: "nudge";
    readonly event: "container-instance";
    readonly clusterArn: string;
    readonly containerInstanceArn: string;
    readonly ec2InstanceId: string;
    readonly status: string;
    /** The container instance's version: it rises with every change (ECS developer guide, "Amazon ECS events"). */
    readonly version: number;
    /** When ECS made the change (epoch ms). */
    readonly changedAt: number;
    /** CPU units and MiB its tasks still hold: registered minus remaining. */
    readonly heldCpu: number;
    readonly heldMemory: number;
    /** Task network interfaces still attached. */
    readonly taskAttachments: number;
}

/** A task on a container instance of the cluster STOPPED. */
export interface TaskStoppedNudge {
    readonly kind: "nudge";
    readonly event: "task-stopped";
    readonly clusterArn: string;
    readonly containerInstanceArn: string;
    readonly taskArn: string;
    /** When ECS made the change (epoch ms). */
    readonly changedAt: number;
}

export type DrainNudge = InstanceChangeNudge | TaskStoppedNudge;

/** The scheduled sweep's list of instances in Terminating:Wait, to be checked for a lost drain. */
export interface SweepRequest {
    readonly kind: "sweep";
    readonly instanceIds: readonly string[];
    /** When the sweep found them (epoch seconds). */
    readonly requestedAt: number;
}

/** Stop the standalone tasks of a draining instance (the stop policy's grace period is over). */
export interface StopStandaloneRequest {
    readonly kind: "stop-standalone";
    readonly instanceId: string;
    readonly containerInstanceArn: string;
}

export type DrainRequest =
    | LifecycleDrainRequest
    | TestNotificationRequest
    | ExternalDrainRequest
    | DrainNudge
    | SweepRequest
    | StopStandaloneRequest;

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

function requireNumber(object: JsonObject, field: string, path: string): number {
    const value = object[field];
    if (typeof value !== "number" || !Number.isFinite(value))
        throw new MalformedDrainMessage(`${path}: expected a number, got ${describeValue(value)}`);
    return value;
}

function requireEpochMillis(value: unknown, field: string): number {
    const millis = typeof value === "string" ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(millis))
        throw new MalformedDrainMessage(
            `${field}: expected an ISO 8601 timestamp, got ${describeValue(value)}`,
        );
    return millis;
}

/** An INTEGER resource (CPU, MEMORY) of a container instance's registered or remaining resources. */
function integerResource(detail: JsonObject, list: string, name: string): number {
    const resources = detail[list];
    if (!Array.isArray(resources))
        throw new MalformedDrainMessage(
            `detail.${list}: expected a list of resources, got ${describeValue(resources)}`,
        );
    const found = resources.find((resource) => isObject(resource) && resource.name === name);
    if (!isObject(found))
        throw new MalformedDrainMessage(`detail.${list}: expected a ${name} resource, got none`);
    return requireNumber(found, "integerValue", `detail.${list}[${name}].integerValue`);
}

function requireDetailString(detail: JsonObject, field: string): string {
    const value = detail[field];
    if (typeof value !== "string" || value.length === 0)
        throw new MalformedDrainMessage(
            `detail.${field}: expected a non-empty string, got ${describeValue(value)}`,
        );
    return value;
}

function parseInstanceChange(detail: JsonObject): InstanceChangeNudge {
    const attachments = detail.attachments;
    return {
        kind: "nudge",
        event: "container-instance",
        clusterArn: requireDetailString(detail, "clusterArn"),
        containerInstanceArn: requireDetailString(detail, "containerInstanceArn"),
        ec2InstanceId: requireInstanceId(detail.ec2InstanceId, "detail.ec2InstanceId"),
        status: requireDetailString(detail, "status"),
        version: requireNumber(detail, "version", "detail.version"),
        changedAt: requireEpochMillis(detail.updatedAt, "detail.updatedAt"),
        heldCpu:
            integerResource(detail, "registeredResources", "CPU") -
            integerResource(detail, "remainingResources", "CPU"),
        heldMemory:
            integerResource(detail, "registeredResources", "MEMORY") -
            integerResource(detail, "remainingResources", "MEMORY"),
        taskAttachments: Array.isArray(attachments)
            ? attachments.filter(
                  (attachment) => isObject(attachment) && attachment.type === "ElasticNetworkInterface",
              ).length
            : 0,
    };
}

function parseTaskChange(detail: JsonObject): TaskStoppedNudge[] {
    // Fargate tasks have no container instance; a task not yet STOPPED changes nothing a drain waits for.
    if (typeof detail.containerInstanceArn !== "string" || detail.lastStatus !== "STOPPED") return [];
    return [
        {
            kind: "nudge",
            event: "task-stopped",
            clusterArn: requireDetailString(detail, "clusterArn"),
            containerInstanceArn: requireDetailString(detail, "containerInstanceArn"),
            taskArn: requireDetailString(detail, "taskArn"),
            changedAt: requireEpochMillis(detail.updatedAt, "detail.updatedAt"),
        },
    ];
}

function parseEvent(event: JsonObject, detailType: string): (ExternalDrainRequest | DrainNudge)[] {
    const detail = event.detail;
    if (!isObject(detail))
        throw new MalformedDrainMessage(`detail: expected an object, got ${describeValue(detail)}`);
    if (detailType === CONTAINER_INSTANCE_CHANGE_DETAIL_TYPE) return [parseInstanceChange(detail)];
    if (detailType === TASK_CHANGE_DETAIL_TYPE) return parseTaskChange(detail);
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
                `detail-type: expected "${SPOT_INTERRUPTION_DETAIL_TYPE}", "${REBALANCE_DETAIL_TYPE}", "${HEALTH_DETAIL_TYPE}", "${CONTAINER_INSTANCE_CHANGE_DETAIL_TYPE}" or "${TASK_CHANGE_DETAIL_TYPE}", got ${describeValue(detailType)}`,
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

function parseSweep(message: JsonObject): SweepRequest {
    const ids = message.instanceIds;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > SWEEP_MESSAGE_INSTANCES)
        throw new MalformedDrainMessage(
            `instanceIds: expected a list of 1 to ${SWEEP_MESSAGE_INSTANCES} EC2 instance ids, got ${describeValue(ids)}`,
        );
    return {
        kind: "sweep",
        instanceIds: ids.map((id, index) => requireInstanceId(id, `instanceIds[${index}]`)),
        requestedAt: requireEpochSeconds(message.time, "time"),
    };
}

/**
 * The drain requests one queue message carries (one, none for a task event that needs no look,
 * or one per instance of an AWS Health event). Throws MalformedDrainMessage when the message is
 * none of the known shapes.
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
    if (message.action === "sweep") return [parseSweep(message)];
    if (message.action === "stop-standalone") {
        return [
            {
                kind: "stop-standalone",
                instanceId: requireInstanceId(message.instanceId, "instanceId"),
                containerInstanceArn: requireString(message, "containerInstanceArn"),
            },
        ];
    }
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
        `body: expected an Auto Scaling lifecycle notification (LifecycleTransition), an EventBridge event (detail-type), {"action":"drain","instanceId":…} or {"action":"sweep","instanceIds":[…]}, got ${describeValue(message)}`,
    );
}

/** A poll's request to stop the standalone tasks of the container instance on `instanceId`. */
export function stopStandaloneBody(instanceId: string, containerInstanceArn: string): string {
    return JSON.stringify({ action: "stop-standalone", instanceId, containerInstanceArn });
}

/** The scheduled sweep's message: instances in Terminating:Wait to check (at most SWEEP_MESSAGE_INSTANCES). */
export function sweepCheckBody(instanceIds: readonly string[], nowSeconds: number): string {
    return JSON.stringify({
        action: "sweep",
        instanceIds,
        time: new Date(nowSeconds * 1000).toISOString(),
    });
}

/** The lifecycle-shaped message the sweep sends to re-drive an instance's lifecycle action. */
export function redriveMessageBody(request: {
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
