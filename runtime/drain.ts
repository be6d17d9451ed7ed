/**
 * The drain decision core: given one drain request, the container instance's state, what earlier
 * polls recorded and the clock, decide what this poll does. Pure: no I/O, no clock of its own.
 * `runtime/drainHandler.ts` gathers the input and carries the actions out.
 *
 * Whether anything is left comes from the container instance alone: ECS gives a task's CPU and
 * memory back to the instance only once the task is STOPPED (ECS developer guide, "Amazon ECS
 * container instance state change events": the agent releases the resources of a stopped task),
 * so what it still holds (registered minus remaining) covers tasks that are deregistering,
 * exiting or detaching their network interface, which `runningTasksCount` may not: the API
 * reference counts there the tasks whose *desired* status is RUNNING.
 *
 * Time is in epoch seconds throughout. Waiting is a delayed redelivery of the same queue message
 * (never a sleep), so each call is one poll. What must survive between polls is stamped on the
 * container instance as one ECS custom attribute (DRAIN_ATTRIBUTE: when the drain started and
 * when the lifecycle action's timeout last restarted), written when the drain starts and at each
 * heartbeat, read back by `readDrainRecord`; it counts only while the instance is DRAINING, so an
 * instance that was drained, reactivated and drained again starts afresh.
 */
import type { DrainPollRequest, ExternalDrainRequest, LifecycleDrainRequest } from "./drainMessage";
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
/** Receives a drain may spend waiting for the ECS request budget (runtime/ecsBudget.ts). */
export const BUDGET_DEFERRAL_MARGIN = 30;
/**
 * A lifecycle delivery whose record shows no heartbeat for a heartbeat interval plus this many
 * poll intervals is presumed lost: a driven drain heartbeats on the first poll once one is due.
 */
export const STALE_POLL_INTERVALS = 3;

/**
 * The container instance attribute that records a drain: `started:<epoch s>`, plus
 * ` heartbeat:<epoch s>` for a lifecycle action (ECS attribute values take letters, digits,
 * colons and inner spaces, up to 128 characters).
 */
export const DRAIN_ATTRIBUTE = "ecs-lifecycle.drain";

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
 * heartbeat that cuts an interval short, plus EXTRA_POLLS, plus REDELIVERY_MARGIN, plus
 * BUDGET_DEFERRAL_MARGIN.
 */
export function requiredMaxReceiveCount(settings: DrainSettings): number {
    const longest = longestDrainSeconds(settings);
    const regularPolls = Math.ceil(longest / settings.pollIntervalSeconds);
    const heartbeatPolls = Math.ceil(longest / heartbeatIntervalSeconds(settings.heartbeatTimeoutSeconds));
    return regularPolls + heartbeatPolls + EXTRA_POLLS + REDELIVERY_MARGIN + BUDGET_DEFERRAL_MARGIN;
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
            longest /
                (SQS_MAX_RECEIVE_COUNT -
                    REDELIVERY_MARGIN -
                    BUDGET_DEFERRAL_MARGIN -
                    EXTRA_POLLS -
                    heartbeatPolls),
        );
        throw new Error(
            `pollIntervalSeconds: a ${longest} s drain polled every ${poll} s needs maxReceiveCount ${receives}, over SQS's ${SQS_MAX_RECEIVE_COUNT}; use about ${minimumPoll} s or more`,
        );
    }
    return settings;
}

export interface ContainerInstanceState {
    readonly containerInstanceArn: string;
    readonly ec2InstanceId: string;
    /** ACTIVE, DRAINING, REGISTERING, DEREGISTERING, INACTIVE, REGISTRATION_FAILED. */
    readonly status: string;
    readonly agentConnected: boolean;
    /** Tasks whose desired status is RUNNING (the API reference's definition). */
    readonly runningTasksCount: number;
    readonly pendingTasksCount: number;
    /** CPU units its tasks still hold: registered minus remaining. */
    readonly heldCpu: number;
    /** MiB its tasks still hold: registered minus remaining. */
    readonly heldMemory: number;
    /** Attribute name → value (custom attributes included). */
    readonly attributes: Readonly<Record<string, string>>;
}

/** A task on the instance, as DescribeTasks gives it (the stop policy's look at what is standalone). */
export interface TaskState {
    readonly taskArn: string;
    readonly lastStatus: string;
    readonly desiredStatus: string;
    /** `service:NAME` for service tasks; anything else (or nothing) for standalone tasks. */
    readonly group: string | undefined;
}

