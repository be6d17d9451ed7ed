/**
 * The ECS request budget's lane, pure: which calls it admits now, and the bound it keeps.
 * runtime/ecsBudget.ts holds the lane in DynamoDB and says why there is one.
 *
 * The lane is the generic cell rate algorithm (ITU-T I.371) with slots: `tat` is the theoretical
 * arrival time of the next call. A grant of k calls gives them the slots start, start + T, …
 * (start = max(tat, now), T the slot interval) and moves `tat` past the last; slots a grant did
 * not use go back if nobody has taken a slot after them.
 *
 * Three kinds of grant. Fresh work (a batch's first reads) is granted only on a free lane
 * (start = now), two calls at most. A continuation (the same invocation's next call: its write,
 * its next read) takes one slot at most two slots ahead. Urgent work (the one look that confirms
 * an instance has emptied) takes one slot at most EARLY = 3·T + URGENT_HEADROOM ahead: since
 * fresh work and continuations never hold the lane more than three slots ahead, urgent work is
 * granted at once unless other urgent work just was. So BURST = 4 calls can be admitted at once.
 *
 * Every granted slot is therefore at most EARLY ahead of the grant, and the handler makes each
 * call no later than LATE after its slot (it checks its clock first, and asks again when late).
 * The calls of any second [x, x + 1 s) then have their slots in (x − LATE, x + 1 s + EARLY],
 * T apart: at most (1 s + EARLY + LATE) / T + 1 = (1 s + URGENT_HEADROOM + LATE) / T + BURST of
 * them, which T = ⌈(1 s + URGENT_HEADROOM + LATE) / (B − BURST)⌉ keeps at the budget B.
 */

/** How far beyond one slot ahead urgent work may be admitted. */
export const URGENT_HEADROOM_MS = 100;
/** How late after its slot a call may still be made. */
export const LATE_MS = 100;
/** The most calls the lane admits at once: a batch's two reads, one write, one urgent look. */
export const BURST = 4;
/** How many slots ahead a continuation may be granted. */
export const CONTINUATION_SLOTS = 2;
/** The most calls of one fresh grant (a batch's ListContainerInstances and DescribeContainerInstances). */
export const MAX_FRESH_CALLS = 2;
export const MIN_REQUESTS_PER_SECOND = BURST + 1;
export const MAX_REQUESTS_PER_SECOND = 20;

export interface EcsLane {
    /** The budget: ECS requests within any one second. */
    readonly requestsPerSecond: number;
    /** Slot interval T (ms): the sustained rate is 1000 / T requests per second. */
    readonly intervalMs: number;
    /** How far ahead of the grant a slot may be (EARLY). */
    readonly earlyMs: number;
}

export function laneFor(requestsPerSecond: number): EcsLane {
    if (
        !Number.isInteger(requestsPerSecond) ||
        requestsPerSecond < MIN_REQUESTS_PER_SECOND ||
        requestsPerSecond > MAX_REQUESTS_PER_SECOND
    ) {
        throw new Error(
            `ecsRequestsPerSecond: expected an integer from ${MIN_REQUESTS_PER_SECOND} to ${MAX_REQUESTS_PER_SECOND}, got ${JSON.stringify(requestsPerSecond)}`,
        );
    }
    const intervalMs = Math.ceil((1000 + URGENT_HEADROOM_MS + LATE_MS) / (requestsPerSecond - BURST));
    return { requestsPerSecond, intervalMs, earlyMs: (BURST - 1) * intervalMs + URGENT_HEADROOM_MS };
}

/** How far ahead of now a grant of `kind` may start. */
function tolerance(lane: EcsLane, kind: GrantKind): number {
    if (kind === "fresh") return 0;
    return kind === "continuation" ? CONTINUATION_SLOTS * lane.intervalMs : lane.earlyMs;
}

/** The most calls that can fall in one second under the lane: the proof's bound, at most the budget. */
export function laneBound(lane: EcsLane): number {
    return Math.floor((1000 + lane.earlyMs + LATE_MS) / lane.intervalMs) + 1;
}

export type Admission =
    | { readonly admitted: false; readonly retryAtMs: number }
    | { readonly admitted: true; readonly slotsMs: readonly number[]; readonly nextTatMs: number };

/** Fresh work starts only on a free lane; a continuation and urgent work queue behind whatever holds it. */
export type GrantKind = "fresh" | "continuation" | "urgent";

/**
 * Whether the lane admits `calls` calls (all of them or none) now, given its `tatMs` (undefined:
 * never used). Pure.
 */
export function admit(
    lane: EcsLane,
    tatMs: number | undefined,
    nowMs: number,
    calls: number,
    kind: GrantKind,
): Admission {
    const most = kind === "fresh" ? MAX_FRESH_CALLS : 1;
    if (!Number.isInteger(calls) || calls < 1 || calls > most)
        throw new Error(`calls: expected 1 to ${most} for a ${kind} grant, got ${calls}`);
    const start = Math.max(tatMs ?? nowMs, nowMs);
    const ahead = tolerance(lane, kind);
    if (start - nowMs > ahead) return { admitted: false, retryAtMs: start - ahead };
    const slotsMs = Array.from({ length: calls }, (_, i) => start + i * lane.intervalMs);
    return { admitted: true, slotsMs, nextTatMs: start + calls * lane.intervalMs };
}
