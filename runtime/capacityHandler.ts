/**
 * The capacity Lambda's adapter. Its schedule's event (once a minute) only sends a message to the
 * evaluation queue, delayed to the evaluation second of the minute; the message, delivered by the
 * queue's event source mapping, makes it read the cluster from ECS, run `evaluateCapacity` and
 * publish ContainerCapacity and IdleHostCapacity as one EMF log line (stack/capacity.ts says why
 * that timing and why no ECS event triggers it). Every evaluation reads the whole cluster, so two
 * at once publish the same figures and are harmless.
 */
import {
    DescribeContainerInstancesCommand,
    DescribeServicesCommand,
    DescribeTaskDefinitionCommand,
    ListContainerInstancesCommand,
    ListServicesCommand,
} from "@aws-sdk/client-ecs";
import type {
    ContainerInstance,
    DescribeContainerInstancesCommandOutput,
    DescribeServicesCommandOutput,
    DescribeTaskDefinitionCommandOutput,
    ListContainerInstancesCommandOutput,
    ListServicesCommandOutput,
    Service,
} from "@aws-sdk/client-ecs";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { evaluationDelaySeconds } from "../stack/capacity";
import { evaluateCapacity, type CapacityResult } from "./capacity";
import { emfLine } from "./emf";
import { awsLambdaRuntime, type LambdaRuntime } from "./lambdaRuntime";
import { DEFAULT_RETRY_LIMITS, retryThrottled } from "./retry";
import { mergeTaskShapes, taskShapeOf, type TaskShape, type TaskShapeOverride } from "./taskShape";
import { describeValue } from "./describeValue";

export type EcsCapacityCommand =
    | ListContainerInstancesCommand
    | DescribeContainerInstancesCommand
    | ListServicesCommand
    | DescribeServicesCommand
    | DescribeTaskDefinitionCommand;

export interface CapacityHandlerDeps {
    /** An ECSClient, or anything that answers these commands as it does. */
    readonly ecs: { send(command: EcsCapacityCommand): Promise<unknown> };
    /** An SQSClient: the schedule's invocation sends the delayed evaluation message with it. */
    readonly sqs: { send(command: SendMessageCommand): Promise<unknown> };
    readonly log: (line: string) => void;
    /** Epoch ms, for the EMF timestamp. */
    readonly now: () => number;
    /** Waits between throttled retries; defaults to a timer. */
    readonly sleep?: (ms: number) => Promise<void>;
    /** Uniform in [0, 1) for backoff jitter; defaults to Math.random. */
    readonly random?: () => number;
}

export interface CapacityHandlerConfig {
    readonly clusterName: string;
    /** The evaluation queue, whose event source mapping is this function. */
    readonly evaluationQueueUrl: string;
    /** Shapes added to the services' task definitions; one named like a family replaces it. */
    readonly extraTaskShapes?: readonly TaskShapeOverride[];
    /** CloudWatch namespace of the metrics. */
    readonly namespace: string;
    /** Worst-case tasks that must still fit after a scale-in (default 1). */
    readonly minimumSpareTasks?: number;
    /**
     * The group's Availability Zones: the cluster's instances are then listed one zone per query,
     * the zones' pages read side by side (plus one query for any instance in none of them), instead
     * of one list whose pages must be read one after the other. None: one list.
     */
    readonly availabilityZones?: readonly string[];
}

export type CapacityHandlerResult =
    | {
          readonly outcome: "measured";
          readonly containerCapacity: number;
          readonly idleHostCapacity: number;
          readonly limitingResource: CapacityResult["limitingResource"];
          readonly worstCaseTask: string;
          readonly unplaceable?: string;
      }
    | { readonly outcome: "deferred"; readonly delaySeconds: number }
    | { readonly outcome: "malformed"; readonly reason: string }
    | { readonly outcome: "no-task-shapes" };

export const SCHEDULED_EVENT = "Scheduled Event";

/** ECS API page and batch sizes. */
const LIST_PAGE_SIZE = 100;
const DESCRIBE_INSTANCES_BATCH = 100;
const DESCRIBE_SERVICES_BATCH = 10;

