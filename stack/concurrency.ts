/**
 * Reserved concurrency, opt-in per stack (`reserveLambdaConcurrency`). AWS refuses a reservation
 * that leaves the account less than its minimum unreserved concurrency (100; Lambda developer
 * guide, "Configuring reserved concurrency"), and new accounts often have a total of 10, where any
 * reservation fails: so by default no function reserves any. What the reservations gave is kept
 * without them: the drain queue's event source bounds the drain (maximumConcurrency), and two
 * capacity evaluations at once are harmless (the capacity Lambda only reads ECS and publishes
 * gauges; both alarms take each minute's minimum, the more cautious snapshot).
 */

import { DRAIN_CONCURRENCY } from "./drain";

/** Each Lambda's reservation (the drain's equals its event source's maximumConcurrency) when the stack opts in; the sum must fit above the account's 100 unreserved. */
export const RESERVED_CONCURRENCY = {
    drain: DRAIN_CONCURRENCY,
    termination: 5,
    retirement: 2,
    // The schedule's invocation plus the evaluations queue's event source (maximumConcurrency 2).
    capacity: 3,
} as const;

export type ReservingFunction = keyof typeof RESERVED_CONCURRENCY;

/** The reservation `fn` declares: its entry when the stack opts in, none otherwise. */
export function reservedConcurrencyOf(fn: ReservingFunction, reserve: boolean): number | undefined {
    return reserve ? RESERVED_CONCURRENCY[fn] : undefined;
}

/**
 * The tag a function carries when it reserves concurrency, naming the opt-in that made it: the
 * plan's lambda-concurrency rule fails a reservation without it.
 */
export const RESERVED_CONCURRENCY_TAG = "ecs-lifecycle:reserved-concurrency";
export const RESERVED_CONCURRENCY_OPT_IN = "reserveLambdaConcurrency";
