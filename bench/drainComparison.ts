/**
 * One rolling update (new AMI, instance refresh 100 %/200 %) of the stack's cluster at a given
 * size, drained by this project's drain pipeline, by its previous design (bench/baselines/
 * previous-drain: a poll per message, no ECS events, no budget) or by the book's chapter 11
 * Lambda (its own hook: 900 s heartbeat timeout, default CONTINUE, no retention; SNS → Lambda),
 * and what it cost: ECS API calls and Lambda-billed seconds per drained instance, the peak and p99
 * ECS requests per second over a sliding second, the delay from an instance's last task stopping
 * to the end of its lifecycle wait, tasks killed, and how drains ended. All run without the
 * capacity scaler and the termination policy, so only the drain differs; tasks stop as the region
 * stops them (deregistration delay, stop timeout, ENI detachment).
 */
import type { StackSettings } from "../stack/settings";
import { isSteady, refreshStatus, rollAmi, SimHarness } from "../sim/harness";
import { deployDrainPipeline } from "../sim/pipelines/drain";
import { DEFAULT_API_LATENCY_MS } from "../sim/region";
import type { FaultSettings } from "../sim/types";
import { drainRecords, ecsApiCalls, percentile, round, type DrainRecord } from "../sim/scenarios/result";
import { NEW_AMI } from "../sim/scenarios/rollingUpdate";
import { scaledDesiredCounts } from "../sim/scenarios/scenario";
import { deployStackCluster } from "../sim/scenarios/stackScenario";
import type { TimelineEntry } from "../sim/types";
import {
    BOOK_DRAIN_TIMEOUT_SECONDS,
    BOOK_HOOK_DEFAULT_RESULT,
    BOOK_HOOK_HEARTBEAT_SECONDS,
    createBookDrainHandler,
} from "./baselines/book-drain";
import { LongRunningLambda } from "./longRunningLambda";
import { PREVIOUS_DRAIN_DESIGN } from "./baselines/previous-drain/design";

export type DrainVariant = "ours" | "previous" | "book";

export interface DrainBenchResult {
    readonly variant: DrainVariant;
    readonly instances: number;
    /** Faults injected once the cluster stood (e.g. dropRate: lost EventBridge and SNS deliveries). */
    readonly faults: Partial<FaultSettings>;
    /** Lifecycle waits that ended during the update. */
    readonly drained: number;
    readonly continued: number;
    readonly abandoned: number;
    /** Waits ended by the hook's timeout instead of the function. */
    readonly hookTimeouts: number;
    readonly ecsCallsPerDrain: number | null;
    readonly billedSecondsPerDrain: number | null;
    /** Mean drain wall time (Terminating:Wait to the end of the wait). */
    readonly meanDrainSeconds: number | null;
    /** Lambda-billed seconds per drained instance divided by the mean drain wall time. */
    readonly billedFractionOfDrain: number | null;
    /** From the last task stopping on the instance to the lifecycle action's end (drains whose instance emptied first). */
    readonly completionDelayP50Seconds: number | null;
    readonly completionDelayP99Seconds: number | null;
    readonly completionDelayMaxSeconds: number | null;
    /** The drain function's ECS requests within any one second (sliding): the most, and the 99th percentile. */
    readonly peakEcsRequestsPerSecond: number;
    readonly p99EcsRequestsPerSecond: number;
    /** Drains that ended while tasks were still on the instance (not stopped). */
    readonly endedWithTasksLeft: number;
    /** Tasks killed by their instance's termination (daemons aside), whatever they were doing. */
    readonly runningTasksKilled: number;
    /** Of those, the ones already stopping (deregistering from the target group, exiting): the hook ended too early. */
    readonly killedWhileStopping: number;
    readonly lambdaErrors: number;
    readonly recursionStops: number;
    readonly refreshStatus: string;
    readonly simulatedSeconds: number;
    readonly wallMs: number;
}

/** One size of the bench's drain comparison. */
export interface DrainBenchRow {
    readonly instances: number;
    readonly ours: DrainBenchResult;
    /** Ours with some of the EventBridge and SNS deliveries lost (dropRate). */
    readonly oursEventsLost: DrainBenchResult;
    /** The design before event-driven completion and the ECS budget (bench/baselines/previous-drain). */
    readonly previous: DrainBenchResult;
    readonly book: DrainBenchResult;
}

const SETTLE_SECONDS = 3600;
const ROLL_SECONDS = 6 * 3600;