export function createCapacityHandler(
    deps: CapacityHandlerDeps,
    config: CapacityHandlerConfig,
): (event: unknown) => Promise<CapacityHandlerResult> {
    if (typeof config.clusterName !== "string" || config.clusterName.length === 0) {
        throw new Error(
            `clusterName: expected a non-empty string, got ${JSON.stringify(config.clusterName)}`,
        );
    }
    if (typeof config.evaluationQueueUrl !== "string" || !/^https?:\/\/.+/.test(config.evaluationQueueUrl)) {
        throw new Error(
            `evaluationQueueUrl: expected an SQS queue URL, got ${JSON.stringify(config.evaluationQueueUrl)}`,
        );
    }
    if (typeof config.namespace !== "string" || config.namespace.length === 0) {
        throw new Error(`namespace: expected a non-empty string, got ${JSON.stringify(config.namespace)}`);
    }
    const extraTaskShapes = config.extraTaskShapes ?? [];
    // Fails now, naming the bad field, rather than on the first event.
    mergeTaskShapes([], extraTaskShapes);

    const retry = {
        ...DEFAULT_RETRY_LIMITS,
        sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
        random: deps.random ?? Math.random,
    };
    const send = <T>(command: EcsCapacityCommand): Promise<T> =>
        retryThrottled(() => deps.ecs.send(command) as Promise<T>, retry);
    const cluster = config.clusterName;
    /** Task definition ARN (with its revision, so immutable) → shape; lives as long as the warm Lambda. */
    const shapeCache = new Map<string, TaskShape>();

    async function listAll<T>(
        page: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string }>,
    ): Promise<T[]> {
        const items: T[] = [];
        let nextToken: string | undefined;
        do {
            const result = await page(nextToken);
            items.push(...result.items);
            nextToken = result.nextToken;
        } while (nextToken);
        return items;
    }

    /** One cluster query's container instances, every page. */
    function listInstanceArns(filter: string | undefined): Promise<string[]> {
        // No status filter: ECS then returns every state but INACTIVE, so DRAINING instances
        // (whose tasks still need a home) are seen.
        return listAll(async (nextToken) => {
            const output = await send<ListContainerInstancesCommandOutput>(
                new ListContainerInstancesCommand({
                    cluster,
                    maxResults: LIST_PAGE_SIZE,
                    nextToken,
                    ...(filter === undefined ? {} : { filter }),
                }),
            );
            return { items: output.containerInstanceArns ?? [], nextToken: output.nextToken };
        });
    }

    async function containerInstances(): Promise<ContainerInstance[]> {
        const arns = (await Promise.all(zoneQueries(config.availabilityZones).map(listInstanceArns))).flat();
        const batches = await Promise.all(
            chunk(arns, DESCRIBE_INSTANCES_BATCH).map((batch) =>
                send<DescribeContainerInstancesCommandOutput>(
                    new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }),
                ),
            ),
        );
        return batches.flatMap((output) => output.containerInstances ?? []);
    }

    async function services(): Promise<Service[]> {
        const arns = await listAll(async (nextToken) => {
            const output = await send<ListServicesCommandOutput>(
                new ListServicesCommand({ cluster, maxResults: LIST_PAGE_SIZE, nextToken }),
            );
            return { items: output.serviceArns ?? [], nextToken: output.nextToken };
        });
        const batches = await Promise.all(
            chunk(arns, DESCRIBE_SERVICES_BATCH).map((batch) =>
                send<DescribeServicesCommandOutput>(
                    new DescribeServicesCommand({ cluster, services: batch }),
                ),
            ),
        );
        return batches.flatMap((output) => output.services ?? []);
    }

    async function shapeOf(taskDefinitionArn: string): Promise<TaskShape> {
        const cached = shapeCache.get(taskDefinitionArn);
        if (cached !== undefined) return cached;
        const output = await send<DescribeTaskDefinitionCommandOutput>(
            new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }),
        );
        if (output.taskDefinition === undefined) {
            throw new Error(`DescribeTaskDefinition ${taskDefinitionArn}: the answer has no taskDefinition`);
        }
        const shape = taskShapeOf(output.taskDefinition);
        shapeCache.set(taskDefinitionArn, shape);
        return shape;
    }

    async function serviceShapes(): Promise<TaskShape[]> {
        const taskDefinitionArns = new Set<string>();
        for (const service of await services()) {
            if (!placesTasksOnInstances(service)) continue;
            // During a deployment both the old and the new revision place tasks.
            if (service.taskDefinition) taskDefinitionArns.add(service.taskDefinition);
            for (const deployment of service.deployments ?? []) {
                if (deployment.taskDefinition) taskDefinitionArns.add(deployment.taskDefinition);
            }
        }
        return Promise.all([...taskDefinitionArns].sort().map(shapeOf));
    }

    function metricLine(metrics: Record<string, number>): string {
        return emfLine({
            namespace: config.namespace,
            timestamp: deps.now(),
            dimensions: { ClusterName: cluster },
            metrics: Object.fromEntries(
                Object.entries(metrics).map(([name, value]) => [name, { value, unit: "Count" as const }]),
            ),
        });
    }

    return async (event: unknown): Promise<CapacityHandlerResult> => {
        const trigger = classifyEvent(event);
        if (trigger.kind === "malformed") {
            deps.log(`malformed event ignored: ${trigger.reason}`);
            deps.log(metricLine({ MalformedEvents: 1 }));
            return { outcome: "malformed", reason: trigger.reason };
        }
        if (trigger.kind === "schedule") {
            const delaySeconds = evaluationDelaySeconds(deps.now());
            await retryThrottled(
                () =>
                    deps.sqs.send(
                        new SendMessageCommand({
                            QueueUrl: config.evaluationQueueUrl,
                            MessageBody: JSON.stringify({
                                cluster,
                                scheduledAt: new Date(deps.now()).toISOString(),
                            }),
                            DelaySeconds: delaySeconds,
                        }),
                    ),
                retry,
            );
            return { outcome: "deferred", delaySeconds };
        }
        const [instances, fromServices] = await Promise.all([containerInstances(), serviceShapes()]);
        const shapes = mergeTaskShapes(fromServices, extraTaskShapes);
        if (shapes.length === 0) {
            deps.log(`cluster ${cluster}: no EC2 service and no configured task shape, nothing to measure`);
            return { outcome: "no-task-shapes" };
        }
        const result = evaluateCapacity(instances, shapes, { minimumSpareTasks: config.minimumSpareTasks });
        deps.log(
            metricLine({
                ContainerCapacity: result.containerCapacity,
                IdleHostCapacity: result.idleHostCapacity,
            }),
        );
        deps.log(summaryLine(cluster, trigger.kind, instances.length, result));
        return {
            outcome: "measured",
            containerCapacity: result.containerCapacity,
            idleHostCapacity: result.idleHostCapacity,
            limitingResource: result.limitingResource,
            worstCaseTask: result.worstCaseTask.name,
            ...(result.unplaceable === undefined ? {} : { unplaceable: result.unplaceable }),
        };
    };
}

