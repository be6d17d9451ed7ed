/**
 * The ECS request budget: at most `ecsRequestsPerSecond` ECS requests within any one second,
 * shared by every concurrent invocation through one DynamoDB item, without an invocation ever
 * waiting: work the budget has no room for now is left for later (runtime/ecsLane.ts has the
 * lane's rules and the proof of its bound).
 *
 * Why a store: the drain queue's event source decides when invocations run, not the handler.
 * Lambda polls a standard queue with several pollers at once, each gathering its own batch for
 * the batching window and invoking as soon as a batch is full (Lambda developer guide, "Using
 * Lambda with Amazon SQS": scaling and batching), so neither the batch size, nor the maximum
 * concurrency, nor the window bounds how many invocations start in a second; an instance refresh
 * ends a hundred lifecycle actions at once, and each invocation alone issues its calls back to
 * back (an ECS round trip is tens of ms). Only a count kept in one place holds a per-second limit
 * across them.
 *
 * The item is written with a conditional UpdateItem (DynamoDB developer guide, "Condition
 * expressions"): `tat` is replaced only if it still holds what the invocation last saw, so two
 * invocations never take the same slots. The clocks of Lambda's hosts are NTP-synchronised; their
 * skew (milliseconds) is inside the lane's LATE_MS.
 */
import { GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { GetItemCommandOutput } from "@aws-sdk/client-dynamodb";
import { admit, LATE_MS, type EcsLane, type GrantKind } from "./ecsLane";
import type { CommandSender } from "./lambdaRuntime";

/** Attempts at the conditional write before a grant is given up as contended. */
const WRITE_ATTEMPTS = 3;

export interface EcsBudgetDeps {
    readonly dynamodb: CommandSender;
    readonly tableName: string;
    /** The item's key: one lane per cluster. */
    readonly laneKey: string;
    readonly lane: EcsLane;
    /** Epoch ms. */
    readonly now: () => number;
}

/** The budget ran out for now: the work is to come back at `retryAtMs`. */
export class EcsBudgetExhausted extends Error {
    constructor(readonly retryAtMs: number) {
        super(`ECS request budget in use until ${new Date(retryAtMs).toISOString()}`);
        this.name = "EcsBudgetExhausted";
    }
}

function isConditionalCheckFailed(error: unknown): boolean {
    return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/**
 * One invocation's hold on the lane: `acquire` takes slots for the calls it is about to make (all
 * or none), `take` spends one right before each call.
 */
export class EcsBudgetSession {
    private knownTatMs: number | undefined;
    /** Whether knownTatMs is what the item held when last read or written. */
    private known: boolean;
    private slotsMs: number[];
    private retryAtMs: number;

    // Fields are set here, not by initializers: Pulumi's closure serialization drops those.
    constructor(private readonly deps: EcsBudgetDeps) {
        this.known = false;
        this.slotsMs = [];
        this.retryAtMs = deps.now();
    }

    /** When work that was denied could next be admitted (epoch ms). */
    nextChanceMs(): number {
        return this.retryAtMs;
    }

    /** Spends the next granted slot; false when none is left or the clock is past it. */
    take(): boolean {
        const now = this.deps.now();
        while (this.slotsMs.length > 0) {
            const slot = this.slotsMs.shift()!;
            if (now <= slot + LATE_MS) return true;
        }
        return false;
    }

    /** Takes slots for `calls` calls (all or none); false when the lane has no room for them now. */
    async acquire(calls: number, kind: GrantKind): Promise<boolean> {
        await this.release();
        for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
            const now = this.deps.now();
            // Unread, the lane is first taken to be free: the write's condition checks it.
            const admission = admit(
                this.deps.lane,
                this.known ? this.knownTatMs : undefined,
                now,
                calls,
                kind,
            );
            if (!admission.admitted) {
                this.retryAtMs = admission.retryAtMs;
                return false;
            }
            try {
                await this.write(admission.nextTatMs, now);
                this.knownTatMs = admission.nextTatMs;
                this.known = true;
                this.slotsMs = [...admission.slotsMs];
                return true;
            } catch (error) {
                if (!isConditionalCheckFailed(error)) throw error;
                await this.read();
            }
        }
        this.retryAtMs = Math.max(this.deps.now(), this.knownTatMs ?? 0);
        return false;
    }

    /**
     * Gives back the slots of the last grant that were not spent, if no grant came after it (the
     * lane's `tat` is still where it left it); otherwise they stay unused.
     */
    async release(): Promise<void> {
        const unused = this.slotsMs.length;
        this.slotsMs = [];
        if (unused === 0 || !this.known || this.knownTatMs === undefined) return;
        const back = this.knownTatMs - unused * this.deps.lane.intervalMs;
        try {
            await this.deps.dynamodb.send(
                new UpdateItemCommand({
                    TableName: this.deps.tableName,
                    Key: { lane: { S: this.deps.laneKey } },
                    UpdateExpression: "SET tat = :back",
                    ConditionExpression: "tat = :seen",
                    ExpressionAttributeValues: {
                        ":back": { N: String(back) },
                        ":seen": { N: String(this.knownTatMs) },
                    },
                }),
            );
            this.knownTatMs = back;
        } catch (error) {
            if (!isConditionalCheckFailed(error)) throw error;
            this.known = false;
        }
    }

    private async write(nextTatMs: number, nowMs: number): Promise<void> {
        const [condition, values] = !this.known
            ? ["attribute_not_exists(tat) OR tat <= :now", { ":now": { N: String(nowMs) } }]
            : this.knownTatMs === undefined
              ? ["attribute_not_exists(tat)", {}]
              : ["tat = :seen", { ":seen": { N: String(this.knownTatMs) } }];
        await this.deps.dynamodb.send(
            new UpdateItemCommand({
                TableName: this.deps.tableName,
                Key: { lane: { S: this.deps.laneKey } },
                UpdateExpression: "SET tat = :next",
                ConditionExpression: condition,
                ExpressionAttributeValues: { ":next": { N: String(nextTatMs) }, ...values },
            }),
        );
    }

    private async read(): Promise<void> {
        const got = (await this.deps.dynamodb.send(
            new GetItemCommand({
                TableName: this.deps.tableName,
                Key: { lane: { S: this.deps.laneKey } },
                ConsistentRead: true,
            }),
        )) as GetItemCommandOutput;
        const text = got.Item?.tat?.N;
        this.knownTatMs = text === undefined ? undefined : Number(text);
        this.known = true;
    }
}
