/**
 * The simulated region's virtual clock: a discrete-event queue ordered by (time, insertion order),
 * so a run is deterministic for a seed. Handlers may be async (a Lambda invocation awaits real
 * HTTP calls to the region's loopback server); the queue awaits each one before the next, so
 * virtual time never moves while real I/O is in flight.
 */
export type TimerId = number;

interface ScheduledEvent {
    readonly id: TimerId;
    readonly at: number;
    readonly seq: number;
    readonly label: string;
    readonly run: () => void | Promise<void>;
}

/** 2026-01-01T00:00:00Z: every run starts at the same instant so timelines compare across runs. */
export const SIM_EPOCH_MS = Date.UTC(2026, 0, 1);

export class VirtualClock {
    private nowMs: number;
    private seq = 0;
    private readonly heap: ScheduledEvent[] = [];
    private readonly cancelled = new Set<TimerId>();
    private processed = 0;

    constructor(startMs: number = SIM_EPOCH_MS) {
        this.nowMs = startMs;
    }

    /** Virtual time in epoch milliseconds. */
    now(): number {
        return this.nowMs;
    }

    /** Seconds since the clock started, for timelines. */
    elapsedSeconds(startMs: number = SIM_EPOCH_MS): number {
        return (this.nowMs - startMs) / 1000;
    }

    /** Events run so far; a measure of how much the simulation did. */
    eventsProcessed(): number {
        return this.processed;
    }

    pending(): number {
        return this.heap.length - this.cancelled.size;
    }

    /** Runs `run` after `delayMs` of virtual time (0 = after everything already due now). */
    schedule(delayMs: number, label: string, run: () => void | Promise<void>): TimerId {
        if (!Number.isFinite(delayMs) || delayMs < 0) {
            throw new Error(`schedule(${label}): delayMs must be a finite number >= 0, got ${delayMs}`);
        }
        return this.at(this.nowMs + delayMs, label, run);
    }

    /** Runs `run` at virtual time `atMs` (clamped to now: the past cannot be scheduled). */
    at(atMs: number, label: string, run: () => void | Promise<void>): TimerId {
        const id = ++this.seq;
        this.push({ id, at: Math.max(atMs, this.nowMs), seq: id, label, run });
        return id;
    }

    cancel(id: TimerId | undefined): void {
        if (id !== undefined && this.heap.some((e) => e.id === id)) this.cancelled.add(id);
    }

    /** Time of the next live event, or undefined when the queue is empty. */
    nextEventTime(): number | undefined {
        this.dropCancelledHead();
        return this.heap[0]?.at;
    }

    /** Runs events in order until the queue is empty or the next one is after `untilMs`; then sets now = untilMs. */
    async runUntil(untilMs: number, shouldStop?: () => boolean): Promise<void> {
        for (;;) {
            if (shouldStop?.()) return;
            const next = this.nextEventTime();
            if (next === undefined || next > untilMs) break;
            await this.step();
        }
        if (untilMs > this.nowMs) this.nowMs = untilMs;
    }

    /** Runs for `ms` of virtual time from now. */
    async runFor(ms: number, shouldStop?: () => boolean): Promise<void> {
        await this.runUntil(this.nowMs + ms, shouldStop);
    }

    /** Runs the next event; false when there is none. */
    async step(): Promise<boolean> {
        this.dropCancelledHead();
        const event = this.pop();
        if (!event) return false;
        this.nowMs = Math.max(this.nowMs, event.at);
        this.processed++;
        await event.run();
        return true;
    }

    private dropCancelledHead(): void {
        while (this.heap.length > 0 && this.cancelled.has(this.heap[0].id)) {
            this.cancelled.delete(this.heap[0].id);
            this.pop();
        }
    }

    private before(a: ScheduledEvent, b: ScheduledEvent): boolean {
        return a.at < b.at || (a.at === b.at && a.seq < b.seq);
    }

    private push(event: ScheduledEvent): void {
        const heap = this.heap;
        heap.push(event);
        let i = heap.length - 1;
        while (i > 0) {
            const parent = (i - 1) >> 1;
            if (!this.before(heap[i], heap[parent])) break;
            [heap[i], heap[parent]] = [heap[parent], heap[i]];
            i = parent;
        }
    }

    private pop(): ScheduledEvent | undefined {
        const heap = this.heap;
        if (heap.length === 0) return undefined;
        const top = heap[0];
        const last = heap.pop()!;
        if (heap.length > 0) {
            heap[0] = last;
            let i = 0;
            for (;;) {
                const l = 2 * i + 1;
                const r = l + 1;
                let smallest = i;
                if (l < heap.length && this.before(heap[l], heap[smallest])) smallest = l;
                if (r < heap.length && this.before(heap[r], heap[smallest])) smallest = r;
                if (smallest === i) break;
                [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
                i = smallest;
            }
        }
        return top;
    }
}
