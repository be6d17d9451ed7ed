/*
 * The previous drain design's decision core, as it shipped before event-driven completion and the ECS
 * request budget (runtime/drain.ts then); kept unchanged for the bench's comparison (design.ts).
 */
/**
 * The drain decision core: given one drain request, the container instance's state, its tasks
 * that are not STOPPED, what earlier polls recorded and the clock, decide what this poll does.
 * Pure: no I/O, no clock of its own. `runtime/drainHandler.ts` gathers the input and carries
 * the actions out.
 *
 * Time is in epoch seconds throughout. Waiting is a delayed redelivery of the same queue message
 * (never a sleep), so each call is one poll. What must survive between polls is stamped on the
 * container instance as ECS custom attributes (DRAIN_ATTRIBUTES) and read back by
 * `readDrainRecord`; stamps count only while the instance is DRAINING, so an instance that was
 * drained, reactivated and drained again starts afresh.
 */
import type { DrainRequest, ExternalDrainRequest, LifecycleDrainRequest } from "./drainMessage";
import { TERMINATING_TRANSITION } from "./drainMessage";

export interface DrainSettings {
    /** The hook's heartbeat timeout (30–7200 s). */
    readonly heartbeatTimeoutSeconds: number;
    /** How long a drain may take before the standalone policy's final word (≤ 48 h). */
    readonly drainDeadlineSeconds: number;
    /** Delay between polls (the redelivery delay). */
    readonly pollIntervalSeconds: number;
    /** `wait`: standalone tasks are waited for until the deadline; `stop`: stopped once the grace period has passed. */
    readonly standaloneTaskPolicy: "wait" | "stop";
    /** Under `stop`, how long after the drain started standalone tasks are left to finish on their own. */
    readonly standaloneGraceSeconds: number;
}

export const MIN_HEARTBEAT_TIMEOUT_SECONDS = 30;
export const MAX_HEARTBEAT_TIMEOUT_SECONDS = 7200;
/** Auto Scaling's cap on a lifecycle action's total wait, and ours on a drain. */
export const MAX_LIFECYCLE_WAIT_SECONDS = 48 * 3600;
/** SQS's upper limit on a redrive policy's maxReceiveCount. */
export const SQS_MAX_RECEIVE_COUNT = 1000;
/**
 * Receives a drain may spend without advancing (throttled retries, a Lambda timeout, an error
 * redelivered after the queue's visibility timeout) before the message goes to the DLQ.
 */
export const REDELIVERY_MARGIN = 10;
/** A lifecycle delivery whose last poll is older than this many poll intervals is presumed lost. */
export const STALE_POLL_INTERVALS = 3;

export const DRAIN_ATTRIBUTES = {
    /** When the drain was first seen (epoch s). */
    startedAt: "ecs-lifecycle.drain-started",
    /** When a lifecycle delivery last polled this drain (epoch s); the sweep's sign of life. */
    polledAt: "ecs-lifecycle.drain-polled",
    /** When the lifecycle action was last heartbeated (epoch s). */
    heartbeatAt: "ecs-lifecycle.drain-heartbeat",
} as const;

/** Auto Scaling's global timeout of a lifecycle action: min(48 h, 100 × heartbeat timeout). */
export function lifecycleGlobalTimeoutSeconds(heartbeatTimeoutSeconds: number): number {
    return Math.min(MAX_LIFECYCLE_WAIT_SECONDS, 100 * heartbeatTimeoutSeconds);
}

/**
 * How often a lifecycle action is heartbeated: every half timeout. That is within the rule
 * "never let the gap exceed the timeout minus one poll interval" (a poll interval is at most half
 * the timeout) and leaves half the timeout for a poll that failed to come back after the queue's
 * visibility timeout, or for the sweep to re-drive a delivery that was lost.
 */
export function heartbeatIntervalSeconds(heartbeatTimeoutSeconds: number): number {
    return Math.floor(heartbeatTimeoutSeconds / 2);
}

/** The longest a drain can be polled: its deadline, bounded by the lifecycle action's global timeout. */
function longestDrainSeconds(settings: DrainSettings): number {
    return Math.min(
        settings.drainDeadlineSeconds,
        lifecycleGlobalTimeoutSeconds(settings.heartbeatTimeoutSeconds),
    );
}

