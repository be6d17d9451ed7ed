/**
 * The drain Lambda's adapter. It handles a whole SQS batch with shared calls, carries out what
 * `decideDrain` decides, and turns "wait" into a delayed redelivery of the same message
 * (ChangeMessageVisibility + a batch item failure): it never sleeps to wait and never re-sends a
 * message to wait. A batch holds, in any mix:
 * - drain polls (lifecycle actions, sweep re-drives, Spot/rebalance/Health/manual drains): one
 *   DescribeAutoScalingInstances per 50 instances skips actions already over (Auto Scaling's API,
 *   not ECS's), then one ListContainerInstances per 50 instances (`ec2InstanceId in […]`) and one
 *   DescribeContainerInstances per 100 read them all, UpdateContainerInstancesState and
 *   PutAttributes write 10 at a time;
 * - nudges, ECS events that may mean a draining instance just emptied (runtime/drainNudge.ts): the
 *   ones that may are confirmed by the same DescribeContainerInstances and their lifecycle action
 *   completed at once, by instance id; the rest cost no call. A burst of events for one instance
 *   costs one look;
 * - sweep checks, instances in Terminating:Wait the scheduled sweep found: those whose drain no
 *   delivery drives are re-driven, those with no container instance completed;
 * - stop-standalone requests a poll sent itself under the stop policy: ListTasks, DescribeTasks
 *   and StopTask for one instance, a step of their own so that each fits the budget.
 * Every ECS call is spent from the ECS request budget (runtime/ecsBudget.ts); work the budget has
 * no room for now comes back a little later, through the same message's visibility.
 *
 * The scheduled sweep (an EventBridge schedule invoking the function) only lists the group's
 * instances in Terminating:Wait and sends them to the queue, 50 to a message.
 */
