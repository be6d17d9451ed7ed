import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DRAIN_README_END, DRAIN_README_START, drainMarkdown } from "../../bench/drainReadme";
import type { DrainBenchRow } from "../../bench/drainComparison";
import { REPO_ROOT } from "../../scripts/stackFile";
import { loadSimulationSettings } from "../../scripts/simulate";

/** A Markdown table's cells, row by row, without its separator line. */
function cells(markdown: string): string[][] {
    return markdown
        .split("\n")
        .filter((line) => line.startsWith("|") && !/^\|[\s|-]+\|$/.test(line))
        .map((line) =>
            line
                .slice(1, -1)
                .split(" | ")
                .map((cell) => cell.trim()),
        );
}

describe("bench: README's drain figures", () => {
    it("are bench/results.json's, as `npm run bench` wrote them", () => {
        const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
        const block = readme.slice(readme.indexOf(DRAIN_README_START), readme.indexOf(DRAIN_README_END));
        const results = JSON.parse(readFileSync(join(REPO_ROOT, "bench", "results.json"), "utf8")) as {
            drain: DrainBenchRow[];
        };
        const budget = loadSimulationSettings("dev").drain.ecsRequestsPerSecond;
        const expected = cells(drainMarkdown(results.drain, budget));
        assert.ok(expected.length > 10);
        assert.deepEqual(cells(block), expected);
    });
});
