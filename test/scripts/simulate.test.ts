import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/stackFile";
import {
    DEFAULT_HTML_PATH,
    parseFaults,
    parseSimulateArgs,
    simulate,
    UsageError,
} from "../../scripts/simulate";
import { NO_FAULTS } from "../../sim/types";

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
                json: false,
                html: undefined,
                serve: false,
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
                    json: true,
                    html: "out/report.html",
                    serve: false,
                },
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

        it("README's faults table lists exactly the faults --faults takes", () => {
            const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
            const table = readme.slice(
                readme.indexOf("| fault "),
                readme.indexOf("\n\n", readme.indexOf("| fault ")),
            );
            const documented = [...table.matchAll(/^\| `([A-Za-z]+)`/gm)].map((m) => m[1]);
            assert.deepEqual(documented.sort(), Object.keys(NO_FAULTS).sort());
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
            ]) {
                assert.ok(key in s, `missing ${key}`);
            }
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

        it("exit 1 when a scenario fails its invariants", async () => {
            const c = io(dir);
            assert.equal(await simulate(["--stack", "small", "--scenario", "spot-interruption"], c.io), 1);
            assert.match(
                c.out.join("\n"),
                /FAIL no task killed by a termination \(running, stopping or starting\): 1 killed \(1 running, 0 while stopping, 0 while starting\)/,
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
            const scenarios = JSON.parse(data![1]) as { name: string; series: { seconds: number[] } }[];
            assert.equal(scenarios[0].name, "rolling-update");
            assert.ok(scenarios[0].series.seconds.length > 10);
            assert.ok(html.includes('<canvas id="instances-0">') && html.includes('<canvas id="tasks-0">'));
        });
    });
});
