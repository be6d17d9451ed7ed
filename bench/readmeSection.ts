/**
 * README's generated sections: a figure table the bench writes between two HTML comments, so the
 * README's numbers are always the last run's (tests compare them with bench/results.json).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../scripts/stackFile";

/** A Markdown table from a header and rows, pipes in cells escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const escape = (text: string) => text.replace(/\|/g, "\\|");
    const line = (cells: readonly string[]) => `| ${cells.map(escape).join(" | ")} |`;
    return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** A Markdown table's cells row by row, whatever its padding (prettier aligns README's), separator row left out. */
export function markdownCells(markdown: string): string[][] {
    return markdown
        .trim()
        .split("\n")
        .map((line) =>
            line
                .trim()
                .replace(/^\|/, "")
                .replace(/\|$/, "")
                .split(/(?<!\\)\|/)
                .map((cell) => cell.trim()),
        )
        .filter((row) => !row.every((cell) => /^:?-+:?$/.test(cell)));
}

/** The text between README's `<!-- name:start -->` and `<!-- name:end -->`. */
export function readmeSection(
    name: string,
    readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8"),
): string {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md needs ${start} … ${end}`);
    return readme.slice(from + start.length, to);
}

/** Rewrites README's section `name` with `markdown`, formatted as prettier keeps README. */
export async function writeReadmeSection(name: string, markdown: string): Promise<string> {
    const path = join(REPO_ROOT, "README.md");
    const readme = readFileSync(path, "utf8");
    const current = readmeSection(name, readme);
    const start = readme.indexOf(`<!-- ${name}:start -->`) + `<!-- ${name}:start -->`.length;
    const text = `${readme.slice(0, start)}\n\n${markdown}\n\n${readme.slice(start + current.length)}`;
    const prettier = await import("prettier");
    const options = (await prettier.resolveConfig(path)) ?? {};
    writeFileSync(path, await prettier.format(text, { ...options, filepath: path }));
    return path;
}
