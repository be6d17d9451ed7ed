#!/usr/bin/env node
/**
 * Compiles the TypeScript sources once into build/, so the CLIs, the bench and the tests start
 * from JavaScript instead of transpiling in every process. Each file goes through TypeScript's
 * own transpileModule with the project's compiler options: the same JavaScript ts-node (and so
 * `pulumi up`) makes of it, which matters for the Lambda closures Pulumi serializes. Only files
 * changed since the last build are transpiled; outputs of deleted sources are removed. Type
 * checking is `npm run lint`'s (tsc --noEmit), not this step's.
 *
 * Plain JavaScript: it runs before anything is compiled.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const OUT = path.join(ROOT, "build");
const MANIFEST = path.join(OUT, ".manifest.json");
const SOURCE_DIRS = ["components", "runtime", "stack", "sim", "policy", "test", "scripts", "bench"];
const SOURCE_FILES = ["index.ts"];

function sources() {
    const found = SOURCE_FILES.filter((file) => fs.existsSync(path.join(ROOT, file)));
    const walk = (dir) => {
        for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
            const rel = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== "node_modules") walk(rel);
            } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) found.push(rel);
        }
    };
    for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(ROOT, dir))) walk(dir);
    return found.sort();
}

function readManifest(configStamp) {
    try {
        const manifest = JSON.parse(fs.readFileSync(MANIFEST, "utf8"));
        return manifest.configStamp === configStamp ? manifest.files : {};
    } catch {
        return {};
    }
}

function stampOf(file) {
    const stat = fs.statSync(path.join(ROOT, file));
    return `${stat.mtimeMs}:${stat.size}`;
}

function outputOf(file) {
    return path.join(OUT, file.replace(/\.ts$/, ".js"));
}

function compilerOptions(ts) {
    const configPath = path.join(ROOT, "tsconfig.json");
    const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
    if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
    const parsed = ts.convertCompilerOptionsFromJson(config.compilerOptions, ROOT);
    return { ...parsed.options, sourceMap: true, inlineSourceMap: false, inlineSources: false };
}

/** Transpiles what changed; returns how many files were written. */
function build() {
    const configStamp = `${fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")}|${require("typescript/package.json").version}`;
    const previous = readManifest(configStamp);
    const files = sources();
    const stamps = Object.fromEntries(files.map((file) => [file, stampOf(file)]));
    const changed = files.filter((file) => previous[file] !== stamps[file] || !fs.existsSync(outputOf(file)));
    for (const gone of Object.keys(previous).filter((file) => !(file in stamps))) {
        fs.rmSync(outputOf(gone), { force: true });
        fs.rmSync(`${outputOf(gone)}.map`, { force: true });
    }
    if (changed.length > 0) {
        const ts = require("typescript");
        const options = compilerOptions(ts);
        for (const file of changed) {
            const source = fs.readFileSync(path.join(ROOT, file), "utf8");
            const output = outputOf(file);
            const { outputText, sourceMapText } = ts.transpileModule(source, {
                compilerOptions: options,
                fileName: path.basename(file),
                reportDiagnostics: false,
            });
            // Stack traces name the .ts source (node --enable-source-maps, mocha's node-option).
            const map = JSON.parse(sourceMapText);
            map.sources = [path.relative(path.dirname(output), path.join(ROOT, file))];
            fs.mkdirSync(path.dirname(output), { recursive: true });
            fs.writeFileSync(output, outputText);
            fs.writeFileSync(`${output}.map`, JSON.stringify(map));
        }
    }
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(MANIFEST, JSON.stringify({ configStamp, files: stamps }));
    return changed.length;
}

if (require.main === module) {
    const started = Date.now();
    const written = build();
    if (written > 0 && process.env.npm_lifecycle_event === "build") {
        console.error(`build: ${written} file(s) transpiled in ${Date.now() - started} ms`);
    }
}

module.exports = { build };
