/**
 * `npm run bench -- --speed`: how quickly the region answers, timed as whole processes the way a
 * person runs them (each command several times, minimum / median / maximum wall seconds): a
 * rolling update of the full stack at 100 and 1,000 instances, 50 instances with every fault,
 * `npm test`, and a mistyped scenario answered. Figures depend on the machine: quote medians.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../scripts/stackFile";
import { table } from "../sim/report/text";
import { markdownTable, writeReadmeSection } from "./readmeSection";
import { NO_FAULTS } from "../sim/types";

export interface SpeedFigure {
    readonly figure: string;
    readonly command: string;
    readonly runs: number;
    readonly minSeconds: number;
    readonly medianSeconds: number;
    readonly maxSeconds: number;
    /** Every run's exit code (simulate: 0 when every check held). */
    readonly exitCodes: readonly (number | null)[];
    /** The target the issue set, in seconds. */
    readonly targetSeconds: number;
}

/** Every fault at once, each at a rate a scenario survives by design (README's faults table). */
export function everyFault(): string {
    const rates: Record<string, number> = {
        throttleRate: 0.05,
        duplicateRate: 0.1,
        dropRate: 0.05,
        lambdaTimeoutRate: 0.02,
        lambdaCrashRate: 0.02,
        neverRegisterRate: 0.05,
        stuckTaskRate: 0.01,
    };
    return Object.entries(NO_FAULTS)
        .map(([name, off]) => (typeof off === "boolean" ? name : `${name}=${rates[name] ?? 0.05}`))
        .join(",");
}

interface Command {
    readonly figure: string;
    readonly argv: readonly string[];
    /** How the README shows it. */
    readonly shown: string;
    readonly runs: number;
    readonly targetSeconds: number;
}

function commands(): Command[] {
    const simulate = [process.execPath, join(REPO_ROOT, "build", "scripts", "simulate.js")];
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    return [
        {
            figure: "rolling update, 100 instances, full stack",
            argv: [...simulate, "--scenario", "rolling-update", "--instances", "100"],
            shown: "npm run simulate -- --scenario rolling-update --instances 100",
            runs: 3,
            targetSeconds: 8,
        },
        {
            figure: "rolling update, 1,000 instances, full stack",
            argv: [...simulate, "--scenario", "rolling-update", "--instances", "1000"],
            shown: "npm run simulate -- --scenario rolling-update --instances 1000",
            runs: 3,
            targetSeconds: 60,
        },
        {
            figure: "50 instances with every fault",
            argv: [
                ...simulate,
                "--scenario",
                "rolling-update",
                "--instances",
                "50",
                "--faults",
                everyFault(),
            ],
            shown: `npm run simulate -- --scenario rolling-update --instances 50 --faults ${everyFault()}`,
            runs: 3,
            targetSeconds: 10,
        },
        { figure: "npm test", argv: [npm, "test"], shown: "npm test", runs: 3, targetSeconds: 75 },
        {
            figure: "simulate --scenario nope answered",
            argv: [npm, "run", "simulate", "--", "--scenario", "nope"],
            shown: "npm run simulate -- --scenario nope",
            runs: 5,
            targetSeconds: 1,
        },
    ];
}

function timeRuns(command: Command, progress: (line: string) => void): SpeedFigure {
    const seconds: number[] = [];
    const exitCodes: (number | null)[] = [];
    for (let run = 1; run <= command.runs; run++) {
        progress(`speed: ${command.figure} (${run}/${command.runs})…`);
        const started = process.hrtime.bigint();
        const result = spawnSync(command.argv[0], command.argv.slice(1), {
            cwd: REPO_ROOT,
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
        });
        seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
        exitCodes.push(result.status);
    }
    const sorted = [...seconds].sort((a, b) => a - b);
    const round = (s: number) => Math.round(s * 100) / 100;
    return {
        figure: command.figure,
        command: command.shown,
        runs: command.runs,
        minSeconds: round(sorted[0]),
        medianSeconds: round(sorted[Math.floor(sorted.length / 2)]),
        maxSeconds: round(sorted[sorted.length - 1]),
        exitCodes,
        targetSeconds: command.targetSeconds,
    };
}

export function runSpeed(progress: (line: string) => void): SpeedFigure[] {
    return commands().map((command) => timeRuns(command, progress));
}

export function speedTable(figures: readonly SpeedFigure[]): string {
    return table(
        ["figure", "median s", "min–max s", "target s", "exit codes"],
        figures.map((f) => [
            f.figure,
            f.medianSeconds.toFixed(2),
            `${f.minSeconds.toFixed(2)}–${f.maxSeconds.toFixed(2)}`,
            `≤ ${f.targetSeconds}`,
            f.exitCodes.join(" "),
        ]),
    );
}

/** The Markdown table README's speed section holds (npm run bench -- --speed writes it). */
export function speedMarkdown(figures: readonly SpeedFigure[]): string {
    return markdownTable(
        ["figure", "command", "median s", "min–max s", "target s"],
        figures.map((f) => [
            f.figure,
            `\`${f.command}\``,
            f.medianSeconds.toFixed(2),
            `${f.minSeconds.toFixed(2)}–${f.maxSeconds.toFixed(2)}`,
            `≤ ${f.targetSeconds}`,
        ]),
    );
}

export function writeSpeedTable(figures: readonly SpeedFigure[]): Promise<string> {
    return writeReadmeSection("speed", speedMarkdown(figures));
}