/** Polls that end an interval early: the grace moment, the deadline, and the final poll. */
const EXTRA_POLLS = 3;

/**
 * The redrive maxReceiveCount the drain queue needs: every poll is one receive of the same
 * message. Polls are at most one per poll interval over the longest drain, plus one for each
 * heartbeat that cuts an interval short, plus EXTRA_POLLS, plus REDELIVERY_MARGIN.
 */
export function requiredMaxReceiveCount(settings: DrainSettings): number {
    const longest = longestDrainSeconds(settings);
    const regularPolls = Math.ceil(longest / settings.pollIntervalSeconds);
    const heartbeatPolls = Math.ceil(longest / heartbeatIntervalSeconds(settings.heartbeatTimeoutSeconds));
    return regularPolls + heartbeatPolls + EXTRA_POLLS + REDELIVERY_MARGIN;
}

function requireInteger(value: unknown, field: string, min: number, max: number, why = ""): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        throw new Error(
            `${field}: expected an integer from ${min} to ${max}${why}, got ${JSON.stringify(value)}`,
        );
    }
    return value;
}

/** Checks every setting and the constraints between them; throws naming the field and the legal range. */
export function validateDrainSettings(settings: DrainSettings): DrainSettings {
    const heartbeat = requireInteger(
        settings.heartbeatTimeoutSeconds,
        "heartbeatTimeoutSeconds",
        MIN_HEARTBEAT_TIMEOUT_SECONDS,
        MAX_HEARTBEAT_TIMEOUT_SECONDS,
    );
    const poll = requireInteger(
        settings.pollIntervalSeconds,
        "pollIntervalSeconds",
        1,
        Math.floor(heartbeat / 2),
        " (at most half the heartbeat timeout: the heartbeat interval)",
    );
    const deadline = requireInteger(
        settings.drainDeadlineSeconds,
        "drainDeadlineSeconds",
        poll,
        MAX_LIFECYCLE_WAIT_SECONDS,
        " (at least one poll interval, at most 48 h)",
    );
    if (settings.standaloneTaskPolicy !== "wait" && settings.standaloneTaskPolicy !== "stop") {
        throw new Error(
            `standaloneTaskPolicy: expected "wait" or "stop", got ${JSON.stringify(settings.standaloneTaskPolicy)}`,
        );
    }
    requireInteger(
        settings.standaloneGraceSeconds,
        "standaloneGraceSeconds",
        0,
        deadline - poll,
        " (the deadline minus one poll interval, so stopped tasks are seen to stop)",
    );
    const receives = requiredMaxReceiveCount(settings);
    if (receives > SQS_MAX_RECEIVE_COUNT) {
        const longest = longestDrainSeconds(settings);
        const heartbeatPolls = Math.ceil(longest / heartbeatIntervalSeconds(heartbeat));
        const minimumPoll = Math.ceil(
            longest / (SQS_MAX_RECEIVE_COUNT - REDELIVERY_MARGIN - EXTRA_POLLS - heartbeatPolls),
        );
        throw new Error(
            `pollIntervalSeconds: a ${longest} s drain polled every ${poll} s needs maxReceiveCount ${receives}, over SQS's ${SQS_MAX_RECEIVE_COUNT}; use about ${minimumPoll} s or more`,
        );
    }
    return settings;
}

export interface ContainerInstanceState {
    readonly containerInstanceArn: string;
    /** ACTIVE, DRAINING, REGISTERING, DEREGISTERING, INACTIVE, REGISTRATION_FAILED. */
    readonly status: string;
    readonly agentConnected: boolean;
    readonly runningTasksCount: number;
    readonly pendingTasksCount: number;
    /** Attribute name → value (custom attributes included). */
    readonly attributes: Readonly<Record<string, string>>;
}

export interface TaskState {
    readonly taskArn: string;
    readonly lastStatus: string;
    readonly desiredStatus: string;
    /** `service:NAME` for service tasks; anything else (or nothing) for standalone tasks. */
    readonly group: string | undefined;
    /** True when the task belongs to a DAEMON-strategy service. */
    readonly daemon: boolean;
}

