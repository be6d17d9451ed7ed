/**
 * AWS Lambda in the simulated region: a registry of functions whose handlers are real JS
 * functions, run one invocation at a time (the clock awaits each), with virtual time charged per
 * API call and for the CPU the handler really uses, so getRemainingTimeInMillis(), timeouts and
 * billed duration mean what they do on AWS. Models async invocation (internal queue, 2 retries ≈1
 * and ≈2 minutes apart, then the on-failure destination or DLQ), reserved concurrency and
 * throttling, log capture into CloudWatch Logs, SQS event source mappings (see
 * lambdaSqsPoller.ts) and recursive-loop detection.
 *
 * Compute: the handler's CPU time is measured while it runs (computeMeter.ts), the region's own
 * work inside its API calls excluded, and scaled to the function's memory: Lambda allocates
 * CPU in proportion to memory, one vCPU at 1,769 MB (Lambda developer guide, "Configuring Lambda
 * function memory"); a single-threaded handler gains nothing above that. Inferred: this machine's
 * core is as fast as a Lambda vCPU. Compute is placed on the invocation's timeline in whole
 * COMPUTE_QUANTUM_MS steps (cumulative, so at most one step per invocation is left off the
 * timeline) and billed in full: handlers that compute for milliseconds keep a run reproducible
 * for its seed, while one that computes for seconds delays its calls, runs out its timeout and is
 * billed as on AWS. A call issued after the invocation's timeout is never served.
 */
import { format } from "node:util";
import { computeSince, startCompute, type ComputeSegment } from "./computeMeter";
import { AwsError } from "./errors";
import { unknownOperation } from "./inputFields";
import { isoMillis, uuid } from "./messageIds";
import { SqsEventSourceMapping, type EventSourceMappingSpec } from "./lambdaSqsPoller";
import { SqsModel } from "./sqs";
import { servedWireCallKey } from "./wireCalls";
import type {
    LambdaContext,
    LambdaHandler,
    LambdaInternal,
    MessageTrace,
    RegionContext,
    ServiceModel,
} from "./types";

/** The runtime's own time per invocation (event hand-off through the Runtime API); inferred. */
export const LAMBDA_RUNTIME_OVERHEAD_MS = 1;
/** Lambda's CPU: one vCPU at this much memory, proportionally less below. */
export const MEMORY_MB_PER_VCPU = 1769;
/** Compute reaches the timeline in steps this large; the remainder is billed only. */
export const COMPUTE_QUANTUM_MS = 100;
/** Delay between an async invoke and the first attempt (Lambda's internal queue). */
export const ASYNC_QUEUE_DELAY_MS = 50;
/** After a failed attempt of an async event, the next attempt waits this long (two retries). */
export const ASYNC_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];
/** A throttled async event is retried until it is this old, then sent to its failure target. */
export const MAX_EVENT_AGE_MS = 6 * 3600_000;
/** Lambda stops the invocation after a chain has looped through the same resource this many times. */
export const RECURSION_LIMIT = 16;
/** The account's concurrency when a function has no reserved concurrency. */
export const ACCOUNT_CONCURRENCY = 1000;

const MAX_THROTTLE_BACKOFF_MS = 300_000;

export interface FunctionSpec {
    readonly name: string;
    readonly handler: LambdaHandler;
    readonly timeoutSeconds: number;
    readonly memoryMb: number;
    /** 0 throttles every invocation. */
    readonly reservedConcurrency?: number;
    /** Set in process.env while the handler runs. */
    readonly environment?: Readonly<Record<string, string>>;
    /** SQS queue, SNS topic or Lambda ARN that receives a destination record when an async event fails. */
    readonly onFailureArn?: string;
    /** SQS queue or SNS topic ARN that receives the original payload when an async event fails. */
    readonly deadLetterArn?: string;
    /** Retries of a failed async event, 0–2; default 2. */
    readonly maximumRetryAttempts?: number;
}

