import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkedStackValues, exitCodeFor, parsePlanArgs, projectName, stackNames } from "../../scripts/plan";
import { inferParents, type Plan } from "../../scripts/planSynthesis";
import type { DeclaredResource } from "../../scripts/mockSynthesis";
import { REPO_ROOT, stackFileValues } from "../../scripts/stackFile";

const PLAN_JS = join(REPO_ROOT, "build", "scripts", "plan.js");

/** Runs the real command (as `npm test` built it) in its own process: the program must be synthesized exactly once. */
function runPlan(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [PLAN_JS, ...args], { cwd: REPO_ROOT, encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs the command as `node build/scripts/plan.js` would, in a process that exits with 97 the
 * moment anything requires the Pulumi SDK (or the program, which needs it): what must not load
 * before the arguments and the stack file are known to be good.
 */
function runPlanWithoutSdk(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const guard = `
        const Module = require("node:module");
        const load = Module._load;
        Module._load = function (request, ...rest) {
            if (/^@pulumi\\//.test(request)) {
                process.stderr.write("loaded " + request + "\\n");
                process.exit(97);
            }
            return load.call(this, request, ...rest);
        };
        process.argv = [process.argv[0], ${JSON.stringify(PLAN_JS)}, ...${JSON.stringify(args)}];
        Module.runMain();`;
    const result = spawnSync(process.execPath, ["-e", guard], { cwd: REPO_ROOT, encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A line of a V8 stack trace ("    at f (file:1:2)"): what a user error must never print. */
const STACK_TRACE = /^\s+at .+[:(]/m;

/** Every ARN anywhere in a JSON value, with its service and resource parts. */
function arnsIn(value: unknown): { arn: string; service: string; resource: string }[] {
    return [
        ...JSON.stringify(value).matchAll(/"(arn:aws:([a-z0-9-]+):[a-z0-9-*]*:(?:\d{12}|aws)?:([^"]+))"/g),
    ].map(([, arn, service, resource]) => ({ arn, service, resource }));
}

describe("npm run plan", () => {
    describe("on the dev stack", () => {
        let plan: Plan;
        before(() => {
            const result = runPlan(["--stack", "dev", "--json"]);
            assert.equal(result.status, 0, result.stderr);
            plan = JSON.parse(result.stdout) as Plan;
        });

        it("passes every rule, mandatory and advisory", () => {
            assert.equal(plan.rules, 23);
            assert.deepEqual(plan.violations, []);
        });

        it("shows every ARN in the shape AWS gives it, and says which values are the mocks'", () => {
            const arns = arnsIn(plan);
            assert.ok(arns.length > 40, `${arns.length} ARNs`);
            for (const { arn, service, resource } of arns) {
                // The mocks once made "arn:aws:sqs:…:sqs/<name>"; AWS never repeats the service there.
                assert.ok(!resource.startsWith(`${service}/`), arn);
                assert.ok(
                    [
                        "sqs",
                        "sns",
                        "events",
                        "lambda",
                        "iam",
                        "ecs",
                        "autoscaling",
                        "logs",
                        "cloudwatch",
                        "kms",
                        "dynamodb",
                        "ecr",
                        "ssm",
                        "elasticloadbalancing",
                        "ec2",
                    ].includes(service),
                    arn,
                );
            }
            const drainQueue = plan.iamStatements.find((s) => s.sid === "WaitOnAndRedriveOwnQueue");
            assert.equal(drainQueue?.on, "arn:aws:sqs:us-east-1:123456789012:drain-queue-physical");
            const hook = plan.iamStatements.find((s) => s.sid === "CompleteThisGroupsLifecycleActions");
            assert.match(
                String(hook?.on),
                /^arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/ecs-asg-physical$/,
            );
            assert.deepEqual(
                [plan.mockValues.accountId, plan.mockValues.region],
                ["123456789012", "us-east-1"],
            );
            assert.match(plan.mockValues.note, /<name>-id .*<name>-physical/);
        });

        it("prints the stack outputs, each one index.ts exports", () => {
            assert.deepEqual(Object.keys(plan.outputs), [
                "vpcId",
                "publicSubnetIds",
                "privateSubnetIds",
                "natGatewayIds",
                "ecsClusterName",
                "ecsClusterArn",
                "autoScalingGroupName",
                "autoScalingServiceLinkedRoleArn",
                "instanceSecurityGroupId",
                "capacityManagement",
                "drainTopicArn",
                "drainQueueUrl",
                "drainDeadLetterQueueUrl",
                "albDnsName",
                "retirementTopicArn",
                "alertsTopicArn",
                "dashboardName",
                "serviceNames",
            ]);
            assert.equal(
                plan.outputs.ecsClusterArn,
                "arn:aws:ecs:us-east-1:123456789012:cluster/ecs-lifecycle-dev",
            );
            assert.deepEqual(plan.outputs.serviceNames, ["web", "api"]);
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
        assert.deepEqual(parsePlanArgs([]), { stack: "dev", json: false, help: false });
        assert.deepEqual(parsePlanArgs(["--stack", "prod", "--json"]), {
            stack: "prod",
            json: true,
            help: false,
        });
        assert.deepEqual(parsePlanArgs(["--stack=staging"]), { stack: "staging", json: false, help: false });
        assert.equal(parsePlanArgs(["-h"]).help, true);
        assert.throws(
            () => parsePlanArgs(["--stak", "x"]),
            /unknown argument --stak: usage: npm run plan -- \[--stack NAME\] \[--json\] \[--help\]/,
        );
        assert.throws(() => parsePlanArgs(["--stack"]), /--stack needs a stack name/);
        assert.throws(() => parsePlanArgs(["--stack", "../etc"]), /--stack \.\.\/etc: expected a stack name/);
    });

    it("answers --help before loading the Pulumi SDK, listing its options and the stacks", () => {
        for (const flag of ["--help", "-h"]) {
            const result = runPlanWithoutSdk([flag]);
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /^usage: npm run plan -- \[--stack NAME\] \[--json\] \[--help\]/);
            for (const option of ["--stack NAME", "--json", "-h, --help"])
                assert.ok(result.stdout.includes(option), option);
            assert.ok(
                result.stdout.includes(`this repository has: ${stackNames().join(", ")})`),
                result.stdout,
            );
        }
        assert.ok(stackNames().includes("dev"));
    });

    it("refuses a bad argument before loading the Pulumi SDK: exit 2, no stack trace", () => {
        const result = runPlanWithoutSdk(["--stak", "dev"]);
        assert.equal(result.status, 2, result.stderr);
        assert.equal(
            result.stderr.trim(),
            "unknown argument --stak: usage: npm run plan -- [--stack NAME] [--json] [--help]",
        );
    });

    it("says clearly when the stack file is missing, before loading the Pulumi SDK, and exits 2", () => {
        assert.throws(
            () => stackFileValues("nope"),
            /stack file .*Pulumi\.nope\.yaml not found: create it with `pulumi stack init nope`/,
        );
        const result = runPlanWithoutSdk(["--stack", "nope"]);
        assert.equal(result.status, 2);
        assert.match(result.stderr, /Pulumi\.nope\.yaml not found/);
        assert.doesNotMatch(result.stderr, STACK_TRACE);
    });

    describe("with a stack file it cannot plan", () => {
        const stack = `plan-test-${process.pid}`;
        const file = join(REPO_ROOT, `Pulumi.${stack}.yaml`);
        after(() => rmSync(file, { force: true }));

        it("names the file and every bad value, before loading the Pulumi SDK: exit 2, no stack trace", () => {
            writeFileSync(
                file,
                "config:\n  ecs-lifecycle:drainDeadlineSecond: 600\n  ecs-lifecycle:azCount: 9\n",
            );
            const result = runPlanWithoutSdk(["--stack", stack]);
            assert.equal(result.status, 2, result.stderr);
            assert.equal(
                result.stderr.trim(),
                `Pulumi.${stack}.yaml: invalid stack configuration:\n` +
                    '  ecs-lifecycle:drainDeadlineSecond is not a known key: did you mean "drainDeadlineSeconds"?\n' +
                    "  ecs-lifecycle:azCount (9) must be in 2–6",
            );
        });

        it("names the file when its YAML does not parse", () => {
            writeFileSync(file, "config:\n  ecs-lifecycle:minSize: [1\n");
            const result = runPlanWithoutSdk(["--stack", stack]);
            assert.equal(result.status, 2, result.stderr);
            assert.match(result.stderr, new RegExp(`^Pulumi\\.${stack}\\.yaml: `));
            assert.doesNotMatch(result.stderr, STACK_TRACE);
        });
    });

    it("refuses a project renamed away from the config namespace, naming Pulumi.yaml's name", () => {
        const dir = mkdtempSync(join(tmpdir(), "plan-project-"));
        try {
            writeFileSync(join(dir, "Pulumi.yaml"), "name: payments-ecs\nruntime: nodejs\n");
            assert.throws(
                () => projectName(dir),
                /^UsageError: Pulumi\.yaml names the project "payments-ecs", but the program reads its settings from the config namespace "ecs-lifecycle"/,
            );
            writeFileSync(join(dir, "Pulumi.yaml"), "runtime: nodejs\n");
            assert.throws(
                () => projectName(dir),
                /^UsageError: Pulumi\.yaml: name must be the project's name/,
            );
            assert.equal(projectName(), "ecs-lifecycle");
            writeFileSync(join(dir, "Pulumi.x.yaml"), "config:\n  ecs-lifecycle:minSize: 2\n");
            assert.deepEqual(checkedStackValues("x", dir), { minSize: 2 });
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("exits non-zero on a mandatory violation only", () => {
        const mandatory = {
            rule: "lambda-archive-size",
            tier: "mandatory" as const,
            resource: "x",
            message: "too big",
        };
        const advisory = {
            rule: "log-group-retention",
            tier: "advisory" as const,
            resource: "x",
            message: "no retention",
        };
        assert.equal(exitCodeFor({ violations: [] }), 0);
        assert.equal(exitCodeFor({ violations: [advisory] }), 0);
        assert.equal(exitCodeFor({ violations: [advisory, mandatory] }), 1);
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
            provider: "",
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