/** What earlier polls stamped on the container instance (valid stamps only). */
export interface DrainRecord {
    readonly drainStartedAt?: number;
    readonly lastPolledAt?: number;
    readonly lastHeartbeatAt?: number;
}

/** Statuses of a container instance that can no longer run tasks. */
// An array, not a Set: a module-level Set does not survive Lambda closure serialization.
const GONE_STATUSES: readonly string[] = ["INACTIVE", "DEREGISTERING", "REGISTRATION_FAILED"];

function readStamp(attributes: Readonly<Record<string, string>>, name: string): number | undefined {
    const text = attributes[name];
    if (text === undefined || !/^\d+$/.test(text)) return undefined;
    return Number(text);
}

/** The stamps on a container instance that belong to its current drain (none unless it is DRAINING). */
export function readDrainRecord(
    instance: Pick<ContainerInstanceState, "status" | "attributes">,
): DrainRecord {
    if (instance.status !== "DRAINING") return {};
    const record: { drainStartedAt?: number; lastPolledAt?: number; lastHeartbeatAt?: number } = {};
    const startedAt = readStamp(instance.attributes, DRAIN_ATTRIBUTES.startedAt);
    const polledAt = readStamp(instance.attributes, DRAIN_ATTRIBUTES.polledAt);
    const heartbeatAt = readStamp(instance.attributes, DRAIN_ATTRIBUTES.heartbeatAt);
    if (startedAt !== undefined) record.drainStartedAt = startedAt;
    if (polledAt !== undefined) record.lastPolledAt = polledAt;
    if (heartbeatAt !== undefined) record.lastHeartbeatAt = heartbeatAt;
    return record;
}

/** True when a lifecycle delivery polled this drain recently enough to be presumed alive. */
export function isDrivenByDelivery(
    record: DrainRecord,
    now: number,
    settings: Pick<DrainSettings, "pollIntervalSeconds">,
): boolean {
    return (
        record.lastPolledAt !== undefined &&
        now - record.lastPolledAt < STALE_POLL_INTERVALS * settings.pollIntervalSeconds
    );
}

export interface RemainingWork {
    /** Replica-service tasks not yet STOPPED. */
    readonly serviceTasks: number;
    /** Daemon-service tasks not yet STOPPED (ECS stops them after all others). */
    readonly daemonTasks: number;
    /** Tasks of no service not yet STOPPED. */
    readonly standaloneTasks: number;
    /** The container instance's pendingTasksCount. */
    readonly pendingTasks: number;
}

export type DrainAction =
    | { readonly kind: "ignore"; readonly reason: string }
    | { readonly kind: "setDraining" }
    | { readonly kind: "stopStandaloneTasks"; readonly taskArns: readonly string[] }
    | {
          readonly kind: "wait";
          readonly heartbeat: boolean;
          readonly delaySeconds: number;
          readonly remaining: RemainingWork;
          readonly reason: string;
      }
    | {
          readonly kind: "complete";
          readonly result: "CONTINUE" | "ABANDON";
          readonly reason: string;
          readonly drainSeconds: number;
      }
    /** An external drain is over: there is no lifecycle action to complete. */
    | { readonly kind: "end"; readonly reason: string; readonly drainSeconds: number };

/** Stamps to write on the container instance before the wait (only those that changed). */
export interface DrainRecordUpdate {
    readonly drainStartedAt?: number;
    readonly polledAt?: number;
    readonly heartbeatAt?: number;
}

export interface DrainDecision {
    readonly actions: readonly DrainAction[];
    readonly recordUpdate: DrainRecordUpdate | undefined;
}

export interface DrainInput {
    readonly request: DrainRequest;
    /** The group this drain pipeline serves. */
    readonly autoScalingGroupName: string;
    /** Absent when no container instance of the cluster runs on the EC2 instance. */
    readonly instance: ContainerInstanceState | undefined;
    /** The instance's tasks that are not STOPPED. */
    readonly tasks: readonly TaskState[];
    readonly now: number;
    readonly recorded: DrainRecord;
    readonly settings: DrainSettings;
}

