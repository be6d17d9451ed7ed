/**
 * A newcomer's hour, as README walks it: the commands of "Try it" and "More" run as written (the
 * CLIs `npm run` starts after its build step), then the mistakes a newcomer makes (a bad flag, a
 * mistyped config key) are answered at once, naming what is wrong. `--serve` with the AWS CLI is
 * walked in test/sim/serve.test.ts, the plan in test/scripts/plan.test.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../scripts/stackFile";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

/** The commands of README's first two shell blocks (Try it, More), without their comments. */
function readmeCommands(): string[] {
    const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].slice(0, 2).map((m) => m[1]);
    return blocks.flatMap((block) =>
        block
            .split("\n")
            .map((line) => line.replace(/\s+#.*$/, "").trim())
            .filter((line) => line !== ""),
    );
}

function simulate(args: readonly string[], cwd = REPO_ROOT) {
    const started = Date.now();
    const result = spawnSync(
        process.execPath,
        [join(REPO_ROOT, "build", "scripts", "simulate.js"), ...args],
        {
            cwd,
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        },
    );
    return { ...result, seconds: (Date.now() - started) / 1000 };
}

describe("a newcomer's hour with README", () => {
    it("README's commands are the ones this walk runs", () => {
        assert.deepEqual(readmeCommands(), [
            "npm ci && npm run simulate",
            "npm test",
            "npm run simulate -- --scenario rolling-update --instances 100 --html",
            "npm run simulate -- --serve",
            "npm run plan",
            "npm run simulate -- --capacity-management managed",
            "npm run plan -- --stack managed",
            "npm run bench",
            "npm run bench -- --modes",
            "npm run lint",
        ]);
    });

    it("npm run simulate: every scenario of the dev stack passes, and the summary says so", () => {
        const run = simulate([]);
        assert.equal(run.status, 0, run.stderr);
        for (const scenario of [
            "rolling-update",
            "scale-out",
            "scale-in",
            "spot-interruption",
            "fargate-retirement",
            "steady-state",
        ]) {
            assert.match(run.stdout, new RegExp(`^${scenario} .* PASS$`, "m"));
        }
    });

    it("one scenario at 100 instances with the HTML report", () => {
        const dir = mkdtempSync(join(tmpdir(), "newcomer-"));
        const run = simulate(["--scenario", "rolling-update", "--instances", "100", "--html"], dir);
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, /^rolling-update\s+100\/\d+ .* PASS$/m);
        assert.ok(existsSync(join(dir, "reports", "simulation.html")));
    });

    it("the same scenarios with ECS's managed capacity loops", () => {
        const run = simulate(["--capacity-management", "managed", "--scenario", "rolling-update"]);
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, /^rolling-update .* PASS$/m);
    });

    it("a mistyped flag is answered at once, with the usage line", () => {
        const run = simulate(["--scenarios", "all"]);
        assert.equal(run.status, 2);
        assert.match(run.stderr, /^unknown argument "--scenarios"\nusage: npm run simulate -- /);
        assert.ok(run.seconds < 5, `${run.seconds} s`);
    });

    it("a mistyped config key names the file and the key it meant, without the usage line", () => {
        const dir = mkdtempSync(join(tmpdir(), "newcomer-"));
        const dev = readFileSync(join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");
        writeFileSync(
            join(dir, "Pulumi.mine.yaml"),
            dev.replace("ecs-lifecycle:minSize:", "ecs-lifecycle:minSzie:"),
        );
        writeFileSync(join(dir, "Pulumi.yaml"), readFileSync(join(REPO_ROOT, "Pulumi.yaml")));
        const run = spawnSync(
            process.execPath,
            [
                "-e",
                `require(${JSON.stringify(join(REPO_ROOT, "build", "scripts", "simulate.js"))}).simulate(["--stack", "mine"], { out: console.log, err: console.error, stackDir: ${JSON.stringify(dir)} }).then((code) => (process.exitCode = code))`,
            ],
            { encoding: "utf8" },
        );
        assert.equal(run.status, 2);
        assert.match(run.stderr, /^Pulumi\.mine\.yaml: /);
        assert.match(run.stderr, /minSzie.*did you mean "minSize"\?/);
        assert.doesNotMatch(run.stderr, /usage: /);
    });
});
