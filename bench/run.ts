/**
 * `npm run bench`: this project's drain and capacity handlers against faithful ports of the
 * book's chapter 11 and 12 Lambdas (`bench/baselines/`), side by side in the simulated region
 * with the dev stack's settings; the termination policy's latency at 2,000 candidates; each
 * Lambda archive's size as the program synthesizes it; and the capacity management modes side by
 * side. Prints tables and writes `bench/results.json`; `--speed` times whole processes, `npm test`
 * among them. Times are virtual (the region's modelled API latency)
 * unless they say wall; ratios are the headline.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadSimulationSettings } from "../scripts/simulate";
import { REPO_ROOT } from "../scripts/stackFile";
import { table } from "../sim/report/text";
import { BENCH_HELP, BenchUsageError, parseBenchArgs, type BenchArgs } from "./args";
import type { DrainBenchResult, DrainBenchRow } from "./drainComparison";
import type { LargeClusterResult } from "./largeCluster";
import type { SpeedFigure } from "./speed";
import type { CapacityBenchResult } from "./capacity";
import type { ModesResult } from "./modes";
import { modesTable, writeWhichModeTable } from "./modesTable";

export const DRAIN_SIZES = [10, 100, 1000] as const;
/** EventBridge and SNS deliveries lost in the drain's fault run: nudges fall back to the poll. */
export const DRAIN_EVENT_LOSS = 0.2;
export const LARGE_CLUSTER_INSTANCES = 2000;
export const TERMINATION_INVOCATIONS = 100;
export const STACK = "dev";

export interface BenchResults {
    readonly stack: string;
    /** Rolling updates at DRAIN_SIZES; ours loses DRAIN_EVENT_LOSS of its events in `oursEventsLost`. */
    readonly drain: readonly DrainBenchRow[];
    readonly largeCluster: LargeClusterResult;
    /** The capacity scaler at scale: evaluation CPU, one invocation's reads, a rolling update, shortfall to alarm. */
    readonly capacity: CapacityBenchResult;
    /** Archive bytes: the program's functions (as `npm run plan` synthesizes them) and the book's ports. */
    readonly archiveBytes: Readonly<Record<string, number>>;
    /** `--speed`: the region's own speed, whole processes timed (kept from the last `--speed` run otherwise). */
    readonly speed?: readonly SpeedFigure[];
    /** The capacity management modes side by side: custom (the stack's Lambdas) and managed (ECS's loops). */
    readonly modes?: ModesResult;
}

const RESULTS_PATH = join(REPO_ROOT, "bench", "results.json");

function previousResults(): Partial<BenchResults> {
    return existsSync(RESULTS_PATH)
        ? (JSON.parse(readFileSync(RESULTS_PATH, "utf8")) as Partial<BenchResults>)
        : {};
}

const show = (value: number | null | undefined, digits = 0): string =>
    value === null || value === undefined ? "-" : value.toFixed(digits);

/** The drain comparison, one block per size: ours, ours with events lost, the previous design, the book's. */
export function drainTable(rows: BenchResults["drain"]): string {
    const lines: string[][] = [];
    for (const row of rows) {
        const runs = [row.ours, row.oursEventsLost, row.previous, row.book];
        const metric = (name: string, value: (r: DrainBenchResult) => string) =>
            lines.push([String(row.instances), name, ...runs.map(value)]);
        metric(
            "drains: CONTINUE / ABANDON / hook timed out",
            (r) => `${r.continued}/${r.abandoned}/${r.hookTimeouts}`,
        );
        metric(
            "last task stopped → hook done, p50 / p99 / max s",
            (r) =>
                `${show(r.completionDelayP50Seconds, 1)} / ${show(r.completionDelayP99Seconds, 1)} / ${show(r.completionDelayMaxSeconds, 1)}`,
        );
        metric("hook done with tasks still on the instance", (r) => String(r.endedWithTasksLeft));
        metric("ECS API calls per drained instance", (r) => show(r.ecsCallsPerDrain, 1));
        metric(
            "ECS requests/s over a sliding second, peak / p99",
            (r) => `${r.peakEcsRequestsPerSecond} / ${r.p99EcsRequestsPerSecond}`,
        );
        metric("Lambda-billed s / drain wall time", (r) => show(r.billedFractionOfDrain, 3));
        metric("mean drain wall time s", (r) => show(r.meanDrainSeconds, 1));
        metric(
            "tasks killed (of them while stopping)",
            (r) => `${r.runningTasksKilled} (${r.killedWhileStopping})`,
        );
        metric("Lambda errors / recursion stops", (r) => `${r.lambdaErrors}/${r.recursionStops}`);
    }
    return table(
        [
            "instances",
            "rolling update (new AMI, 100 %/200 %)",
            "ours",
            `ours, ${DRAIN_EVENT_LOSS * 100} % of events lost`,
            "previous design",
            "book",
        ],
        lines,
    );
}