/** What the drain's attribute records (valid fields only). */
export interface DrainRecord {
    readonly drainStartedAt?: number;
    /** When the lifecycle action's heartbeat timeout last restarted: its start or a heartbeat. */
    readonly lastHeartbeatAt?: number;
}

/** Statuses of a container instance that can no longer run tasks. */
// An array, not a Set: a module-level Set does not survive Lambda closure serialization.
const GONE_STATUSES: readonly string[] = ["INACTIVE", "DEREGISTERING", "REGISTRATION_FAILED"];

/** The attribute value that records `record`. */
export function formatDrainRecord(record: DrainRecord): string {
    const parts = [
        ...(record.drainStartedAt === undefined ? [] : [`started:${record.drainStartedAt}`]),
        ...(record.lastHeartbeatAt === undefined ? [] : [`heartbeat:${record.lastHeartbeatAt}`]),
    ];
    return parts.join(" ");
}

/** The record on a container instance that belongs to its current drain (none unless it is DRAINING). */
export function readDrainRecord(
    instance: Pick<ContainerInstanceState, "status" | "attributes">,
): DrainRecord {
    const text = instance.attributes[DRAIN_ATTRIBUTE];
    if (instance.status !== "DRAINING" || text === undefined) return {};
    const field = (name: string) => {
        const match = new RegExp(`(?:^| )${name}:(\\d+)(?: |$)`).exec(text);
        return match === null ? undefined : Number(match[1]);
    };
    const startedAt = field("started");
    const heartbeatAt = field("heartbeat");
    return {
        ...(startedAt === undefined ? {} : { drainStartedAt: startedAt }),
        ...(heartbeatAt === undefined ? {} : { lastHeartbeatAt: heartbeatAt }),
    };
}

/**
 * True when a lifecycle delivery is presumed to drive this drain: the record shows a heartbeat
 * (or the action's start) within a heartbeat interval plus STALE_POLL_INTERVALS poll intervals.
 */
export function isDrivenByDelivery(
    record: DrainRecord,
    now: number,
    settings: Pick<DrainSettings, "pollIntervalSeconds" | "heartbeatTimeoutSeconds">,
): boolean {
    return (
        record.lastHeartbeatAt !== undefined &&
        now - record.lastHeartbeatAt <
            heartbeatIntervalSeconds(settings.heartbeatTimeoutSeconds) +
                STALE_POLL_INTERVALS * settings.pollIntervalSeconds
    );
}

/**
 * True when the sweep should re-drive the lifecycle action of an instance in Terminating:Wait: no
 * delivery is presumed to drive it. A DRAINING instance with no record yet counts as driven: a
 * first poll sets DRAINING at once and may leave its record to the next poll when the ECS budget
 * is short.
 */
export function needsRedrive(
    instance: Pick<ContainerInstanceState, "status" | "attributes">,
    now: number,
    settings: Pick<DrainSettings, "pollIntervalSeconds" | "heartbeatTimeoutSeconds">,
): boolean {
    if (instance.status === "DRAINING" && instance.attributes[DRAIN_ATTRIBUTE] === undefined) return false;
    return !isDrivenByDelivery(readDrainRecord(instance), now, settings);
}

/** True when nothing is left on the instance: no task counted, none holding CPU or memory. */
export function holdsNothing(instance: ContainerInstanceState): boolean {
    return (
        instance.runningTasksCount === 0 &&
        instance.pendingTasksCount === 0 &&
        instance.heldCpu === 0 &&
        instance.heldMemory === 0
    );
}

export interface RemainingWork {
    /** Tasks whose desired status is RUNNING. */
    readonly runningTasks: number;
    readonly pendingTasks: number;
    /** CPU units and MiB still held: by those, and by tasks still stopping. */
    readonly heldCpu: number;
    readonly heldMemory: number;
}

export type DrainAction =
    | { readonly kind: "ignore"; readonly reason: string }
    | { readonly kind: "setDraining" }
    /** Stop the instance's standalone tasks: which they are takes a look at its tasks (standaloneTasksToStop). */
    | { readonly kind: "stopStandaloneTasks" }
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

export interface DrainDecision {
    readonly actions: readonly DrainAction[];
    /** The record to write on the container instance before the wait, when it changed. */
    readonly record: DrainRecord | undefined;
}

export interface DrainInput {
    readonly request: DrainPollRequest;
    /** The group this drain pipeline serves. */
    readonly autoScalingGroupName: string;
    /** Absent when no container instance of the cluster runs on the EC2 instance. */
    readonly instance: ContainerInstanceState | undefined;
    readonly now: number;
    readonly recorded: DrainRecord;
    readonly settings: DrainSettings;
}