export async function runDrainComparison(
    settings: StackSettings,
    instances: number,
    variant: DrainVariant,
    seed = 1,
    faults: Partial<FaultSettings> = {},
): Promise<DrainBenchResult> {
    const wallStart = Date.now();
    const harness = await SimHarness.start({ seed, trunking: settings.cluster.awsvpcTrunking });
    try {
        const region = harness.region;
        const deployed = deployStackCluster(region, settings, {
            instances,
            desiredCounts: scaledDesiredCounts(settings, instances),
        });
        const deployment =
            variant === "book"
                ? deployBook(harness, deployed)
                : await deployPipeline(harness, deployed, settings, variant);
        const functionStats = deployment.stats;
        if (!(await region.runUntil(() => isSteady(region, deployed), SETTLE_SECONDS, 30))) {
            throw new Error(`${variant} at ${instances}: the cluster did not settle`);
        }
        Object.assign(region.ctx.faults, faults);
        const startedAt = region.clock.now();
        const callsBefore = ecsApiCalls(region);
        const billedBefore = functionStats().billedMs;
        const refreshId = rollAmi(region, deployed, NEW_AMI, {
            minHealthyPercentage: settings.cluster.minHealthyPercentage,
            maxHealthyPercentage: settings.cluster.maxHealthyPercentage,
            instanceWarmupSeconds: settings.cluster.instanceWarmupSeconds,
        });
        const finished = () => {
            const status = refreshStatus(region, deployed, refreshId);
            return status !== "Pending" && status !== "InProgress";
        };
        await region.runUntil(finished, ROLL_SECONDS, 30);
        // Drains begun at the end of the refresh still finish (or time out) before counting.
        await region.runUntil(
            () =>
                [...region.autoscaling.groups.get(deployed.groupName)!.instances.values()].every(
                    (i) => i.lifecycleState !== "Terminating:Wait",
                ),
            2 * BOOK_HOOK_HEARTBEAT_SECONDS,
            30,
        );
        const records = drainRecords(region.timeline, startedAt);
        const stats = functionStats();
        const billedSeconds = (stats.billedMs - billedBefore) / 1000;
        const drained = records.length;
        const meanDrain =
            drained > 0
                ? records.reduce((sum, r) => sum + (r.endedAt - r.startedAt), 0) / drained / 1000
                : null;
        const delays = completionDelays(region.timeline, records, startedAt);
        const finite = delays.filter((d): d is number => d !== null).sort((a, b) => a - b);
        const perDrainBilled = drained > 0 ? billedSeconds / drained : null;
        const rate = region.ecsRequestRate({
            since: startedAt,
            from: deployment.isCaller,
        });
        return {
            variant,
            instances,
            faults,
            drained,
            continued: records.filter((r) => !r.timedOut && r.result === "CONTINUE").length,
            abandoned: records.filter((r) => !r.timedOut && r.result === "ABANDON").length,
            hookTimeouts: records.filter((r) => r.timedOut).length,
            ecsCallsPerDrain: drained > 0 ? round((ecsApiCalls(region) - callsBefore) / drained, 1) : null,
            billedSecondsPerDrain: perDrainBilled === null ? null : round(perDrainBilled, 2),
            meanDrainSeconds: meanDrain === null ? null : round(meanDrain, 1),
            billedFractionOfDrain:
                perDrainBilled === null || meanDrain === null || meanDrain === 0
                    ? null
                    : round(perDrainBilled / meanDrain, 3),
            completionDelayP50Seconds: finite.length > 0 ? round(percentile(finite, 0.5), 1) : null,
            completionDelayP99Seconds: finite.length > 0 ? round(percentile(finite, 0.99), 1) : null,
            completionDelayMaxSeconds: finite.length > 0 ? round(finite[finite.length - 1], 1) : null,
            peakEcsRequestsPerSecond: rate.peak,
            p99EcsRequestsPerSecond: rate.p99,
            endedWithTasksLeft: delays.filter((d) => d === null).length,
            runningTasksKilled: region.invariants().tasksKilledByTermination,
            killedWhileStopping: region.invariants().killedByPhase.stopping,
            lambdaErrors: stats.errors,
            recursionStops: stats.recursionStops,
            refreshStatus: refreshStatus(region, deployed, refreshId) ?? "missing",
            simulatedSeconds: Math.round((region.clock.now() - startedAt) / 1000),
            wallMs: Date.now() - wallStart,
        };
    } finally {
        await harness.stop();
    }
}

interface FunctionStatsView {
    readonly billedMs: number;
    readonly errors: number;
    readonly recursionStops: number;
}

interface Deployment {
    /** Tells the drain function's ECS requests from others' by their caller. */
    readonly isCaller: (caller: string | undefined) => boolean;
    readonly stats: () => FunctionStatsView;
}

