import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { desiredRises, instanceHours, summarize, type ModeRun, type ModesResult } from "../../bench/modes";
import { modesMarkdown } from "../../bench/modesTable";
import { markdownCells as cells, readmeSection } from "../../bench/readmeSection";
import { REPO_ROOT } from "../../scripts/stackFile";
import type { TimelineEntry } from "../../sim/types";

const HOUR = 3_600_000;
const at = (ms: number, kind: string, detail: Record<string, unknown>): TimelineEntry => ({
    at: ms,
    kind,
    detail,
});

describe("bench: the capacity management modes' figures", () => {
    it("counts instance-hours from EC2's running to terminated, within the scenario only", () => {
        const timeline = [
            at(0, "instance.running", { instanceId: "i-before" }),
            at(0.5 * HOUR, "instance.running", { instanceId: "i-during" }),
            at(2 * HOUR, "instance.terminated", { instanceId: "i-during" }),
            at(2.5 * HOUR, "instance.launched", { instanceId: "i-pending" }),
        ];
        // From 1 h to 3 h: i-before runs throughout (2 h), i-during from 1 h to 2 h (1 h), i-pending never ran.
        assert.equal(instanceHours(timeline, HOUR, 3 * HOUR), 3);
    });

    it("times each rise of a desired count until RUNNING reaches it, and counts the ones never met", () => {
        const health = (ms: number, running: number, desired: number, service = "web") =>
            at(ms, "ecs.service.health", { serviceArn: service, running, desired });
        const { resolved, unresolved } = desiredRises(
            [
                health(0, 2, 2),
                health(10_000, 2, 4), // rise to 4
                health(40_000, 3, 4),
                health(70_000, 4, 4), // met after 60 s
                health(80_000, 4, 6), // rise to 6 …
                health(90_000, 5, 5), // … lowered to 5 and met at 5: 10 s
                health(100_000, 5, 2), // a fall is no rise
                health(100_000, 1, 1, "api"),
                health(110_000, 1, 3, "api"), // never met
            ],
            5_000,
            200_000,
        );
        assert.deepEqual(resolved, [60, 10]);
        assert.equal(unresolved, 1);
    });

    it("ignores rises before the scenario started (while the stack settled)", () => {
        const health = (ms: number, running: number, desired: number) =>
            at(ms, "ecs.service.health", { serviceArn: "web", running, desired });
        assert.deepEqual(
            desiredRises([health(0, 0, 2), health(1000, 0, 3), health(9000, 3, 3)], 5000, 10_000),
            {
                resolved: [],
                unresolved: 0,
            },
        );
    });

    it("sums kills and pools rise and drain times over the seeds of a scenario and configuration", () => {
        const run = (seed: number, rises: number[], killed: number): ModeRun => ({
            scenario: "scale-out",
            configuration: "managed",
            instances: 3,
            seed,
            passed: killed === 0,
            failed: killed === 0 ? [] : ["a task killed"],
            killed: { running: killed, stopping: 0, starting: 0 },
            riseSeconds: rises,
            unresolvedRises: 0,
            instanceHours: seed,
            drainSeconds: [],
            oscillations: 0,
            scalingActions: 2,
            ecsApiCalls: 0,
            lambdaBilledSeconds: 0,
            simulatedSeconds: 3600,
        });
        const [figures] = summarize([run(1, [10, 30], 0), run(2, [20, 400], 1)]);
        assert.deepEqual(
            [figures.runs, figures.passed, figures.failedChecks, figures.killedRunning],
            [2, 1, ["a task killed"], 1],
        );
        assert.deepEqual([figures.rises, figures.riseP50Seconds, figures.riseP99Seconds], [4, 20, 400]);
        assert.deepEqual([figures.instanceHours, figures.hours, figures.drainP50Seconds], [1.5, 1, null]);
    });

    it("README's Which mode table is the one bench/results.json's figures give (npm run bench -- --modes)", () => {
        const results = JSON.parse(readFileSync(join(REPO_ROOT, "bench", "results.json"), "utf8")) as {
            modes?: ModesResult;
        };
        assert.ok(results.modes, "bench/results.json has no modes: run npm run bench -- --modes");
        const section = readmeSection("which-mode");
        assert.deepEqual(cells(section), cells(modesMarkdown(results.modes)));
    });
});