export interface FunctionStats {
    invocations: number;
    errors: number;
    timeouts: number;
    throttles: number;
    recursionStops: number;
    billedMs: number;
    gbSeconds: number;
    /** Of the billed time, the handlers' own compute (ms of Lambda time, scaled to memory). */
    computeMs: number;
    /** The most compute one invocation used. */
    maxComputeMs: number;
}

/**
 * What an invocation came to: `elapsedMs` is the virtual time it occupied (its calls and the
 * compute placed on its timeline), `unplacedComputeMs` the compute billed beyond that, and
 * `computeMs` all of its compute.
 */
export interface InvocationOutcome {
    readonly status: "ok" | "error" | "timeout" | "throttled";
    readonly requestId: string;
    readonly startedAt: number;
    readonly elapsedMs: number;
    readonly unplacedComputeMs?: number;
    readonly computeMs?: number;
    readonly result?: unknown;
    readonly errorType?: string;
    readonly errorMessage?: string;
}

/** Where an invocation came from: the invoking SNS topic / SQS queue / rule ARN and its trace. */
export interface InvocationTrigger {
    readonly kind: "async" | "sync" | "sqs";
    readonly sourceArn?: string;
    readonly trace?: MessageTrace;
}

export interface LambdaFunction {
    readonly spec: FunctionSpec;
    readonly arn: string;
    readonly logGroupName: string;
    readonly stats: FunctionStats;
    /** Virtual end times of invocations that may still be running, for concurrency. */
    inFlightUntil: number[];
}

/** The invocation whose handler is running now (a stack: a handler's API call may invoke another). */
interface Frame {
    readonly fn: LambdaFunction;
    readonly startedAt: number;
    chargedMs: number;
    readonly trace: MessageTrace;
    /**
     * ms since startedAt at which an HTTP call the handler issues now starts: the end of the latest
     * call whose answer it had received (see wireCalls.ts). Calls issued together overlap.
     */
    wireIssueBaseMs: number;
    /** The handler's CPU time so far, scaled to the function's memory (ms of Lambda time). */
    computeMs: number;
    /** How much of it is on the timeline (a multiple of COMPUTE_QUANTUM_MS). */
    placedComputeMs: number;
    /** Where the handler's compute was measured from when it last resumed; undefined while the region works. */
    computing?: ComputeSegment;
}

/** A call the handler issued after its invocation timed out: on AWS the process is gone. */
export class InvocationTimedOutError extends Error {
    override readonly name = "Sandbox.Timedout";
}

/** One HTTP call of a handler to the region, from its issue to its answer. */
interface WireCall {
    readonly frame: Frame;
    readonly issuedAtMs: number;
    endMs?: number;
}

interface AsyncEvent {
    readonly fn: LambdaFunction;
    readonly payload: unknown;
    readonly source: string;
    readonly trace: MessageTrace | undefined;
    readonly enqueuedAt: number;
    /** Attempts that ran the function (throttles do not count). */
    attempts: number;
    throttles: number;
}

export class LambdaInvocationError extends Error {
    constructor(
        readonly errorType: string,
        message: string,
    ) {
        super(message);
        this.name = errorType;
    }
}

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

export class LambdaModel implements ServiceModel, LambdaInternal {
    readonly service = "lambda" as const;
    /** Functions are created through createFunction; Invoke on the wire is not modelled. */
    readonly operations = [] as const;

    private readonly functions = new Map<string, LambdaFunction>();
    /** Measure handlers' CPU (off when they call over the wire, whose server work runs in this process too). */
    measureCompute = true;
    private readonly frames: Frame[] = [];
    /** A handler's HTTP calls to the region, by wireCalls.ts's call key, until answered. */
    private readonly wireCalls = new Map<string, WireCall>();

    constructor(private readonly ctx: RegionContext) {}

    call(operation: string, _input: Record<string, unknown>): unknown {
        throw unknownOperation("UnknownOperationException", "lambda", operation);
    }

