/**
 * A simulated AWS region: one virtual clock, one seeded random source, every service model wired
 * through a shared RegionContext, the run's timeline and its invariants. `call` is the single way
 * in for API traffic (the loopback server and scripted clients alike): it counts the call,
 * charges the modelled latency to the Lambda invocation that is running, applies the API faults
 * (ECS throttling, Auto Scaling throttling and contention), then dispatches to the model; a call
 * observer, when given, sees each call with its answer. Each ECS call's virtual time and caller
 * are kept, so `ecsRequestRate` can tell the peak and the 99th percentile of ECS requests per
 * second over a sliding second, the measure ECS's own throttle works on.
 */
import { AutoScalingModel } from "./autoscaling/model";
import type { AutoScalingTimings } from "./autoscaling/groups";
import { SIM_EPOCH_MS, VirtualClock } from "./clock";
import { CloudWatchModel } from "./cloudwatch";
import { DynamoDbModel } from "./dynamodb";
import { DEFAULT_EC2_TIMINGS, Ec2Fleet, type Ec2Timings } from "./ec2";
import { EcsModel } from "./ecs/model";
import type { EcsTimings } from "./ecs/state";
import { AwsError } from "./errors";
import { EventsModel } from "./events";
import { FaultInjector } from "./faults";
import { InvariantMonitor, type InvariantOptions, type InvariantReport } from "./invariants";
import { LambdaModel } from "./lambda";
import { SeededRandom } from "./random";
import { SnsModel } from "./sns";
import { SqsModel } from "./sqs";
import { SsmModel } from "./ssm";
import { TargetGroups } from "./targetGroups";
import {
    NO_FAULTS,
    type FaultName,
    type FaultSettings,
    type RegionContext,
    type ServiceModel,
    type ServiceName,
    type TimelineEntry,
} from "./types";

/** Modelled round trip of one API call, per service (ms of virtual time charged to the caller). */
export const DEFAULT_API_LATENCY_MS: Readonly<Record<ServiceName, number>> = {
    ecs: 50,
    autoscaling: 80,
    sns: 30,
    sqs: 20,
    lambda: 30,
    events: 30,
    monitoring: 30,
    ssm: 20,
    dynamodb: 10,
};

/** ECS's documented read throttle: a token bucket refilled at 20 requests/s, holding at most 100. */
export const ECS_RATE_PER_SECOND = 20;
export const ECS_BURST = 100;

export interface RegionOptions {
    readonly seed: number;
    /** Virtual epoch ms the clock starts at (default SIM_EPOCH_MS, so timelines compare across runs). */
    readonly startMs?: number;
    readonly faults?: Partial<FaultSettings>;
    /** The awsvpcTrunking account setting at the start (ENI slots of instances that register). */
    readonly trunking?: boolean;
    readonly accountId?: string;
    readonly region?: string;
    readonly apiLatencyMs?: Partial<Record<ServiceName, number>>;
    readonly timings?: {
        readonly ec2?: Partial<Ec2Timings>;
        readonly ecs?: Partial<EcsTimings>;
        readonly autoscaling?: Partial<AutoScalingTimings>;
    };
    readonly invariants?: InvariantOptions;
    /** Sees every call served, by `call` and `admin` alike, with its answer (sim/apiModels checks them). */
    readonly callObserver?: ApiCallObserver;
}

/** One API call as the region served it: the input it was given and the output or error it answered. */
export interface ObservedApiCall {
    readonly service: ServiceName;
    readonly operation: string;
    readonly input: Readonly<Record<string, unknown>>;
    /** "admin" for the harness's own set-up calls (uncounted, unthrottled). */
    readonly via: "call" | "admin";
    readonly output?: unknown;
    readonly error?: unknown;
}

export type ApiCallObserver = (call: ObservedApiCall) => void;

export type ApiCallCounts = Record<string, Record<string, number>>;

