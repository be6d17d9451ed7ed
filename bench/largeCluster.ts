/**
 * The stack's cluster at 2,000 instances, settled, and what one evaluation costs there: this
 * project's capacity Lambda against the book's chapter 12 Lambda (ECS API calls, billed virtual
 * time, the figure each computed and how many instances it saw), and the termination policy
 * Lambda's billed latency over repeated invocations with every instance a candidate (p50/p99;
 * the book has no termination policy: Auto Scaling's default picks). Each function runs as the
 * region's Lambda runs it; API calls cost the region's modelled latency.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DescribeContainerInstancesCommand, ECSClient } from "@aws-sdk/client-ecs";
import type { StackSettings } from "../stack/settings";
import { isSteady, SimHarness } from "../sim/harness";
import { coldStartOnFirstInvocation } from "../sim/pipelines/coldStart";
import { deployTerminationPolicy } from "../sim/pipelines/termination";
import { ecsApiCalls, percentile, round } from "../sim/scenarios/result";
import { scaledDesiredCounts } from "../sim/scenarios/scenario";
import { deployStackCluster } from "../sim/scenarios/stackScenario";
import type { LambdaHandler } from "../sim/types";
import { createBookCapacityHandler } from "./baselines/book-capacity";
import { capacityCallbackFactory } from "../runtime/capacityHandler";
import { CAPACITY_FUNCTION, CAPACITY_NAMESPACE } from "../stack/capacity";

export interface CapacityEvaluation {
    readonly variant: "ours" | "book";
    readonly ecsApiCalls: number;
    /** Bytes of the ECS answers it read (JSON as the region serves them). */
    readonly ecsResponseBytes: number;
    readonly billedMs: number;
    readonly instancesSeen: number | null;
    readonly containerCapacity: number | null;
    /** The invocation's error, if it failed. */
    readonly error?: string;
}

export interface TerminationLatency {
    readonly candidates: number;
    readonly invocations: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly ecsCallsPerInvocation: number;
    /** Invocations that returned no instance or failed. */
    readonly emptyOrFailed: number;
}

export interface LargeClusterResult {
    readonly instances: number;
    readonly capacity: readonly CapacityEvaluation[];
    readonly termination: TerminationLatency;
    readonly wallMs: number;
}

export async function runLargeCluster(
    settings: StackSettings,
    instances: number,
    terminationInvocations: number,
    seed = 1,
): Promise<LargeClusterResult> {
    const wallStart = Date.now();
    const harness = await SimHarness.start({ seed, trunking: settings.cluster.awsvpcTrunking });
    try {
        const region = harness.region;
        const deployed = deployStackCluster(region, settings, {
            instances,
            desiredCounts: scaledDesiredCounts(settings, instances),
        });
        if (!(await region.runUntil(() => isSteady(region, deployed), 3600, 30))) {
            throw new Error(`the ${instances}-instance cluster did not settle`);
        }
        // Only its schedule's invocation would send to it; the bench invokes the evaluation directly.
        const { QueueUrl: evaluationQueueUrl } = region.admin("sqs", "CreateQueue", {
            QueueName: "capacity-ours-evaluations",
        }) as { QueueUrl: string };
        const oursArn = harness.deployFunction({
            name: "capacity-ours",
            handler: coldStartOnFirstInvocation(
                capacityCallbackFactory({
                    minimumSpareTasks: settings.capacity.minimumSpareTasks,
                    namespace: CAPACITY_NAMESPACE,
                }),
            ),
            timeoutSeconds: CAPACITY_FUNCTION.timeoutSeconds,
            memoryMb: CAPACITY_FUNCTION.memoryMb,
            environment: {
                CLUSTER_NAME: deployed.clusterName,
                EVALUATION_QUEUE_URL: evaluationQueueUrl,
                // The group's zones, as CapacityScaler passes the network's: one listing per zone.
                AVAILABILITY_ZONES: region.autoscaling.groups
                    .get(deployed.groupName)!
                    .availabilityZones.join(","),
            },
        });
        // The book's handler with its SDK clients as its factory makes them; the ECS client is
        // watched so the bench knows how many instances it saw and what it computed before failing.
        const seen = { instances: null as number | null, containerCapacity: null as number | null };
        const ecs = new ECSClient({});
        const bookArn = harness.deployFunction({
            name: "capacity-book",
            handler: createBookCapacityHandler({
                ecs: {
                    send: async (command) => {
                        const out = (await ecs.send(command as never)) as { containerInstances?: unknown[] };
                        if (command instanceof DescribeContainerInstancesCommand)
                            seen.instances = out.containerInstances?.length ?? 0;
                        return out;
                    },
                },
                cloudwatch: new CloudWatchClient({}),
                print: (line) => {
                    const overall = /^Overall container capacity of (\d+)$/.exec(line);
                    if (overall) seen.containerCapacity = Number(overall[1]);
                },
                utcnow: () => new Date(region.clock.now()),
            }) as LambdaHandler,
            timeoutSeconds: 300,
            memoryMb: 128,
        });
        const [first] = region.ecs.state.instancesOf(deployed.clusterArn);
        const { containerInstances } = region.admin("ecs", "DescribeContainerInstances", {
            cluster: deployed.clusterName,
            containerInstances: [first.arn],
        }) as { containerInstances: { registeredResources: unknown[] }[] };
        const stateChange = {
            version: "0",
            "detail-type": "ECS Container Instance State Change",
            source: "aws.ecs",
            detail: {
                clusterArn: deployed.clusterArn,
                containerInstanceArn: first.arn,
                ec2InstanceId: first.ec2InstanceId,
                status: "ACTIVE",
                registeredResources: containerInstances[0].registeredResources,
            },
        };
        const capacity = [
            // Ours evaluates on its queue's message; the book's on a container instance event.
            await evaluate(harness, "ours", oursArn, EVALUATION_EVENT, (out) => ({
                containerCapacity:
                    (out as { containerCapacity?: number } | undefined)?.containerCapacity ?? null,
                instancesSeen: instancesInSummaryLine(
                    region.cloudwatch.logEvents("/aws/lambda/capacity-ours"),
                ),
            })),
            await evaluate(harness, "book", bookArn, stateChange, () => ({
                containerCapacity: seen.containerCapacity,
                instancesSeen: seen.instances,
            })),
        ];
        const termination = await terminationLatency(harness, deployed, terminationInvocations);
        return { instances, capacity, termination, wallMs: Date.now() - wallStart };
    } finally {
        await harness.stop();
    }
}

