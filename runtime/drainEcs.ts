/**
 * The drain Lambda's ECS calls, each shared by as many instances as the API takes and each paid
 * for by the ECS request budget (runtime/ecsBudget.ts) before it is made: reading up to 50
 * instances (ListContainerInstances and DescribeContainerInstances, granted together), confirming
 * up to 100 nudged ones (DescribeContainerInstances, urgent), writing up to 10 (DRAINING, their
 * drain records). An invocation's first grant is fresh work, granted only on a free lane; its
 * later ones queue behind it. A call the budget has no room for is not made: EcsBudgetExhausted
 * says when to come back. A throttled call is not retried here either (a retry is one more
 * request): the caller leaves its work for later.
 */
import {
    DescribeContainerInstancesCommand,
    DescribeTasksCommand,
    ListContainerInstancesCommand,
    ListTasksCommand,
    PutAttributesCommand,
    StopTaskCommand,
    UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import type {
    ContainerInstance,
    DescribeContainerInstancesCommandOutput,
    DescribeTasksCommandOutput,
    ListContainerInstancesCommandOutput,
    ListTasksCommandOutput,
    Resource,
    UpdateContainerInstancesStateCommandOutput,
} from "@aws-sdk/client-ecs";
import type { ContainerInstanceState, TaskState } from "./drain";
import { EcsBudgetExhausted, type EcsBudgetSession } from "./ecsBudget";
import type { CommandSender } from "./lambdaRuntime";

/**
 * EC2 instance ids per ListContainerInstances filter (`ec2InstanceId in [i-…, …]`, 21 characters
 * each). The cluster query language documents no length limit; placement expressions, written in
 * it, take 2,000 characters (ECS API reference, "PlacementConstraint"): 50 ids stay well inside.
 */
export const IDS_PER_FILTER = 50;
/** DescribeContainerInstances, DescribeTasks and ListTasks pages: 100 items. */
export const ECS_PAGE_SIZE = 100;
/**
 * Instances per write unit: UpdateContainerInstancesState takes 10 container instances and
 * PutAttributes 10 attributes per call (ECS API reference), one attribute per instance here.
 */
export const INSTANCES_PER_WRITE = 10;

export function chunks<T>(items: readonly T[], size: number): T[][] {
    const result: T[][] = [];
    for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
    return result;
}

function integerResource(resources: Resource[] | undefined, name: string): number {
    return resources?.find((resource) => resource.name === name)?.integerValue ?? 0;
}

function instanceState(found: ContainerInstance): ContainerInstanceState {
    const attributes: Record<string, string> = {};
    for (const attribute of found.attributes ?? [])
        if (attribute.name && attribute.value !== undefined) attributes[attribute.name] = attribute.value;
    const held = (name: string) =>
        integerResource(found.registeredResources, name) - integerResource(found.remainingResources, name);
    return {
        containerInstanceArn: found.containerInstanceArn ?? "",
        ec2InstanceId: found.ec2InstanceId ?? "",
        status: found.status ?? "UNKNOWN",
        agentConnected: found.agentConnected ?? false,
        runningTasksCount: found.runningTasksCount ?? 0,
        pendingTasksCount: found.pendingTasksCount ?? 0,
        heldCpu: held("CPU"),
        heldMemory: held("MEMORY"),
        attributes,
    };
}

/** What a multi-unit read came to: the instances read, and what is left unread when a unit could not run. */
export interface ReadResult {
    readonly instances: ContainerInstanceState[];
    /** EC2 instance ids (readInstances) or container instance ARNs (confirmInstances) not read. */
    readonly unread: string[];
    /** Why they were not: EcsBudgetExhausted, throttling, or another error. */
    readonly error?: unknown;
}

export class DrainEcs {
    /** Whether this invocation holds the lane already: its next grants are continuations. */
    private holding: boolean;

    // Fields are set here, not by initializers: Pulumi's closure serialization drops those.
    constructor(
        private readonly ecs: CommandSender,
        private readonly cluster: string,
        private readonly budget: EcsBudgetSession,
    ) {
        this.holding = false;
    }

    /** Opens the invocation's hold on the lane with `calls` calls of fresh work, or says when to come back. */
    private async begin(calls: number): Promise<void> {
        if (this.holding) return;
        if (!(await this.budget.acquire(calls, "fresh")))
            throw new EcsBudgetExhausted(this.budget.nextChanceMs());
        this.holding = true;
    }

    /**
     * One call, made only on a granted slot that still holds: one left from `begin`, or one taken
     * now behind whatever holds the lane (a continuation of this invocation's work, or urgent work).
     */
    private async send<Output>(command: object, urgent = false): Promise<Output> {
        if (!this.budget.take()) {
            const kind = urgent ? "urgent" : "continuation";
            if (!(await this.budget.acquire(1, kind)) || !this.budget.take())
                throw new EcsBudgetExhausted(this.budget.nextChanceMs());
            this.holding = true;
        }
        return (await this.ecs.send(command)) as Output;
    }

    /** Gives back the slots granted and not spent. */
    async release(): Promise<void> {
        await this.budget.release();
    }

    /** The container instances on `instanceIds`: per IDS_PER_FILTER, one ListContainerInstances and one DescribeContainerInstances. */
    async readInstances(instanceIds: readonly string[]): Promise<ReadResult> {
        const instances: ContainerInstanceState[] = [];
        const groups = chunks(instanceIds, IDS_PER_FILTER);
        for (const [index, ids] of groups.entries()) {
            try {
                await this.begin(2);
                const listed = await this.send<ListContainerInstancesCommandOutput>(
                    new ListContainerInstancesCommand({
                        cluster: this.cluster,
                        filter: `ec2InstanceId in [${ids.join(", ")}]`,
                        maxResults: ECS_PAGE_SIZE,
                    }),
                );
                const arns = listed.containerInstanceArns ?? [];
                if (arns.length > 0) instances.push(...(await this.describe(arns, false)));
            } catch (error) {
                return { instances, unread: groups.slice(index).flat(), error };
            }
        }
        return { instances, unread: [] };
    }

    /** Describes nudged container instances (urgent: one look decides a completion), 100 per call. */
    async confirmInstances(arns: readonly string[]): Promise<ReadResult> {
        const instances: ContainerInstanceState[] = [];
        const groups = chunks(arns, ECS_PAGE_SIZE);
        for (const [index, group] of groups.entries()) {
            try {
                instances.push(...(await this.describe(group, true)));
            } catch (error) {
                return { instances, unread: groups.slice(index).flat(), error };
            }
        }
        return { instances, unread: [] };
    }

    private async describe(arns: readonly string[], urgent: boolean): Promise<ContainerInstanceState[]> {
        const described = await this.send<DescribeContainerInstancesCommandOutput>(
            new DescribeContainerInstancesCommand({ cluster: this.cluster, containerInstances: [...arns] }),
            urgent,
        );
        return (described.containerInstances ?? []).map(instanceState);
    }

    /** Sets up to INSTANCES_PER_WRITE instances DRAINING; returns the ARNs ECS could not update. */
    async setDraining(arns: readonly string[]): Promise<string[]> {
        const updated = await this.send<UpdateContainerInstancesStateCommandOutput>(
            new UpdateContainerInstancesStateCommand({
                cluster: this.cluster,
                containerInstances: [...arns],
                status: "DRAINING",
            }),
        );
        return (updated.failures ?? []).map((failure) => failure.arn ?? "");
    }

    /** Writes attribute `name` on up to INSTANCES_PER_WRITE container instances: ARN → value. */
    async putAttributes(name: string, values: readonly [string, string][]): Promise<void> {
        await this.send(
            new PutAttributesCommand({
                cluster: this.cluster,
                attributes: values.map(([targetId, value]) => ({
                    name,
                    value,
                    targetType: "container-instance" as const,
                    targetId,
                })),
            }),
        );
    }

    /** The instance's tasks whose desired status is RUNNING (a ListTasks and a DescribeTasks per 100). */
    async desiredRunningTasks(containerInstance: string): Promise<TaskState[]> {
        await this.begin(2);
        const arns: string[] = [];
        let nextToken: string | undefined;
        do {
            const page = await this.send<ListTasksCommandOutput>(
                new ListTasksCommand({
                    cluster: this.cluster,
                    containerInstance,
                    desiredStatus: "RUNNING",
                    maxResults: ECS_PAGE_SIZE,
                    nextToken,
                }),
            );
            arns.push(...(page.taskArns ?? []));
            nextToken = page.nextToken;
        } while (nextToken);
        const tasks: TaskState[] = [];
        for (const batch of chunks(arns, ECS_PAGE_SIZE)) {
            const described = await this.send<DescribeTasksCommandOutput>(
                new DescribeTasksCommand({ cluster: this.cluster, tasks: batch }),
            );
            for (const task of described.tasks ?? [])
                tasks.push({
                    taskArn: task.taskArn ?? "",
                    lastStatus: task.lastStatus ?? "UNKNOWN",
                    desiredStatus: task.desiredStatus ?? "UNKNOWN",
                    group: task.group,
                });
        }
        return tasks;
    }

    async stopTask(task: string, reason: string): Promise<void> {
        await this.send(new StopTaskCommand({ cluster: this.cluster, task, reason }));
    }
}
