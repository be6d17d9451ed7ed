/**
 * `npm run config-docs`: rewrites Pulumi.yaml's `config:` declarations and README's key table from
 * CONFIG_KEYS, so the three never disagree (test/components/settings.test.ts fails when they do).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { CONFIG_KEYS } from "../stack/settings";
import { REPO_ROOT } from "./stackFile";

const TABLE_START = "<!-- config-keys:start -->";
const TABLE_END = "<!-- config-keys:end -->";

export function pulumiYamlConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {};
    for (const spec of CONFIG_KEYS) {
        // Object keys cannot be typed there; secrets must not get a default, and without one Pulumi requires them.
        if (spec.type === "object" || spec.secret) continue;
        config[spec.key] = {
            type: spec.type,
            description: `${spec.description} Legal: ${spec.range}.`,
            ...(spec.type === "array" ? { items: { type: "string" } } : {}),
            default: spec.default,
        };
    }
    return config;
}

/** A Markdown table cell: a literal "|" (as in "perAz | single") would end the cell. */
function cell(text: string): string {
    return text.replace(/\|/g, "\\|");
}

export function readmeKeyTable(): string {
    const rows = CONFIG_KEYS.map((spec) => {
        const fallback = spec.default === undefined ? "—" : `\`${JSON.stringify(spec.default)}\``;
        return `| \`${spec.key}\` | ${spec.type} | ${fallback} | ${cell(spec.range)} | ${cell(spec.description)} |`;
    });
    return [
        "| key | type | default | legal values | what it does |",
        "| --- | --- | --- | --- | --- |",
        ...rows,
    ].join("\n");
}

function main(): void {
    const projectPath = join(REPO_ROOT, "Pulumi.yaml");
    const project = readFileSync(projectPath, "utf8");
    const header = project.slice(0, project.indexOf("\nconfig:\n") + 1);
    writeFileSync(projectPath, header + YAML.stringify({ config: pulumiYamlConfig() }, { lineWidth: 0 }));

    const readmePath = join(REPO_ROOT, "README.md");
    const readme = readFileSync(readmePath, "utf8");
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    if (start < 0 || end < start)
        throw new Error(`README.md needs ${TABLE_START} … ${TABLE_END} around the key table`);
    writeFileSync(
        readmePath,
        `${readme.slice(0, start + TABLE_START.length)}\n${readmeKeyTable()}\n${readme.slice(end)}`,
    );
    console.log(`wrote ${CONFIG_KEYS.length} keys to Pulumi.yaml and README.md`);
}

if (require.main === module) main();
