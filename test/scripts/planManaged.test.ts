import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { notesOf, type Plan } from "../../scripts/planSynthesis";
import { REPO_ROOT } from "../../scripts/stackFile";

/** The program under mocks with Pulumi.managed.yaml, in its own process (it is synthesized once per process). */
function planOf(stack: string): Plan {
    const result = spawnSync(
        process.execPath,
        [join(REPO_ROOT, "build", "scripts", "plan.js"), "--stack", stack, "--json"],
        { cwd: REPO_ROOT, encoding: "utf8" },
    );
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as Plan;
}

describe("npm run plan on the managed stack (Pulumi.managed.yaml, issue 16)", () => {
    let plan: Plan;
    before(() => {
        plan = planOf("managed");
    });
    const named = (name: string) => plan.resources.find((r) => r.name === name);

    it("passes every mandatory rule and says which mode it is in", () => {
        assert.deepEqual(plan.violations, []);
        assert.equal(
            plan.notes.capacityManagement,
            "managed: ECS capacity provider cp-ecs-lifecycle-managed scales the group (target 100 %, steps 1–10000, warm-up 300 s), termination protection ENABLED, draining ENABLED; no drain hook, capacity scaler or termination policy Lambda",
        );
    });

    it("deploys no drain hook, capacity scaler or termination policy: only the retirement Lambda", () => {
        assert.deepEqual(Object.keys(plan.archiveBytes), ["retirement-fn"]);
        const components = plan.resources
            .filter((r) => r.type.startsWith("ecs-lifecycle:"))
            .map((r) => r.type);
        for (const gone of ["DrainHook", "CapacityScaler", "TerminationPolicy"])
            assert.ok(!components.some((t) => t.endsWith(`:${gone}`)), gone);
        assert.ok(!plan.resources.some((r) => r.type === "aws:autoscaling/lifecycleHook:LifecycleHook"));
        assert.ok(!plan.resources.some((r) => r.type === "aws:autoscaling/policy:Policy"));
    });

    it("declares the capacity provider, the cluster's default strategy and services placed through it", () => {
        assert.equal(named("capacity")?.type, "ecs-lifecycle:capacity:ManagedCapacity");
        assert.equal(named("capacity-provider")?.parent, "capacity");
        assert.deepEqual(named("capacity-association")?.inputs.capacityProviders, [
            "cp-ecs-lifecycle-managed",
        ]);
        for (const service of ["svc-web-service", "svc-api-service"]) {
            const inputs = named(service)?.inputs ?? {};
            assert.equal(inputs.launchType, undefined, service);
            assert.deepEqual(inputs.capacityProviderStrategies, [
                { base: 0, capacityProvider: "cp-ecs-lifecycle-managed", weight: 1 },
            ]);
            assert.ok(named(service)?.dependsOn.includes("capacity-association"), service);
        }
        const group = named("ecs-asg")?.inputs ?? {};
        assert.deepEqual([group.minSize, group.desiredCapacity, group.protectFromScaleIn], [0, 0, true]);
    });

    it("keeps what still applies: retention on ABANDON, retirement notices, alerts, and tells people of EC2 scheduled events", () => {
        assert.deepEqual(named("ecs-asg")?.inputs.instanceLifecyclePolicy, {
            retentionTriggers: { terminateHookAbandon: "retain" },
        });
        assert.ok(named("retirement"));
        assert.ok(named("alerts-ec2-scheduled-event"));
        const alarms = plan.resources
            .filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
            .map((r) => r.name);
        assert.ok(alarms.includes("capacity-reservation-high") && alarms.includes("capacity-drain-long"));
        assert.ok(!alarms.some((a) => a.startsWith("drain-") || a.startsWith("capacity-capacity")));
    });

    it("says custom for a stack without a capacity provider", () => {
        assert.match(notesOf([]).capacityManagement, /^custom: the stack's drain hook, capacity scaler/);
    });
});