export type ScreenedRequest =
    | { readonly kind: "ignore"; readonly reason: string }
    | { readonly kind: "drain"; readonly request: LifecycleDrainRequest | ExternalDrainRequest };

/** Sorts out the requests that need no look at the instance at all (no AWS call is made for them). */
export function screenRequest(request: DrainRequest, autoScalingGroupName: string): ScreenedRequest {
    if (request.kind === "test-notification")
        return { kind: "ignore", reason: "the lifecycle hook's test notification" };
    if (request.kind === "lifecycle" && request.transition !== TERMINATING_TRANSITION) {
        return {
            kind: "ignore",
            reason: `lifecycle transition ${request.transition} is not ${TERMINATING_TRANSITION}`,
        };
    }
    if (request.kind === "lifecycle" && request.autoScalingGroupName !== autoScalingGroupName) {
        return {
            kind: "ignore",
            reason: `lifecycle action of group ${request.autoScalingGroupName}, not ${autoScalingGroupName}`,
        };
    }
    return { kind: "drain", request };
}

function isServiceTask(task: TaskState): boolean {
    return task.group !== undefined && task.group.startsWith("service:");
}

function isStandaloneTask(task: TaskState): boolean {
    return !isServiceTask(task);
}

function countRemaining(tasks: readonly TaskState[], instance: ContainerInstanceState): RemainingWork {
    return {
        serviceTasks: tasks.filter((task) => isServiceTask(task) && !task.daemon).length,
        daemonTasks: tasks.filter((task) => isServiceTask(task) && task.daemon).length,
        standaloneTasks: tasks.filter(isStandaloneTask).length,
        pendingTasks: instance.pendingTasksCount,
    };
}

/**
 * Empty only when no task is left in any state but STOPPED and the instance's own counters
 * agree: the task list and the counters come from different reads, and either showing work is
 * reason enough to wait.
 */
function isEmpty(tasks: readonly TaskState[], instance: ContainerInstanceState): boolean {
    return tasks.length === 0 && instance.runningTasksCount === 0 && instance.pendingTasksCount === 0;
}

