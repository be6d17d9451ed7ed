/**
 * `npm run simulate -- [--stack dev] [--scenario NAME|all] [--instances N] [--seed S]
 * [--faults LIST] [--capacity-management custom|managed] [--json] [--html [FILE]] [--serve]
 * [-h|--help]`: the stack's control loops,
 * with the settings of `Pulumi.<stack>.yaml`, against the simulated region, scenario by scenario.
 * Exit code 0 when every scenario held its invariants and checks, 1 when one did not (or could
 * not run), 2 when the command line, the stack file or the report's path is wrong.
 */
import { accessSync, constants, mkdirSync, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
// The simulator and the reports are loaded only once the command line, the stack file and the
// report's path are checked: a wrong argument is answered at once.
import { progressLine } from "../sim/report/progress";
import { SCENARIO_CATALOG, scenarioNamesFor } from "../sim/scenarios/catalog";
import type { ScenarioResult } from "../sim/scenarios/result";
import { FAULT_DESCRIPTIONS, NO_FAULTS, type FaultName, type FaultSettings } from "../sim/types";
import {
    CAPACITY_MANAGEMENT_MODES,
    parseSettings,
    SettingsError,
    type CapacityManagementMode,
    type StackSettings,
} from "../stack/settings";
import { stackFileValues } from "./stackFile";

export interface SimulateArgs {
    readonly stack: string;
    readonly scenario: string;
    readonly instances?: number;
    readonly seed: number;
    readonly faults: Partial<FaultSettings>;
    /** The capacity management mode to run instead of the stack's own. */
    readonly capacityManagement?: CapacityManagementMode;
    readonly json: boolean;
    /** Where the HTML report goes; undefined: no HTML report. */
    readonly html?: string;
    readonly serve: boolean;
    /** `--serve`'s port; undefined: sim/serve.ts's default. */
    readonly port?: number;
}

/** Where `--html` without a path writes the report. */
export const DEFAULT_HTML_PATH = "reports/simulation.html";

/** A wrong command line or stack file: exit code 2. */
export class UsageError extends Error {
    override readonly name = "UsageError";
}

export const USAGE =
    "usage: npm run simulate -- [--stack dev] [--scenario NAME|all] [--instances N] [--seed S] [--faults LIST] [--capacity-management custom|managed] [--json] [--html [FILE]] [--serve [--port P]] [-h|--help]";

const column = (rows: readonly (readonly [string, string])[]) => {
    const width = Math.max(...rows.map(([name]) => name.length));
    return rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`).join("\n");
};

/** `--help`: the options, every scenario and every fault, and the exit codes. */
export const HELP = `${USAGE}

Runs the stack's control loops (the settings of Pulumi.<stack>.yaml, the real Lambda handlers) in
the simulated AWS region, scenario by scenario, and checks every run: no task killed by a
termination, no service below desired × minimumHealthyPercent, no instance stuck past its hook
deadline, no scaling back and forth, and each scenario's own checks.

options:
${column([
    ["--stack NAME", "the stack file Pulumi.NAME.yaml (default dev)"],
    ["--scenario NAME|all", "one scenario, or all of them in the order below (default all)"],
    ["--instances N", "instances the group starts with, 1 to 5000 (default: the stack's desiredCapacity)"],
    ["--seed S", "the region's random seed, 0 to 2147483647 (default 1): a seed's run is deterministic"],
    [
        "--faults LIST",
        "faults to inject, comma-separated NAME=RATE (a probability in [0, 1]) or NAME for ecsRateLimit",
    ],
    [
        "--capacity-management M",
        "custom (the stack's drain hook, capacity scaler and termination policy) or managed (an ECS capacity provider); default: the stack's capacityManagement",
    ],
    [
        "--json",
        "print one JSON object (scenarios[] with invariants, drains, faults, checks, …) instead of text",
    ],
    ["--html [FILE]", `also write the HTML report with charts (default ${DEFAULT_HTML_PATH})`],
    [
        "--serve",
        "serve the stack (cluster, services, every control loop) on 127.0.0.1 for the AWS CLI, virtual time following real time; no scenario runs",
    ],
    ["--port P", "--serve's port, 0 for any free one (default 4580)"],
    ["-h, --help", "this text"],
])}

scenarios:
${column(SCENARIO_CATALOG.map((s) => [s.name, s.summary]))}

faults (--faults; the reports say how many times each fired):
${column((Object.keys(NO_FAULTS) as FaultName[]).map((name) => [name, FAULT_DESCRIPTIONS[name].replace(/`/g, "")]))}

exit codes: 0 every check passed, 1 a check failed or a scenario could not run, 2 a bad command
line, stack file or report path.`;

export function parseSimulateArgs(argv: readonly string[]): SimulateArgs {
    let stack = "dev";
    let scenario = "all";
    let instances: number | undefined;
    let seed = 1;
    let faults: Partial<FaultSettings> = {};
    let capacityManagement: CapacityManagementMode | undefined;
    let json = false;
    let html: string | undefined;
    let serve = false;
    let port: number | undefined;
    const value = (i: number, flag: string): string => {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag}: a value is required`);
        return v;
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        switch (arg) {
            case "--stack":
                stack = value(i++, arg);
                if (!/^[A-Za-z0-9_.-]+$/.test(stack))
                    throw new UsageError(
                        `--stack: expected a stack name (letters, digits, _ . -), got "${stack}"`,
                    );
                break;
            case "--scenario":
                scenario = value(i++, arg);
                try {
                    scenarioNamesFor(scenario);
                } catch (error) {
                    throw new UsageError((error as Error).message);
                }
                break;
            case "--instances":
                instances = integerArg(arg, value(i++, arg), 1, 5000);
                break;
            case "--seed":
                seed = integerArg(arg, value(i++, arg), 0, 2 ** 31 - 1);
                break;
            case "--faults":
                faults = parseFaults(value(i++, arg));
                break;
            case "--capacity-management": {
                const mode = value(i++, arg);
                capacityManagement = CAPACITY_MANAGEMENT_MODES.find((m) => m === mode);
                if (capacityManagement === undefined)
                    throw new UsageError(
                        `${arg}: expected ${CAPACITY_MANAGEMENT_MODES.join(" or ")}, got "${mode}"`,
                    );
                break;
            }
            case "--json":
                json = true;
                break;
            case "--html": {
                const next = argv[i + 1];
                if (next !== undefined && !next.startsWith("--")) {
                    html = next;
                    i++;
                } else {
                    html = DEFAULT_HTML_PATH;
                }
                break;
            }
            case "--serve":
                serve = true;
                break;
            case "--port":
                port = integerArg(arg, value(i++, arg), 0, 65535);
                break;
            default:
                throw new UsageError(`unknown argument "${arg}"`);
        }
    }
    if (port !== undefined && !serve) throw new UsageError("--port: only with --serve");
    return { stack, scenario, instances, seed, faults, capacityManagement, json, html, serve, port };
}

function integerArg(flag: string, text: string, min: number, max: number): number {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) {
        throw new UsageError(`${flag}: expected an integer from ${min} to ${max}, got "${text}"`);
    }
    return n;
}

/** `throttleRate=0.05,duplicateRate=0.1,ecsRateLimit` → fault settings, every name and value checked. */
export function parseFaults(list: string): Partial<FaultSettings> {
    const faults: Record<string, number | boolean> = {};
    for (const item of list.split(",").filter((s) => s !== "")) {
        const [name, raw] = item.split("=", 2);
        if (!(name in NO_FAULTS)) {
            throw new UsageError(
                `--faults: unknown fault "${name}" (known: ${Object.keys(NO_FAULTS).join(", ")})`,
            );
        }
        if (typeof NO_FAULTS[name as keyof FaultSettings] === "boolean") {
            if (raw !== undefined && raw !== "true" && raw !== "false")
                throw new UsageError(
                    `--faults: ${name} is on or off (${name}, ${name}=true or ${name}=false), got "${raw}"`,
                );
            faults[name] = raw !== "false";
            continue;
        }
        const rate = Number(raw);
        if (raw === undefined || raw === "" || !(rate >= 0 && rate <= 1)) {
            throw new UsageError(
                `--faults: ${name} needs a rate in [0, 1] (${name}=0.05), got "${raw ?? ""}"`,
            );
        }
        faults[name] = rate;
    }
    return faults as Partial<FaultSettings>;
}

/** The stack's validated settings, or a UsageError naming the file and every problem. */
export function loadSimulationSettings(stack: string, dir?: string): StackSettings {
    try {
        return parseSettings(stackFileValues(stack, dir), stack);
    } catch (error) {
        if (error instanceof SettingsError) throw new UsageError(`Pulumi.${stack}.yaml: ${error.message}`);
        if (error instanceof Error) throw new UsageError(error.message);
        throw error;
    }
}

export interface SimulateIo {
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
    /** Progress while a long scenario runs (stderr's line in the CLI). */
    readonly progress?: (line: string) => void;
    readonly stackDir?: string;
}

/**
 * Refuses a report path the run could not write at its end: a directory, a file that may not be
 * written, or a parent that is a file or may not be written (missing parents are created).
 */
export function checkHtmlPath(path: string): string {
    const target = resolve(path);
    const problem = (why: string) => new UsageError(`--html: cannot write ${target}: ${why}`);
    const stat = statIfAny(target);
    if (stat?.isDirectory()) throw problem("it is a directory");
    let existing = stat ? target : dirname(target);
    while (!statIfAny(existing)) existing = dirname(existing);
    if (!stat && !statIfAny(existing)!.isDirectory()) throw problem(`${existing} is not a directory`);
    try {
        accessSync(existing, constants.W_OK);
    } catch {
        throw problem(`${existing} is not writable`);
    }
    return target;
}

/** The path's status, or undefined when nothing is there (or a parent is a file). */
function statIfAny(path: string): Stats | undefined {
    try {
        return statSync(path);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return undefined;
        throw error;
    }
}

/** Runs the command; resolves to its exit code. */
export async function simulate(argv: readonly string[], io: SimulateIo): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
        io.out(HELP);
        return 0;
    }
    let args: SimulateArgs;
    let settings: StackSettings;
    let htmlPath: string | undefined;
    try {
        args = parseSimulateArgs(argv);
    } catch (error) {
        if (!(error instanceof Error)) throw error;
        io.err(`${error.message}\n${USAGE}\n(npm run simulate -- --help lists the scenarios and faults)`);
        return 2;
    }
    try {
        // A stack file or report path that is wrong: the message names it; the usage line would not help.
        settings = loadSimulationSettings(args.stack, io.stackDir);
        htmlPath = args.html === undefined ? undefined : checkHtmlPath(args.html);
    } catch (error) {
        if (!(error instanceof Error)) throw error;
        io.err(error.message);
        return 2;
    }
    if (args.serve) {
        const { serveUntilInterrupted } = await import("../sim/serve");
        await serveUntilInterrupted(settings, { seed: args.seed, port: args.port, print: io.out });
        return 0;
    }
    const { selectScenarios } = await import("../sim/scenarios");
    const { ScenarioError } = await import("../sim/scenarios/scenario");
    const { renderScenarioText, renderSummaryTable } = await import("../sim/report/text");
    const results: ScenarioResult[] = [];
    for (const scenario of selectScenarios(args.scenario)) {
        let result: ScenarioResult;
        try {
            result = await scenario.run(settings, {
                seed: args.seed,
                instances: args.instances,
                faults: args.faults,
                capacityManagement: args.capacityManagement,
                progress: io.progress,
            });
        } catch (error) {
            if (!(error instanceof ScenarioError)) throw error;
            io.err(error.message);
            return 1;
        }
        results.push(result);
        if (!args.json) io.out(`${renderScenarioText(result)}\n`);
    }
    if (args.json) io.out((await import("../sim/report/json")).renderJson(args.stack, results));
    else io.out(`${renderSummaryTable(results)}\n`);
    if (htmlPath) {
        mkdirSync(dirname(htmlPath), { recursive: true });
        writeFileSync(htmlPath, (await import("../sim/report/html")).renderHtmlReport(args.stack, results));
        io.err(`HTML report: ${htmlPath}`);
    }
    return results.every((r) => r.passed) ? 0 : 1;
}

if (require.main === module) {
    // Output piped into a reader that stops early (head, less) is not an error worth a trace.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
        process.exit(process.exitCode ?? 0);
    });
    const progress = progressLine();
    simulate(process.argv.slice(2), {
        out: (text) => {
            progress.done();
            console.log(text);
        },
        err: (text) => {
            progress.done();
            console.error(text);
        },
        progress: (line) => progress.update(line),
    }).then(
        (code) => {
            progress.done();
            process.exitCode = code;
        },
        (error: unknown) => {
            progress.done();
            console.error(error);
            process.exitCode = 2;
        },
    );
}