/** One ECS request as `call` received it: when (virtual epoch ms) and from which function. */
export interface EcsRequest {
    readonly at: number;
    /** The Lambda function whose handler made it; undefined for a call from outside any invocation. */
    readonly caller: string | undefined;
}

/** ECS requests per second over a sliding second: how many fell within the second up to each request. */
export interface RequestRate {
    readonly requests: number;
    /** The most requests within any one second. */
    readonly peak: number;
    /** 99 % of the requests were made with at most this many within the second up to them (nearest rank). */
    readonly p99: number;
}

/** Peak and p99 requests within a sliding second, of request times in any order. */
export function slidingSecondRate(times: readonly number[]): RequestRate {
    const sorted = [...times].sort((a, b) => a - b);
    const counts: number[] = [];
    let first = 0;
    for (let i = 0; i < sorted.length; i++) {
        while (sorted[i] - sorted[first] >= 1000) first++;
        counts.push(i - first + 1);
    }
    counts.sort((a, b) => a - b);
    return {
        requests: sorted.length,
        peak: counts.at(-1) ?? 0,
        p99: counts.length > 0 ? counts[Math.max(1, Math.ceil(0.99 * counts.length)) - 1] : 0,
    };
}

export class Region {
    readonly clock: VirtualClock;
    readonly random: SeededRandom;
    readonly ctx: RegionContext;
    readonly timeline: TimelineEntry[] = [];
    readonly ec2: Ec2Fleet;
    readonly targetGroups: TargetGroups;
    readonly ecs: EcsModel;
    readonly autoscaling: AutoScalingModel;
    readonly sns: SnsModel;
    readonly sqs: SqsModel;
    readonly lambda: LambdaModel;
    readonly events: EventsModel;
    readonly cloudwatch: CloudWatchModel;
    readonly ssm: SsmModel;
    readonly dynamodb: DynamoDbModel;
    private readonly models: Readonly<Record<ServiceName, ServiceModel>>;
    private readonly monitor: InvariantMonitor;
    private readonly latency: Readonly<Record<ServiceName, number>>;
    /**
     * When set, `responseBytes()` adds up the size of every answer served through `call`, as JSON
     * of what the model returns (dates as ISO strings; the ECS wire format has epoch seconds, a
     * few bytes shorter). Off by default: serializing every answer costs time.
     */
    countResponseBytes = false;
    private readonly counts: ApiCallCounts = {};
    private readonly throttled: ApiCallCounts = {};
    private readonly bytes: ApiCallCounts = {};
    private readonly ecsRequests: EcsRequest[] = [];
    private ecsTokens = ECS_BURST;
    private ecsTokensAt: number;
    private readonly callObserver?: ApiCallObserver;
    private readonly injector: FaultInjector;