import {
    CompleteLifecycleActionCommand,
    DescribeAutoScalingGroupsCommand,
    DescribeAutoScalingInstancesCommand,
    RecordLifecycleActionHeartbeatCommand,
} from "@aws-sdk/client-auto-scaling";
import type {
    DescribeAutoScalingGroupsCommandOutput,
    DescribeAutoScalingInstancesCommandOutput,
} from "@aws-sdk/client-auto-scaling";
import { ChangeMessageVisibilityCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import {
    ContainerInstanceState,
    DRAIN_ATTRIBUTE,
    DrainDecision,
    DrainSettings,
    decideDrain,
    formatDrainRecord,
    holdsNothing,
    needsRedrive,
    standaloneTasksToStop,
    readDrainRecord,
    screenRequest,
    validateDrainSettings,
} from "./drain";
import { DrainEcs, INSTANCES_PER_WRITE, chunks } from "./drainEcs";
import {
    DrainNudge,
    DrainRequest,
    ExternalDrainRequest,
    LifecycleDrainRequest,
    MalformedDrainMessage,
    SWEEP_MESSAGE_INSTANCES,
    StopStandaloneRequest,
    SweepRequest,
    parseDrainMessage,
    redriveMessageBody,
    stopStandaloneBody,
    sweepCheckBody,
} from "./drainMessage";
import { instancesToConfirm } from "./drainNudge";
import { EcsBudgetExhausted, EcsBudgetSession } from "./ecsBudget";
import { laneFor } from "./ecsLane";
import { EmfMetric, emfLine } from "./emf";
import { awsLambdaRuntime, type CommandSender, type LambdaRuntime } from "./lambdaRuntime";
import { DEFAULT_RETRY_LIMITS, isThrottlingError, retryThrottled } from "./retry";

export interface DrainHandlerDeps {
    readonly ecs: CommandSender;
    readonly autoscaling: CommandSender;
    readonly sqs: CommandSender;
    readonly dynamodb: CommandSender;
    /** Writes one log line (EMF lines included). */
    readonly log: (line: string) => void;
    /** Epoch milliseconds. */
    readonly now: () => number;
    /** Backoff between throttled retries; defaults to a timer. */
    readonly sleep?: (ms: number) => Promise<void>;
    /** Uniform in [0, 1): backoff jitter and the spread of deferred work; defaults to Math.random. */
    readonly random?: () => number;
}

/** The drain settings plus the ECS request budget the handler keeps to. */
export interface DrainHandlerSettings extends DrainSettings {
    /** ECS requests within any one second, for every concurrent invocation together. */
    readonly ecsRequestsPerSecond: number;
}

export interface DrainHandlerConfig {
    readonly clusterName: string;
    /** The cluster's ARN: ECS events name their cluster by it. */
    readonly clusterArn: string;
    readonly autoScalingGroupName: string;
    /** The TERMINATING hook this pipeline serves (nudges and the sweep name it). */
    readonly lifecycleHookName: string;
    /** The drain queue: sweep messages and re-drives go there. */
    readonly queueUrl: string;
    /** The DynamoDB table that holds the ECS request budget's lane. */
    readonly budgetTableName: string;
    readonly settings: DrainHandlerSettings;
}

export interface SqsRecord {
    readonly messageId: string;
    readonly receiptHandle: string;
    readonly body: string;
    readonly attributes?: { readonly ApproximateReceiveCount?: string; readonly SentTimestamp?: string };
}

export interface SqsBatchResult {
    readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export interface SweepResult {
    /** Instances in Terminating:Wait sent to the queue to be checked. */
    readonly queued: number;
}

export const DRAIN_METRIC_NAMESPACE = "EcsLifecycle/Drain";
/** Redelivery delay after a poll that failed on throttling even after its retries. */
export const THROTTLED_REDELIVERY_SECONDS = 15;
/** Deferred nudges come back within this many seconds after the budget's next free slot. */
export const NUDGE_DEFERRAL_SPREAD_SECONDS = 2;
/** Deferred polls come back spread over this many seconds: under load they wait for one another. */
export const POLL_DEFERRAL_SPREAD_SECONDS = 10;
/** A nudge deferred this many times is let go: the drain's own poll covers it. */
export const NUDGE_MAX_RECEIVES = 5;
/** DescribeAutoScalingInstances: 50 instance ids per call. */
const INSTANCES_PER_ASG_DESCRIBE = 50;
const STANDALONE_STOP_REASON = "ecs-lifecycle: instance draining, standalone-task grace period over";
const NO_ACTIVE_LIFECYCLE_ACTION = /No active Lifecycle Action found/i;
/** Lifecycle states after which a TERMINATING action is over. */
// An array, not a Set: a module-level Set does not survive Lambda closure serialization.
const ACTION_OVER_STATES: readonly string[] = ["Terminating:Proceed", "Terminated", "Terminating:Retained"];

/** What a request of the batch leaves its message to do. */
type Outcome =
    | { readonly kind: "done" }
    | { readonly kind: "wait"; readonly delaySeconds: number }
    /** Come back after `afterMs`, spread over `spreadSeconds` (see deferralSeconds). */
    | { readonly kind: "defer"; readonly afterMs: number; readonly spreadSeconds: number }
    | { readonly kind: "retry"; readonly throttled: boolean };

/** A drain's start deferred again and again doubles its spread up to this many times. */
const DEFERRAL_DOUBLINGS = 3;

type DrivenRequest = LifecycleDrainRequest | ExternalDrainRequest;

/** A drain poll of one instance, from the request that drives it. */
interface Poll {
    readonly request: DrivenRequest;
    /** The request as decided on: a manual drain, which says nothing of when it was asked for, dates from its message. */
    readonly decideAs: DrivenRequest;
    instance?: ContainerInstanceState;
    decision?: DrainDecision;
}

function isNoActiveLifecycleAction(error: unknown): boolean {
    return (
        error instanceof Error &&
        error.name === "ValidationError" &&
        NO_ACTIVE_LIFECYCLE_ACTION.test(error.message)
    );
}

function isSqsEvent(event: unknown): event is { Records: SqsRecord[] } {
    return (
        typeof event === "object" && event !== null && Array.isArray((event as { Records?: unknown }).Records)
    );
}

function isScheduledEvent(event: unknown): boolean {
    return (
        typeof event === "object" &&
        event !== null &&
        (event as Record<string, unknown>)["detail-type"] === "Scheduled Event"
    );
}

/** Lifecycle actions outrank the sweep's re-drives, which outrank external drains. */
function rank(request: DrivenRequest): number {
    if (request.kind === "external") return 2;
    return request.origin === "autoscaling" ? 0 : 1;
}

/** An SQS-batch handler (`ReportBatchItemFailures`) that also runs the sweep on an EventBridge Scheduled Event. */
export function createDrainHandler(
    deps: DrainHandlerDeps,
    config: DrainHandlerConfig,
): (event: unknown) => Promise<SqsBatchResult | SweepResult> {
    const settings = validateDrainSettings(config.settings);
    const lane = laneFor(config.settings.ecsRequestsPerSecond);
    const random = deps.random ?? Math.random;
    const retry = {
        ...DEFAULT_RETRY_LIMITS,
        sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
        random,
    };
    const cluster = config.clusterName;
    const group = config.autoScalingGroupName;
    const nowSeconds = () => Math.floor(deps.now() / 1000);

    const send = <Output>(client: CommandSender, command: object) =>
        retryThrottled(() => client.send(command), retry) as Promise<Output>;

    function logJson(fields: Record<string, unknown>): void {
        deps.log(JSON.stringify(fields));
    }

    function metrics(values: Record<string, EmfMetric>): void {
        deps.log(
            emfLine({
                namespace: DRAIN_METRIC_NAMESPACE,
                timestamp: Math.floor(deps.now()),
                dimensions: { AutoScalingGroupName: group },
                metrics: values,
            }),
        );
    }

    const count = (name: string, value = 1) => metrics({ [name]: { value, unit: "Count" } });

    function context(request: DrivenRequest) {
        return {
            instanceId: request.instanceId,
            kind: request.kind,
            source: request.kind === "lifecycle" ? request.origin : request.source,
        };
    }

    function lifecycleActionTarget(request: LifecycleDrainRequest) {
        return {
            AutoScalingGroupName: request.autoScalingGroupName,
            LifecycleHookName: request.lifecycleHookName,
            InstanceId: request.instanceId,
            ...(request.lifecycleActionToken === undefined
                ? {}
                : { LifecycleActionToken: request.lifecycleActionToken }),
        };
    }

    /** The action of this group's hook on `instanceId`, named without its token. */
    function actionOf(instanceId: string) {
        return {
            AutoScalingGroupName: group,
            LifecycleHookName: config.lifecycleHookName,
            InstanceId: instanceId,
        };
    }

    /** Completes a lifecycle action; false when it was no longer active (a duplicate or a timeout got there first). */
    async function complete(target: ReturnType<typeof actionOf>, result: "CONTINUE" | "ABANDON") {
        try {
            await send(
                deps.autoscaling,
                new CompleteLifecycleActionCommand({ ...target, LifecycleActionResult: result }),
            );
            return true;
        } catch (error) {
            if (isNoActiveLifecycleAction(error)) return false;
            throw error;
        }
    }

    /** Heartbeats a lifecycle action; false when it was no longer active. */
    async function heartbeat(request: LifecycleDrainRequest): Promise<boolean> {
        try {
            await send(
                deps.autoscaling,
                new RecordLifecycleActionHeartbeatCommand(lifecycleActionTarget(request)),
            );
            return true;
        } catch (error) {
            if (isNoActiveLifecycleAction(error)) return false;
            throw error;
        }
    }

    /**
     * The redelivery delay of deferred work: after `afterMs`, spread over `spreadSeconds`, doubled
     * with each time it was deferred before (up to DEFERRAL_DOUBLINGS times), so work that waits
     * behind much other work comes back less often. Only a message younger than a poll interval
     * can tell: every receive of it so far was a deferral, none a poll's wait.
     */
    function deferralSeconds(outcome: { afterMs: number; spreadSeconds: number }, record: SqsRecord): number {
        const untilFree = Math.max(0, outcome.afterMs - deps.now()) / 1000;
        const sentAt = Number(record.attributes?.SentTimestamp ?? deps.now());
        const young = deps.now() - sentAt < settings.pollIntervalSeconds * 1000;
        const deferred = young ? Number(record.attributes?.ApproximateReceiveCount ?? "1") - 1 : 0;
        const spread = outcome.spreadSeconds * 2 ** Math.min(DEFERRAL_DOUBLINGS, Math.max(0, deferred));
        // Never later than a poll interval: a deferred poll is the fallback of a lost event.
        return Math.min(
            settings.pollIntervalSeconds,
            Math.ceil(untilFree) + 1 + Math.floor(random() * spread),
        );
    }

    /**
     * The outcome of work an error stopped: work the budget had no room for comes back after its
     * next free slot, throttled work soon, anything else after the queue's visibility timeout.
     */
    function failed(
        error: unknown,
        what: Record<string, unknown>,
        spreadSeconds = NUDGE_DEFERRAL_SPREAD_SECONDS,
    ): Outcome {
        if (error instanceof EcsBudgetExhausted) {
            count("BudgetDeferrals");
            return { kind: "defer", afterMs: error.retryAtMs, spreadSeconds };
        }
        const throttled = isThrottlingError(error);
        logJson({
            level: "error",
            message: throttled ? "throttled; left for redelivery" : "drain step failed; left for redelivery",
            error: String(error),
            ...what,
        });
        return { kind: "retry", throttled };
    }

    /**
     * Instance id → its group and lifecycle state (instances in no group are absent). Undefined
     * when Auto Scaling could not be asked (the batch then goes on without: every later step is
     * safe for an action already over).
     */
    async function autoScalingInstances(
        instanceIds: readonly string[],
    ): Promise<Map<string, { group: string; state: string }> | undefined> {
        const found = new Map<string, { group: string; state: string }>();
        try {
            for (const ids of chunks(instanceIds, INSTANCES_PER_ASG_DESCRIBE)) {
                const described = await send<DescribeAutoScalingInstancesCommandOutput>(
                    deps.autoscaling,
                    new DescribeAutoScalingInstancesCommand({ InstanceIds: ids }),
                );
                for (const instance of described.AutoScalingInstances ?? []) {
                    if (instance.InstanceId && instance.AutoScalingGroupName)
                        found.set(instance.InstanceId, {
                            group: instance.AutoScalingGroupName,
                            state: instance.LifecycleState ?? "",
                        });
                }
            }
            return found;
        } catch (error) {
            logJson({ level: "warn", message: "could not read lifecycle states", error: String(error) });
            return undefined;
        }
    }

    /** Instance id → its lifecycle state in this group (undefined as above). */
    async function lifecycleStates(instanceIds: readonly string[]): Promise<Map<string, string> | undefined> {
        const found = await autoScalingInstances(instanceIds);
        if (found === undefined) return undefined;
        return new Map([...found].filter(([, i]) => i.group === group).map(([id, i]) => [id, i.state]));
    }

    async function handleBatch(records: readonly SqsRecord[]): Promise<SqsBatchResult> {
        const budget = new EcsBudgetSession({
            dynamodb: deps.dynamodb,
            tableName: config.budgetTableName,
            laneKey: cluster,
            lane,
            now: deps.now,
        });
        const ecs = new DrainEcs(deps.ecs, cluster, budget);
        const outcomes = new Map<DrainRequest, Outcome>();
        const requestsOf = new Map<SqsRecord, DrainRequest[]>();
        const settle = (request: DrainRequest, outcome: Outcome) => outcomes.set(request, outcome);

        const sentAt = new Map<DrainRequest, number>();
        for (const record of records) {
            try {
                const requests = parseDrainMessage(record.body);
                requestsOf.set(record, requests);
                const sent = Number(record.attributes?.SentTimestamp ?? deps.now());
                for (const request of requests) sentAt.set(request, sent);
            } catch (error) {
                if (!(error instanceof MalformedDrainMessage)) throw error;
                logJson({
                    level: "warn",
                    message: "malformed drain message dropped",
                    reason: error.message,
                    messageId: record.messageId,
                });
                count("MalformedMessages");
                requestsOf.set(record, []);
            }
        }
        const all = [...requestsOf.values()].flat();

        const polls = pollsOf(all, sentAt, settle);
        await screenByAutoScaling(polls, settle);
        deferStartsBeyondOneWrite(polls, sentAt, settle);
        const sweeps = all.filter((request): request is SweepRequest => request.kind === "sweep");
        const sweepIds = await stillWaiting([
            ...new Set(sweeps.flatMap((sweep) => sweep.instanceIds).filter((id) => !polls.has(id))),
        ]);
        const nudges = all.filter((request): request is DrainNudge => request.kind === "nudge");
        const toConfirm = instancesToConfirm(nudges, config.clusterArn);
        for (const nudge of nudges)
            if (!toConfirm.includes(nudge.containerInstanceArn)) settle(nudge, { kind: "done" });

        // Reads, shared by the whole batch: the nudged instances first, they decide completions.
        const confirmed = await ecs.confirmInstances(toConfirm);
        const read = await ecs.readInstances([...polls.keys(), ...sweepIds]);
        const byInstanceId = new Map<string, ContainerInstanceState>();
        for (const instance of read.instances)
            if (instance.status !== "INACTIVE") byInstanceId.set(instance.ec2InstanceId, instance);
        if (confirmed.unread.length > 0) {
            const outcome = failed(confirmed.error, { step: "confirm nudged instances" });
            for (const nudge of nudges)
                if (confirmed.unread.includes(nudge.containerInstanceArn)) settle(nudge, outcome);
        }
        if (read.unread.length > 0) {
            const outcome = failed(
                read.error,
                { step: "read container instances" },
                POLL_DEFERRAL_SPREAD_SECONDS,
            );
            for (const id of read.unread) if (polls.has(id)) settle(polls.get(id)!.request, outcome);
            // A sweep none of whose instances was read comes back; one partly read lets the rest wait for the next.
            for (const sweep of sweeps)
                if (sweep.instanceIds.every((id) => polls.has(id) || read.unread.includes(id)))
                    settle(sweep, outcome);
        }

        // A poll that read its instance decides for it; a nudge completes the others.
        const polled = new Set([...polls.keys()].filter((id) => !read.unread.includes(id)));
        await completeNudged(nudges, confirmed.instances, polled, settle);
        // Nudged instances no longer registered: nothing to confirm.
        for (const nudge of nudges) if (!outcomes.has(nudge)) settle(nudge, { kind: "done" });
        await checkSweeps(
            sweeps,
            sweepIds.filter((id) => !read.unread.includes(id)),
            byInstanceId,
        );
        for (const sweep of sweeps) if (!outcomes.has(sweep)) settle(sweep, { kind: "done" });

        const now = nowSeconds();
        for (const poll of polls.values()) {
            if (outcomes.has(poll.request)) continue;
            poll.instance = byInstanceId.get(poll.request.instanceId);
            poll.decision = decideDrain({
                request: poll.decideAs,
                autoScalingGroupName: group,
                instance: poll.instance,
                now,
                recorded: poll.instance === undefined ? {} : readDrainRecord(poll.instance),
                settings,
            });
        }
        for (const request of all)
            if (request.kind === "stop-standalone") settle(request, await stopStandalone(request, ecs));
        const decided = [...polls.values()].filter((poll) => !outcomes.has(poll.request));
        await heartbeatDue(decided, settle);
        await writeDecisions(
            decided.filter((poll) => !outcomes.has(poll.request)),
            ecs,
            settle,
        );
        for (const poll of decided)
            if (!outcomes.has(poll.request)) settle(poll.request, await conclude(poll));
        await ecs.release();
        return finish(records, requestsOf, outcomes);
    }

    /** The batch's drain polls, one per instance: a duplicate of its driving request is let go. */
    function pollsOf(
        requests: readonly DrainRequest[],
        sentAt: ReadonlyMap<DrainRequest, number>,
        settle: (request: DrainRequest, outcome: Outcome) => void,
    ): Map<string, Poll> {
        const polls = new Map<string, Poll>();
        const letGo = (request: DrivenRequest, driver: DrivenRequest) => {
            logJson({
                level: "info",
                message:
                    driver.kind === "lifecycle" && request.kind === "external"
                        ? "drain request ignored: a lifecycle delivery is driving this drain"
                        : "duplicate drain request let go",
                ...context(request),
            });
            settle(request, { kind: "done" });
        };
        for (const request of requests) {
            if (request.kind === "nudge" || request.kind === "sweep" || request.kind === "stop-standalone")
                continue;
            const screened = screenRequest(request, group);
            if (screened.kind === "ignore") {
                logJson({
                    level: "info",
                    message: "drain request ignored",
                    reason: screened.reason,
                    kind: request.kind,
                });
                count("DrainsIgnored");
                settle(request, { kind: "done" });
                continue;
            }
            const driven = screened.request;
            const driving = polls.get(driven.instanceId);
            if (driving !== undefined && rank(driven) >= rank(driving.request)) {
                letGo(driven, driving.request);
                continue;
            }
            if (driving !== undefined) letGo(driving.request, driven);
            const sent = Math.floor((sentAt.get(request) ?? deps.now()) / 1000);
            const decideAs =
                driven.kind === "external" ? { ...driven, requestedAt: driven.requestedAt ?? sent } : driven;
            polls.set(driven.instanceId, { request: driven, decideAs });
        }
        return polls;
    }

    /**
     * A drain not yet started needs its instance set DRAINING, and one invocation gets about one
     * write from the budget after its reads (runtime/ecsLane.ts): messages younger than a poll
     * interval beyond the ten that one write covers come back later, unread.
     */
    function deferStartsBeyondOneWrite(
        polls: Map<string, Poll>,
        sentAt: ReadonlyMap<DrainRequest, number>,
        settle: (request: DrainRequest, outcome: Outcome) => void,
    ): void {
        const youngSince = deps.now() - settings.pollIntervalSeconds * 1000;
        const young = [...polls].filter(([, poll]) => (sentAt.get(poll.request) ?? 0) > youngSince);
        for (const [instanceId, poll] of young.slice(INSTANCES_PER_WRITE)) {
            settle(poll.request, {
                kind: "defer",
                afterMs: deps.now(),
                spreadSeconds: POLL_DEFERRAL_SPREAD_SECONDS,
            });
            polls.delete(instanceId);
        }
    }

    /** The sweep's instances still in Terminating:Wait (all of them when Auto Scaling cannot be asked). */
    async function stillWaiting(instanceIds: readonly string[]): Promise<string[]> {
        if (instanceIds.length === 0) return [];
        const states = await lifecycleStates(instanceIds);
        return instanceIds.filter((id) => states === undefined || states.get(id) === "Terminating:Wait");
    }

    /** Lifecycle actions already over need no poll; external drains of another group's instance are not ours. */
    async function screenByAutoScaling(
        polls: Map<string, Poll>,
        settle: (request: DrainRequest, outcome: Outcome) => void,
    ): Promise<void> {
        if (polls.size === 0) return;
        const found = await autoScalingInstances([...polls.keys()]);
        for (const [instanceId, poll] of polls) {
            const request = poll.request;
            if (found === undefined) {
                // An external drain must not touch an instance that may not be the group's.
                if (request.kind === "external") {
                    settle(request, { kind: "retry", throttled: true });
                    polls.delete(instanceId);
                }
                continue;
            }
            const owner = found.get(instanceId)?.group;
            const state = owner === group ? found.get(instanceId)?.state : undefined;
            if (request.kind === "lifecycle" && (state === undefined || ACTION_OVER_STATES.includes(state))) {
                logJson({
                    level: "info",
                    message: "lifecycle action already over",
                    lifecycleState: state ?? "not in the group",
                    ...context(request),
                });
                count("DrainPolls");
                settle(request, { kind: "done" });
                polls.delete(instanceId);
            } else if (request.kind === "external" && owner !== group) {
                // EventBridge rules match every instance of the account: another group's, or no
                // group's, interruption arrives here too and is not ours to drain.
                logJson({
                    level: "info",
                    message: "drain request ignored",
                    reason:
                        owner === undefined
                            ? `instance ${instanceId} is in no Auto Scaling group, not in ${group}`
                            : `instance ${instanceId} is in group ${owner}, not in ${group}`,
                    ...context(request),
                });
                count("DrainsIgnored");
                settle(request, { kind: "done" });
                polls.delete(instanceId);
            }
        }
    }

    /**
     * Completes the lifecycle actions of nudged instances the description shows DRAINING and
     * empty, those Auto Scaling has in Terminating:Wait (one DescribeAutoScalingInstances per 50:
     * events keep coming until an instance is gone, and a drain may have no lifecycle action).
     */
    async function completeNudged(
        nudges: readonly DrainNudge[],
        described: readonly ContainerInstanceState[],
        polled: ReadonlySet<string>,
        settle: (request: DrainRequest, outcome: Outcome) => void,
    ): Promise<void> {
        const empty = described.filter(
            (instance) =>
                instance.status === "DRAINING" &&
                holdsNothing(instance) &&
                !polled.has(instance.ec2InstanceId),
        );
        const states =
            empty.length > 0 ? await lifecycleStates(empty.map((i) => i.ec2InstanceId)) : undefined;
        for (const instance of described) {
            let outcome: Outcome = { kind: "done" };
            const waiting = states === undefined || states.get(instance.ec2InstanceId) === "Terminating:Wait";
            if (empty.includes(instance) && waiting) {
                try {
                    if (await complete(actionOf(instance.ec2InstanceId), "CONTINUE"))
                        reportNudgeCompletion(instance);
                } catch (error) {
                    outcome = failed(error, { instanceId: instance.ec2InstanceId });
                }
            }
            for (const nudge of nudges)
                if (nudge.containerInstanceArn === instance.containerInstanceArn) settle(nudge, outcome);
        }
    }

    function reportNudgeCompletion(instance: ContainerInstanceState): void {
        const startedAt = readDrainRecord(instance).drainStartedAt;
        const drainSeconds = startedAt === undefined ? undefined : nowSeconds() - startedAt;
        logJson({
            level: "info",
            message: "lifecycle action completed with CONTINUE",
            reason: "an ECS event showed the instance empty and its description agrees",
            drainSeconds,
            instanceId: instance.ec2InstanceId,
            source: "nudge",
        });
        metrics({
            DrainsContinued: { value: 1, unit: "Count" },
            DrainsCompletedByEvent: { value: 1, unit: "Count" },
            ...(drainSeconds === undefined
                ? {}
                : { DrainDurationSeconds: { value: drainSeconds, unit: "Seconds" } }),
        });
    }

    /** Sweep checks: no container instance → CONTINUE; a drain no delivery drives → re-driven. */
    async function checkSweeps(
        sweeps: readonly SweepRequest[],
        instanceIds: readonly string[],
        byInstanceId: ReadonlyMap<string, ContainerInstanceState>,
    ): Promise<void> {
        if (sweeps.length === 0) return;
        const now = nowSeconds();
        const redriven: string[] = [];
        const completed: string[] = [];
        for (const instanceId of instanceIds) {
            const instance = byInstanceId.get(instanceId);
            try {
                if (instance === undefined) {
                    if (await complete(actionOf(instanceId), "CONTINUE")) completed.push(instanceId);
                    continue;
                }
                if (!needsRedrive(instance, now, settings)) continue;
                const record = readDrainRecord(instance);
                await send(
                    deps.sqs,
                    new SendMessageCommand({
                        QueueUrl: config.queueUrl,
                        MessageBody: redriveMessageBody({
                            autoScalingGroupName: group,
                            lifecycleHookName: config.lifecycleHookName,
                            instanceId,
                            startedAt: record.drainStartedAt ?? now,
                        }),
                    }),
                );
                redriven.push(instanceId);
            } catch (error) {
                logJson({ level: "error", message: "sweep check failed", error: String(error), instanceId });
            }
        }
        logJson({ level: "info", message: "sweep done", checked: instanceIds.length, redriven, completed });
        metrics({
            SweepRedrives: { value: redriven.length, unit: "Count" },
            SweepCompletions: { value: completed.length, unit: "Count" },
        });
    }

    /** Heartbeats first: an action found no longer active ends its drain before anything is written for it. */
    async function heartbeatDue(
        polls: readonly Poll[],
        settle: (request: DrainRequest, outcome: Outcome) => void,
    ): Promise<void> {
        for (const poll of polls) {
            const request = poll.request;
            const due = poll.decision!.actions.some((action) => action.kind === "wait" && action.heartbeat);
            if (!due || request.kind !== "lifecycle") continue;
            try {
                if (await heartbeat(request)) continue;
                logJson({
                    level: "info",
                    message: "lifecycle action no longer active; drain over",
                    ...context(request),
                });
                count("DrainsIgnored");
                settle(request, { kind: "done" });
            } catch (error) {
                settle(request, failed(error, context(request)));
            }
        }
    }

    /**
     * The decisions' ECS writes, ten instances to a call: DRAINING (a poll whose instance could
     * not be set DRAINING comes back soon), the drain records (a record not written now is written
     * by a later poll: the decision finds it still differs), then standalone tasks stopped.
     */
    async function writeDecisions(
        polls: readonly Poll[],
        ecs: DrainEcs,
        settle: (request: DrainRequest, outcome: Outcome) => void,
    ): Promise<void> {
        const arn = (poll: Poll) => poll.instance!.containerInstanceArn;
        const stopped = new Set<Poll>();
        const stop = (members: readonly Poll[], error: unknown) => {
            const outcome = failed(
                error,
                { step: "write", instances: members.length },
                POLL_DEFERRAL_SPREAD_SECONDS,
            );
            for (const poll of members) {
                stopped.add(poll);
                settle(poll.request, outcome);
            }
        };
        const draining = polls.filter((poll) =>
            poll.decision!.actions.some((action) => action.kind === "setDraining"),
        );
        for (const unit of chunks(draining, INSTANCES_PER_WRITE)) {
            try {
                const failures = await ecs.setDraining(unit.map(arn));
                for (const poll of unit) {
                    // A failure (e.g. MISSING) shows on the next poll's read; the wait brings that poll.
                    const failure = failures.includes(arn(poll));
                    logJson({
                        level: failure ? "warn" : "info",
                        message: failure
                            ? "container instance could not be set DRAINING"
                            : "container instance set to DRAINING",
                        ...context(poll.request),
                    });
                    if (!failure) count("DrainsStarted");
                }
            } catch (error) {
                stop(unit, error);
            }
        }
        const recording = polls.filter((poll) => !stopped.has(poll) && poll.decision!.record !== undefined);
        for (const unit of chunks(recording, INSTANCES_PER_WRITE)) {
            try {
                await ecs.putAttributes(
                    DRAIN_ATTRIBUTE,
                    unit.map((poll) => [arn(poll), formatDrainRecord(poll.decision!.record!)]),
                );
            } catch (error) {
                if (!(error instanceof EcsBudgetExhausted)) stop(unit, error);
                else count("DrainRecordsPostponed", unit.length);
            }
        }
        for (const poll of polls) {
            const stops = poll.decision!.actions.some((action) => action.kind === "stopStandaloneTasks");
            if (!stops || stopped.has(poll)) continue;
            try {
                await send(
                    deps.sqs,
                    new SendMessageCommand({
                        QueueUrl: config.queueUrl,
                        MessageBody: stopStandaloneBody(poll.request.instanceId, arn(poll)),
                    }),
                );
            } catch (error) {
                stop([poll], error);
            }
        }
    }

    /** Stops the standalone tasks of one instance: its tasks listed and described, the standalone ones stopped. */
    async function stopStandalone(request: StopStandaloneRequest, ecs: DrainEcs): Promise<Outcome> {
        try {
            const taskArns = standaloneTasksToStop(
                await ecs.desiredRunningTasks(request.containerInstanceArn),
            );
            for (const task of taskArns) await ecs.stopTask(task, STANDALONE_STOP_REASON);
            logJson({
                level: "info",
                message: "standalone tasks stopped",
                taskArns,
                instanceId: request.instanceId,
            });
            return { kind: "done" };
        } catch (error) {
            // Those already stopped are not listed again: the next delivery goes on from there.
            return failed(error, { instanceId: request.instanceId }, POLL_DEFERRAL_SPREAD_SECONDS);
        }
    }

    /** A decided poll's final action, once its writes are done: wait, or complete / end the drain. */
    async function conclude(poll: Poll): Promise<Outcome> {
        const request = poll.request;
        const final = poll.decision!.actions.at(-1)!;
        try {
            switch (final.kind) {
                case "ignore":
                    logJson({
                        level: "info",
                        message: "drain request ignored",
                        reason: final.reason,
                        ...context(request),
                    });
                    count("DrainsIgnored");
                    return { kind: "done" };
                case "wait":
                    logJson({
                        level: "info",
                        message: "drain waiting",
                        reason: final.reason,
                        heartbeat: final.heartbeat,
                        delaySeconds: final.delaySeconds,
                        ...context(request),
                    });
                    count("DrainPolls");
                    return { kind: "wait", delaySeconds: final.delaySeconds };
                case "complete": {
                    if (request.kind !== "lifecycle")
                        throw new Error(`decideDrain completed an external drain of ${request.instanceId}`);
                    const completed = await complete(lifecycleActionTarget(request), final.result);
                    logJson({
                        level: final.result === "ABANDON" ? "warn" : "info",
                        message: completed
                            ? `lifecycle action completed with ${final.result}`
                            : "lifecycle action was already completed",
                        reason: final.reason,
                        drainSeconds: final.drainSeconds,
                        ...context(request),
                    });
                    metrics(
                        completed
                            ? {
                                  DrainPolls: { value: 1, unit: "Count" },
                                  DrainDurationSeconds: { value: final.drainSeconds, unit: "Seconds" },
                                  [final.result === "CONTINUE" ? "DrainsContinued" : "DrainsAbandoned"]: {
                                      value: 1,
                                      unit: "Count",
                                  },
                              }
                            : {
                                  DrainPolls: { value: 1, unit: "Count" },
                                  DrainsIgnored: { value: 1, unit: "Count" },
                              },
                    );
                    return { kind: "done" };
                }
                case "end":
                    logJson({
                        level: "info",
                        message: "external drain over",
                        reason: final.reason,
                        drainSeconds: final.drainSeconds,
                        ...context(request),
                    });
                    metrics({
                        DrainPolls: { value: 1, unit: "Count" },
                        DrainDurationSeconds: { value: final.drainSeconds, unit: "Seconds" },
                        DrainsEnded: { value: 1, unit: "Count" },
                    });
                    return { kind: "done" };
                default:
                    throw new Error(`decideDrain ended ${request.instanceId}'s actions with ${final.kind}`);
            }
        } catch (error) {
            return failed(error, context(request));
        }
    }

    /** Each message's fate from its requests': back after the shortest wait, or gone when all are done. */
    async function finish(
        records: readonly SqsRecord[],
        requestsOf: ReadonlyMap<SqsRecord, DrainRequest[]>,
        outcomes: ReadonlyMap<DrainRequest, Outcome>,
    ): Promise<SqsBatchResult> {
        const batchItemFailures: { itemIdentifier: string }[] = [];
        for (const record of records) {
            const requests = requestsOf.get(record) ?? [];
            let results = requests.map((request) => outcomes.get(request) ?? { kind: "done" as const });
            const receives = Number(record.attributes?.ApproximateReceiveCount ?? "1");
            if (requests.every((request) => request.kind === "nudge") && receives >= NUDGE_MAX_RECEIVES) {
                if (results.some((result) => result.kind !== "done")) count("NudgesLetGo");
                results = [];
            }
            if (results.every((result) => result.kind === "done")) continue;
            batchItemFailures.push({ itemIdentifier: record.messageId });
            const delays = results.flatMap((result) => {
                if (result.kind === "wait") return [result.delaySeconds];
                if (result.kind === "defer") return [deferralSeconds(result, record)];
                return result.kind === "retry" && result.throttled ? [THROTTLED_REDELIVERY_SECONDS] : [];
            });
            if (delays.length === 0) continue;
            try {
                await send(
                    deps.sqs,
                    new ChangeMessageVisibilityCommand({
                        QueueUrl: config.queueUrl,
                        ReceiptHandle: record.receiptHandle,
                        VisibilityTimeout: Math.min(...delays),
                    }),
                );
            } catch (error) {
                logJson({
                    level: "error",
                    message: "could not set the redelivery delay; the queue's visibility timeout applies",
                    error: String(error),
                    messageId: record.messageId,
                });
            }
        }
        return { batchItemFailures };
    }

    /** The scheduled sweep: the group's instances in Terminating:Wait, sent to the queue to be checked. */
    async function sweep(): Promise<SweepResult> {
        const waiting: string[] = [];
        let nextToken: string | undefined;
        do {
            const page = await send<DescribeAutoScalingGroupsCommandOutput>(
                deps.autoscaling,
                new DescribeAutoScalingGroupsCommand({
                    AutoScalingGroupNames: [group],
                    NextToken: nextToken,
                }),
            );
            for (const described of page.AutoScalingGroups ?? []) {
                for (const instance of described.Instances ?? [])
                    if (instance.LifecycleState === "Terminating:Wait" && instance.InstanceId)
                        waiting.push(instance.InstanceId);
            }
            nextToken = page.NextToken;
        } while (nextToken);
        const now = nowSeconds();
        for (const ids of chunks(waiting, SWEEP_MESSAGE_INSTANCES)) {
            await send(
                deps.sqs,
                new SendMessageCommand({ QueueUrl: config.queueUrl, MessageBody: sweepCheckBody(ids, now) }),
            );
        }
        logJson({ level: "info", message: "sweep queued", waiting: waiting.length });
        return { queued: waiting.length };
    }

    return async (event: unknown) => {
        if (isScheduledEvent(event)) return sweep();
        if (!isSqsEvent(event))
            throw new Error(
                `event: expected an SQS batch (Records) or an EventBridge Scheduled Event, got ${JSON.stringify(event).slice(0, 200)}`,
            );
        return handleBatch(event.Records);
    };
}

/**
 * The drain Lambda's body: serialized with `settings` captured by value; names known only at
 * deploy time come from the environment. Clients are made once per cold start, from `runtime`
 * (AWS Lambda's SDK v3 unless the simulated region passes its own).
 */
export function drainCallbackFactory(
    settings: DrainHandlerSettings,
    runtime: () => LambdaRuntime = awsLambdaRuntime,
): () => (event: unknown) => Promise<unknown> {
    return () => {
        const where = runtime();
        const env = process.env;
        return createDrainHandler(
            {
                ecs: where.client("ecs"),
                autoscaling: where.client("autoscaling"),
                sqs: where.client("sqs"),
                dynamodb: where.client("dynamodb"),
                log: (line: string) => console.log(line),
                now: () => Date.now(),
                sleep: (ms: number) => where.sleep(ms),
                random: () => where.random(),
            },
            {
                clusterName: env.CLUSTER_NAME ?? "",
                clusterArn: env.CLUSTER_ARN ?? "",
                autoScalingGroupName: env.AUTO_SCALING_GROUP_NAME ?? "",
                lifecycleHookName: env.LIFECYCLE_HOOK_NAME ?? "",
                queueUrl: env.QUEUE_URL ?? "",
                budgetTableName: env.ECS_BUDGET_TABLE ?? "",
                settings,
            },
        );
    };
}
