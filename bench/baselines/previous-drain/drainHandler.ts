/*
 * The previous drain design's adapter, as it shipped before event-driven completion and the ECS
 * request budget (runtime/drainHandler.ts then); kept unchanged for the bench's comparison (design.ts).
 */
/**
 * The drain Lambda's adapter: reads what `decideDrain` needs through the SDK clients it is
 * given, carries its decision out, and turns "wait" into a delayed redelivery of the same SQS
 * message (ChangeMessageVisibility + a batch item failure), so it never sleeps to wait and never
 * sends to the queue that invoked it. The same handler runs the scheduled sweep, which re-drives
 * lifecycle actions in Terminating:Wait that no delivery is driving.
 *
 * API calls per poll depend on the instance's own tasks, never on the cluster's size: the
 * container instance is found with a `filter`, never by listing the cluster.
 */
import {
    DescribeContainerInstancesCommand,
    DescribeServicesCommand,
    DescribeTasksCommand,
    ListContainerInstancesCommand,
    ListTasksCommand,
    PutAttributesCommand,
    StopTaskCommand,
    UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import type {
    DescribeContainerInstancesCommandOutput,
    DescribeServicesCommandOutput,
    DescribeTasksCommandOutput,
    ListContainerInstancesCommandOutput,
    ListTasksCommandOutput,
    UpdateContainerInstancesStateCommandOutput,
} from "@aws-sdk/client-ecs";
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
    DRAIN_ATTRIBUTES,
    DrainAction,
    DrainRecordUpdate,
    DrainSettings,
    TaskState,
    decideDrain,
    isDrivenByDelivery,
    readDrainRecord,
    screenRequest,
    validateDrainSettings,
} from "./drain";
import {
    DrainRequest,
    ExternalDrainRequest,
    LifecycleDrainRequest,
    MalformedDrainMessage,
    parseDrainMessage,
    sweepMessageBody,
} from "./drainMessage";
import { EmfMetric, emfLine } from "../../../runtime/emf";
import { awsLambdaRuntime, type CommandSender, type LambdaRuntime } from "../../../runtime/lambdaRuntime";
import { DEFAULT_RETRY_LIMITS, isThrottlingError, retryThrottled } from "../../../runtime/retry";

export interface DrainHandlerDeps {
    readonly ecs: CommandSender;
    readonly autoscaling: CommandSender;
    readonly sqs: CommandSender;
    /** Writes one log line (EMF lines included). */
    readonly log: (line: string) => void;
    /** Epoch milliseconds. */
    readonly now: () => number;
    /** Backoff between throttled retries; defaults to a timer. */
    readonly sleep?: (ms: number) => Promise<void>;
    /** Jitter source in [0, 1); defaults to Math.random. */
    readonly random?: () => number;
}

export interface DrainHandlerConfig {
    readonly clusterName: string;
    readonly autoScalingGroupName: string;
    /** The TERMINATING hook this pipeline serves (the sweep names it when it re-drives). */
    readonly lifecycleHookName: string;
    /** The drain queue: the sweep's re-drives go there. */
    readonly queueUrl: string;
    readonly settings: DrainSettings;
}

export interface SqsRecord {
    readonly messageId: string;
    readonly receiptHandle: string;
    readonly body: string;
}