function plural(count: number, noun: string): string {
    return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function describeRemaining(remaining: RemainingWork): string {
    const parts = [
        plural(remaining.serviceTasks, "service task"),
        plural(remaining.daemonTasks, "daemon task"),
        plural(remaining.standaloneTasks, "standalone task"),
        plural(remaining.pendingTasks, "pending task"),
    ];
    return parts.join(", ");
}

/** When the drain began: the earliest of the recorded start, the producer's time and now. */
function drainStartedAt(input: DrainInput, request: LifecycleDrainRequest | ExternalDrainRequest): number {
    const producerTime = request.kind === "lifecycle" ? request.lifecycleStartedAt : request.requestedAt;
    return Math.min(input.now, input.recorded.drainStartedAt ?? Infinity, producerTime ?? Infinity);
}

/** When the last heartbeat (or the lifecycle action's start, which starts the timeout) was; undefined when unknown. */
function lastHeartbeatAt(request: LifecycleDrainRequest, recorded: DrainRecord): number | undefined {
    if (request.origin === "autoscaling")
        return Math.max(request.lifecycleStartedAt, recorded.lastHeartbeatAt ?? -Infinity);
    // A sweep re-drive's Time is not the action's start, so only a recorded heartbeat is known.
    return recorded.lastHeartbeatAt;
}

export function decideDrain(input: DrainInput): DrainDecision {
    const { instance, tasks, now, settings } = input;
    const screened = screenRequest(input.request, input.autoScalingGroupName);
    if (screened.kind === "ignore")
        return { actions: [{ kind: "ignore", reason: screened.reason }], recordUpdate: undefined };
    const request = screened.request;
    const startedAt = drainStartedAt(input, request);
    const drainSeconds = now - startedAt;
    if (instance === undefined || GONE_STATUSES.includes(instance.status)) {
        const reason =
            instance === undefined
                ? "no container instance is registered for it"
                : `its container instance is ${instance.status}`;
        const final: DrainAction =
            request.kind === "lifecycle"
                ? { kind: "complete", result: "CONTINUE", reason, drainSeconds }
                : { kind: "end", reason, drainSeconds };
        return { actions: [final], recordUpdate: undefined };
    }

    const actions: DrainAction[] = [];
    // An ACTIVE (or still REGISTERING) instance may receive a task between our read and the
    // update, so a drain completes only on a poll that found the instance already DRAINING.
    const settingDraining = instance.status === "ACTIVE";
    const settled = instance.status === "DRAINING";
    if (settingDraining) actions.push({ kind: "setDraining" });

    if (request.kind === "external" && isDrivenByDelivery(input.recorded, now, settings)) {
        return {
            actions: [
                ...actions,
                { kind: "end", reason: "a lifecycle delivery is driving this drain", drainSeconds },
            ],
            recordUpdate: undefined,
        };
    }

    const remaining = countRemaining(tasks, instance);
    const empty = isEmpty(tasks, instance);
    const globalBound =
        request.kind === "lifecycle"
            ? request.lifecycleStartedAt +
              lifecycleGlobalTimeoutSeconds(settings.heartbeatTimeoutSeconds) -
              settings.pollIntervalSeconds
            : Infinity;
    const deadline = Math.min(startedAt + settings.drainDeadlineSeconds, globalBound);

    if (settled && (empty || now >= deadline)) {
        const reason = empty
            ? "the instance is empty"
            : `the drain deadline passed with ${describeRemaining(remaining)} left`;
        const final: DrainAction =
            request.kind === "lifecycle"
                ? { kind: "complete", result: empty ? "CONTINUE" : "ABANDON", reason, drainSeconds }
                : { kind: "end", reason, drainSeconds };
        return { actions: [...actions, final], recordUpdate: undefined };
    }

    const graceEndsAt = startedAt + settings.standaloneGraceSeconds;
    const standaloneRunning = tasks.filter(
        (task) => isStandaloneTask(task) && task.desiredStatus === "RUNNING",
    );
    const stopPolicyApplies = settings.standaloneTaskPolicy === "stop" && standaloneRunning.length > 0;
    if (stopPolicyApplies && now >= graceEndsAt) {
        actions.push({
            kind: "stopStandaloneTasks",
            taskArns: standaloneRunning.map((task) => task.taskArn),
        });
    }

    let heartbeat = false;
    let nextHeartbeatDue = Infinity;
    if (request.kind === "lifecycle") {
        const heartbeatSpacing = heartbeatIntervalSeconds(settings.heartbeatTimeoutSeconds);
        const last = lastHeartbeatAt(request, input.recorded);
        const due = last === undefined ? now : last + heartbeatSpacing;
        // On the poll that sets DRAINING the heartbeat also proves the action is still active:
        // the adapter sends it before anything else, so a stale delivery drains nothing.
        heartbeat = settingDraining || now >= due;
        nextHeartbeatDue = heartbeat ? now + heartbeatSpacing : due;
    }
    // The next poll never overshoots a moment that needs one; a deadline already past (possible
    // only before the instance is DRAINING) is acted on by the first poll that finds it DRAINING.
    const moments = [nextHeartbeatDue, deadline, stopPolicyApplies ? graceEndsAt : Infinity];
    const delaySeconds = Math.min(
        settings.pollIntervalSeconds,
        ...moments.filter((moment) => moment > now).map((moment) => moment - now),
    );
    const agentNote = instance.agentConnected ? "" : " (agent disconnected)";
    actions.push({
        kind: "wait",
        heartbeat,
        delaySeconds,
        remaining,
        reason: `waiting for ${describeRemaining(remaining)}${agentNote}`,
    });

    const recordUpdate: DrainRecordUpdate = {
        ...(input.recorded.drainStartedAt === startedAt ? {} : { drainStartedAt: startedAt }),
        ...(request.kind === "lifecycle" ? { polledAt: now } : {}),
        ...(heartbeat ? { heartbeatAt: now } : {}),
    };
    return { actions, recordUpdate: Object.keys(recordUpdate).length > 0 ? recordUpdate : undefined };
}