    constructor(options: RegionOptions) {
        if (!Number.isInteger(options.seed))
            throw new Error(`seed: expected an integer, got ${options.seed}`);
        const faults: FaultSettings = { ...NO_FAULTS, ...options.faults };
        for (const [name, value] of Object.entries(faults)) {
            if (typeof value === "number" && !(value >= 0 && value <= 1)) {
                throw new Error(`faults.${name}: expected a probability in [0, 1], got ${value}`);
            }
        }
        this.clock = new VirtualClock(options.startMs ?? SIM_EPOCH_MS);
        this.random = new SeededRandom(options.seed);
        this.monitor = new InvariantMonitor(options.invariants);
        this.latency = { ...DEFAULT_API_LATENCY_MS, ...options.apiLatencyMs };
        this.ecsTokensAt = this.clock.now();
        this.callObserver = options.callObserver;
        const clock = this.clock;
        const timeline = this.timeline;
        const monitor = this.monitor;
        const record = (kind: string, detail: Record<string, unknown>) => {
            const entry: TimelineEntry = { at: clock.now(), kind, detail };
            timeline.push(entry);
            monitor.observe(entry);
        };
        const injector = new FaultInjector(faults, this.random, record);
        this.injector = injector;
        // The models reach each other through the context; its service fields resolve once all exist.
        // eslint-disable-next-line @typescript-eslint/no-this-alias
        const region = this;
        this.ctx = {
            clock,
            random: this.random,
            accountId: options.accountId ?? "123456789012",
            region: options.region ?? "us-east-1",
            faults,
            record,
            faultFires: (name, detail) => injector.fires(name, detail),
            faultFired: (name, detail) => injector.fired(name, detail),
            get ecs() {
                return region.ecs;
            },
            get autoscaling() {
                return region.autoscaling;
            },
            get sns() {
                return region.sns;
            },
            get sqs() {
                return region.sqs;
            },
            get lambda() {
                return region.lambda;
            },
            get events() {
                return region.events;
            },
            get cloudwatch() {
                return region.cloudwatch;
            },
        };
        this.ec2 = new Ec2Fleet(this.ctx, { ...DEFAULT_EC2_TIMINGS, ...options.timings?.ec2 });
        this.targetGroups = new TargetGroups(this.ctx);
        this.ecs = new EcsModel(this.ctx, {
            trunking: options.trunking,
            timings: options.timings?.ecs,
            targetGroups: this.targetGroups,
        });
        this.autoscaling = new AutoScalingModel(this.ctx, this.ec2, options.timings?.autoscaling);
        this.sns = new SnsModel(this.ctx);
        this.sqs = new SqsModel(this.ctx);
        this.lambda = new LambdaModel(this.ctx);
        this.events = new EventsModel(this.ctx);
        this.cloudwatch = new CloudWatchModel(this.ctx);
        this.ssm = new SsmModel(this.ctx);
        this.dynamodb = new DynamoDbModel(this.ctx);
        this.models = {
            ecs: this.ecs,
            autoscaling: this.autoscaling,
            sns: this.sns,
            sqs: this.sqs,
            lambda: this.lambda,
            events: this.events,
            monitoring: this.cloudwatch,
            ssm: this.ssm,
            dynamodb: this.dynamodb,
        };
    }

    /**
     * One API call as a client makes it: counted, charged, faulted (ECS, Auto Scaling), then served. `callKey`
     * names an in-process call the running handler issued (sim/inProcessClients.ts); calls over the
     * wire are known by their SDK headers (sim/wireCalls.ts).
     */
    async call(
        service: ServiceName,
        operation: string,
        input: Record<string, unknown>,
        callKey?: string,
    ): Promise<unknown> {
        const model = this.models[service];
        if (!model)
            throw new AwsError("UnknownServiceException", `The simulated region does not serve ${service}`);
        this.lambda.regionWorkStarts();
        try {
            bump(this.counts, service, operation);
            if (service === "ecs")
                this.ecsRequests.push({
                    at: this.lambda.invocationNow(),
                    caller: this.lambda.runningFunctionName(),
                });
            this.lambda.chargeApiLatency(this.latency[service], callKey);
            const output = this.serve(service, operation, input ?? {}, "call", () => {
                if (service === "ecs") this.throttleEcs(operation);
                if (service === "autoscaling") this.autoscaling.injectApiFaults(operation);
                return model.call(operation, input ?? {});
            });
            if (this.countResponseBytes) {
                bump(this.bytes, service, operation, Buffer.byteLength(JSON.stringify(output ?? {})));
            }
            return output;
        } finally {
            this.lambda.regionWorkEnds();
        }
    }

    /** Serves a call without counting, latency or throttling: scenario setup by the harness and tests. */
    admin(service: ServiceName, operation: string, input: Record<string, unknown>): unknown {
        return this.serve(service, operation, input, "admin", () =>
            this.models[service].call(operation, input),
        );
    }

