/**
 * Runs a Lambda handler that waits *inside* its invocation (the book's `time.sleep(5)` loop) in
 * the simulated region. The region's Lambda model runs a handler as one atomic step of virtual
 * time, so a handler that sleeps would see a frozen world; here each invocation is a coroutine
 * on the region's clock instead: it runs until it sleeps, the region advances to the wake-up
 * time (tasks stop, hooks time out, other invocations run), and it resumes. Every API call it
 * makes also costs the region's modelled latency. An invocation is billed from start to end.
 *
 * Around that, what Lambda does to such a function: async invocation from an SNS topic (through
 * a dispatcher function of the region, which the topic invokes), two retries of a failed event
 * (1 and 2 minutes later), the timeout, and recursive-loop detection: a message the function
 * republishes to the topic that invoked it is stopped after RECURSION_LIMIT rounds.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { ASYNC_RETRY_DELAYS_MS, LAMBDA_RUNTIME_OVERHEAD_MS, RECURSION_LIMIT } from "../sim/lambda";
import type { Region } from "../sim/region";
import type { SimHarness } from "../sim/harness";

export interface LongRunningStats {
    invocations: number;
    billedMs: number;
    errors: number;
    timeouts: number;
    recursionStops: number;
}

export interface Sender {
    send(command: unknown): Promise<unknown>;
}

interface Invocation {
    readonly startedAt: number;
    /** Releases the clock event that is waiting for this invocation to sleep or end. */
    wake: () => void;
    timedOut: boolean;
}

export interface LongRunningSpec<E> {
    readonly name: string;
    readonly timeoutSeconds: number;
    /** The handler; its `sleep` must be this runner's `sleep`. */
    readonly handler: (event: E, context: { getRemainingTimeInMillis(): number }) => Promise<unknown>;
}

export class LongRunningLambda<E> {
    /** The dispatcher's ARN: subscribe it to the topic. */
    readonly arn: string;
    readonly stats: LongRunningStats = {
        invocations: 0,
        billedMs: 0,
        errors: 0,
        timeouts: 0,
        recursionStops: 0,
    };
    private readonly current = new AsyncLocalStorage<Invocation>();
    /** Invocations per message body: a republished message is the same body again. */
    private readonly rounds = new Map<string, number>();
    private readonly region: Region;

    constructor(
        harness: SimHarness,
        private readonly spec: LongRunningSpec<E>,
    ) {
        this.region = harness.region;
        this.arn = harness.deployFunction({
            name: `${spec.name}-dispatch`,
            timeoutSeconds: 3,
            memoryMb: 128,
            handler: (event) => {
                const now = this.region.lambda.invocationNow();
                this.region.clock.at(now, `${spec.name} invoke`, () => this.invoke(event as E, 0));
            },
        });
    }

    /** `time.sleep(ms)` for the handler: the region runs on until the invocation wakes. */
    readonly sleep = (ms: number): Promise<void> => {
        const invocation = this.current.getStore();
        if (!invocation) throw new Error(`${this.spec.name}: sleep called outside an invocation`);
        const clock = this.region.clock;
        return new Promise<void>((resume) => {
            const wakeAt = clock.now() + ms;
            if (wakeAt - invocation.startedAt > this.spec.timeoutSeconds * 1000) {
                // Lambda stops the invocation at its timeout: it never resumes.
                clock.at(
                    invocation.startedAt + this.spec.timeoutSeconds * 1000,
                    `${this.spec.name} timeout`,
                    () => {
                        invocation.timedOut = true;
                        this.settle(invocation, "timeout");
                    },
                );
            } else {
                clock.at(wakeAt, `${this.spec.name} wake`, () => {
                    const paused = new Promise<void>((release) => (invocation.wake = release));
                    resume();
                    return paused;
                });
            }
            invocation.wake();
        });
    };

    /** An SDK client whose every call costs the region's modelled latency for the service. */
    timed(client: Sender, latencyMs: number): Sender {
        return {
            send: async (command) => {
                const out = await client.send(command);
                if (this.current.getStore() && latencyMs > 0) await this.sleep(latencyMs);
                return out;
            },
        };
    }

    private invoke(event: E, attempt: number): Promise<void> {
        const body = messageBody(event);
        if (body !== undefined && attempt === 0) {
            const round = (this.rounds.get(body) ?? 0) + 1;
            this.rounds.set(body, round);
            if (round > RECURSION_LIMIT) {
                this.stats.recursionStops++;
                this.region.ctx.record("lambda.recursion-stopped", {
                    function: this.spec.name,
                    depth: round,
                });
                return Promise.resolve();
            }
        }
        const clock = this.region.clock;
        const startedAt = clock.now();
        let release: () => void = () => undefined;
        const paused = new Promise<void>((r) => (release = r));
        const invocation: Invocation = { startedAt, wake: release, timedOut: false };
        const context = {
            getRemainingTimeInMillis: () =>
                Math.max(0, this.spec.timeoutSeconds * 1000 - (clock.now() - startedAt)),
        };
        this.current
            .run(invocation, () => this.spec.handler(event, context))
            .then(
                () => this.settle(invocation, "ok"),
                (error: unknown) => {
                    this.settle(invocation, "error", error);
                    if (attempt < ASYNC_RETRY_DELAYS_MS.length) {
                        clock.at(
                            clock.now() + ASYNC_RETRY_DELAYS_MS[attempt],
                            `${this.spec.name} retry`,
                            () => this.invoke(event, attempt + 1),
                        );
                    }
                },
            );
        return paused;
    }

    private settle(invocation: Invocation, status: "ok" | "error" | "timeout", error?: unknown): void {
        if (invocation.timedOut && status !== "timeout") return;
        const elapsed = this.region.clock.now() - invocation.startedAt;
        this.stats.invocations++;
        this.stats.billedMs += Math.ceil(elapsed) + LAMBDA_RUNTIME_OVERHEAD_MS;
        if (status === "error") this.stats.errors++;
        if (status === "timeout") this.stats.timeouts++;
        this.region.ctx.record("lambda.invoked", {
            function: this.spec.name,
            trigger: "async",
            status,
            durationMs: elapsed,
            ...(error instanceof Error ? { errorMessage: error.message } : {}),
        });
        invocation.wake();
    }
}

/** The SNS message of an SNS-triggered event, which a republish repeats verbatim. */
function messageBody(event: unknown): string | undefined {
    const records = (event as { Records?: { Sns?: { Message?: string } }[] }).Records;
    return records?.[0]?.Sns?.Message;
}
