import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/stackFile";
import {
    checkHtmlPath,
    DEFAULT_HTML_PATH,
    parseFaults,
    parseSimulateArgs,
    simulate,
    UsageError,
} from "../../scripts/simulate";
import type { ReportData } from "../../sim/report/html";
import { SCENARIO_NAMES } from "../../sim/scenarios/catalog";
import { FAULT_DESCRIPTIONS, NO_FAULTS } from "../../sim/types";

interface Captured {
    out: string[];
    err: string[];
}

function io(
    stackDir?: string,
): Captured & { out: string[]; err: string[]; io: Parameters<typeof simulate>[1] } {
    const captured = { out: [] as string[], err: [] as string[] };
    return {
        ...captured,
        io: { out: (t) => captured.out.push(t), err: (t) => captured.err.push(t), stackDir },
    };
}

/** A stack directory with one stack file, Pulumi.<stack>.yaml. */
function stackDir(stack: string, yaml: string): string {
    const dir = mkdtempSync(join(tmpdir(), "simulate-"));
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), yaml);
    return dir;
}

const SMALL_STACK = `config:
    ecs-lifecycle:availabilityZones: [us-east-1a, us-east-1b, us-east-1c]
    ecs-lifecycle:instanceTypes: [m5.large]
    ecs-lifecycle:minSize: 2
    ecs-lifecycle:maxSize: 12
    ecs-lifecycle:desiredCapacity: 3
    ecs-lifecycle:services:
        - { name: web, image: "nginx:1.27", cpu: 256, memory: 512, containerPort: 80, desiredCount: 3, minCount: 2, maxCount: 8 }
        - { name: api, image: "httpd:2.4", cpu: 512, memory: 1024, containerPort: 80, desiredCount: 2, minCount: 2, maxCount: 6 }
`;

