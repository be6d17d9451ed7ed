import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DRAIN_README_SECTION, drainMarkdown } from "../../bench/drainReadme";
import type { DrainBenchRow } from "../../bench/drainComparison";
import { markdownCells, readmeSection } from "../../bench/readmeSection";
import { REPO_ROOT } from "../../scripts/stackFile";
import { loadSimulationSettings } from "../../scripts/simulate";

describe("bench: README's drain figures", () => {
    it("are bench/results.json's, as `npm run bench` wrote them", () => {
        const results = JSON.parse(readFileSync(join(REPO_ROOT, "bench", "results.json"), "utf8")) as {
            drain: DrainBenchRow[];
        };
        const budget = loadSimulationSettings("dev").drain.ecsRequestsPerSecond;
        const expected = markdownCells(drainMarkdown(results.drain, budget));
        assert.ok(expected.length > 10);
        assert.deepEqual(markdownCells(readmeSection(DRAIN_README_SECTION)), expected);
    });
});
