/**
 * The custom termination policy Lambda's adapter. Auto Scaling waits at most 2 s for an answer,
 * so ECS is asked as little and as parallel as possible, within a budget; past the budget the
 * answer is Auto Scaling's own suggestion (still a safe choice: every termination goes through
 * the drain hook), never a timeout, which would stall the scale-in. The limit is wall time from
 * Auto Scaling's request, and a cold start spends part of it before the handler runs (the runtime,
 * this module and the SDK load first): the first invocation of an environment counts its budget
 * from the start of the process, later ones from the handler's start.
 *
 * ECS calls for N candidates, all of a phase issued at once:
 * 1. ListContainerInstances with `filter: "ec2InstanceId in [i-…, i-…]"`: EC2 ids to container
 *    instance ARNs. The cluster query language documents 2000 characters as an expression's
 *    maximum length (stated for placement constraint expressions; ListContainerInstances'
 *    filter documents none, so the same bound is assumed). In the documented list syntax
 *    `[a, b]`, 17-hex-digit ids (19 characters) fit 94 to an expression, so this phase costs
 *    ⌈N/94⌉ calls; each answers in one page (≤ 100 ARNs). ARNs found are remembered for the
 *    life of the warm Lambda (an EC2 instance keeps its container instance), so later
 *    invocations skip this phase for known instances.
 * 2. DescribeContainerInstances, 100 ARNs per call: ⌈registered/100⌉ calls.
 * For 2,000 candidates: 22 + 20 = 42 calls cold (2.1 per 100), 20 warm (1 per 100).
 *
 * Non-daemon tasks = runningTasksCount + pendingTasksCount − daemon tasks. The API reference
 * counts tasks whose desired status is RUNNING in runningTasksCount, so a starting task then counts
 * twice; read by last status it counts once: either way an instance's count is never below its
 * work, so a busy instance is never taken for an idle one. Daemon services run
 * one task per instance, so the configured daemon families count one task each on every
 * registered instance; this avoids a ListTasks/DescribeTasks pair per instance (which would
 * break both the call budget and the 2 s limit). When a daemon task is missing from an instance
 * (a placement constraint excludes it, or it has not started), that instance's non-daemon count
 * is understated by one; the count is clamped at 0.
 */
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import type {
    ContainerInstance,
    DescribeContainerInstancesCommandOutput,
    ListContainerInstancesCommandOutput,
} from "@aws-sdk/client-ecs";
import { awsLambdaRuntime, type LambdaRuntime } from "./lambdaRuntime";
import { DEFAULT_RETRY_LIMITS, retryThrottled } from "./retry";
import {
    autoScalingSuggestion,
    candidateInstanceIds,
    chooseInstancesToTerminate,
    parseTerminationPayload,
    type InstanceFacts,
} from "./termination";

export type EcsTerminationCommand = ListContainerInstancesCommand | DescribeContainerInstancesCommand;

export interface TerminationHandlerDeps {
    /** An ECSClient, or anything that answers these commands as it does. */
    readonly ecs: { send(command: EcsTerminationCommand): Promise<unknown> };
    readonly log: (line: string) => void;
    /** Epoch ms; the handler's elapsed time is logged from it. */
    readonly now: () => number;
    /** Waits between throttled retries; defaults to a timer. */
    readonly sleep?: (ms: number) => Promise<void>;
    /** Uniform in [0, 1) for backoff jitter; defaults to Math.random. */
    readonly random?: () => number;
    /**
     * Epoch ms at which this environment's process started (before the module and the SDK
     * loaded): the first invocation's budget counts from it. Unset: from the handler's start.
     */
    readonly processStartedAt?: number;
}

export interface TerminationHandlerConfig {
    readonly clusterName: string;
    /** Families of the cluster's DAEMON services: one task of each runs on every instance. */
    readonly daemonTaskFamilies?: readonly string[];
    /** How long to wait for ECS before answering with Auto Scaling's suggestion (default 1500 ms, < the 2 s limit). */
    readonly budgetMs?: number;
}

/** The documented maximum length of a cluster query language expression. */
export const MAX_FILTER_LENGTH = 2000;
const DESCRIBE_BATCH = 100;
const DEFAULT_BUDGET_MS = 1500;
const AUTO_SCALING_LIMIT_MS = 2000;
/** Beyond this many remembered ARNs the memory is cleared: instance churn must not grow it forever. */
const MAX_REMEMBERED_ARNS = 10_000;

