/** A stack file's `ecs-lifecycle:` values, as typed YAML or as `pulumi config` hands them to the program (strings, JSON for structures). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import YAML from "yaml";

/** The repository: the nearest directory above this module with a Pulumi.yaml (compiled code runs from build/). */
export const REPO_ROOT = projectRoot(__dirname);

function projectRoot(from: string): string {
    for (let dir = from; ; dir = dirname(dir)) {
        if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
        if (dirname(dir) === dir) throw new Error(`no Pulumi.yaml in ${from} or above it`);
    }
}

/** Reads `Pulumi.<stack>.yaml`; a missing file or one without a `config:` map is a clear error. */
export function stackFileValues(stack: string, dir: string = REPO_ROOT): Record<string, unknown> {
    const path = join(dir, `Pulumi.${stack}.yaml`);
    let text: string;
    try {
        text = readFileSync(path, "utf8");
    } catch {
        throw new Error(
            `stack file ${path} not found: create it with \`pulumi stack init ${stack}\` and \`pulumi config set\`, or pick another --stack`,
        );
    }
    let doc: { config?: unknown } | null;
    try {
        doc = YAML.parse(text) as { config?: unknown } | null;
    } catch (error) {
        if (!(error instanceof YAML.YAMLError)) throw error;
        throw new Error(`Pulumi.${stack}.yaml: ${error.message}`, { cause: error });
    }
    if (!doc || typeof doc.config !== "object" || doc.config === null) {
        throw new Error(`stack file ${path} has no config: map`);
    }
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(doc.config as Record<string, unknown>)) {
        if (key.startsWith("ecs-lifecycle:")) values[key.slice("ecs-lifecycle:".length)] = value;
    }
    return values;
}

/** What a `secure:` value stands for when the program runs without the stack's key (the plan). */
export const SECRET_PLACEHOLDER = "[secret]";

/** `{secure: "v1:…"}`: how a stack file holds a value set with `pulumi config set --secret`. */
function isSecure(value: unknown): boolean {
    return (
        typeof value === "object" &&
        value !== null &&
        typeof (value as { secure?: unknown }).secure === "string"
    );
}

/** The values as the engine hands them to the program; a secret (which only the engine can decrypt) becomes a placeholder. */
export function asPulumiConfig(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(values).map(([key, value]) => [
            `ecs-lifecycle:${key}`,
            isSecure(value) ? SECRET_PLACEHOLDER : typeof value === "string" ? value : JSON.stringify(value),
        ]),
    );
}

/** The full keys of the values the stack file holds as secrets. */
export function secretKeysOf(values: Record<string, unknown>): string[] {
    return Object.entries(values)
        .filter(([, value]) => isSecure(value))
        .map(([key]) => `ecs-lifecycle:${key}`);
}
