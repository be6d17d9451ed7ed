/**
 * Clients that call the region's operations in-process, for the handlers the scenarios and proofs
 * run: `send(command)` takes an SDK v3 command and answers as the SDK client would over the wire
 * (the same output with `$metadata`, the same error `name`, `$fault` and HTTP status), without
 * serializing, signing, an HTTP round trip or the SDK's middleware. Each call is issued and
 * answered in the invocation's virtual time as a wire call is (sim/wireCalls.ts), so calls a
 * handler makes together overlap and calls that wait for each other are charged in sequence.
 *
 * The SDK's standard retry strategy (installed `@smithy/core`, 2026 defaults) is modelled: at
 * most 3 attempts, throttling and transient errors retried after a full-jitter backoff (base
 * 1,000 ms for throttling, 50 ms otherwise, capped at 20 s) that passes in virtual time, and a
 * retry quota of 500 tokens per client (a retry costs 5 after throttling, 14 otherwise; a success
 * gives back what its retry cost, or 1).
 *
 * The wire protocols stay proven by their own tests (test/sim/protocol) and one scenario runs over
 * the wire end to end (test/sim/inProcessClients.test.ts compares the two paths).
 */
import type { CommandSender, LambdaRuntime, ServiceClientName } from "../runtime/lambdaRuntime";
import { AwsError } from "./errors";
import { InvocationTimedOutError } from "./lambda";
import { errorNames } from "./protocol/errorCodes";
import type { Region } from "./region";
import type { ServiceName } from "./types";

/** The region's name for each client's service (CloudWatch's signing name is `monitoring`). */
const REGION_SERVICE: Readonly<Record<ServiceClientName, ServiceName>> = {
    ecs: "ecs",
    autoscaling: "autoscaling",
    sqs: "sqs",
    sns: "sns",
    ssm: "ssm",
    dynamodb: "dynamodb",
    cloudwatch: "monitoring",
};

/** Where the handlers the region runs get their clients, waits and jitter. */
export function regionLambdaRuntime(region: Region): LambdaRuntime {
    return {
        client: (service) => new RegionClient(region, REGION_SERVICE[service]),
        sleep: async (ms) => region.lambda.wait(ms),
        random: () => region.random.next(),
    };
}

// Error classification and retry figures of the SDK's standard strategy (@smithy/core retry).
const THROTTLING_ERROR_CODES: readonly string[] = [
    "BandwidthLimitExceeded",
    "EC2ThrottledException",
    "LimitExceededException",
    "PriorRequestNotComplete",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ThrottledException",
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "TransactionInProgressException",
];
const TRANSIENT_ERROR_CODES: readonly string[] = [
    "TimeoutError",
    "RequestTimeout",
    "RequestTimeoutException",
];
const TRANSIENT_STATUS_CODES: readonly number[] = [500, 502, 503, 504];
const MAX_ATTEMPTS = 3;
const THROTTLING_DELAY_BASE_MS = 1000;
const DEFAULT_DELAY_BASE_MS = 50;
const MAX_RETRY_DELAY_MS = 20_000;
const INITIAL_RETRY_TOKENS = 500;
const THROTTLING_RETRY_COST = 5;
const RETRY_COST = 14;
const NO_RETRY_INCREMENT = 1;

/** An AWS error as an SDK v3 client raises it (a ServiceException's observable fields). */
export class SimulatedServiceException extends Error {
    readonly $fault: "client" | "server";
    readonly $metadata: {
        readonly httpStatusCode: number;
        readonly requestId: string;
        readonly attempts: number;
        readonly totalRetryDelay: number;
    };

    constructor(
        name: string,
        message: string,
        httpStatusCode: number,
        requestId: string,
        attempts: number,
        totalRetryDelay: number,
    ) {
        super(message);
        this.name = name;
        this.$fault = httpStatusCode >= 500 ? "server" : "client";
        this.$metadata = { httpStatusCode, requestId, attempts, totalRetryDelay };
    }
}

type RetryKind = "THROTTLING" | "TRANSIENT" | undefined;

