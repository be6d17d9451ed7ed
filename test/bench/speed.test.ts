import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { markdownCells, readmeSection } from "../../bench/readmeSection";
import { everyFault, speedMarkdown, type SpeedFigure } from "../../bench/speed";
import { REPO_ROOT } from "../../scripts/stackFile";
import { NO_FAULTS } from "../../sim/types";

describe("bench --speed: the region's speed figures", () => {
    it("switches every fault on for the faults figure", () => {
        const names = everyFault()
            .split(",")
            .map((item) => item.split("=")[0]);
        assert.deepEqual(names, Object.keys(NO_FAULTS));
    });

    it("README's speed table is bench/results.json's, as the last npm run bench -- --speed wrote them", () => {
        const results = JSON.parse(readFileSync(join(REPO_ROOT, "bench", "results.json"), "utf8")) as {
            speed?: SpeedFigure[];
        };
        assert.ok(results.speed, "bench/results.json has no speed figures: run npm run bench -- --speed");
        assert.deepEqual(markdownCells(readmeSection("speed")), markdownCells(speedMarkdown(results.speed)));
    });
});