    private serve(
        service: ServiceName,
        operation: string,
        input: Record<string, unknown>,
        via: ObservedApiCall["via"],
        answer: () => unknown,
    ): unknown {
        let output: unknown;
        try {
            output = answer();
        } catch (error) {
            this.callObserver?.({ service, operation, input, via, error });
            throw error;
        }
        this.callObserver?.({ service, operation, input, via, output });
        return output;
    }

    /** Advances virtual time by `seconds`, running everything that falls due. */
    async run(seconds: number): Promise<void> {
        if (!(seconds >= 0)) throw new Error(`run: seconds must be >= 0, got ${seconds}`);
        await this.clock.runFor(seconds * 1000);
    }

    /** Runs in steps of `stepSeconds` until `done()` holds or `maxSeconds` passed; returns whether it held. */
    async runUntil(done: () => boolean, maxSeconds: number, stepSeconds = 5): Promise<boolean> {
        const deadline = this.clock.now() + maxSeconds * 1000;
        while (!done()) {
            if (this.clock.now() >= deadline) return false;
            await this.clock.runUntil(Math.min(deadline, this.clock.now() + stepSeconds * 1000));
        }
        return true;
    }

    invariants(): InvariantReport {
        return this.monitor.report();
    }

    /** API calls served (or throttled) so far, by service and operation. */
    apiCalls(): ApiCallCounts {
        return structuredClone(this.counts);
    }

    /**
     * ECS requests per second over a sliding second (throttled requests included: ECS counts them
     * too), of the requests made from `since` (virtual epoch ms) by callers `from` accepts.
     * A request's time is when the calling handler made it (in-process calls are made one after
     * another; calls over the wire that a handler issues together share a time only roughly).
     */
    ecsRequestRate(
        options: { since?: number; from?: (caller: string | undefined) => boolean } = {},
    ): RequestRate {
        const since = options.since ?? -Infinity;
        const from = options.from ?? (() => true);
        return slidingSecondRate(
            this.ecsRequests.filter((r) => r.at >= since && from(r.caller)).map((r) => r.at),
        );
    }

    /** Bytes of the answers served while `countResponseBytes` was set, by service and operation. */
    responseBytes(): ApiCallCounts {
        return structuredClone(this.bytes);
    }

    /** How many times each fault the run switched on has fired so far (0 for one that never did). */
    faultsFired(): Partial<Record<FaultName, number>> {
        return this.injector.firedCounts();
    }

    /** ECS calls answered with ThrottlingException, by operation. */
    throttledCalls(): ApiCallCounts {
        return structuredClone(this.throttled);
    }

    /** Every operation the region serves, as "service:Operation". */
    servedOperations(): string[] {
        return Object.entries(this.models).flatMap(([service, model]) =>
            model.operations.map((op) => `${service}:${op}`),
        );
    }

    private throttleEcs(operation: string): void {
        if (this.ctx.faultFires("throttleRate", { service: "ecs", operation })) {
            bump(this.throttled, "ecs", operation);
            throw new AwsError("ThrottlingException", "Rate exceeded");
        }
        if (!this.ctx.faults.ecsRateLimit) return;
        const now = this.lambda.invocationNow();
        this.ecsTokens = Math.min(
            ECS_BURST,
            this.ecsTokens + (Math.max(0, now - this.ecsTokensAt) * ECS_RATE_PER_SECOND) / 1000,
        );
        this.ecsTokensAt = Math.max(this.ecsTokensAt, now);
        if (this.ecsTokens < 1) {
            this.ctx.faultFired("ecsRateLimit", { service: "ecs", operation });
            bump(this.throttled, "ecs", operation);
            throw new AwsError("ThrottlingException", "Rate exceeded");
        }
        this.ecsTokens -= 1;
    }
}

function bump(counts: ApiCallCounts, service: string, operation: string, by = 1): void {
    counts[service] ??= {};
    counts[service][operation] = (counts[service][operation] ?? 0) + by;
}
