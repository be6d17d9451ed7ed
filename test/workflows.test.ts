import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { stackNames } from "../scripts/plan";
import { REPO_ROOT } from "../scripts/stackFile";

interface Workflow {
    on: Record<string, { inputs?: Record<string, { type: string; options?: string[] }> } | null>;
    jobs: Record<string, { "timeout-minutes"?: number; steps?: { run?: string }[] }>;
}

function workflow(name: string): Workflow {
    return YAML.parse(readFileSync(join(REPO_ROOT, ".github", "workflows", name), "utf8")) as Workflow;
}

describe("CI workflows", () => {
    it("bound every job with a timeout", () => {
        for (const name of ["preview.yml", "deploy.yml"]) {
            for (const [id, job] of Object.entries(workflow(name).jobs)) {
                const minutes = job["timeout-minutes"];
                assert.ok(typeof minutes === "number" && minutes > 0 && minutes <= 60, `${name} ${id}`);
            }
        }
    });

    it("lint before they test, preview and deploy", () => {
        for (const name of ["preview.yml", "deploy.yml"]) {
            const runs = Object.values(workflow(name).jobs).flatMap((job) =>
                (job.steps ?? []).map((s) => s.run),
            );
            const lint = runs.indexOf("npm run lint");
            assert.ok(lint >= 0, `${name} runs npm run lint`);
            assert.ok(lint < runs.indexOf("npm test"), `${name} lints before testing`);
        }
    });

    it("offer exactly the stacks that have a Pulumi.<stack>.yaml to deploy", () => {
        const stack = workflow("deploy.yml").on.workflow_dispatch?.inputs?.stack;
        assert.equal(stack?.type, "choice");
        assert.deepEqual([...(stack?.options ?? [])].sort(), stackNames());
    });
});
