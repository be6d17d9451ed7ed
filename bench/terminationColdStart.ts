/**
 * How long a cold termination policy Lambda spends before its handler runs, measured for real:
 * the handler is serialized exactly as `npm run plan` and Pulumi upload it, and each sample is a
 * fresh Node process that loads that module (its factory runs at load, as Lambda runs it at init:
 * it requires @aws-sdk/client-ecs and makes the client) and reports `performance.now()` once the
 * handler exists, the milliseconds since the process started. So a sample holds Node's own start,
 * the module and the SDK; Lambda's share before the process (placing the environment, fetching the
 * code) is not in it and cannot be measured here.
 *
 * This machine gives the process a whole core; Lambda gives a function CPU in proportion to its
 * memory, one vCPU at 1,769 MB (Lambda developer guide, "Configuring Lambda function memory"). The
 * load is CPU-bound (files come from the page cache), so each sample is scaled by 1,769 / memory
 * for a function below 1,769 MB. That scaling is inferred, not measured.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { terminationCallbackFactory } from "../runtime/terminationHandler";
import { serializeHandler } from "../scripts/lambdaArchive";
import { REPO_ROOT } from "../scripts/stackFile";
import { TERMINATION_FUNCTION } from "../stack/termination";

/** The memory at which Lambda gives a function one full vCPU. */
export const FULL_VCPU_MEMORY_MB = 1769;

export interface ColdStartSamples {
    /** Process start → handler ready, ms, on this machine (one core), ascending. */
    readonly measuredMs: readonly number[];
    /** The same, scaled to the function's CPU share on Lambda, ascending. */
    readonly lambdaMs: readonly number[];
    readonly cpuShare: number;
}

/** Runs `count` fresh processes that each load the serialized termination handler. */
export async function measureColdStarts(count: number): Promise<ColdStartSamples> {
    const handler = await serializeHandler(
        terminationCallbackFactory({ daemonTaskFamilies: [], budgetMs: TERMINATION_FUNCTION.budgetMs }),
    );
    const dir = mkdtempSync(join(tmpdir(), "termination-cold-start-"));
    const entry = join(dir, "__index.js");
    writeFileSync(entry, handler.text);
    // Printed when the handler exists: performance.now() counts from the process's start.
    const probe = `require(${JSON.stringify(entry)}); console.log(JSON.stringify(performance.now()));`;
    const env = {
        ...process.env,
        NODE_PATH: join(REPO_ROOT, "node_modules"),
        NODE_NO_WARNINGS: "1",
        CLUSTER_NAME: "bench",
        AWS_REGION: "us-east-1",
    };
    try {
        const measuredMs = Array.from({ length: count }, () => {
            const run = spawnSync(process.execPath, ["-e", probe], { env, encoding: "utf8" });
            if (run.status !== 0) throw new Error(`cold start probe failed: ${run.stderr}`);
            return Number(JSON.parse(run.stdout.trim()));
        }).sort((a, b) => a - b);
        const cpuShare = cpuShareAt(TERMINATION_FUNCTION.memoryMb);
        return { measuredMs, lambdaMs: atMemory(measuredMs, TERMINATION_FUNCTION.memoryMb), cpuShare };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** Lambda's CPU share at `memoryMb`: one vCPU at 1,769 MB, proportionally less below. */
export function cpuShareAt(memoryMb: number): number {
    return Math.min(1, memoryMb / FULL_VCPU_MEMORY_MB);
}

/** Samples measured on a whole core, as they would take at `memoryMb` (inferred: CPU-bound load). */
export function atMemory(measuredMs: readonly number[], memoryMb: number): number[] {
    return measuredMs.map((ms) => ms / cpuShareAt(memoryMb));
}