export function createTerminationHandler(
    deps: TerminationHandlerDeps,
    config: TerminationHandlerConfig,
): (payload: unknown) => Promise<{ InstanceIDs: string[] }> {
    if (typeof config.clusterName !== "string" || config.clusterName.length === 0) {
        throw new Error(
            `clusterName: expected a non-empty string, got ${JSON.stringify(config.clusterName)}`,
        );
    }
    const budgetMs = config.budgetMs ?? DEFAULT_BUDGET_MS;
    if (!Number.isFinite(budgetMs) || budgetMs <= 0 || budgetMs >= AUTO_SCALING_LIMIT_MS) {
        throw new Error(
            `budgetMs: expected a number of ms in (0, ${AUTO_SCALING_LIMIT_MS}), got ${config.budgetMs}`,
        );
    }
    const daemonTasksPerInstance = new Set(config.daemonTaskFamilies ?? []).size;
    const cluster = config.clusterName;
    const retry = {
        ...DEFAULT_RETRY_LIMITS,
        sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
        random: deps.random ?? Math.random,
    };
    const send = <T>(command: EcsTerminationCommand): Promise<T> =>
        retryThrottled(() => deps.ecs.send(command) as Promise<T>, retry);
    /** EC2 instance id → container instance ARN, for the life of the warm Lambda. */
    const knownArns = new Map<string, string>();
    /** Set until the first invocation: the cold start's share of that invocation's budget. */
    let coldStartedAt = deps.processStartedAt;

    /** Container instance ARNs of those of `instanceIds` that are registered (or were last time). */
    async function arnsOf(instanceIds: readonly string[]): Promise<Set<string>> {
        const arns = new Set<string>();
        const unknown: string[] = [];
        for (const id of instanceIds) {
            const known = knownArns.get(id);
            if (known === undefined) unknown.push(id);
            else arns.add(known);
        }
        const pages = await Promise.all(
            filterExpressions(unknown).map((filter) =>
                send<ListContainerInstancesCommandOutput>(
                    new ListContainerInstancesCommand({ cluster, filter, maxResults: DESCRIBE_BATCH }),
                ),
            ),
        );
        for (const page of pages) for (const arn of page.containerInstanceArns ?? []) arns.add(arn);
        return arns;
    }

    async function gatherFacts(instanceIds: readonly string[]): Promise<Map<string, InstanceFacts>> {
        const arns = [...(await arnsOf(instanceIds))];
        const outputs = await Promise.all(
            chunk(arns, DESCRIBE_BATCH).map((containerInstances) =>
                send<DescribeContainerInstancesCommandOutput>(
                    new DescribeContainerInstancesCommand({ cluster, containerInstances }),
                ),
            ),
        );
        const wanted = new Set(instanceIds);
        const facts = new Map<string, InstanceFacts>();
        for (const instance of outputs.flatMap((output) => output.containerInstances ?? [])) {
            const id = instance.ec2InstanceId;
            if (id === undefined || !wanted.has(id) || instance.containerInstanceArn === undefined) continue;
            if (instance.status === "INACTIVE") {
                knownArns.delete(id);
                continue;
            }
            if (knownArns.size >= MAX_REMEMBERED_ARNS) knownArns.clear();
            knownArns.set(id, instance.containerInstanceArn);
            facts.set(id, factsOf(instance, daemonTasksPerInstance));
        }
        for (const id of instanceIds) {
            if (!facts.has(id)) {
                knownArns.delete(id);
                facts.set(id, { registered: false });
            }
        }
        return facts;
    }

    return async (payload: unknown): Promise<{ InstanceIDs: string[] }> => {
        const startedAt = deps.now();
        const coldStartMs = coldStartedAt === undefined ? 0 : Math.max(0, startedAt - coldStartedAt);
        coldStartedAt = undefined;
        const parsed = parseTerminationPayload(payload);
        if (!parsed.ok) {
            deps.log(`termination policy: payload rejected, terminating none: ${parsed.reason}`);
            return { InstanceIDs: [] };
        }
        const candidates = candidateInstanceIds(parsed.payload);
        const remainingMs = budgetMs - coldStartMs;
        const outcome: Outcome<Map<string, InstanceFacts>> =
            remainingMs > 0 ? await withinBudget(gatherFacts(candidates), remainingMs) : { kind: "spent" };
        const elapsed = (): number => deps.now() - startedAt;
        if (outcome.kind !== "answered") {
            const suggestion = autoScalingSuggestion(parsed.payload);
            deps.log(
                `termination policy: ${fallbackReason(outcome, budgetMs, coldStartMs)}; Auto Scaling's suggestion: ${suggestion.join(",")}`,
            );
            return { InstanceIDs: suggestion };
        }
        const { InstanceIDs } = chooseInstancesToTerminate(parsed.payload, outcome.value);
        deps.log(
            `termination policy (${parsed.payload.Cause}, ${candidates.length} candidates, ${elapsed()} ms): ${InstanceIDs.map(
                (id) => `${id}[${describeFacts(outcome.value.get(id))}]`,
            ).join(",")}`,
        );
        return { InstanceIDs };
    };
}

