import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { exitCodeFor, inferParents, parsePlanArgs, type Plan } from "../../scripts/plan";
import type { DeclaredResource } from "../../scripts/mockSynthesis";
import { REPO_ROOT, stackFileValues } from "../../scripts/stackFile";

/** Runs the real command (as `npm test` built it) in its own process: the program must be synthesized exactly once. */
function runPlan(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [join(REPO_ROOT, "build", "scripts", "plan.js"), ...args], {
        cwd: REPO_ROOT,
        encoding: "utf8",
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run plan", () => {
    describe("on the dev stack", () => {
        let plan: Plan;
        before(() => {
            const result = runPlan(["--stack", "dev", "--json"]);
            assert.equal(result.status, 0, result.stderr);
            plan = JSON.parse(result.stdout) as Plan;
        });

        it("passes every mandatory rule", () => {
            assert.equal(plan.rules, 20);
            assert.deepEqual(plan.violations, []);
        });

        it("lists each component's children under it", () => {
            const parentOf = (name: string) => plan.resources.find((r) => r.name === name)?.parent;
            assert.equal(parentOf("network-vpc"), "network");
            assert.equal(parentOf("drain-hook"), "drain");
            assert.equal(parentOf("drain-fn"), "drain", "the ManagedFunction component sits in DrainHook");
            assert.equal(
                plan.resources.find((r) => r.name === "drain-fn" && r.type === "aws:lambda/function:Function")
                    ?.parent,
                "drain-fn",
            );
            assert.equal(parentOf("network"), undefined);
        });

        it("says who owns the account-wide settings and who hears alerts", () => {
            assert.match(
                plan.notes.accountSettings,
                /^not declared: this stack is not the account settings owner/,
            );
            assert.equal(
                plan.notes.alerts,
                "topic alerts-topic, e-mailed to platform-oncall@example.com (each confirms by mail)",
            );
        });

        it("records what the engine learns of each resource: its dependencies", () => {
            const hook = plan.resources.find((r) => r.name === "drain-hook");
            assert.ok(hook?.dependsOn.includes("drain-queue-policy"), hook?.dependsOn.join(", "));
        });

        it("measures each Lambda archive, all under 50 KB", () => {
            assert.deepEqual(Object.keys(plan.archiveBytes).sort(), [
                "capacity-fn",
                "drain-fn",
                "retirement-fn",
                "termination-fn",
            ]);
            for (const [name, bytes] of Object.entries(plan.archiveBytes)) {
                assert.ok(bytes > 1000 && bytes < 50 * 1024, `${name}: ${bytes} bytes`);
            }
        });

        it("shows every IAM statement, none with a wildcard action", () => {
            const drain = plan.iamStatements
                .filter((s) => s.resource === "drain-fn-policy")
                .map((s) => s.sid);
            assert.deepEqual(drain, [
                "WriteOwnLogs",
                "ParkFailedInvocations",
                "FindContainerInstanceInThisCluster",
                "DrainThisClustersInstances",
                "CompleteThisGroupsLifecycleActions",
                "FindWaitingInstances",
                "WaitOnAndRedriveOwnQueue",
                "SpendTheEcsBudget",
            ]);
            for (const s of plan.iamStatements) {
                for (const action of [s.action].flat())
                    assert.doesNotMatch(String(action), /(^|:)\*$/, `${s.resource} ${s.sid}`);
            }
        });

        it("counts the dev stack's resources", () => {
            const custom = plan.resources.length - plan.components;
            assert.equal(plan.components, 16);
            assert.ok(custom > 100, `${custom} resources`);
            assert.equal(plan.stack, "dev");
        });
    });

    it("parses its arguments and refuses unknown ones", () => {
        assert.deepEqual(parsePlanArgs([]), { stack: "dev", json: false });
        assert.deepEqual(parsePlanArgs(["--stack", "prod", "--json"]), { stack: "prod", json: true });
        assert.deepEqual(parsePlanArgs(["--stack=staging"]), { stack: "staging", json: false });
        assert.throws(
            () => parsePlanArgs(["--stak", "x"]),
            /unknown argument --stak: usage: npm run plan -- \[--stack NAME\] \[--json\]/,
        );
        assert.throws(() => parsePlanArgs(["--stack", "../etc"]), /--stack \.\.\/etc: expected a stack name/);
    });

    it("says clearly when the stack file is missing, and exits 2", () => {
        assert.throws(
            () => stackFileValues("nope"),
            /stack file .*Pulumi\.nope\.yaml not found: create it with `pulumi stack init nope`/,
        );
        const result = runPlan(["--stack", "nope"]);
        assert.equal(result.status, 2);
        assert.match(result.stderr, /Pulumi\.nope\.yaml not found/);
    });

    it("exits non-zero when any rule is violated", () => {
        const violation = { rule: "log-group-retention", resource: "x", message: "no retention" };
        assert.equal(exitCodeFor({ violations: [] }), 0);
        assert.equal(exitCodeFor({ violations: [violation] }), 1);
    });

    it("infers parents from component names, the longest prefix winning", () => {
        const r = (type: string, name: string, custom = true): DeclaredResource => ({
            type,
            name,
            custom,
            inputs: {},
            id: name,
            outputs: {},
            urn: `urn:${name}`,
            dependencies: [],
            retainOnDelete: false,
        });
        const drain = r("ecs-lifecycle:drain:DrainHook", "drain", false);
        const fnComponent = r("ecs-lifecycle:function:ManagedFunction", "drain-fn", false);
        const fn = r("aws:lambda/function:Function", "drain-fn");
        const role = r("aws:iam/role:Role", "drain-fn-role");
        const other = r("aws:sns/topic:Topic", "drainage");
        const parents = inferParents([drain, fnComponent, fn, role, other]);
        assert.deepEqual(
            [
                parents.get(drain),
                parents.get(fnComponent),
                parents.get(fn),
                parents.get(role),
                parents.get(other),
            ],
            [undefined, "drain", "drain-fn", "drain-fn", undefined],
        );
    });
});