describe("scripts/simulate (npm run simulate)", () => {
    describe("arguments", () => {
        it("defaults to the dev stack, every scenario, seed 1, text output", () => {
            assert.deepEqual(parseSimulateArgs([]), {
                stack: "dev",
                scenario: "all",
                instances: undefined,
                seed: 1,
                faults: {},
                capacityManagement: undefined,
                json: false,
                html: undefined,
                serve: false,
                port: undefined,
            });
        });

        it("reads every option", () => {
            assert.deepEqual(
                parseSimulateArgs([
                    "--stack",
                    "prod",
                    "--scenario",
                    "scale-in",
                    "--instances",
                    "40",
                    "--seed",
                    "7",
                    "--faults",
                    "throttleRate=0.05,ecsRateLimit",
                    "--capacity-management",
                    "managed",
                    "--json",
                    "--html",
                    "out/report.html",
                ]),
                {
                    stack: "prod",
                    scenario: "scale-in",
                    instances: 40,
                    seed: 7,
                    faults: { throttleRate: 0.05, ecsRateLimit: true },
                    capacityManagement: "managed",
                    json: true,
                    html: "out/report.html",
                    serve: false,
                    port: undefined,
                },
            );
        });

        it("--port only with --serve, 0 to 65535", () => {
            assert.equal(parseSimulateArgs(["--serve", "--port", "0"]).port, 0);
            assert.equal(parseSimulateArgs(["--serve", "--port", "8080"]).port, 8080);
            assert.throws(
                () => parseSimulateArgs(["--port", "8080"]),
                new UsageError("--port: only with --serve"),
            );
            assert.throws(
                () => parseSimulateArgs(["--serve", "--port", "70000"]),
                new UsageError('--port: expected an integer from 0 to 65535, got "70000"'),
            );
        });

        it("--html without a file writes the default path", () => {
            assert.equal(parseSimulateArgs(["--html"]).html, DEFAULT_HTML_PATH);
            assert.equal(parseSimulateArgs(["--html", "--json"]).html, DEFAULT_HTML_PATH);
        });

        it("names an unknown argument", () => {
            assert.throws(
                () => parseSimulateArgs(["--verbose"]),
                new UsageError('unknown argument "--verbose"'),
            );
        });

        it("rejects a capacity management mode other than custom or managed", () => {
            assert.throws(
                () => parseSimulateArgs(["--capacity-management", "ecs"]),
                new UsageError('--capacity-management: expected custom or managed, got "ecs"'),
            );
        });

        it("rejects bad values, naming the option and what it expects", () => {
            assert.throws(
                () => parseSimulateArgs(["--instances", "0"]),
                new UsageError('--instances: expected an integer from 1 to 5000, got "0"'),
            );
            assert.throws(
                () => parseSimulateArgs(["--seed", "x"]),
                new UsageError('--seed: expected an integer from 0 to 2147483647, got "x"'),
            );
            assert.throws(
                () => parseSimulateArgs(["--stack"]),
                new UsageError("--stack: a value is required"),
            );
        });

        it("parses fault lists and names a bad fault or rate", () => {
            assert.deepEqual(parseFaults("duplicateRate=0.1,ecsRateLimit=false"), {
                duplicateRate: 0.1,
                ecsRateLimit: false,
            });
            assert.throws(
                () => parseFaults("lightning=0.5"),
                /--faults: unknown fault "lightning" \(known: throttleRate, /,
            );
            assert.throws(
                () => parseFaults("dropRate=2"),
                new UsageError('--faults: dropRate needs a rate in [0, 1] (dropRate=0.05), got "2"'),
            );
            assert.deepEqual(parseFaults("autoscalingThrottleRate=0.2,resourceContentionRate=0.1"), {
                autoscalingThrottleRate: 0.2,
                resourceContentionRate: 0.1,
            });
        });

        it("README's faults table lists exactly the faults --faults takes, as --help describes them", () => {
            const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
            const table = readme.slice(
                readme.indexOf("| fault "),
                readme.indexOf("\n\n", readme.indexOf("| fault ")),
            );
            const documented = [...table.matchAll(/^\| `([A-Za-z]+)` +\| (.*?) +\|$/gm)].map((m) => [
                m[1],
                m[2],
            ]);
            assert.deepEqual(documented.map(([name]) => name).sort(), Object.keys(NO_FAULTS).sort());
            assert.deepEqual(Object.fromEntries(documented), FAULT_DESCRIPTIONS);
        });

        it("--help and -h list the options, every scenario and every fault, exit 0", async () => {
            for (const flag of ["--help", "-h"]) {
                const c = io();
                assert.equal(await simulate(["--scenario", "scale-in", flag], c.io), 0);
                const help = c.out.join("\n");
                assert.match(help, /^usage: npm run simulate -- /);
                for (const option of [
                    "--stack",
                    "--scenario",
                    "--instances",
                    "--seed",
                    "--faults",
                    "--capacity-management",
                    "--json",
                    "--html",
                    "--serve",
                ])
                    assert.ok(help.includes(`  ${option} `), option);
                for (const name of [...SCENARIO_NAMES, ...Object.keys(NO_FAULTS)])
                    assert.match(help, new RegExp(`^  ${name} +\\S`, "m"), name);
            }
        });

        it("answers --help and a bad argument before the simulator is loaded", () => {
            // A preload that lists, at exit, every module of this project's build that was loaded.
            const dir = mkdtempSync(join(tmpdir(), "simulate-"));
            const preload = join(dir, "modules.js");
            writeFileSync(
                preload,
                `process.on("exit", () => process.stderr.write("\\nLOADED " + JSON.stringify(Object.keys(require.cache))));`,
            );
            for (const argv of [["--help"], ["--bogus"], ["--html", join(dir, "modules.js", "r.html")]]) {
                const run = spawnSync(
                    process.execPath,
                    ["--require", preload, join(REPO_ROOT, "build", "scripts", "simulate.js"), ...argv],
                    { cwd: REPO_ROOT, encoding: "utf8" },
                );
                assert.equal(run.status, argv[0] === "--help" ? 0 : 2, run.stderr);
                const loaded = JSON.parse(run.stderr.slice(run.stderr.indexOf("LOADED ") + 7)) as string[];
                const simulator = loaded.filter((m) =>
                    /[\\/]build[\\/]sim[\\/](region|harness|scenarios[\\/]scenario)\.js$/.test(m),
                );
                assert.deepEqual(simulator, [], argv.join(" "));
                assert.ok(loaded.some((m) => m.endsWith(join("build", "scripts", "simulate.js"))));
            }
        });

        it("refuses an --html path it could not write, before the run", () => {
            const dir = mkdtempSync(join(tmpdir(), "simulate-"));
            const file = join(dir, "file");
            writeFileSync(file, "");
            assert.throws(
                () => checkHtmlPath(dir),
                new UsageError(`--html: cannot write ${dir}: it is a directory`),
            );
            assert.throws(
                () => checkHtmlPath(join(file, "r.html")),
                new UsageError(`--html: cannot write ${join(file, "r.html")}: ${file} is not a directory`),
            );
            assert.equal(
                checkHtmlPath(join(dir, "new", "deeper", "r.html")),
                join(dir, "new", "deeper", "r.html"),
            );
        });
    });

    describe("stack file and scenario errors (exit 2)", () => {
        it("a missing stack file", async () => {
            const c = io(mkdtempSync(join(tmpdir(), "simulate-")));
            assert.equal(await simulate(["--stack", "nope"], c.io), 2);
            assert.match(c.err.join("\n"), /stack file .*Pulumi\.nope\.yaml not found/);
        });

        it("an invalid stack file names the key", async () => {
            const c = io(
                stackDir(
                    "bad",
                    "config:\n    ecs-lifecycle:desiredCapacity: 99\n    ecs-lifecycle:maxSize: 4\n",
                ),
            );
            assert.equal(await simulate(["--stack", "bad"], c.io), 2);
            assert.match(c.err.join("\n"), /^Pulumi\.bad\.yaml: invalid stack configuration:/);
            assert.match(c.err.join("\n"), /desiredCapacity/);
        });

        it("a report path it could not write, before any scenario runs", async () => {
            const dir = stackDir("small", SMALL_STACK);
            const c = io(dir);
            assert.equal(await simulate(["--stack", "small", "--html", dir], c.io), 2);
            // The message names the path; no usage line after a stack-file or report-path error.
            assert.deepEqual(c.err, [`--html: cannot write ${dir}: it is a directory`]);
            assert.deepEqual(c.out, []);
        });

        it("a stack file that is not YAML, naming the file", async () => {
            const c = io(stackDir("broken", "config:\n  ecs-lifecycle:minSize: [1\n"));
            assert.equal(await simulate(["--stack", "broken"], c.io), 2);
            assert.match(c.err.join("\n"), /^Pulumi\.broken\.yaml: /);
            assert.doesNotMatch(c.err.join("\n"), /\n\s+at /);
        });

        it("an unknown scenario lists the known ones", async () => {
            const c = io(stackDir("small", SMALL_STACK));
            assert.equal(await simulate(["--stack", "small", "--scenario", "meteor"], c.io), 2);
            assert.match(
                c.err.join("\n"),
                /--scenario: expected all or one of rolling-update, scale-out, scale-in, spot-interruption, fargate-retirement, steady-state, got "meteor"/,
            );
        });
    });

    describe("a run", () => {
        let dir: string;
        before(() => {
            dir = stackDir("small", SMALL_STACK);
        });

        it("--json prints one object with the issue's keys, exit 0 when the invariants hold", async () => {
            const c = io(dir);
            assert.equal(
                await simulate(["--stack", "small", "--scenario", "rolling-update", "--json"], c.io),
                0,
            );
            assert.equal(c.out.length, 1);
            const report = JSON.parse(c.out[0]) as { scenarios: Record<string, unknown>[] };
            assert.equal(report.scenarios.length, 1);
            const s = report.scenarios[0];
            for (const key of [
                "name",
                "seed",
                "instances",
                "simulatedSeconds",
                "wallMs",
                "invariants",
                "drains",
                "lambda",
                "ecsApiCalls",
                "passed",
                "start",
                "services",
                "retained",
                "faults",
            ]) {
                assert.ok(key in s, `missing ${key}`);
            }
            assert.deepEqual(s.faults, {});
            assert.deepEqual(s.retained, []);
            assert.deepEqual(Object.keys(s.invariants as object), [
                "runningTasksKilled",
                "killedWhileRunning",
                "killedWhileStopping",
                "killedWhileStarting",
                "minHealthyFraction",
                "stuckInstances",
                "scaleOscillations",
            ]);
            assert.deepEqual(Object.keys(s.drains as object), [
                "count",
                "p50Seconds",
                "maxSeconds",
                "continued",
                "abandoned",
            ]);
            assert.deepEqual(Object.keys(s.lambda as object), ["invocations", "billedSeconds"]);
            assert.equal(s.name, "rolling-update");
            assert.equal(s.instances, 3);
            assert.equal(s.passed, true);
        });

        it("--capacity-management managed runs the stack's scenario with ECS's capacity provider instead of its Lambdas", async () => {
            const c = io(dir);
            const argv = ["--stack", "small", "--scenario", "rolling-update", "--json"];
            assert.equal(await simulate([...argv, "--capacity-management", "managed"], c.io), 0);
            const [managed] = (JSON.parse(c.out[0]) as { scenarios: Record<string, unknown>[] }).scenarios;
            assert.equal(managed.capacityManagement, "managed");
            assert.deepEqual(managed.lambda, { invocations: 0, billedSeconds: 0 });
            const d = io(dir);
            assert.equal(await simulate(argv, d.io), 0);
            const [custom] = (JSON.parse(d.out[0]) as { scenarios: Record<string, unknown>[] }).scenarios;
            assert.equal(custom.capacityManagement, "custom", "the stack's own mode by default");
            assert.ok((custom.lambda as { invocations: number }).invocations > 0);
        });

        it("--json says which faults were injected and how many times each fired", async () => {
            const c = io(dir);
            const argv = ["--stack", "small", "--scenario", "rolling-update", "--json"];
            assert.equal(await simulate([...argv, "--faults", "stuckTaskRate=0.2,ecsRateLimit"], c.io), 0);
            const [s] = (JSON.parse(c.out[0]) as { scenarios: Record<string, unknown>[] }).scenarios;
            const faults = s.faults as Record<string, { setting: unknown; fired: number }>;
            assert.deepEqual(Object.keys(faults).sort(), ["ecsRateLimit", "stuckTaskRate"]);
            assert.deepEqual([faults.ecsRateLimit.setting, faults.stuckTaskRate.setting], [true, 0.2]);
            assert.equal(faults.ecsRateLimit.fired, 0);
            assert.ok(faults.stuckTaskRate.fired >= 1, JSON.stringify(faults));
            assert.equal((s.retained as { designed: boolean }[])[0].designed, true);
        });

        it("a scenario that cannot run says why, without a stack trace, exit 1", async () => {
            const c = io(dir);
            const argv = [
                "--stack",
                "small",
                "--scenario",
                "rolling-update",
                "--faults",
                "neverRegisterRate=1",
            ];
            assert.equal(await simulate(argv, c.io), 1);
            assert.deepEqual(c.err, [
                "rolling-update: the stack did not settle within 3600 simulated seconds: 11 of 11 instances in service, 0 registered with ECS; services short: web 0/3, api 0/2",
            ]);
        });

        it("exit 1 when a scenario fails its invariants", async () => {
            const c = io(dir);
            assert.equal(await simulate(["--stack", "small", "--scenario", "spot-interruption"], c.io), 1);
            assert.match(
                c.out.join("\n"),
                /FAIL no task killed by a termination \(running, stopping or starting\): [1-9]\d* killed \(\d+ running, \d+ while stopping, \d+ while starting\)/,
            );
        });

        it("--html writes a self-contained page with Chart.js and the run's data inlined", async () => {
            const c = io(dir);
            const file = join(dir, "report", "sim.html");
            assert.equal(
                await simulate(["--stack", "small", "--scenario", "rolling-update", "--html", file], c.io),
                0,
            );
            assert.deepEqual(c.err, [`HTML report: ${file}`]);
            const html = readFileSync(file, "utf8");
            assert.ok(html.includes("Chart.js v4"), "the library is inlined");
            assert.doesNotMatch(html, /<script[^>]+src=/, "no external script");
            assert.doesNotMatch(html, /<link[^>]+href=/, "no external stylesheet");
            const data = /<script id="simulation-data" type="application\/json">(.*?)<\/script>/s.exec(html);
            const { scenarios } = JSON.parse(data![1]) as ReportData;
            assert.equal(scenarios[0].name, "rolling-update");
            for (const chart of scenarios[0].charts)
                assert.ok(html.includes(`<canvas id="${chart.id}">`), chart.id);
            assert.deepEqual(
                scenarios[0].charts.map((c) => c.id),
                ["lanes-0", "tasks-0", "ContainerCapacity-0", "IdleHostCapacity-0"],
            );
        });
    });
});