export interface SqsBatchResult {
    readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export interface SweepResult {
    /** Instances whose lifecycle action was re-driven through the queue. */
    readonly redriven: string[];
    /** Instances with no container instance, completed with CONTINUE. */
    readonly completed: string[];
}

export const DRAIN_METRIC_NAMESPACE = "EcsLifecycle/Drain";
/** Redelivery delay after a poll that failed on throttling even after its retries. */
export const THROTTLED_REDELIVERY_SECONDS = 15;
const ECS_PAGE_SIZE = 100;
const DESCRIBE_SERVICES_LIMIT = 10;
const NO_ACTIVE_LIFECYCLE_ACTION = /No active Lifecycle Action found/i;

/** What one request's poll leaves its message to do. */
type PollOutcome =
    | { readonly kind: "done" }
    | { readonly kind: "wait"; readonly delaySeconds: number }
    | { readonly kind: "retry"; readonly throttled: boolean };

/** A described container instance with the EC2 instance it runs on (the sweep needs it). */
interface DescribedInstance extends ContainerInstanceState {
    readonly ec2InstanceId: string | undefined;
}

interface InstanceView {
    readonly instance: ContainerInstanceState | undefined;
    readonly tasks: TaskState[];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
    const result: T[][] = [];
    for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
    return result;
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

/** An SQS-batch handler (`ReportBatchItemFailures`) that also runs the sweep on an EventBridge Scheduled Event. */
export function createDrainHandler(
    deps: DrainHandlerDeps,
    config: DrainHandlerConfig,
): (event: unknown) => Promise<SqsBatchResult | SweepResult> {
    const settings = validateDrainSettings(config.settings);
    const retry = {
        ...DEFAULT_RETRY_LIMITS,
        sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
        random: deps.random ?? Math.random,
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

    async function listTaskArns(
        containerInstance: string,
        desiredStatus: "RUNNING" | "STOPPED",
    ): Promise<string[]> {
        const arns: string[] = [];
        let nextToken: string | undefined;
        do {
            const page = await send<ListTasksCommandOutput>(
                deps.ecs,
                new ListTasksCommand({
                    cluster,
                    containerInstance,
                    desiredStatus,
                    maxResults: ECS_PAGE_SIZE,
                    nextToken,
                }),
            );
            arns.push(...(page.taskArns ?? []));
            nextToken = page.nextToken;
        } while (nextToken);
        return arns;
    }

    async function daemonServices(serviceNames: string[]): Promise<Set<string>> {
        const daemons = new Set<string>();
        for (const names of chunks(serviceNames, DESCRIBE_SERVICES_LIMIT)) {
            const described = await send<DescribeServicesCommandOutput>(
                deps.ecs,
                new DescribeServicesCommand({ cluster, services: names }),
            );
            for (const service of described.services ?? []) {
                if (service.schedulingStrategy === "DAEMON" && service.serviceName)
                    daemons.add(service.serviceName);
            }
        }
        return daemons;
    }

    /** The tasks on the instance that are not STOPPED: desired RUNNING, and desired STOPPED but still stopping. */
    async function unstoppedTasks(containerInstanceArn: string): Promise<TaskState[]> {
        const arns = [
            ...(await listTaskArns(containerInstanceArn, "RUNNING")),
            ...(await listTaskArns(containerInstanceArn, "STOPPED")),
        ];
        const described = [];
        for (const tasks of chunks(arns, ECS_PAGE_SIZE)) {
            const page = await send<DescribeTasksCommandOutput>(
                deps.ecs,
                new DescribeTasksCommand({ cluster, tasks }),
            );
            described.push(...(page.tasks ?? []).filter((task) => task.lastStatus !== "STOPPED"));
        }
        const serviceNames = [
            ...new Set(
                described
                    .map((task) => task.group)
                    .filter((name): name is string => name?.startsWith("service:") === true),
            ),
        ].map((name) => name.slice("service:".length));
        const daemons = serviceNames.length > 0 ? await daemonServices(serviceNames) : new Set<string>();
        return described.map((task) => ({
            taskArn: task.taskArn ?? "",
            lastStatus: task.lastStatus ?? "UNKNOWN",
            desiredStatus: task.desiredStatus ?? "UNKNOWN",
            group: task.group,
            daemon:
                task.group !== undefined &&
                task.group.startsWith("service:") &&
                daemons.has(task.group.slice("service:".length)),
        }));
    }

    async function findContainerInstanceArn(instanceId: string): Promise<string | undefined> {
        const listed = await send<ListContainerInstancesCommandOutput>(
            deps.ecs,
            new ListContainerInstancesCommand({ cluster, filter: `ec2InstanceId == ${instanceId}` }),
        );
        return listed.containerInstanceArns?.[0];
    }

    async function describeContainerInstances(arns: string[]): Promise<DescribedInstance[]> {
        const states: DescribedInstance[] = [];
        for (const containerInstances of chunks(arns, ECS_PAGE_SIZE)) {
            const described = await send<DescribeContainerInstancesCommandOutput>(
                deps.ecs,
                new DescribeContainerInstancesCommand({ cluster, containerInstances }),
            );
            for (const found of described.containerInstances ?? []) {
                const attributes: Record<string, string> = {};
                for (const attribute of found.attributes ?? [])
                    if (attribute.name && attribute.value !== undefined)
                        attributes[attribute.name] = attribute.value;
                states.push({
                    containerInstanceArn: found.containerInstanceArn ?? "",
                    ec2InstanceId: found.ec2InstanceId,
                    status: found.status ?? "UNKNOWN",
                    agentConnected: found.agentConnected ?? false,
                    runningTasksCount: found.runningTasksCount ?? 0,
                    pendingTasksCount: found.pendingTasksCount ?? 0,
                    attributes,
                });
            }
        }
        return states;
    }

    /** Why an external request's instance is not this group's to drain; undefined when it is. */
    async function notInThisGroup(instanceId: string): Promise<string | undefined> {
        const described = await send<DescribeAutoScalingInstancesCommandOutput>(
            deps.autoscaling,
            new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
        );
        const owner = described.AutoScalingInstances?.[0]?.AutoScalingGroupName;
        if (owner === group) return undefined;
        return owner === undefined
            ? `instance ${instanceId} is in no Auto Scaling group, not in ${group}`
            : `instance ${instanceId} is in group ${owner}, not in ${group}`;
    }

    async function view(instanceId: string): Promise<InstanceView> {
        const arn = await findContainerInstanceArn(instanceId);
        if (arn === undefined) return { instance: undefined, tasks: [] };
        const [instance] = await describeContainerInstances([arn]);
        if (instance === undefined) return { instance: undefined, tasks: [] };
        return { instance, tasks: await unstoppedTasks(arn) };
    }

    async function writeRecord(containerInstanceArn: string, update: DrainRecordUpdate): Promise<void> {
        const stamps: [string, number | undefined][] = [
            [DRAIN_ATTRIBUTES.startedAt, update.drainStartedAt],
            [DRAIN_ATTRIBUTES.polledAt, update.polledAt],
            [DRAIN_ATTRIBUTES.heartbeatAt, update.heartbeatAt],
        ];
        const attributes = stamps
            .filter((stamp): stamp is [string, number] => stamp[1] !== undefined)
            .map(([name, value]) => ({
                name,
                value: String(value),
                targetType: "container-instance" as const,
                targetId: containerInstanceArn,
            }));
        await send(deps.ecs, new PutAttributesCommand({ cluster, attributes }));
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

    /** Completes a lifecycle action; false when it was no longer active (a duplicate or a timeout got there first). */
    async function complete(
        target: ReturnType<typeof lifecycleActionTarget>,
        result: "CONTINUE" | "ABANDON",
    ): Promise<boolean> {
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

    async function carryOut(
        request: LifecycleDrainRequest | ExternalDrainRequest,
        actions: readonly DrainAction[],
        instance: ContainerInstanceState | undefined,
        recordUpdate: DrainRecordUpdate | undefined,
    ): Promise<PollOutcome> {
        const containerInstanceArn = () => {
            if (instance === undefined)
                throw new Error(`decideDrain acted on ${request.instanceId} without a container instance`);
            return instance.containerInstanceArn;
        };
        // The heartbeat goes first: it proves the lifecycle action is still active before
        // anything (DRAINING, StopTask) is done on its behalf.
        const context = {
            instanceId: request.instanceId,
            kind: request.kind,
            source: request.kind === "lifecycle" ? request.origin : request.source,
        };
        const heartbeatDue = actions.some((action) => action.kind === "wait" && action.heartbeat);
        if (heartbeatDue && request.kind === "lifecycle" && !(await heartbeat(request))) {
            logJson({ level: "info", message: "lifecycle action no longer active; drain over", ...context });
            metrics({ DrainsIgnored: { value: 1, unit: "Count" } });
            return { kind: "done" };
        }
        for (const action of actions) {
            switch (action.kind) {
                case "ignore":
                    logJson({
                        level: "info",
                        message: "drain request ignored",
                        reason: action.reason,
                        ...context,
                    });
                    metrics({ DrainsIgnored: { value: 1, unit: "Count" } });
                    return { kind: "done" };
                case "setDraining": {
                    const updated = await send<UpdateContainerInstancesStateCommandOutput>(
                        deps.ecs,
                        new UpdateContainerInstancesStateCommand({
                            cluster,
                            containerInstances: [containerInstanceArn()],
                            status: "DRAINING",
                        }),
                    );
                    // A failure here (e.g. MISSING) shows on the next poll's read; the wait below brings that poll.
                    const failures = updated.failures ?? [];
                    logJson({
                        level: failures.length > 0 ? "warn" : "info",
                        message: "container instance set to DRAINING",
                        failures,
                        ...context,
                    });
                    if (failures.length === 0) metrics({ DrainsStarted: { value: 1, unit: "Count" } });
                    break;
                }
                case "stopStandaloneTasks":
                    for (const task of action.taskArns) {
                        await send(
                            deps.ecs,
                            new StopTaskCommand({
                                cluster,
                                task,
                                reason: "ecs-lifecycle: instance draining, standalone-task grace period over",
                            }),
                        );
                    }
                    logJson({
                        level: "info",
                        message: "standalone tasks stopped",
                        taskArns: action.taskArns,
                        ...context,
                    });
                    break;
                case "wait":
                    if (recordUpdate !== undefined) await writeRecord(containerInstanceArn(), recordUpdate);
                    logJson({
                        level: "info",
                        message: "drain waiting",
                        reason: action.reason,
                        heartbeat: action.heartbeat,
                        delaySeconds: action.delaySeconds,
                        ...context,
                    });
                    metrics({ DrainPolls: { value: 1, unit: "Count" } });
                    return { kind: "wait", delaySeconds: action.delaySeconds };
                case "complete": {
                    if (request.kind !== "lifecycle")
                        throw new Error(`decideDrain completed an external drain of ${request.instanceId}`);
                    const completed = await complete(lifecycleActionTarget(request), action.result);
                    logJson({
                        level: action.result === "ABANDON" ? "warn" : "info",
                        message: completed
                            ? `lifecycle action completed with ${action.result}`
                            : "lifecycle action was already completed",
                        reason: action.reason,
                        drainSeconds: action.drainSeconds,
                        ...context,
                    });
                    metrics(
                        completed
                            ? {
                                  DrainPolls: { value: 1, unit: "Count" },
                                  DrainDurationSeconds: { value: action.drainSeconds, unit: "Seconds" },
                                  [action.result === "CONTINUE" ? "DrainsContinued" : "DrainsAbandoned"]: {
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
                        reason: action.reason,
                        drainSeconds: action.drainSeconds,
                        ...context,
                    });
                    metrics({
                        DrainPolls: { value: 1, unit: "Count" },
                        DrainDurationSeconds: { value: action.drainSeconds, unit: "Seconds" },
                        DrainsEnded: { value: 1, unit: "Count" },
                    });
                    return { kind: "done" };
            }
        }
        throw new Error(`decideDrain returned no final action for ${request.instanceId}`);
    }

    async function poll(request: DrainRequest): Promise<PollOutcome> {
        const screened = screenRequest(request, group);
        if (screened.kind === "ignore") {
            logJson({
                level: "info",
                message: "drain request ignored",
                reason: screened.reason,
                kind: request.kind,
            });
            metrics({ DrainsIgnored: { value: 1, unit: "Count" } });
            return { kind: "done" };
        }
        const drain = screened.request;
        try {
            // EventBridge rules match every instance of the account: another group's, or no
            // group's, interruption arrives here too and is not ours to drain.
            const elsewhere = drain.kind === "external" ? await notInThisGroup(drain.instanceId) : undefined;
            if (elsewhere !== undefined) {
                logJson({
                    level: "info",
                    message: "drain request ignored",
                    reason: elsewhere,
                    kind: drain.kind,
                    source: drain.kind === "external" ? drain.source : drain.origin,
                    instanceId: drain.instanceId,
                });
                metrics({ DrainsIgnored: { value: 1, unit: "Count" } });
                return { kind: "done" };
            }
            const { instance, tasks } = await view(drain.instanceId);
            const now = nowSeconds();
            const recorded = instance === undefined ? {} : readDrainRecord(instance);
            const decision = decideDrain({
                request: drain,
                autoScalingGroupName: group,
                instance,
                tasks,
                now,
                recorded,
                settings,
            });
            return await carryOut(drain, decision.actions, instance, decision.recordUpdate);
        } catch (error) {
            const throttled = isThrottlingError(error);
            logJson({
                level: "error",
                message: throttled
                    ? "throttled after retries; left for redelivery"
                    : "drain poll failed; left for redelivery",
                error: String(error),
                instanceId: drain.instanceId,
            });
            return { kind: "retry", throttled };
        }
    }

    /** Returns true when the message must come back (a batch item failure). */
    async function handleRecord(record: SqsRecord): Promise<boolean> {
        let requests: DrainRequest[];
        try {
            requests = parseDrainMessage(record.body);
        } catch (error) {
            if (!(error instanceof MalformedDrainMessage)) throw error;
            logJson({
                level: "warn",
                message: "malformed drain message dropped",
                reason: error.message,
                messageId: record.messageId,
            });
            metrics({ MalformedMessages: { value: 1, unit: "Count" } });
            return false;
        }
        const outcomes: PollOutcome[] = [];
        for (const request of requests) outcomes.push(await poll(request));
        const delays = outcomes.flatMap((outcome) =>
            outcome.kind === "wait"
                ? [outcome.delaySeconds]
                : outcome.kind === "retry" && outcome.throttled
                  ? [THROTTLED_REDELIVERY_SECONDS]
                  : [],
        );
        const mustReturn = outcomes.some((outcome) => outcome.kind !== "done");
        if (delays.length > 0) {
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
        return mustReturn;
    }

    async function sweep(): Promise<SweepResult> {
        const now = nowSeconds();
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

        const completed: string[] = [];
        const registered: string[] = [];
        for (const instanceId of waiting) {
            const arn = await findContainerInstanceArn(instanceId);
            if (arn !== undefined) {
                registered.push(arn);
                continue;
            }
            if (
                await complete(
                    {
                        AutoScalingGroupName: group,
                        LifecycleHookName: config.lifecycleHookName,
                        InstanceId: instanceId,
                    },
                    "CONTINUE",
                )
            )
                completed.push(instanceId);
        }
        const redriven: string[] = [];
        for (const instance of await describeContainerInstances(registered)) {
            const record = readDrainRecord(instance);
            const instanceId = instance.ec2InstanceId;
            if (instanceId === undefined || isDrivenByDelivery(record, now, settings)) continue;
            const body = sweepMessageBody({
                autoScalingGroupName: group,
                lifecycleHookName: config.lifecycleHookName,
                instanceId,
                startedAt: record.drainStartedAt ?? now,
            });
            await send(deps.sqs, new SendMessageCommand({ QueueUrl: config.queueUrl, MessageBody: body }));
            redriven.push(instanceId);
        }
        logJson({ level: "info", message: "sweep done", waiting: waiting.length, redriven, completed });
        metrics({
            SweepRedrives: { value: redriven.length, unit: "Count" },
            SweepCompletions: { value: completed.length, unit: "Count" },
        });
        return { redriven, completed };
    }

    return async (event: unknown) => {
        if (isScheduledEvent(event)) return sweep();
        if (!isSqsEvent(event))
            throw new Error(
                `event: expected an SQS batch (Records) or an EventBridge Scheduled Event, got ${JSON.stringify(event).slice(0, 200)}`,
            );
        const batchItemFailures: { itemIdentifier: string }[] = [];
        for (const record of event.Records) {
            if (await handleRecord(record)) batchItemFailures.push({ itemIdentifier: record.messageId });
        }
        return { batchItemFailures };
    };
}

/**
 * The drain Lambda's body: serialized with `settings` captured by value; names known only at
 * deploy time come from the environment. Clients are made once per cold start, from `runtime`
 * (AWS Lambda's SDK v3 unless the simulated region passes its own).
 */
export function drainCallbackFactory(
    settings: DrainSettings,
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
                log: (line: string) => console.log(line),
                now: () => Date.now(),
                sleep: (ms: number) => where.sleep(ms),
                random: () => where.random(),
            },
            {
                clusterName: env.CLUSTER_NAME ?? "",
                autoScalingGroupName: env.AUTO_SCALING_GROUP_NAME ?? "",
                lifecycleHookName: env.LIFECYCLE_HOOK_NAME ?? "",
                queueUrl: env.QUEUE_URL ?? "",
                settings,
            },
        );
    };
}
