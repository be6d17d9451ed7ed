/**
 * The text report: per scenario what it started from, the faults injected and how often each
 * fired, a short timeline (instances launched, drained, retained and terminated, tasks moved,
 * alarms, scaling actions, what the scenario did) and its checks, then one summary table of every
 * scenario's figures with notes on services allowed below their desired count.
 */
import { belowFloor, type ScenarioResult } from "../scenarios/result";

export function renderScenarioText(result: ScenarioResult): string {
    const lines = [
        `== ${result.name} (seed ${result.seed}; ${startText(result)}; ${formatDuration(result.simulatedSeconds)} simulated in ${(result.wallMs / 1000).toFixed(1)} s)`,
        `  faults: ${faultsText(result)}`,
    ];
    for (const line of result.timeline) lines.push(`  ${formatClock(line.seconds)}  ${line.text}`);
    lines.push("  checks:");
    for (const check of allChecks(result))
        lines.push(`    ${check.passed ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
    return lines.join("\n");
}

/** What the run had at the start, next to what it asked for: "3 instances requested, the capacity scaler added 1 while the stack settled". */
export function startText(result: ScenarioResult): string {
    const { inService, addedByScaler } = result.start;
    const requested = `${result.instances} instance${result.instances === 1 ? "" : "s"}`;
    if (result.capacityManagement === "managed")
        return `managed capacity: the group started empty and ECS's managed scaling launched ${addedByScaler} for a workload of ${requested}: ${inService} in service at the start`;
    if (inService === result.instances && addedByScaler === 0) return requested;
    const scaler =
        addedByScaler > 0
            ? `, the capacity scaler added ${addedByScaler} while the stack settled`
            : addedByScaler < 0
              ? `, the capacity scaler removed ${-addedByScaler} while the stack settled`
              : "";
    return `${requested} requested${scaler}: ${inService} in service at the start`;
}

/** "stuckTaskRate=0.2 fired 3 times, ecsRateLimit fired 0 times", or "none". */
export function faultsText(result: ScenarioResult): string {
    const entries = Object.entries(result.faults);
    if (entries.length === 0) return "none injected";
    return entries
        .map(([name, f]) => {
            const setting = f.setting === true ? name : `${name}=${String(f.setting)}`;
            return `${setting} fired ${f.fired} time${f.fired === 1 ? "" : "s"}`;
        })
        .join(", ");
}

/** The invariants as checks, then the scenario's own. */
export function allChecks(
    result: ScenarioResult,
): readonly { name: string; passed: boolean; detail: string }[] {
    const inv = result.invariants;
    return [
        {
            name: "no task killed by a termination (running, stopping or starting)",
            passed: inv.runningTasksKilled === 0,
            detail:
                `${inv.runningTasksKilled} killed` +
                (inv.runningTasksKilled > 0
                    ? ` (${inv.killedWhileRunning} running, ${inv.killedWhileStopping} while stopping, ${inv.killedWhileStarting} while starting)`
                    : ""),
        },
        {
            name: "no instance stuck past its hook deadline",
            passed: inv.stuckInstances === 0,
            detail: `${inv.stuckInstances} stuck`,
        },
        {
            name: "no scale oscillation",
            passed: inv.scaleOscillations === 0,
            detail: `${inv.scaleOscillations} reversals`,
        },
        ...result.checks,
    ];
}

/**
 * The summary's "min healthy": the lowest healthy fraction of the services held to their desired
 * count (minimumHealthyPercent 100), marked "*" when another service fell below its desired
 * count, with a note saying whether its deployment allowed it (at risk by design) or not.
 */
export function minHealthyCell(result: ScenarioResult): { readonly cell: string; readonly notes: string[] } {
    const held = result.services.filter(
        (s) => s.minimumHealthyPercent >= 100 && s.lowestHealthyFraction !== null,
    );
    const lowest = held.length > 0 ? Math.min(...held.map((s) => s.lowestHealthyFraction!)).toFixed(2) : "-";
    const notes = result.services
        .filter(
            (s) =>
                s.minimumHealthyPercent < 100 &&
                s.lowestHealthyFraction !== null &&
                s.lowestHealthyFraction < 1,
        )
        .map((s) => {
            const shape = `${s.desiredCount} task${s.desiredCount === 1 ? "" : "s"}, minimumHealthyPercent ${s.minimumHealthyPercent}`;
            const verdict = belowFloor(s)
                ? "BELOW the floor its deployment allows"
                : "allowed by its deployment configuration: at risk by design";
            return `${result.name}: ${s.name} (${shape}) fell to ${s.lowestHealthyFraction!.toFixed(2)}, ${verdict}`;
        });
    return { cell: notes.length > 0 ? `${lowest}*` : lowest, notes };
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
    "retained",
    "drains",
    "p50 s",
    "max s",
    "cont/aband",
    "faults fired",
    "λ inv",
    "λ billed s",
    "ECS calls",
    "result",
] as const;

/** The table of every scenario's figures, and the notes its "*" marks refer to. */
export function renderSummaryTable(results: readonly ScenarioResult[]): string {
    const notes: string[] = [];
    const rows = results.map((r) => {
        const minHealthy = minHealthyCell(r);
        notes.push(...minHealthy.notes);
        return [
            r.name,
            r.start.inService === r.instances ? String(r.instances) : `${r.instances}/${r.start.inService}`,
            formatDuration(r.simulatedSeconds),
            `${(r.wallMs / 1000).toFixed(1)} s`,
            String(r.invariants.runningTasksKilled),
            minHealthy.cell,
            String(r.invariants.stuckInstances),
            String(r.invariants.scaleOscillations),
            String(r.retained.length),
            String(r.drains.count),
            r.drains.p50Seconds === null ? "-" : String(Math.round(r.drains.p50Seconds)),
            r.drains.maxSeconds === null ? "-" : String(Math.round(r.drains.maxSeconds)),
            `${r.drains.continued}/${r.drains.abandoned}`,
            faultsFiredCell(r),
            String(r.lambda.invocations),
            r.lambda.billedSeconds.toFixed(1),
            String(r.ecsApiCalls),
            r.passed ? "PASS" : "FAIL",
        ];
    });
    const legend = results.some((r) => r.start.inService !== r.instances)
        ? ["inst: requested/in service at the start (the capacity scaler adds room while the stack settles)"]
        : [];
    return [table([...COLUMNS], rows), ...legend, ...notes.map((n) => `* ${n}`)].join("\n");
}

/** Firings of every injected fault together; "-" when the run injected none. */
export function faultsFiredCell(result: ScenarioResult): string {
    const faults = Object.values(result.faults);
    return faults.length === 0 ? "-" : String(faults.reduce((sum, f) => sum + f.fired, 0));
}

export function renderText(results: readonly ScenarioResult[]): string {
    return [...results.map(renderScenarioText), "", renderSummaryTable(results)].join("\n\n");
}

/** A plain aligned table: text columns left, numbers right. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const numeric = header.map(
        (_, i) => rows.length > 0 && rows.every((r) => /^[-\d.,/ s%×x*]+$/.test(r[i])),
    );
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
