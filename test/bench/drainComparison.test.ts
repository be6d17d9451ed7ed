import * as assert from "node:assert/strict";
import { runDrainComparison } from "../../bench/drainComparison";
import { testStack } from "../sim/scenarios/testStack";

describe("bench: the book's drain Lambda against ours, rolling update of 120 instances", () => {
    it("the book's port cannot find instances beyond the first page of 100, and completes hooks while tasks still stop", async () => {
        const book = await runDrainComparison(testStack(), 120, "book");
        assert.equal(book.drained, 120);
        // Instances its first page of 100 never shows are ABANDONed (and, without retention, terminated).
        assert.ok(book.abandoned > 0, `abandoned ${book.abandoned}`);
        assert.equal(book.continued + book.abandoned, 120);
        assert.ok(book.runningTasksKilled > 0, `killed ${book.runningTasksKilled}`);
        // It completes when runningTasksCount (desired RUNNING) is 0: tasks still deregistering die.
        assert.ok(book.killedWhileStopping > 0, `killed while stopping ${book.killedWhileStopping}`);
        assert.ok(book.endedWithTasksLeft > 0, `ended with tasks left ${book.endedWithTasksLeft}`);
        // The hook's test notification crashes it (KeyError), and Lambda retries twice.
        assert.equal(book.lambdaErrors, 3);
        // It waits inside the invocation: nearly all of every drain is billed.
        assert.ok(book.billedFractionOfDrain! > 0.9, `billed fraction ${book.billedFractionOfDrain}`);
    });

    it("ours drains all 120 with CONTINUE, nothing killed, billed for a small fraction of the drain", async () => {
        const ours = await runDrainComparison(testStack(), 120, "ours");
        assert.equal(ours.drained, 120);
        assert.equal(ours.continued, 120);
        assert.equal(ours.abandoned, 0);
        assert.equal(ours.hookTimeouts, 0);
        assert.equal(ours.runningTasksKilled, 0);
        assert.equal(ours.killedWhileStopping, 0);
        assert.equal(ours.endedWithTasksLeft, 0);
        assert.equal(ours.refreshStatus, "Successful");
        assert.ok(ours.billedFractionOfDrain! < 0.1, `billed fraction ${ours.billedFractionOfDrain}`);
    });
});
