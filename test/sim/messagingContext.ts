/**
 * A RegionContext for the messaging models' unit tests: the real SNS, SQS, Lambda, EventBridge,
 * CloudWatch and SSM models, with recording fakes for ECS and Auto Scaling, a timeline, and an
 * `api` helper that calls a model the way the region does (charging the call's latency to the
 * running invocation).
 */
import { VirtualClock } from "../../sim/clock";
import { CloudWatchModel } from "../../sim/cloudwatch";
import { EventsModel } from "../../sim/events";
import { FaultInjector } from "../../sim/faults";
import { LambdaModel } from "../../sim/lambda";
import { SeededRandom } from "../../sim/random";
import { SnsModel } from "../../sim/sns";
import { SqsModel } from "../../sim/sqs";
import { SsmModel } from "../../sim/ssm";
import {
    NO_FAULTS,
    type FaultName,
    type FaultSettings,
    type RateFaultName,
    type RegionContext,
    type ServiceModel,
    type TimelineEntry,
} from "../../sim/types";

export interface ScalingCall {
    readonly at: number;
    readonly policyArn: string;
    readonly alarmValue: number;
    readonly breachThreshold: number | undefined;
}

export interface MessagingRegion {
    readonly ctx: RegionContext;
    readonly clock: VirtualClock;
    readonly timeline: TimelineEntry[];
    readonly sns: SnsModel;
    readonly sqs: SqsModel;
    readonly lambda: LambdaModel;
    readonly events: EventsModel;
    readonly cloudwatch: CloudWatchModel;
    readonly ssm: SsmModel;
    readonly ecsCalls: { method: string; args: unknown[] }[];
    readonly scalingCalls: ScalingCall[];
    /** Calls `operation` on `model` as the region would, charging `latencyMs` to the running invocation. */
    api<T = Record<string, unknown>>(
        model: ServiceModel,
        operation: string,
        input: Record<string, unknown>,
    ): T;
    /** Timeline entries of one kind, with `at` as seconds since the start. */
    entries(kind: string): { t: number; detail: Readonly<Record<string, unknown>> }[];
    /** Seconds since the start of the run. */
    seconds(epochMs: number): number;
}

export const TEST_API_LATENCY_MS = 30;

export function messagingRegion(
    options: { seed?: number; faults?: Partial<FaultSettings> } = {},
): MessagingRegion {
    const clock = new VirtualClock();
    const start = clock.now();
    const timeline: TimelineEntry[] = [];
    const ecsCalls: { method: string; args: unknown[] }[] = [];
    const scalingCalls: ScalingCall[] = [];
    const random = new SeededRandom(options.seed ?? 1);
    const faults = { ...NO_FAULTS, ...options.faults };
    const record = (kind: string, detail: Record<string, unknown>) =>
        void timeline.push({ at: clock.now(), kind, detail });
    const injector = new FaultInjector(faults, random, record);
    const partial = {
        clock,
        random,
        accountId: "123456789012",
        region: "us-east-1",
        faults,
        record,
        faultFires: (name: RateFaultName, detail: Record<string, unknown>) => injector.fires(name, detail),
        faultFired: (name: FaultName, detail: Record<string, unknown>) => injector.fired(name, detail),
        ecs: {
            registerInstance: (...args: unknown[]) =>
                void ecsCalls.push({ method: "registerInstance", args }),
            instanceTerminated: (...args: unknown[]) =>
                void ecsCalls.push({ method: "instanceTerminated", args }),
            spotInterruption: (...args: unknown[]) =>
                void ecsCalls.push({ method: "spotInterruption", args }),
        },
        autoscaling: {
            executePolicyByArn(policyArn: string, alarmValue: number, breachThreshold?: number) {
                scalingCalls.push({ at: clock.now(), policyArn, alarmValue, breachThreshold });
            },
        },
    } as Record<string, unknown>;
    const ctx = partial as unknown as RegionContext;
    const sns = new SnsModel(ctx);
    const sqs = new SqsModel(ctx);
    const lambda = new LambdaModel(ctx);
    const events = new EventsModel(ctx);
    const cloudwatch = new CloudWatchModel(ctx);
    const ssm = new SsmModel(ctx);
    Object.assign(partial, { sns, sqs, lambda, events, cloudwatch });
    const seconds = (epochMs: number) => (epochMs - start) / 1000;
    return {
        ctx,
        clock,
        timeline,
        sns,
        sqs,
        lambda,
        events,
        cloudwatch,
        ssm,
        ecsCalls,
        scalingCalls,
        api<T>(model: ServiceModel, operation: string, input: Record<string, unknown>): T {
            lambda.chargeApiLatency(TEST_API_LATENCY_MS);
            return model.call(operation, input) as T;
        },
        entries: (kind) =>
            timeline.filter((e) => e.kind === kind).map((e) => ({ t: seconds(e.at), detail: e.detail })),
        seconds,
    };
}
