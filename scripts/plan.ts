/**
 * `npm run plan -- [--stack dev] [--json]`: the offline preview. Synthesizes the program under
 * mocks with the stack's real config, prints the resource tree with the inputs that matter, every
 * IAM statement, each Lambda archive's size, the stack outputs, and the policy rules' verdicts by
 * tier. Arguments, Pulumi.yaml and the stack file are checked before the Pulumi SDK and the
 * program load (planSynthesis.ts), so a mistake is answered at once, without a stack trace.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import type { RuleViolation } from "../policy/rules";
import { checkProjectNamespace, parseSettings, SettingsError } from "../stack/settings";
import type { Plan } from "./planSynthesis";
import { REPO_ROOT, stackFileValues } from "./stackFile";

const USAGE = "usage: npm run plan -- [--stack NAME] [--json] [--help]";

/** A mistake of the caller's (arguments, Pulumi.yaml, a stack file): its message, exit 2, no stack trace. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export interface PlanArgs {
    readonly stack: string;
    readonly json: boolean;
    readonly help: boolean;
}

export function parsePlanArgs(argv: readonly string[]): PlanArgs {
    let stack = "dev";
    let json = false;
    let help = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json") json = true;
        else if (arg === "--help" || arg === "-h") help = true;
        else if (arg === "--stack" && argv[i + 1] && !argv[i + 1].startsWith("-")) stack = argv[++i];
        else if (arg.startsWith("--stack=")) stack = arg.slice("--stack=".length);
        else if (arg === "--stack") throw new UsageError(`--stack needs a stack name: ${USAGE}`);
        else throw new UsageError(`unknown argument ${arg}: ${USAGE}`);
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(stack))
        throw new UsageError(`--stack ${stack}: expected a stack name (letters, digits, . _ -)`);
    return { stack, json, help };
}

/** The stacks this repository has a file for (Pulumi.<stack>.yaml). */
export function stackNames(dir: string = REPO_ROOT): string[] {
    return readdirSync(dir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

export function planHelp(stacks: readonly string[]): string {
    return [
        USAGE,
        "",
        "The offline preview: the program synthesized under mocks with the stack file's config (no AWS",
        "account, no Pulumi CLI). Prints the resource tree with the inputs that matter, every IAM statement,",
        "each Lambda archive's size, the stack outputs, and the policy pack's rules with their tier.",
        "",
        "Options:",
        `  --stack NAME   plan Pulumi.NAME.yaml (default dev; this repository has: ${stacks.join(", ") || "none"})`,
        "  --json         print the plan as JSON (resources, IAM statements, archives, outputs, violations)",
        "  -h, --help     print this help",
        "",
        "Exit status: 0 when no mandatory rule is violated (advisory findings are listed, never fatal),",
        "1 on a mandatory violation, 2 on a bad argument, Pulumi.yaml or stack file.",
    ].join("\n");
}

/** What a stack file (or Pulumi.yaml) holds wrong, as the caller's mistake naming the file. */
function asUsageError(file: string, error: unknown): unknown {
    if (error instanceof UsageError) return error;
    if (error instanceof SettingsError || error instanceof YAML.YAMLError)
        return new UsageError(`${file}: ${error.message}`);
    // stackFileValues' own errors name the file's path already.
    return error instanceof Error ? new UsageError(error.message) : error;
}

/** The project's name in Pulumi.yaml, which must be the namespace the program reads its config from. */
export function projectName(dir: string = REPO_ROOT): string {
    try {
        const project = YAML.parse(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as {
            name?: unknown;
        } | null;
        if (typeof project?.name !== "string")
            throw new UsageError("Pulumi.yaml: name must be the project's name");
        checkProjectNamespace(project.name);
        return project.name;
    } catch (error) {
        throw error instanceof SettingsError
            ? new UsageError(error.problems.join("\n"))
            : asUsageError("Pulumi.yaml", error);
    }
}

/**
 * The stack file's values, checked as the program will check them, so that a bad file is
 * reported (`Pulumi.<stack>.yaml: …`, as `npm run simulate` does) before anything loads.
 */
export function checkedStackValues(stack: string, dir: string = REPO_ROOT): Record<string, unknown> {
    try {
        const values = stackFileValues(stack, dir);
        parseSettings(values, stack);
        return values;
    } catch (error) {
        throw asUsageError(`Pulumi.${stack}.yaml`, error);
    }
}

function renderTree(plan: Plan): string[] {
    const lines: string[] = [];
    const walk = (parent: string | undefined, depth: number) => {
        for (const node of plan.resources.filter((r) => r.parent === parent)) {
            const inputs = Object.entries(node.inputs)
                .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
                .join(" ");
            lines.push(`${"  ".repeat(depth)}${node.type}  ${node.name}${inputs ? `  ${inputs}` : ""}`);
            if (plan.resources.some((r) => r.parent === node.name) && node.type.startsWith("ecs-lifecycle:"))
                walk(node.name, depth + 1);
        }
    };
    walk(undefined, 0);
    return lines;
}

function renderIam(plan: Plan): string[] {
    return plan.iamStatements.map((s) => {
        const parts = [
            `${s.resource}${s.sid ? ` [${s.sid}]` : ""}: ${s.effect}`,
            s.principal ? `principal ${JSON.stringify(s.principal)}` : "",
            JSON.stringify(s.action),
            s.on ? `on ${JSON.stringify(s.on)}` : "",
            s.condition ? `if ${JSON.stringify(s.condition)}` : "",
        ];
        return `  ${parts.filter(Boolean).join(" ")}`;
    });
}

function renderViolation(v: RuleViolation): string {
    const subject = v.resource ? ` (${v.resource.slice(v.resource.lastIndexOf("::") + 2)})` : "";
    return `  ${v.tier === "mandatory" ? "VIOLATION" : "advisory"} ${v.rule}${subject}: ${v.message}`;
}

export function renderText(plan: Plan): string {
    const mandatory = plan.violations.filter((v) => v.tier === "mandatory").length;
    const custom = plan.resources.length - plan.components;
    return [
        `Offline plan of stack ${plan.stack} (Pulumi.${plan.stack}.yaml, synthesized under mocks)`,
        `Mock values: account ${plan.mockValues.accountId}, region ${plan.mockValues.region}; ${plan.mockValues.note}`,
        "",
        ...renderTree(plan),
        "",
        "IAM statements:",
        ...renderIam(plan),
        "",
        "Lambda archives:",
        ...Object.entries(plan.archiveBytes).map(([name, bytes]) => `  ${name}: ${bytes} bytes`),
        "",
        "Stack outputs:",
        ...Object.entries(plan.outputs).map(([name, value]) => `  ${name}: ${JSON.stringify(value)}`),
        "",
        `Account-wide ECS settings: ${plan.notes.accountSettings}`,
        `Alerts: ${plan.notes.alerts}`,
        `Capacity management: ${plan.notes.capacityManagement}`,
        "",
        `Policy checks: ${plan.rules} rules (mandatory ones block, advisory ones inform)`,
        ...plan.violations.map(renderViolation),
        `${custom} resources, ${mandatory} mandatory violations, ${plan.violations.length - mandatory} advisory findings`,
        `(${plan.components} components; planned in ${plan.seconds.toFixed(1)} s)`,
    ].join("\n");
}

/** 0 when no mandatory rule is violated, 1 when one is (2 is kept for a plan that could not be made). */
export function exitCodeFor(plan: Pick<Plan, "violations">): number {
    return plan.violations.some((v) => v.tier === "mandatory") ? 1 : 0;
}

/** Runs the command; resolves to its exit code. Errors that are not the caller's propagate (with their stack). */
export async function plan(argv: readonly string[]): Promise<number> {
    let args: PlanArgs;
    let values: Record<string, unknown>;
    let project: string;
    try {
        args = parsePlanArgs(argv);
        if (args.help) {
            console.log(planHelp(stackNames()));
            return 0;
        }
        project = projectName();
        values = checkedStackValues(args.stack);
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        console.error(error.message);
        return 2;
    }
    const { buildPlan } = await import("./planSynthesis");
    // The program's own log lines (e.g. a Lambda closure warning) would corrupt --json.
    const log = console.log;
    if (args.json) console.log = console.error;
    const result = await buildPlan(args.stack, values, project);
    console.log = log;
    console.log(args.json ? JSON.stringify(result, null, 2) : renderText(result));
    return exitCodeFor(result);
}

if (require.main === module) {
    plan(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (error: unknown) => {
            console.error(error);
            process.exitCode = 2;
        },
    );
}
