/**
 * Bounded retry of AWS calls that were throttled, with "full jitter" exponential backoff: the
 * n-th wait is uniform in [0, min(maxDelayMs, baseDelayMs × 2^n)), so callers that were throttled
 * together do not retry together. Only throttling is retried; every other error is the caller's
 * to handle. Sleep and randomness are injected so that tests (and the simulated region) control
 * time.
 */

/** Error names AWS services use for throttling (ECS/SQS JSON: ThrottlingException; query protocols: Throttling). */
// An array, not a Set: a module-level Set does not survive Lambda closure serialization.
const THROTTLING_ERROR_NAMES: readonly string[] = [
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
];

export interface RetryOptions {
    /** Total attempts including the first (≥ 1). */
    readonly maxAttempts: number;
    /** Upper bound of the first backoff, in ms. */
    readonly baseDelayMs: number;
    /** Cap on any single backoff, in ms. */
    readonly maxDelayMs: number;
    readonly sleep: (ms: number) => Promise<void>;
    /** Uniform in [0, 1). */
    readonly random: () => number;
}

export const DEFAULT_RETRY_LIMITS = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2000 } as const;

/** True when `error` is an AWS throttling error (by its SDK `name`). */
export function isThrottlingError(error: unknown): boolean {
    return error instanceof Error && THROTTLING_ERROR_NAMES.includes(error.name);
}

/** The backoff before retry number `retryIndex` (0 for the first retry), given a draw in [0, 1). */
export function backoffDelayMs(
    retryIndex: number,
    draw: number,
    options: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs">,
): number {
    const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retryIndex);
    return Math.floor(draw * ceiling);
}

/**
 * Runs `operation`, retrying it while it fails with a throttling error, at most
 * `options.maxAttempts` attempts in all; the last throttling error (or any other error at once)
 * is rethrown.
 */
export async function retryThrottled<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
        throw new Error(`maxAttempts: expected an integer ≥ 1, got ${options.maxAttempts}`);
    }
    for (let attempt = 1; ; attempt++) {
        try {
            return await operation();
        } catch (error) {
            if (!isThrottlingError(error) || attempt >= options.maxAttempts) throw error;
            await options.sleep(backoffDelayMs(attempt - 1, options.random(), options));
        }
    }
}