export type ScreenedRequest =
    | { readonly kind: "ignore"; readonly reason: string }
    | { readonly kind: "drain"; readonly request: LifecycleDrainRequest | ExternalDrainRequest };

/** Sorts out the requests that need no look at the instance at all (no AWS call is made for them). */
export function screenRequest(request: DrainPollRequest, autoScalingGroupName: string): ScreenedRequest {
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

function countRemaining(instance: ContainerInstanceState): RemainingWork {
    return {
        runningTasks: instance.runningTasksCount,
        pendingTasks: instance.pendingTasksCount,
        heldCpu: instance.heldCpu,
        heldMemory: instance.heldMemory,
    };
}

function plural(count: number, noun: string): string {
    return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function describeRemaining(remaining: RemainingWork): string {
    return `${plural(remaining.runningTasks, "task")} to run, ${plural(remaining.pendingTasks, "pending task")}, ${remaining.heldCpu} CPU units and ${remaining.heldMemory} MiB still held`;
}

/** When the drain began: the earliest of the recorded start, the producer's time and now. */
function drainStartedAt(
    input: Pick<DrainInput, "now" | "recorded">,
    request: LifecycleDrainRequest | ExternalDrainRequest,
): number {
    const producerTime = request.kind === "lifecycle" ? request.lifecycleStartedAt : request.requestedAt;
    return Math.min(input.now, input.recorded.drainStartedAt ?? Infinity, producerTime ?? Infinity);
}

/** The standalone tasks to stop: those of no service whose desired status is still RUNNING. */
export function standaloneTasksToStop(tasks: readonly TaskState[]): string[] {
    return tasks
        .filter((task) => isStandaloneTask(task) && task.desiredStatus === "RUNNING")
        .map((task) => task.taskArn);
}

/** When the last heartbeat (or the lifecycle action's start, which starts the timeout) was; undefined when unknown. */
function lastHeartbeatAt(request: LifecycleDrainRequest, recorded: DrainRecord): number | undefined {
    if (request.origin === "autoscaling")
        return Math.max(request.lifecycleStartedAt, recorded.lastHeartbeatAt ?? -Infinity);
    // A sweep re-drive's Time is not the action's start, so only a recorded heartbeat is known.
    return recorded.lastHeartbeatAt;
}

export function decideDrain(input: DrainInput): DrainDecision {
    const { instance, now, settings } = input;
    const screened = screenRequest(input.request, input.autoScalingGroupName);
    if (screened.kind === "ignore")
        return { actions: [{ kind: "ignore", reason: screened.reason }], record: undefined };
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
        return { actions: [final], record: undefined };
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
            record: undefined,
        };
    }

    const remaining = countRemaining(instance);
    const empty = holdsNothing(instance);
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
        return { actions: [...actions, final], record: undefined };
    }

    // Standalone tasks never leave a draining instance; under the stop policy any task still to
    // run may be one once the grace period ends.
    const graceEndsAt = startedAt + settings.standaloneGraceSeconds;
    const mayHoldStandalone =
        settings.standaloneTaskPolicy === "stop" && remaining.runningTasks + remaining.pendingTasks > 0;
    if (mayHoldStandalone && now >= graceEndsAt) actions.push({ kind: "stopStandaloneTasks" });

    let heartbeat = false;
    let nextHeartbeatDue = Infinity;
    let timeoutRestartedAt: number | undefined;
    if (request.kind === "lifecycle") {
        const heartbeatSpacing = heartbeatIntervalSeconds(settings.heartbeatTimeoutSeconds);
        const last = lastHeartbeatAt(request, input.recorded);
        const due = last === undefined ? now : last + heartbeatSpacing;
        heartbeat = now >= due;
        nextHeartbeatDue = heartbeat ? now + heartbeatSpacing : due;
        timeoutRestartedAt = heartbeat ? now : last;
    }
    // The next poll never overshoots a moment that needs one; a deadline already past (possible
    // only before the instance is DRAINING) is acted on by the first poll that finds it DRAINING.
    const moments = [nextHeartbeatDue, deadline, mayHoldStandalone ? graceEndsAt : Infinity];
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

    const record: DrainRecord = {
        drainStartedAt: startedAt,
        ...(timeoutRestartedAt === undefined ? {} : { lastHeartbeatAt: timeoutRestartedAt }),
    };
    const changed =
        record.drainStartedAt !== input.recorded.drainStartedAt ||
        record.lastHeartbeatAt !== input.recorded.lastHeartbeatAt;
    return { actions, record: changed ? record : undefined };
}
