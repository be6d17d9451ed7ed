/**
 * The mode comparison's figures as a table: for the console (`npm run bench`) and as the Markdown
 * table README's "Which mode" section holds (between its markers, kept equal to bench/results.json
 * by a test). Light on purpose: it loads no simulator.
 */
import { table } from "../sim/report/text";
import { markdownTable, writeReadmeSection } from "./readmeSection";
import type { ModeFigures, ModesResult } from "./modes";

/** How README and the console name each scenario: what it does to the cluster. */
export const SCENARIO_LABELS: Readonly<Record<string, string>> = {
    "scale-out": "surge to max (scale-out)",
    "scale-in": "load falls to min (scale-in)",
    "rolling-update": "rolling AMI update",
    "spot-interruption": "Spot interruption",
    "steady-state": "six hours of waves (steady-state)",
};

const dash = (value: number | null) => (value === null ? "-" : String(value));

/** The figures each scenario is read by, one row each: [label, cell of a configuration]. */
const ROWS: readonly (readonly [string, (f: ModeFigures) => string])[] = [
    [
        "runs that passed every check",
        (f) => `${f.passed}/${f.runs}${f.failedChecks.length > 0 ? ` (${f.failedChecks.join("; ")})` : ""}`,
    ],
    [
        "tasks killed: running / stopping / starting",
        (f) => `${f.killedRunning} / ${f.killedStopping} / ${f.killedStarting}`,
    ],
    [
        "desired count up → all RUNNING, p50 / p99 s",
        (f) =>
            f.rises === 0
                ? "no rise"
                : `${dash(f.riseP50Seconds)} / ${dash(f.riseP99Seconds)}${f.unresolvedRises > 0 ? ` (${f.unresolvedRises} unmet)` : ""}`,
    ],
    ["instance-hours per run (hours run)", (f) => `${f.instanceHours.toFixed(2)} (${f.hours.toFixed(2)})`],
    [
        "drains, p50 / max s",
        (f) =>
            f.drains === 0 ? "0" : `${f.drains}, ${dash(f.drainP50Seconds)} / ${dash(f.drainMaxSeconds)}`,
    ],
    ["scaling actions per run, oscillations", (f) => `${f.scalingActions}, ${f.oscillations}`],
    [
        "account's ECS calls, Lambda billed s per run",
        (f) => `${f.ecsApiCalls}, ${f.lambdaBilledSeconds.toFixed(1)}`,
    ],
];

/** Rows of [scenario (instances), figure, one cell per configuration]. */
export function modesRows(result: ModesResult): string[][] {
    const rows: string[][] = [];
    for (const instances of result.scales) {
        for (const scenario of Object.keys(SCENARIO_LABELS)) {
            const cells = result.configurations.map((c) =>
                result.figures.find(
                    (f) =>
                        f.instances === instances && f.scenario === scenario && f.configuration === c.label,
                ),
            );
            if (cells.some((f) => f === undefined)) continue;
            ROWS.forEach(([label, cell], i) =>
                rows.push([
                    i === 0 ? `${SCENARIO_LABELS[scenario]}, ${instances} instances` : "",
                    label,
                    ...cells.map((f) => cell(f!)),
                ]),
            );
        }
    }
    return rows;
}

function header(result: ModesResult): string[] {
    return ["scenario", "figure", ...result.configurations.map((c) => c.label)];
}

export function modesTable(result: ModesResult): string {
    return [
        `Capacity management modes: stack ${result.stack} plus a static host port service, seeds ${result.seeds.join(", ")} (figures summed or pooled over the seeds)`,
        table(header(result), modesRows(result)),
    ].join("\n");
}

/** The Markdown table for README's "Which mode" section. */
export function modesMarkdown(result: ModesResult): string {
    return markdownTable(header(result), modesRows(result));
}

/** Rewrites README's "Which mode" table from the figures. */
export function writeWhichModeTable(result: ModesResult): Promise<string> {
    return writeReadmeSection("which-mode", modesMarkdown(result));
}
