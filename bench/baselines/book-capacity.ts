/**
 * The book's chapter 12 capacity Lambda (seed 001, `EcsCapacityFunction`, steps 1–4), ported line
 * for line from Python/boto3 to TypeScript with SDK v3 clients, bugs included:
 * - the worst-case task is hard-coded (250 CPU units, 400 MiB);
 * - it lists the cluster's container instances once (one page: at most 100 of them) and
 *   describes that page, so above 100 instances it sees only the first 100;
 * - it sums CPU slots and memory slots across instances separately and takes the minimum, which
 *   counts room that no single instance has;
 * - it divides by the slots of the instance that sent the event (wrong for mixed types; a
 *   ZeroDivisionError when the task does not fit that instance);
 * - it publishes with PutMetricData into the reserved `AWS/ECS` namespace.
 * Not for deployment: it exists to be measured against.
 */
import {
    DescribeContainerInstancesCommand,
    ListContainerInstancesCommand,
    type ContainerInstance,
} from "@aws-sdk/client-ecs";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { Sender } from "./book-drain";

// Max memory and CPU - you would typically inject these as environment variables
export const CONTAINER_MAX_MEMORY = 400;
export const CONTAINER_MAX_CPU = 250;

interface Resource {
    readonly name?: string;
    readonly integerValue?: number;
}

export interface BookCapacityDeps {
    readonly ecs: Sender;
    readonly cloudwatch: Sender;
    readonly print: (line: string) => void;
    /** `datetime.datetime.utcnow()` */
    readonly utcnow: () => Date;
}

export interface BookCapacityEvent {
    readonly detail: { readonly clusterArn: string; readonly registeredResources: readonly Resource[] };
}

/** What the handler computed (it returns nothing; the bench reads these from its print lines too). */
export interface BookCapacityFigures {
    readonly containerCapacity: number;
    readonly idleHosts: number;
    readonly instancesSeen: number;
}

/** Python's `int(x)`: truncation toward zero. */
const int = (x: number) => Math.trunc(x);

/** Python's `/` on ints: ZeroDivisionError on a zero divisor. */
function divide(a: number, b: number): number {
    if (b === 0) throw new Error("ZeroDivisionError: division by zero");
    return a / b;
}

// Get current CPU
function checkCpu(instance: ContainerInstance): number {
    return (instance.remainingResources ?? [])
        .filter((resource) => resource.name === "CPU")
        .reduce((sum, resource) => sum + (resource.integerValue ?? 0), 0);
}

// Get current memory
function checkMemory(instance: ContainerInstance): number {
    return (instance.remainingResources ?? [])
        .filter((resource) => resource.name === "MEMORY")
        .reduce((sum, resource) => sum + (resource.integerValue ?? 0), 0);
}

/** Python's `next(generator)`: StopIteration when nothing matches. */
function next(resources: readonly Resource[], name: string): number {
    const found = resources.find((resource) => resource.name === name);
    if (!found) throw new Error("StopIteration");
    return found.integerValue ?? 0;
}

export function createBookCapacityHandler(deps: BookCapacityDeps) {
    const { ecs, cloudwatch } = deps;
    return async function handler(event: BookCapacityEvent): Promise<BookCapacityFigures> {
        deps.print(`Received event ${JSON.stringify(event)}`);

        // STEP 1 - COLLECT RESOURCE DATA
        const cluster = event.detail.clusterArn;
        // The maximum CPU availble for an idle ECS instance
        const instanceMaxCpu = next(event.detail.registeredResources, "CPU");
        // The maximum memory availble for an idle ECS instance
        const instanceMaxMemory = next(event.detail.registeredResources, "MEMORY");
        // Get current container capacity based upon CPU and memory
        const instanceArns = (
            (await ecs.send(new ListContainerInstancesCommand({ cluster }))) as {
                containerInstanceArns: string[];
            }
        ).containerInstanceArns;
        const instances = (
            (await ecs.send(
                new DescribeContainerInstancesCommand({ cluster, containerInstances: instanceArns }),
            )) as { containerInstances: ContainerInstance[] }
        ).containerInstances.filter((instance) => instance.status === "ACTIVE");
        let cpuCapacity = 0;
        let memoryCapacity = 0;
        for (const instance of instances) {
            cpuCapacity += int(checkCpu(instance) / CONTAINER_MAX_CPU);
            memoryCapacity += int(checkMemory(instance) / CONTAINER_MAX_MEMORY);
        }
        deps.print(`Current container cpu capacity of ${cpuCapacity}`);
        deps.print(`Current container memory capacity of ${memoryCapacity}`);

        // STEP 2 - CALCULATE OVERALL CONTAINER CAPACITY
        const containerCapacity = Math.min(cpuCapacity, memoryCapacity);
        deps.print(`Overall container capacity of ${containerCapacity}`);

        // STEP 3 - CALCULATE IDLE HOST COUNT
        const idleHosts = Math.min(
            divide(cpuCapacity, int(instanceMaxCpu / CONTAINER_MAX_CPU)),
            divide(memoryCapacity, int(instanceMaxMemory / CONTAINER_MAX_MEMORY)),
        );
        deps.print(`Overall idle host capacity of ${idleHosts}`);

        // STEP 4 - PUBLISH CLOUDWATCH METRICS
        const clusterName = cluster.split("/").at(-1);
        await cloudwatch.send(
            new PutMetricDataCommand({
                Namespace: "AWS/ECS",
                MetricData: [
                    {
                        MetricName: "ContainerCapacity",
                        Dimensions: [{ Name: "ClusterName", Value: clusterName }],
                        Timestamp: deps.utcnow(),
                        Value: containerCapacity,
                    },
                    {
                        MetricName: "IdleHostCapacity",
                        Dimensions: [{ Name: "ClusterName", Value: clusterName }],
                        Timestamp: deps.utcnow(),
                        Value: idleHosts,
                    },
                ],
            }),
        );
        return { containerCapacity, idleHosts, instancesSeen: instances.length };
    };
}

/** As the book deploys it: boto3 clients at module load. */
export function bookCapacityCallbackFactory(): () => (
    event: BookCapacityEvent,
) => Promise<BookCapacityFigures> {
    return () => {
        /* eslint-disable @typescript-eslint/no-require-imports */
        const { ECSClient } = require("@aws-sdk/client-ecs");
        const { CloudWatchClient } = require("@aws-sdk/client-cloudwatch");
        /* eslint-enable @typescript-eslint/no-require-imports */
        return createBookCapacityHandler({
            ecs: new ECSClient({}),
            cloudwatch: new CloudWatchClient({}),
            print: (line) => console.log(line),
            utcnow: () => new Date(),
        });
    };
}