/** Runs the drain comparison at every size: ours, ours losing events, the previous design, the book's. */
async function runDrainBench(
    settings: ReturnType<typeof loadSimulationSettings>,
    progress: (line: string) => void,
): Promise<DrainBenchRow[]> {
    const { runDrainComparison } = await import("./drainComparison");
    const drain: DrainBenchRow[] = [];
    for (const instances of DRAIN_SIZES) {
        progress(`rolling update of ${instances} instances: ours…`);
        const ours = await runDrainComparison(settings, instances, "ours");
        progress(
            `rolling update of ${instances} instances: ours, ${DRAIN_EVENT_LOSS * 100} % of events lost…`,
        );
        const oursEventsLost = await runDrainComparison(settings, instances, "ours", 1, {
            dropRate: DRAIN_EVENT_LOSS,
        });
        progress(`rolling update of ${instances} instances: the previous design…`);
        const previous = await runDrainComparison(settings, instances, "previous");
        progress(`rolling update of ${instances} instances: the book's…`);
        const book = await runDrainComparison(settings, instances, "book");
        drain.push({ instances, ours, oursEventsLost, previous, book });
    }
    return drain;
}

export function largeClusterTable(result: LargeClusterResult): string {
    const [ours, book] = result.capacity;
    const rows = [
        ["ECS API calls per evaluation", String(ours.ecsApiCalls), String(book.ecsApiCalls)],
        [
            "ECS response KB per evaluation",
            (ours.ecsResponseBytes / 1024).toFixed(0),
            (book.ecsResponseBytes / 1024).toFixed(0),
        ],
        ["billed ms per evaluation (virtual)", String(ours.billedMs), String(book.billedMs)],
        ["container instances it saw", show(ours.instancesSeen), show(book.instancesSeen)],
        ["ContainerCapacity it computed", show(ours.containerCapacity), show(book.containerCapacity)],
        ["outcome", ours.error ?? "published (EMF)", book.error ?? "published"],
    ];
    const t = result.termination;
    return [
        table([`capacity evaluation at ${result.instances} instances`, "ours", "book"], rows),
        "",
        table(
            [`termination policy, ${t.candidates} candidates, ${t.invocations} invocations`, "ours", "book"],
            [
                [
                    "billed latency p50 / p99 ms (limit 2000)",
                    `${t.p50Ms} / ${t.p99Ms}`,
                    "none (Auto Scaling default)",
                ],
                ["ECS API calls per invocation", String(t.ecsCallsPerInvocation), "-"],
                ["invocations that chose nothing or failed", String(t.emptyOrFailed), "-"],
            ],
        ),
    ].join("\n");
}

/** The bench's tables; `capacityText` is bench/capacity.ts's table (that module loads the simulator). */
export function renderBench(results: BenchResults, capacityText: string): string {
    return [
        `Bench: stack ${results.stack}, simulated region (virtual time; ECS calls cost 50 ms each)`,
        "",
        drainTable(results.drain),
        "",
        largeClusterTable(results.largeCluster),
        "",
        capacityText,
        "",
        table(
            ["Lambda archive", "bytes"],
            Object.entries(results.archiveBytes).map(([name, bytes]) => [name, String(bytes)]),
        ),
        ...(results.modes ? ["", modesTable(results.modes)] : []),
    ].join("\n");
}