async function evaluate(
    harness: SimHarness,
    variant: "ours" | "book",
    functionArn: string,
    event: unknown,
    read: (out: unknown) => { containerCapacity: number | null; instancesSeen: number | null },
): Promise<CapacityEvaluation> {
    const region = harness.region;
    const calls = ecsApiCalls(region);
    region.countResponseBytes = true;
    const bytes = ecsResponseBytes(region);
    const billed = region.lambda.stats(functionArn).billedMs;
    let out: unknown;
    let error: string | undefined;
    try {
        out = await region.lambda.invokeSync(functionArn, event, 900_000);
    } catch (e) {
        error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    region.countResponseBytes = false;
    const figures = read(out);
    return {
        variant,
        ecsApiCalls: ecsApiCalls(region) - calls,
        ecsResponseBytes: ecsResponseBytes(region) - bytes,
        billedMs: region.lambda.stats(functionArn).billedMs - billed,
        ...figures,
        ...(error === undefined ? {} : { error }),
    };
}

/** What ours runs on: a message from its evaluation queue (its schedule only defers to it). */
const EVALUATION_EVENT = { Records: [{ messageId: "bench", body: "{}", eventSource: "aws:sqs" }] };

function ecsResponseBytes(region: SimHarness["region"]): number {
    return Object.values(region.responseBytes().ecs ?? {}).reduce((sum, n) => sum + n, 0);
}

/** The capacity handler's summary line says how many container instances it evaluated. */
function instancesInSummaryLine(events: readonly { message: string }[]): number | null {
    for (const event of [...events].reverse()) {
        const match = /\((?:state-change|schedule|queue), (\d+) container instances\)/.exec(event.message);
        if (match) return Number(match[1]);
    }
    return null;
}

async function terminationLatency(
    harness: SimHarness,
    deployed: ReturnType<typeof deployStackCluster>,
    invocations: number,
): Promise<TerminationLatency> {
    const region = harness.region;
    const { functionArn } = await deployTerminationPolicy(harness, deployed);
    const group = region.autoscaling.groups.get(deployed.groupName)!;
    const candidates = [...group.instances.values()].map((i) => ({
        AvailabilityZone: i.availabilityZone,
        InstanceId: i.instanceId,
        InstanceType: i.instanceType,
        InstanceMarketOption: i.market,
    }));
    const zones = [...new Set(candidates.map((c) => c.AvailabilityZone))];
    const payload = {
        AutoScalingGroupARN: group.arn,
        AutoScalingGroupName: group.name,
        CapacityToTerminate: zones.map((zone) => ({
            AvailabilityZone: zone,
            Capacity: 1,
            InstanceMarketOption: "on-demand",
        })),
        Instances: candidates,
        Cause: "SCALE_IN",
    };
    const latencies: number[] = [];
    const calls = ecsApiCalls(region);
    let emptyOrFailed = 0;
    for (let i = 0; i < invocations; i++) {
        const billed = region.lambda.stats(functionArn).billedMs;
        try {
            const out = (await region.lambda.invokeSync(functionArn, payload, 2000)) as {
                InstanceIDs?: string[];
            };
            if ((out.InstanceIDs ?? []).length === 0) emptyOrFailed++;
        } catch {
            emptyOrFailed++;
        }
        latencies.push(region.lambda.stats(functionArn).billedMs - billed);
        // Invocations a minute apart, as Auto Scaling retries: reserved concurrency frees up between them.
        await region.run(60);
    }
    latencies.sort((a, b) => a - b);
    return {
        candidates: candidates.length,
        invocations,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        ecsCallsPerInvocation: round((ecsApiCalls(region) - calls) / invocations, 1),
        emptyOrFailed,
    };
}
