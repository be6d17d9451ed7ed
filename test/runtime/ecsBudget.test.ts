import assert from "node:assert/strict";
import { EcsBudgetSession } from "../../runtime/ecsBudget";
import {
    LATE_MS,
    MAX_REQUESTS_PER_SECOND,
    MIN_REQUESTS_PER_SECOND,
    admit,
    laneBound,
    laneFor,
    type GrantKind,
} from "../../runtime/ecsLane";
import type { CommandSender } from "../../runtime/lambdaRuntime";
import { SeededRandom } from "../../sim/random";
import { slidingSecondRate } from "../../sim/region";

/** The lane's DynamoDB item, with the conditional writes the session makes (and nothing else). */
class FakeLaneTable implements CommandSender {
    tat: number | undefined;
    calls: string[] = [];

    async send(command: object): Promise<unknown> {
        const name = command.constructor.name;
        const input = (command as { input: Record<string, unknown> }).input;
        this.calls.push(name);
        if (name === "GetItemCommand")
            return this.tat === undefined ? {} : { Item: { tat: { N: String(this.tat) } } };
        const values = input.ExpressionAttributeValues as Record<string, { N: string }>;
        const n = (key: string) => Number(values[key].N);
        const condition = String(input.ConditionExpression);
        const holds =
            condition === "attribute_not_exists(tat) OR tat <= :now"
                ? this.tat === undefined || this.tat <= n(":now")
                : condition === "attribute_not_exists(tat)"
                  ? this.tat === undefined
                  : condition === "tat = :seen" && this.tat === n(":seen");
        if (!holds) {
            const error = new Error("The conditional request failed");
            error.name = "ConditionalCheckFailedException";
            throw error;
        }
        this.tat = n(String(input.UpdateExpression).endsWith(":back") ? ":back" : ":next");
        return {};
    }
}

function session(table: FakeLaneTable, now: () => number, requestsPerSecond = 8): EcsBudgetSession {
    return new EcsBudgetSession({
        dynamodb: table,
        tableName: "budget",
        laneKey: "prod",
        lane: laneFor(requestsPerSecond),
        now,
    });
}

describe("the ECS budget's lane", () => {
    it("derives its slot interval from the budget, and its bound is the budget", () => {
        assert.deepEqual(laneFor(8), { requestsPerSecond: 8, intervalMs: 300, earlyMs: 1000 });
        for (let budget = MIN_REQUESTS_PER_SECOND; budget <= MAX_REQUESTS_PER_SECOND; budget++)
            assert.ok(
                laneBound(laneFor(budget)) <= budget,
                `budget ${budget}: bound ${laneBound(laneFor(budget))}`,
            );
    });

    it("rejects a budget out of range, naming the setting", () => {
        assert.throws(() => laneFor(4), {
            message: "ecsRequestsPerSecond: expected an integer from 5 to 20, got 4",
        });
        assert.throws(() => laneFor(8.5), /ecsRequestsPerSecond: expected an integer from 5 to 20, got 8.5/);
    });

    it("grants fresh work only on a free lane, two calls at most", () => {
        const lane = laneFor(8);
        assert.deepEqual(admit(lane, undefined, 1000, 2, "fresh"), {
            admitted: true,
            slotsMs: [1000, 1300],
            nextTatMs: 1600,
        });
        assert.deepEqual(admit(lane, 1001, 1000, 1, "fresh"), { admitted: false, retryAtMs: 1001 });
        assert.throws(
            () => admit(lane, undefined, 1000, 3, "fresh"),
            /calls: expected 1 to 2 for a fresh grant/,
        );
    });

    it("queues a continuation up to two slots ahead and urgent work up to EARLY, one call at a time", () => {
        const lane = laneFor(8);
        // After a fresh grant of two at 1000 the lane is taken until 1600.
        assert.equal(admit(lane, 1600, 1000, 1, "continuation").admitted, true);
        assert.deepEqual(admit(lane, 1900, 1000, 1, "continuation"), { admitted: false, retryAtMs: 1300 });
        assert.deepEqual(admit(lane, 1900, 1000, 1, "urgent"), {
            admitted: true,
            slotsMs: [1900],
            nextTatMs: 2200,
        });
        assert.deepEqual(admit(lane, 2200, 1000, 1, "urgent"), { admitted: false, retryAtMs: 1200 });
        assert.throws(
            () => admit(lane, 1600, 1000, 2, "urgent"),
            /calls: expected 1 to 1 for a urgent grant/,
        );
    });
});

describe("EcsBudgetSession", () => {
    it("takes slots with one conditional write, spends them one per call, and gives back the unused ones", async () => {
        const table = new FakeLaneTable();
        let now = 5000;
        const budget = session(table, () => now);
        assert.equal(await budget.acquire(2, "fresh"), true);
        assert.equal(table.tat, 5600);
        assert.deepEqual(table.calls, ["UpdateItemCommand"]);
        assert.equal(budget.take(), true);
        now += 50;
        await budget.release();
        assert.equal(table.tat, 5300, "the second slot went back");
        assert.equal(budget.take(), false);
    });

    it("refuses fresh work while another invocation holds the lane, and says when to come back", async () => {
        const table = new FakeLaneTable();
        const now = 5000;
        assert.equal(await session(table, () => now).acquire(2, "fresh"), true);
        const other = session(table, () => now);
        assert.equal(await other.acquire(1, "fresh"), false);
        assert.equal(other.nextChanceMs(), 5600);
        // It read the item after its first write failed: urgent work now queues behind.
        assert.equal(await other.acquire(1, "urgent"), true);
        assert.equal(table.tat, 5900);
        assert.deepEqual(table.calls, [
            "UpdateItemCommand",
            "UpdateItemCommand",
            "GetItemCommand",
            "UpdateItemCommand",
        ]);
    });

    it("does not make a call later than its slot allows", async () => {
        const table = new FakeLaneTable();
        let now = 5000;
        const budget = session(table, () => now);
        assert.equal(await budget.acquire(2, "fresh"), true);
        now = 5000 + 300 + LATE_MS + 1;
        assert.equal(budget.take(), false, "both slots are past");
    });

    it("keeps every sliding second within the budget, whoever asks and however calls are timed", async () => {
        for (const budgetPerSecond of [5, 8, 12, 20]) {
            const random = new SeededRandom(budgetPerSecond);
            const table = new FakeLaneTable();
            let now = 1_000_000;
            const clock = () => now;
            const calls: number[] = [];
            const kinds: GrantKind[] = ["fresh", "continuation", "urgent"];
            // Ten invocations at once, asking for slots and calling as fast as they are let.
            const invocations = Array.from({ length: 10 }, () => session(table, clock, budgetPerSecond));
            for (let step = 0; step < 30_000; step++) {
                const budget = invocations[random.int(0, invocations.length - 1)];
                if (random.chance(0.6)) {
                    if (budget.take()) calls.push(now);
                } else {
                    const kind = kinds[random.int(0, 2)];
                    await budget.acquire(kind === "fresh" ? random.int(1, 2) : 1, kind);
                }
                now += random.int(0, 30);
            }
            const rate = slidingSecondRate(calls);
            // The lane was kept busy, not empty: most of its slots went to calls.
            const slots = (now - 1_000_000) / laneFor(budgetPerSecond).intervalMs;
            assert.ok(
                rate.requests > 0.4 * slots,
                `${budgetPerSecond}: ${rate.requests} calls in ${slots} slots`,
            );
            assert.ok(rate.peak <= budgetPerSecond, `${budgetPerSecond}: ${rate.peak} calls in one second`);
        }
    });
});