/** The program's archives, measured by `npm run plan` in its own process (it runs the program under mocks). */
function programArchiveBytes(): Record<string, number> {
    const run = spawnSync(
        process.execPath,
        [join(REPO_ROOT, "build", "scripts", "plan.js"), "--stack", STACK, "--json"],
        { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    if (run.status !== 0 && run.status !== 1)
        throw new Error(`npm run plan failed (exit ${run.status}): ${run.stderr}`);
    return (JSON.parse(run.stdout) as { archiveBytes: Record<string, number> }).archiveBytes;
}

/** The mode comparison on the bench's stack (bench/modes.ts). */
async function runModes(progress: (line: string) => void): Promise<ModesResult> {
    const { runModeComparison } = await import("./modes");
    return runModeComparison(STACK, loadSimulationSettings(STACK), progress);
}

async function main(args: BenchArgs): Promise<void> {
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    if (args.speed) {
        const { runSpeed, speedTable, writeSpeedTable } = await import("./speed");
        const speed = runSpeed(progress);
        writeFileSync(RESULTS_PATH, `${JSON.stringify({ ...previousResults(), speed }, null, 2)}\n`);
        await writeSpeedTable(speed);
        console.log(speedTable(speed));
        console.log(`\nwrote ${RESULTS_PATH}`);
        return;
    }
    if (args.modes) {
        const modes = await runModes(progress);
        writeFileSync(RESULTS_PATH, `${JSON.stringify({ ...previousResults(), modes }, null, 2)}\n`);
        console.log(modesTable(modes));
        console.log(
            `\nwrote ${RESULTS_PATH} and the Which mode table of ${await writeWhichModeTable(modes)}`,
        );
        return;
    }
    // Loaded here, after the command line: the simulator and Pulumi's SDK take a while.
    const { writeDrainReadme } = await import("./drainReadme");
    const { runLargeCluster } = await import("./largeCluster");
    const { capacityTable, runCapacityBench } = await import("./capacity");
    const { serializeHandler } = await import("../scripts/lambdaArchive");
    const { bookDrainCallbackFactory } = await import("./baselines/book-drain");
    const { bookCapacityCallbackFactory } = await import("./baselines/book-capacity");
    const settings = loadSimulationSettings(STACK);
    if (args.drain) {
        const drain = await runDrainBench(settings, progress);
        writeFileSync(RESULTS_PATH, `${JSON.stringify({ ...previousResults(), drain }, null, 2)}\n`);
        await writeDrainReadme(drain, settings.drain.ecsRequestsPerSecond);
        console.log(drainTable(drain));
        console.log(`\nwrote ${RESULTS_PATH} and README.md's drain figures`);
        return;
    }
    const drain = await runDrainBench(settings, progress);
    await writeDrainReadme(drain, settings.drain.ecsRequestsPerSecond);
    progress(`${LARGE_CLUSTER_INSTANCES}-instance cluster: capacity and termination…`);
    const largeCluster = await runLargeCluster(settings, LARGE_CLUSTER_INSTANCES, TERMINATION_INVOCATIONS);
    const capacity = await runCapacityBench(settings, progress);
    const modes = await runModes(progress);
    progress("archive sizes…");
    const archiveBytes = {
        ...programArchiveBytes(),
        "book chapter 11 drain (port)": (await serializeHandler(bookDrainCallbackFactory())).zipBytes,
        "book chapter 12 capacity (port)": (await serializeHandler(bookCapacityCallbackFactory())).zipBytes,
    };
    const { speed } = previousResults();
    const results: BenchResults = {
        stack: STACK,
        drain,
        largeCluster,
        capacity,
        archiveBytes,
        speed,
        modes,
    };
    writeFileSync(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
    console.log(renderBench(results, capacityTable(capacity)));
    console.log(`\nwrote ${RESULTS_PATH} and the Which mode table of ${await writeWhichModeTable(modes)}`);
}

if (require.main === module) {
    try {
        const args = parseBenchArgs(process.argv.slice(2));
        if (args.help) console.log(BENCH_HELP);
        else
            main(args).catch((error: unknown) => {
                console.error(error);
                process.exitCode = 1;
            });
    } catch (error) {
        if (!(error instanceof BenchUsageError)) throw error;
        console.error(`${error.message}\n\n${BENCH_HELP}`);
        process.exitCode = 2;
    }
}