/**
 * The cluster queries that together list every container instance: one per zone, and one for any
 * instance outside them (ECS's cluster query language: `attribute:ecs.availability-zone`, `in`,
 * `not_in`); a single unfiltered list when no zones are known.
 */
export function zoneQueries(zones: readonly string[] | undefined): (string | undefined)[] {
    if (zones === undefined || zones.length === 0) return [undefined];
    return [
        ...zones.map((zone) => `attribute:ecs.availability-zone == ${zone}`),
        `attribute:ecs.availability-zone not_in [${zones.join(", ")}]`,
    ];
}

type Trigger = { kind: "schedule" } | { kind: "queue" } | { kind: "malformed"; reason: string };

/** The schedule's event, or a batch from the evaluation queue: the only events the function expects. */
export function classifyEvent(event: unknown): Trigger {
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
        return {
            kind: "malformed",
            reason: `event: expected an EventBridge event or an SQS batch, got ${describeValue(event)}`,
        };
    }
    const envelope = event as Record<string, unknown>;
    if (envelope["detail-type"] === SCHEDULED_EVENT) return { kind: "schedule" };
    const records = envelope.Records;
    if (
        Array.isArray(records) &&
        records.length > 0 &&
        records.every((record) => (record as { eventSource?: unknown } | null)?.eventSource === "aws:sqs")
    ) {
        return { kind: "queue" };
    }
    return {
        kind: "malformed",
        reason:
            records === undefined
                ? `detail-type: expected "${SCHEDULED_EVENT}", got ${describeValue(envelope["detail-type"])}`
                : `Records: expected a non-empty list of aws:sqs records, got ${describeValue(records)}`,
    };
}

/** Fargate services and daemons never need a new slot on an existing instance. */
function placesTasksOnInstances(service: Service): boolean {
    return (
        service.status === "ACTIVE" &&
        service.launchType !== "FARGATE" &&
        service.schedulingStrategy !== "DAEMON"
    );
}

function summaryLine(
    cluster: string,
    trigger: string,
    instanceCount: number,
    result: CapacityResult,
): string {
    const parts = [
        `cluster ${cluster} (${trigger}, ${instanceCount} container instances):`,
        `ContainerCapacity=${result.containerCapacity}`,
        `IdleHostCapacity=${result.idleHostCapacity}`,
        `limitingResource=${result.limitingResource}`,
        `worstCaseTask=${result.worstCaseTask.name}`,
    ];
    if (result.unplaceable !== undefined) parts.push(`unplaceable: ${result.unplaceable}`);
    if (result.unknownInstanceTypes.length > 0) {
        parts.push(`ENI slots unknown for types ${result.unknownInstanceTypes.join(",")}`);
    }
    return parts.join(" ");
}

function chunk<T>(items: readonly T[], size: number): T[][] {
    const chunks: T[][] = [];
    for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
    return chunks;
}

/** The capacity Lambda's body; the cluster name, the evaluation queue and the group's zones come from the environment, the rest by value. */
export function capacityCallbackFactory(
    config: { minimumSpareTasks: number; namespace: string },
    runtime: () => LambdaRuntime = awsLambdaRuntime,
): () => (event: unknown) => Promise<unknown> {
    return () => {
        const where = runtime();
        return createCapacityHandler(
            {
                ecs: where.client("ecs") as CapacityHandlerDeps["ecs"],
                sqs: where.client("sqs") as CapacityHandlerDeps["sqs"],
                log: (line: string) => console.log(line),
                now: () => Date.now(),
                sleep: (ms: number) => where.sleep(ms),
                random: () => where.random(),
            },
            {
                clusterName: process.env.CLUSTER_NAME ?? "",
                evaluationQueueUrl: process.env.EVALUATION_QUEUE_URL ?? "",
                namespace: config.namespace,
                minimumSpareTasks: config.minimumSpareTasks,
                availabilityZones: (process.env.AVAILABILITY_ZONES ?? "")
                    .split(",")
                    .filter((zone) => zone !== ""),
            },
        );
    };
}