/** The drain pipeline as DrainHook declares it, with this design's or the previous one's Lambda and event source. */
async function deployPipeline(
    harness: SimHarness,
    deployed: ReturnType<typeof deployStackCluster>,
    settings: StackSettings,
    variant: "ours" | "previous",
): Promise<Deployment> {
    const pipeline = await deployDrainPipeline(harness, deployed, settings.drain, {
        ...(variant === "previous" ? { design: PREVIOUS_DRAIN_DESIGN } : {}),
    });
    const functionName = pipeline.functionArn.slice(pipeline.functionArn.lastIndexOf(":") + 1);
    return {
        isCaller: (caller) => caller === functionName,
        stats: () => harness.region.lambda.stats(pipeline.functionArn),
    };
}

/** The book's CloudFormation: topic, hook (900 s, CONTINUE, no retention), the function subscribed. */
function deployBook(harness: SimHarness, deployed: ReturnType<typeof deployStackCluster>): Deployment {
    const region = harness.region;
    const { TopicArn } = region.admin("sns", "CreateTopic", {
        Name: `${deployed.clusterName}-lifecycle`,
    }) as {
        TopicArn: string;
    };
    const clients = harness.lambdaRuntime();
    type BookEvent = Parameters<ReturnType<typeof createBookDrainHandler>>[0];
    // The runner calls the handler, and the handler sleeps and sends through the runner.
    const runner: LongRunningLambda<BookEvent> = new LongRunningLambda<BookEvent>(harness, {
        name: `${deployed.clusterName}-lifecycleHooks`,
        timeoutSeconds: BOOK_DRAIN_TIMEOUT_SECONDS,
        handler: (event, context) => handler(event, context),
    });
    const handler = createBookDrainHandler(
        {
            ecs: runner.timed(clients.client("ecs") as never, DEFAULT_API_LATENCY_MS.ecs),
            sns: runner.timed(clients.client("sns") as never, DEFAULT_API_LATENCY_MS.sns),
            autoscaling: runner.timed(
                clients.client("autoscaling") as never,
                DEFAULT_API_LATENCY_MS.autoscaling,
            ),
            sleep: runner.sleep,
            print: () => undefined,
        },
        deployed.clusterName,
    );
    harness.subscribe(TopicArn, runner.arn);
    region.admin("autoscaling", "PutLifecycleHook", {
        AutoScalingGroupName: deployed.groupName,
        LifecycleHookName: `${deployed.clusterName}-LifecycleHook`,
        LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
        NotificationTargetARN: TopicArn,
        RoleARN: `arn:aws:iam::${region.ctx.accountId}:role/LifecycleHookRole`,
        HeartbeatTimeout: BOOK_HOOK_HEARTBEAT_SECONDS,
        DefaultResult: BOOK_HOOK_DEFAULT_RESULT,
    });
    const stats = runner.stats;
    // Its calls are made between the region's Lambda invocations (it runs as a coroutine on the
    // clock): no other function of this bench calls ECS.
    return { isCaller: (caller) => caller === undefined, stats: () => stats };
}

/**
 * Per drain: seconds from the last of the instance's tasks stopping to the end of its wait, or
 * null when the wait ended with tasks still on it (not yet STOPPED).
 */
function completionDelays(
    timeline: readonly TimelineEntry[],
    records: readonly DrainRecord[],
    since: number,
): (number | null)[] {
    const lastStopped = new Map<string, number>();
    const live = new Map<string, Set<string>>();
    const byInstanceEnd = new Map(records.map((r) => [r.instanceId, r]));
    const result: (number | null)[] = [];
    for (const entry of timeline) {
        const d = entry.detail;
        if (entry.kind === "ecs.task.status") {
            const instanceId = String(d.ec2InstanceId);
            const tasks = live.get(instanceId) ?? new Set<string>();
            live.set(instanceId, tasks);
            if (d.lastStatus === "STOPPED") {
                tasks.delete(String(d.taskArn));
                lastStopped.set(instanceId, entry.at);
            } else {
                tasks.add(String(d.taskArn));
            }
        }
        const ended =
            entry.kind === "autoscaling.hook.completed" || entry.kind === "autoscaling.hook.timedOut";
        if (ended && entry.at >= since) {
            const record = byInstanceEnd.get(String(d.instanceId));
            if (!record || record.endedAt !== entry.at) continue;
            const instanceId = record.instanceId;
            if ((live.get(instanceId)?.size ?? 0) > 0) result.push(null);
            else result.push((entry.at - (lastStopped.get(instanceId) ?? record.startedAt)) / 1000);
        }
    }
    return result;
}