function retryKind(error: AwsError): RetryKind {
    if (THROTTLING_ERROR_CODES.includes(error.code) || error.httpStatus === 429) return "THROTTLING";
    if (TRANSIENT_ERROR_CODES.includes(error.code) || TRANSIENT_STATUS_CODES.includes(error.httpStatus)) {
        return "TRANSIENT";
    }
    return undefined;
}

/** The SDK operation a command runs: `DescribeTasksCommand` → `DescribeTasks`. */
export function operationOf(command: object): string {
    const name = command.constructor.name;
    if (!name.endsWith("Command") || name === "Command") {
        throw new TypeError(`send: expected an SDK v3 command (…Command), got ${name}`);
    }
    return name.slice(0, -"Command".length);
}

/**
 * A value as it crosses the wire: a fresh copy with no `undefined` members (JSON drops them), so
 * neither side can alias the other's objects; Dates stay Dates, as the SDK parses timestamps.
 */
export function wireCopy(value: unknown): unknown {
    if (typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) {
        const copy = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) copy[i] = wireCopy(value[i]);
        return copy;
    }
    if (value instanceof Date) return new Date(value.getTime());
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
        const member = (value as Record<string, unknown>)[key];
        if (member !== undefined) copy[key] = wireCopy(member);
    }
    return copy;
}

let callSequence = 0;

export class RegionClient implements CommandSender {
    private retryTokens = INITIAL_RETRY_TOKENS;

    constructor(
        private readonly region: Region,
        readonly service: ServiceName,
    ) {}

    async send(command: object): Promise<unknown> {
        const operation = operationOf(command);
        const input = wireCopy((command as { input?: unknown }).input ?? {}) as Record<string, unknown>;
        const lambda = this.region.lambda;
        const call = ++callSequence;
        let retryCost: number | undefined;
        let totalRetryDelay = 0;
        let notBeforeMs = 0;
        for (let attempt = 1; ; attempt++) {
            const key = `in-process ${call} ${attempt}`;
            const requestId = `sim-${call}-${attempt}`;
            lambda.wireCallIssued(key, notBeforeMs);
            try {
                const output = await this.region.call(this.service, operation, input, key);
                lambda.wireCallAnswered(key);
                this.retryTokens = Math.min(
                    INITIAL_RETRY_TOKENS,
                    this.retryTokens + (retryCost ?? NO_RETRY_INCREMENT),
                );
                return {
                    ...(wireCopy(output ?? {}) as Record<string, unknown>),
                    $metadata: { httpStatusCode: 200, requestId, attempts: attempt, totalRetryDelay },
                };
            } catch (error) {
                const endMs = lambda.wireCallAnswered(key);
                if (error instanceof InvocationTimedOutError) throw error;
                const failure = asAwsError(error);
                const kind = retryKind(failure);
                retryCost = kind === "THROTTLING" ? THROTTLING_RETRY_COST : RETRY_COST;
                if (kind === undefined || attempt >= MAX_ATTEMPTS || this.retryTokens < retryCost) {
                    throw new SimulatedServiceException(
                        errorNames(this.service, failure.code).shapeName,
                        failure.message,
                        failure.httpStatus,
                        requestId,
                        attempt,
                        totalRetryDelay,
                    );
                }
                this.retryTokens -= retryCost;
                const base = kind === "THROTTLING" ? THROTTLING_DELAY_BASE_MS : DEFAULT_DELAY_BASE_MS;
                const delay = Math.floor(
                    this.region.random.next() * Math.min(base * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS),
                );
                totalRetryDelay += delay;
                notBeforeMs = (endMs ?? 0) + delay;
            }
        }
    }
}

/** What the loopback server answers for a model's failure (protocol/server.ts): AwsError, else an internal error. */
function asAwsError(error: unknown): AwsError {
    if (error instanceof AwsError) return error;
    return new AwsError(
        "InternalFailure",
        `The simulated service failed: ${(error as Error)?.message ?? String(error)}`,
        500,
    );
}
