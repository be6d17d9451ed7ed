/**
 * The text report: per scenario a short timeline (instances launched, drained and terminated,
 * tasks moved, alarms, scaling actions, what the scenario did) and its checks, then one summary
 * table of every scenario's figures.
 */
import type { ScenarioResult } from "../scenarios/result";

export function renderScenarioText(result: ScenarioResult): string {
    const lines = [
        `== ${result.name} (seed ${result.seed}, ${result.instances} instances, ${formatDuration(result.simulatedSeconds)} simulated in ${(result.wallMs / 1000).toFixed(1)} s)`,
    ];
    for (const line of result.timeline) lines.push(`  ${formatClock(line.seconds)}  ${line.text}`);
    lines.push("  checks:");
    const inv = result.invariants;
    const invariantChecks = [
        [
            "no task killed by a termination (running, stopping or starting)",
            inv.runningTasksKilled === 0,
            `${inv.runningTasksKilled} killed` +
                (inv.runningTasksKilled > 0
                    ? ` (${inv.killedWhileRunning} running, ${inv.killedWhileStopping} while stopping, ${inv.killedWhileStarting} while starting)`
                    : ""),
        ],
        ["no instance stuck past its hook deadline", inv.stuckInstances === 0, `${inv.stuckInstances} stuck`],
        ["no scale oscillation", inv.scaleOscillations === 0, `${inv.scaleOscillations} reversals`],
    ] as const;
    for (const [name, passed, detail] of invariantChecks)
        lines.push(`    ${passed ? "ok  " : "FAIL"} ${name}: ${detail}`);
    for (const check of result.checks)
        lines.push(`    ${check.passed ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
    return lines.join("\n");
}

const COLUMNS = [
    "scenario",
    "inst",
    "sim time",
    "wall",
    "killed",
    "min healthy",
    "stuck",
    "osc",
    "drains",
    "p50 s",
    "max s",
    "cont/aband",
    "λ inv",
    "λ billed s",
    "ECS calls",
    "result",
] as const;

export function renderSummaryTable(results: readonly ScenarioResult[]): string {
    const rows = results.map((r) => [
        r.name,
        String(r.instances),
        formatDuration(r.simulatedSeconds),
        `${(r.wallMs / 1000).toFixed(1)} s`,
        String(r.invariants.runningTasksKilled),
        r.invariants.minHealthyFraction === null ? "-" : r.invariants.minHealthyFraction.toFixed(2),
        String(r.invariants.stuckInstances),
        String(r.invariants.scaleOscillations),
        String(r.drains.count),
        r.drains.p50Seconds === null ? "-" : String(Math.round(r.drains.p50Seconds)),
        r.drains.maxSeconds === null ? "-" : String(Math.round(r.drains.maxSeconds)),
        `${r.drains.continued}/${r.drains.abandoned}`,
        String(r.lambda.invocations),
        r.lambda.billedSeconds.toFixed(1),
        String(r.ecsApiCalls),
        r.passed ? "PASS" : "FAIL",
    ]);
    return table([...COLUMNS], rows);
}

export function renderText(results: readonly ScenarioResult[]): string {
    return [...results.map(renderScenarioText), "", renderSummaryTable(results)].join("\n\n");
}

/** A plain aligned table: text columns left, numbers right. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-\d.,/ s%×x]+$/.test(r[i])));
    const format = (cells: readonly string[]) =>
        cells
            .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    return [format(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(format)].join("\n");
}

/** +h:mm:ss since the scenario started. */
export function formatClock(seconds: number): string {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = Math.floor(seconds % 60);
    return `+${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

export function formatDuration(seconds: number): string {
    if (seconds < 120) return `${seconds} s`;
    if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
    return `${(seconds / 3600).toFixed(1)} h`;
}