    createFunction(spec: FunctionSpec): string {
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(spec.name)) {
            throw new Error(
                `createFunction: name must be 1–64 letters, digits, hyphens or underscores, got "${spec.name}"`,
            );
        }
        if (!Number.isInteger(spec.timeoutSeconds) || spec.timeoutSeconds < 1 || spec.timeoutSeconds > 900) {
            throw new Error(
                `createFunction(${spec.name}): timeoutSeconds must be an integer from 1 to 900, got ${spec.timeoutSeconds}`,
            );
        }
        if (!Number.isInteger(spec.memoryMb) || spec.memoryMb < 128 || spec.memoryMb > 10_240) {
            throw new Error(
                `createFunction(${spec.name}): memoryMb must be an integer from 128 to 10240, got ${spec.memoryMb}`,
            );
        }
        const reserved = spec.reservedConcurrency;
        if (
            reserved !== undefined &&
            (!Number.isInteger(reserved) || reserved < 0 || reserved > ACCOUNT_CONCURRENCY)
        ) {
            throw new Error(
                `createFunction(${spec.name}): reservedConcurrency must be an integer from 0 to ${ACCOUNT_CONCURRENCY}, got ${reserved}`,
            );
        }
        const retries = spec.maximumRetryAttempts;
        if (
            retries !== undefined &&
            (!Number.isInteger(retries) || retries < 0 || retries > ASYNC_RETRY_DELAYS_MS.length)
        ) {
            throw new Error(
                `createFunction(${spec.name}): maximumRetryAttempts must be an integer from 0 to ${ASYNC_RETRY_DELAYS_MS.length}, got ${retries}`,
            );
        }
        const arn = `arn:aws:lambda:${this.ctx.region}:${this.ctx.accountId}:function:${spec.name}`;
        if (this.functions.has(arn)) throw new Error(`createFunction: function ${spec.name} already exists`);
        this.functions.set(arn, {
            spec,
            arn,
            logGroupName: `/aws/lambda/${spec.name}`,
            stats: {
                invocations: 0,
                errors: 0,
                timeouts: 0,
                throttles: 0,
                recursionStops: 0,
                billedMs: 0,
                gbSeconds: 0,
                computeMs: 0,
                maxComputeMs: 0,
            },
            inFlightUntil: [],
        });
        return arn;
    }

    /** Polls an SQS queue for the function; returns the mapping's UUID. */
    createEventSourceMapping(spec: EventSourceMappingSpec): string {
        const sqs = this.ctx.sqs;
        if (!(sqs instanceof SqsModel))
            throw new Error("createEventSourceMapping needs the region's SqsModel as ctx.sqs");
        if (!sqs.hasQueue(spec.queueArn))
            throw new Error(`createEventSourceMapping: queueArn ${spec.queueArn} does not exist`);
        const mapping = new SqsEventSourceMapping(
            uuid(this.ctx.random),
            spec,
            this.functionByArn(spec.functionArn),
            sqs,
            this.ctx,
            {
                invoke: (fn, payload, trigger) => this.invoke(fn, payload, trigger),
                maxConcurrency: (fn) => this.concurrencyLimit(fn),
                recursionStopped: (fn, sourceArn, trace) => this.recursionStopped(fn, sourceArn, trace),
            },
        );
        return mapping.uuid;
    }

    stats(functionArn: string): Readonly<FunctionStats> {
        return { ...this.functionByArn(functionArn).stats };
    }

    /** Every function's counters, by name. */
    allStats(): Record<string, Readonly<FunctionStats>> {
        return Object.fromEntries([...this.functions.values()].map((fn) => [fn.spec.name, { ...fn.stats }]));
    }

    // ---- LambdaInternal ----------------------------------------------------------------

    invokeAsync(functionArn: string, payload: unknown, source: string, trace?: MessageTrace): void {
        const fn = this.functionByArn(functionArn);
        const event: AsyncEvent = {
            fn,
            payload,
            source,
            trace,
            enqueuedAt: this.invocationNow(),
            attempts: 0,
            throttles: 0,
        };
        this.ctx.clock.at(event.enqueuedAt + ASYNC_QUEUE_DELAY_MS, `lambda.async ${fn.spec.name}`, () =>
            this.attemptAsync(event),
        );
    }

    async invokeSync(functionArn: string, payload: unknown, callerTimeoutMs: number): Promise<unknown> {
        const fn = this.functionByArn(functionArn);
        const outcome = await this.invoke(fn, payload, { kind: "sync" });
        if (outcome.status === "throttled")
            throw new AwsError("TooManyRequestsException", "Rate Exceeded.", 429);
        if (outcome.status === "timeout")
            throw new LambdaInvocationError("Sandbox.Timedout", outcome.errorMessage!);
        const durationMs = Math.ceil(outcome.elapsedMs + (outcome.unplacedComputeMs ?? 0));
        if (durationMs > callerTimeoutMs) {
            throw new LambdaInvocationError(
                "CallerTimeout",
                `${fn.spec.name} took ${durationMs} ms, more than the caller's limit of ${callerTimeoutMs} ms`,
            );
        }
        if (outcome.status === "error")
            throw new LambdaInvocationError(outcome.errorType!, outcome.errorMessage!);
        return outcome.result;
    }

    chargeApiLatency(ms: number, key: string | undefined = servedWireCallKey()): void {
        const frame = this.frames.at(-1);
        if (!frame) return;
        const call = key === undefined ? undefined : this.wireCalls.get(key);
        // A request an invocation left behind when it returned is not this invocation's time.
        if (key !== undefined && call?.frame !== frame) return;
        if (call === undefined) {
            // A call made in-process (scripted handlers): it runs alone, after everything before it.
            frame.chargedMs += ms;
            frame.wireIssueBaseMs = Math.max(frame.wireIssueBaseMs, frame.chargedMs);
            return;
        }
        call.endMs = call.issuedAtMs + ms;
        frame.chargedMs = Math.max(frame.chargedMs, call.endMs);
    }

    /**
     * A handler's request to the region left (called in the handler's own turn, before any answer),
     * no earlier than `notBeforeMs` after the invocation started (a retry after its backoff).
     */
    wireCallIssued(key: string, notBeforeMs = 0): void {
        const frame = this.frames.at(-1);
        if (frame) {
            // What the handler computed before the call delays it.
            this.pauseCompute(frame);
            this.resumeCompute(frame);
            this.wireCalls.set(key, { frame, issuedAtMs: Math.max(frame.wireIssueBaseMs, notBeforeMs) });
        }
    }

    /**
     * The answer reached the handler: what it issues next starts no earlier than this call's end.
     * Returns that end (ms after the invocation started), if the call was the running invocation's.
     */
    wireCallAnswered(key: string): number | undefined {
        const call = this.wireCalls.get(key);
        this.wireCalls.delete(key);
        if (call?.endMs !== undefined) {
            call.frame.wireIssueBaseMs = Math.max(call.frame.wireIssueBaseMs, call.endMs);
        }
        return call?.endMs;
    }

    /**
     * The region starts serving a call of the running handler: the handler's compute so far is
     * measured (and placed), and the region's own work is not counted as the handler's. A handler
     * past its timeout is not served: on AWS it was stopped before it could make the call.
     */
    regionWorkStarts(): void {
        const frame = this.frames.at(-1);
        if (!frame) return;
        this.pauseCompute(frame);
        const elapsedMs = frame.chargedMs + (frame.computeMs - frame.placedComputeMs);
        if (elapsedMs > frame.fn.spec.timeoutSeconds * 1000) {
            throw new InvocationTimedOutError(
                `${frame.fn.spec.name} ran past its ${frame.fn.spec.timeoutSeconds} s timeout before this call`,
            );
        }
    }

    /** The region is done serving the call: the handler computes again. */
    regionWorkEnds(): void {
        const frame = this.frames.at(-1);
        if (frame) this.resumeCompute(frame);
    }

    private resumeCompute(frame: Frame): void {
        if (this.measureCompute) frame.computing = startCompute();
    }

    /** Adds the CPU used since the handler resumed, scaled to its memory; places whole quanta on its timeline. */
    private pauseCompute(frame: Frame): void {
        if (frame.computing === undefined) return;
        const usedMs = computeSince(frame.computing);
        frame.computing = undefined;
        const vcpus = Math.min(1, frame.fn.spec.memoryMb / MEMORY_MB_PER_VCPU);
        frame.computeMs += usedMs / vcpus;
        const place =
            Math.floor(frame.computeMs / COMPUTE_QUANTUM_MS) * COMPUTE_QUANTUM_MS - frame.placedComputeMs;
        if (place <= 0) return;
        frame.placedComputeMs += place;
        frame.wireIssueBaseMs += place;
        frame.chargedMs = Math.max(frame.chargedMs, frame.wireIssueBaseMs);
    }

    /** The running handler waits `ms` (a timer): what it does next starts that much later. */
    wait(ms: number): void {
        const frame = this.frames.at(-1);
        if (!frame) return;
        frame.wireIssueBaseMs += ms;
        frame.chargedMs = Math.max(frame.chargedMs, frame.wireIssueBaseMs);
    }

    invocationNow(): number {
        const frame = this.frames.at(-1);
        return frame ? frame.startedAt + frame.chargedMs : this.ctx.clock.now();
    }

    /** The name of the function whose handler is running now, if any. */
    runningFunctionName(): string | undefined {
        return this.frames.at(-1)?.fn.spec.name;
    }

    traceForSend(targetArn: string): MessageTrace | undefined {
        const frame = this.frames.at(-1);
        if (!frame) return undefined;
        const { trace } = frame;
        return { ...trace, depth: trace.depth + (trace.chain.includes(targetArn) ? 1 : 0) };
    }

    // ---- invocation --------------------------------------------------------------------

    /** Runs one invocation now; completion effects are the caller's, at startedAt + elapsedMs. */
    private async invoke(
        fn: LambdaFunction,
        payload: unknown,
        trigger: InvocationTrigger,
    ): Promise<InvocationOutcome> {
        const startedAt = this.invocationNow();
        const requestId = uuid(this.ctx.random);
        fn.inFlightUntil = fn.inFlightUntil.filter((end) => end > startedAt);
        if (fn.inFlightUntil.length >= this.concurrencyLimit(fn)) {
            fn.stats.throttles++;
            this.ctx.record("lambda.throttled", { function: fn.spec.name, trigger: trigger.kind });
            return { status: "throttled", requestId, startedAt, elapsedMs: 0 };
        }
        const timeoutMs = fn.spec.timeoutSeconds * 1000;
        let outcome: InvocationOutcome;
        if (this.ctx.faultFires("lambdaCrashRate", { function: fn.spec.name, requestId })) {
            outcome = {
                status: "error",
                requestId,
                startedAt,
                elapsedMs: LAMBDA_RUNTIME_OVERHEAD_MS,
                errorType: "Runtime.ExitError",
                errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
            };
        } else {
            const frame: Frame = {
                fn,
                startedAt,
                chargedMs: LAMBDA_RUNTIME_OVERHEAD_MS,
                trace: invocationTrace(trigger, this.ctx.random),
                wireIssueBaseMs: LAMBDA_RUNTIME_OVERHEAD_MS,
                computeMs: 0,
                placedComputeMs: 0,
            };
            const run = await this.runHandler(frame, payload, requestId);
            const unplacedComputeMs = frame.computeMs - frame.placedComputeMs;
            const timedOut =
                frame.chargedMs + unplacedComputeMs > timeoutMs ||
                this.ctx.faultFires("lambdaTimeoutRate", { function: fn.spec.name, requestId });
            outcome = timedOut
                ? {
                      status: "timeout",
                      requestId,
                      startedAt,
                      elapsedMs: timeoutMs,
                      errorType: "Sandbox.Timedout",
                      errorMessage: `${isoMillis(startedAt + timeoutMs)} ${requestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
                  }
                : {
                      ...run,
                      requestId,
                      startedAt,
                      elapsedMs: frame.chargedMs,
                      unplacedComputeMs,
                      computeMs: frame.computeMs,
                  };
        }
        this.settle(fn, outcome, trigger);
        return outcome;
    }

    private async runHandler(
        frame: Frame,
        payload: unknown,
        requestId: string,
    ): Promise<Pick<InvocationOutcome, "status" | "result" | "errorType" | "errorMessage">> {
        const { fn } = frame;
        const context: LambdaContext = {
            functionName: fn.spec.name,
            functionVersion: "$LATEST",
            invokedFunctionArn: fn.arn,
            memoryLimitInMB: String(fn.spec.memoryMb),
            awsRequestId: requestId,
            logGroupName: fn.logGroupName,
            logStreamName: `${isoMillis(frame.startedAt).slice(0, 10).replace(/-/g, "/")}/[$LATEST]${requestId.replace(/-/g, "")}`,
            getRemainingTimeInMillis: () => Math.max(0, fn.spec.timeoutSeconds * 1000 - frame.chargedMs),
        };
        this.frames.push(frame);
        const restoreConsole = this.captureConsole(fn.logGroupName);
        const restoreEnv = applyEnvironment(fn.spec.environment ?? {});
        // A handler reads the time with Date.now(), as on AWS, where its clock is the region's.
        const restoreClock = presentVirtualTime(() => this.invocationNow());
        this.ctx.cloudwatch.logLine(fn.logGroupName, `START RequestId: ${requestId} Version: $LATEST`);
        this.resumeCompute(frame);
        try {
            const result = await fn.spec.handler(payload, context);
            return { status: "ok", result };
        } catch (error) {
            const errorType = error instanceof Error ? error.name : "Error";
            const errorMessage = error instanceof Error ? error.message : String(error);
            this.ctx.cloudwatch.logLine(
                fn.logGroupName,
                `ERROR\tInvoke Error\t${JSON.stringify({ errorType, errorMessage })}`,
            );
            return { status: "error", errorType, errorMessage };
        } finally {
            this.pauseCompute(frame);
            restoreClock();
            restoreEnv();
            restoreConsole();
            this.frames.pop();
            // Calls left unanswered (not awaited, or failed on the wire) end with the invocation.
            for (const [key, call] of this.wireCalls) if (call.frame === frame) this.wireCalls.delete(key);
        }
    }

    /** Bills, counts, logs the end of an invocation and holds its concurrency until it ends. */
    private settle(fn: LambdaFunction, outcome: InvocationOutcome, trigger: InvocationTrigger): void {
        const durationMs = outcome.elapsedMs + (outcome.unplacedComputeMs ?? 0);
        const billedMs = Math.ceil(durationMs);
        fn.inFlightUntil.push(outcome.startedAt + outcome.elapsedMs);
        fn.stats.invocations++;
        if (outcome.status === "error") fn.stats.errors++;
        if (outcome.status === "timeout") {
            fn.stats.errors++;
            fn.stats.timeouts++;
            this.ctx.cloudwatch.logLine(fn.logGroupName, outcome.errorMessage!);
        }
        fn.stats.billedMs += billedMs;
        fn.stats.gbSeconds += (billedMs / 1000) * (fn.spec.memoryMb / 1024);
        fn.stats.computeMs += outcome.computeMs ?? 0;
        fn.stats.maxComputeMs = Math.max(fn.stats.maxComputeMs, outcome.computeMs ?? 0);
        this.ctx.cloudwatch.logLine(fn.logGroupName, `END RequestId: ${outcome.requestId}`);
        this.ctx.cloudwatch.logLine(
            fn.logGroupName,
            `REPORT RequestId: ${outcome.requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${billedMs} ms\tMemory Size: ${fn.spec.memoryMb} MB`,
        );
        this.ctx.record("lambda.invoked", {
            function: fn.spec.name,
            trigger: trigger.kind,
            status: outcome.status,
            durationMs: outcome.elapsedMs,
            ...(outcome.errorType !== undefined ? { errorType: outcome.errorType } : {}),
        });
    }

    /** One log event per console call, multi-line messages included, as the Node.js runtime writes them. */
    private captureConsole(logGroupName: string): () => void {
        const saved = CONSOLE_METHODS.map((method) => console[method]);
        for (const method of CONSOLE_METHODS) {
            console[method] = (...args: unknown[]) =>
                this.ctx.cloudwatch.logLine(logGroupName, format(...args));
        }
        return () => CONSOLE_METHODS.forEach((method, i) => (console[method] = saved[i]));
    }

    // ---- async invocation --------------------------------------------------------------

    private async attemptAsync(event: AsyncEvent): Promise<void> {
        const { fn } = event;
        if (event.trace && event.trace.depth >= RECURSION_LIMIT) {
            this.recursionStopped(fn, event.source, event.trace);
            this.sendToFailureTargets(event, "RecursiveInvocationException", {
                errorType: "RecursiveInvocationException",
                errorMessage:
                    "Lambda has detected your function being invoked in a recursive loop and stopped the invocation.",
            });
            return;
        }
        const outcome = await this.invoke(fn, event.payload, {
            kind: "async",
            sourceArn: event.source,
            trace: event.trace,
        });
        if (outcome.status !== "throttled") event.attempts++;
        this.ctx.clock.at(outcome.startedAt + outcome.elapsedMs, `lambda.async-done ${fn.spec.name}`, () =>
            this.afterAsyncAttempt(event, outcome),
        );
    }

    private afterAsyncAttempt(event: AsyncEvent, outcome: InvocationOutcome): void {
        const now = this.ctx.clock.now();
        const retryAt = (delayMs: number) =>
            this.ctx.clock.at(now + delayMs, `lambda.async-retry ${event.fn.spec.name}`, () =>
                this.attemptAsync(event),
            );
        switch (outcome.status) {
            case "ok":
                return;
            case "throttled": {
                const backoff = Math.min(MAX_THROTTLE_BACKOFF_MS, 1000 * 2 ** event.throttles++);
                if (now + backoff - event.enqueuedAt > MAX_EVENT_AGE_MS) {
                    this.sendToFailureTargets(event, "EventAgeExceeded", {
                        errorType: "TooManyRequestsException",
                        errorMessage: "Rate Exceeded.",
                    });
                } else {
                    retryAt(backoff);
                }
                return;
            }
            case "error":
            case "timeout":
                if (event.attempts <= (event.fn.spec.maximumRetryAttempts ?? ASYNC_RETRY_DELAYS_MS.length)) {
                    retryAt(ASYNC_RETRY_DELAYS_MS[event.attempts - 1]);
                } else {
                    this.sendToFailureTargets(event, "RetriesExhausted", outcome);
                }
        }
    }

    private sendToFailureTargets(
        event: AsyncEvent,
        condition: string,
        failure: Pick<InvocationOutcome, "errorType" | "errorMessage">,
    ): void {
        const { fn } = event;
        const requestId = uuid(this.ctx.random);
        const targets = [fn.spec.onFailureArn, fn.spec.deadLetterArn].filter((arn) => arn !== undefined);
        this.ctx.record("lambda.async-failed", {
            function: fn.spec.name,
            condition,
            attempts: event.attempts,
            targets,
        });
        if (fn.spec.onFailureArn) {
            const record = {
                version: "1.0",
                timestamp: isoMillis(this.ctx.clock.now()),
                requestContext: {
                    requestId,
                    functionArn: `${fn.arn}:$LATEST`,
                    condition,
                    approximateInvokeCount: event.attempts,
                },
                requestPayload: event.payload,
                responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
                responsePayload: { errorType: failure.errorType, errorMessage: failure.errorMessage },
            };
            this.deliverFailure(fn, fn.spec.onFailureArn, JSON.stringify(record), {});
        }
        if (fn.spec.deadLetterArn) {
            this.deliverFailure(fn, fn.spec.deadLetterArn, JSON.stringify(event.payload), {
                RequestID: { DataType: "String", StringValue: requestId },
                ErrorCode: { DataType: "Number", StringValue: "200" },
                ErrorMessage: { DataType: "String", StringValue: failure.errorMessage ?? condition },
            });
        }
    }

    private deliverFailure(
        fn: LambdaFunction,
        targetArn: string,
        body: string,
        attributes: Record<string, { DataType: string; StringValue: string }>,
    ): void {
        try {
            if (targetArn.startsWith("arn:aws:sqs:"))
                this.ctx.sqs.sendInternal(targetArn, body, undefined, { attributes });
            else if (targetArn.startsWith("arn:aws:sns:"))
                this.ctx.sns.publishInternal(targetArn, body, undefined, attributes);
            else if (targetArn.startsWith("arn:aws:lambda:"))
                this.invokeAsync(targetArn, JSON.parse(body), fn.arn);
            else
                throw new AwsError(
                    "InvalidParameterValueException",
                    `Unsupported failure target ${targetArn}`,
                );
        } catch (error) {
            if (!(error instanceof AwsError)) throw error;
            this.ctx.record("lambda.failure-target-failed", {
                function: fn.spec.name,
                target: targetArn,
                error: error.code,
            });
        }
    }

    private recursionStopped(fn: LambdaFunction, sourceArn: string, trace: MessageTrace): void {
        fn.stats.recursionStops++;
        this.ctx.record("lambda.recursion-stopped", {
            function: fn.spec.name,
            source: sourceArn,
            traceId: trace.traceId,
            depth: trace.depth,
        });
    }

    private concurrencyLimit(fn: LambdaFunction): number {
        return fn.spec.reservedConcurrency ?? ACCOUNT_CONCURRENCY;
    }

    private functionByArn(functionArn: string): LambdaFunction {
        const unqualified = functionArn.replace(/:(\$LATEST|\d+)$/, "");
        const fn = this.functions.get(unqualified);
        if (!fn) throw new AwsError("ResourceNotFoundException", `Function not found: ${functionArn}`, 404);
        return fn;
    }
}

/**
 * The trace an invocation runs under: the incoming one (or a new one), with the invoking SNS
 * topic or SQS queue added to the chain — sending back into the chain is what counts as a loop.
 */
function invocationTrace(trigger: InvocationTrigger, random: RegionContext["random"]): MessageTrace {
    const base = trigger.trace ?? { traceId: `1-${random.hex(8)}-${random.hex(24)}`, chain: [], depth: 0 };
    const source = trigger.sourceArn;
    const loopsThrough =
        source !== undefined && (source.startsWith("arn:aws:sns:") || source.startsWith("arn:aws:sqs:"));
    return loopsThrough && !base.chain.includes(source) ? { ...base, chain: [...base.chain, source] } : base;
}

/** Makes Date.now() answer the invocation's virtual time until the returned function restores it. */
function presentVirtualTime(now: () => number): () => void {
    const saved = Date.now;
    Date.now = now;
    return () => {
        Date.now = saved;
    };
}

function applyEnvironment(environment: Readonly<Record<string, string>>): () => void {
    const saved = Object.keys(environment).map((key) => [key, process.env[key]] as const);
    Object.assign(process.env, environment);
    return () => {
        for (const [key, value] of saved) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
    };
}