/** `ec2InstanceId in [a, b, …]` expressions, each within MAX_FILTER_LENGTH, covering `instanceIds`. */
export function filterExpressions(instanceIds: readonly string[]): string[] {
    const prefix = "ec2InstanceId in [";
    const suffix = "]";
    const separator = ", ";
    const expressions: string[] = [];
    let batch: string[] = [];
    let length = prefix.length + suffix.length;
    for (const id of instanceIds) {
        const added = id.length + (batch.length > 0 ? separator.length : 0);
        // A filter of ≤ 100 ids answers in one page of ListContainerInstances.
        if (batch.length === DESCRIBE_BATCH || (batch.length > 0 && length + added > MAX_FILTER_LENGTH)) {
            expressions.push(prefix + batch.join(separator) + suffix);
            batch = [];
            length = prefix.length + suffix.length;
        }
        length += id.length + (batch.length > 0 ? separator.length : 0);
        batch.push(id);
    }
    if (batch.length > 0) expressions.push(prefix + batch.join(separator) + suffix);
    return expressions;
}

function factsOf(instance: ContainerInstance, daemonTasksPerInstance: number): InstanceFacts {
    const tasks = (instance.runningTasksCount ?? 0) + (instance.pendingTasksCount ?? 0);
    return {
        registered: true,
        status: instance.status,
        nonDaemonTasks: Math.max(0, tasks - daemonTasksPerInstance),
        launchedAt:
            instance.registeredAt === undefined ? undefined : new Date(instance.registeredAt).getTime(),
    };
}

function describeFacts(facts: InstanceFacts | undefined): string {
    if (facts === undefined || !facts.registered) return "not registered";
    return `${facts.status ?? "?"}, ${facts.nonDaemonTasks ?? "?"} tasks`;
}

type Outcome<T> =
    | { kind: "answered"; value: T }
    | { kind: "late" }
    | { kind: "failed"; error: string }
    /** The cold start used the whole budget: ECS was not asked. */
    | { kind: "spent" };

function fallbackReason(
    outcome: Exclude<Outcome<unknown>, { kind: "answered" }>,
    budgetMs: number,
    coldStartMs: number,
): string {
    switch (outcome.kind) {
        case "failed":
            return `ECS failed (${outcome.error})`;
        case "spent":
            return `a ${coldStartMs} ms cold start used the ${budgetMs} ms budget`;
        case "late":
            return coldStartMs > 0
                ? `ECS did not answer within ${budgetMs - coldStartMs} ms (${budgetMs} ms less a ${coldStartMs} ms cold start)`
                : `ECS did not answer within ${budgetMs} ms`;
    }
}

/** Races `work` against the budget; a late or failed answer is reported, never thrown. */
function withinBudget<T>(work: Promise<T>, budgetMs: number): Promise<Outcome<T>> {
    return new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ kind: "late" }), budgetMs);
        work.then(
            (value) => {
                clearTimeout(timer);
                resolve({ kind: "answered", value });
            },
            (error: unknown) => {
                clearTimeout(timer);
                resolve({
                    kind: "failed",
                    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
                });
            },
        );
    });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
    const chunks: T[][] = [];
    for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
    return chunks;
}

/** When this process started, as epoch ms: on Lambda, the start of the environment's init. */
export function lambdaProcessStartedAt(): number {
    return Date.now() - process.uptime() * 1000;
}

/**
 * The termination Lambda's body; the cluster name comes from the environment, the rest by value.
 * `processStartedAt` is read once per cold start, when the factory runs (in the simulated region,
 * which models no module load, the caller says how long the load took).
 */
export function terminationCallbackFactory(
    config: { daemonTaskFamilies: string[]; budgetMs: number },
    runtime: () => LambdaRuntime = awsLambdaRuntime,
    processStartedAt: () => number = lambdaProcessStartedAt,
): () => (payload: unknown) => Promise<unknown> {
    return () => {
        const startedAt = processStartedAt();
        const where = runtime();
        return createTerminationHandler(
            {
                ecs: where.client("ecs") as TerminationHandlerDeps["ecs"],
                log: (line: string) => console.log(line),
                now: () => Date.now(),
                sleep: (ms: number) => where.sleep(ms),
                random: () => where.random(),
                processStartedAt: startedAt,
            },
            {
                clusterName: process.env.CLUSTER_NAME ?? "",
                daemonTaskFamilies: config.daemonTaskFamilies,
                budgetMs: config.budgetMs,
            },
        );
    };
}
