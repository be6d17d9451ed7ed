import assert from "node:assert/strict";
import { MANAGED_CAPACITY_DEFAULTS } from "../../stack/capacityProvider";
import { parseSettings, SettingsError } from "../../stack/settings";
import { stackFileValues } from "../../scripts/stackFile";

/** The problems parseSettings reports for `raw`, or [] when it accepts it. */
function problemsOf(raw: Record<string, unknown>): readonly string[] {
    try {
        parseSettings(raw, "test");
        return [];
    } catch (error) {
        assert.ok(error instanceof SettingsError, `expected SettingsError, got ${String(error)}`);
        return error.problems;
    }
}

/** A managed stack's minimum: the group starts empty. */
const MANAGED = { capacityManagement: "managed", desiredCapacity: 0, minSize: 0 };

describe("capacity management settings (issue 16)", () => {
    it("defaults to the custom mode, with AWS's capacity provider defaults and managed draining on", () => {
        const s = parseSettings({}, "test");
        assert.equal(s.capacityManagement.mode, "custom");
        assert.deepEqual(s.capacityManagement.managed, MANAGED_CAPACITY_DEFAULTS);
        assert.deepEqual(s.capacityManagement.managed, {
            targetCapacity: 100,
            minimumScalingStepSize: 1,
            maximumScalingStepSize: 10_000,
            instanceWarmupPeriod: 300,
            managedTerminationProtection: true,
            managedDraining: true,
        });
    });

    it("reads the managed mode's keys, as pulumi config stores them", () => {
        const s = parseSettings(
            {
                ...MANAGED,
                managedTargetCapacity: "90",
                managedMinimumScalingStepSize: "2",
                managedMaximumScalingStepSize: "20",
                managedInstanceWarmupSeconds: "180",
                managedTerminationProtection: "false",
            },
            "test",
        );
        assert.deepEqual(s.capacityManagement, {
            mode: "managed",
            managed: {
                targetCapacity: 90,
                minimumScalingStepSize: 2,
                maximumScalingStepSize: 20,
                instanceWarmupPeriod: 180,
                managedTerminationProtection: false,
                managedDraining: true,
            },
        });
    });

    it("names each bad value and AWS's range", () => {
        assert.deepEqual(
            problemsOf({
                ...MANAGED,
                capacityManagement: "ecs",
                managedTargetCapacity: 0,
                managedMinimumScalingStepSize: 10_001,
                managedInstanceWarmupSeconds: -1,
                managedTerminationProtection: "yes",
            }),
            [
                "ecs-lifecycle:capacityManagement (ecs) must be one of custom | managed",
                "ecs-lifecycle:managedTargetCapacity (0) must be in 1–100",
                "ecs-lifecycle:managedMinimumScalingStepSize (10001) must be in 1–10000",
                "ecs-lifecycle:managedInstanceWarmupSeconds (-1) must be in 0–10000",
                "ecs-lifecycle:managedTerminationProtection (yes) must be true or false",
            ],
        );
    });

    it("refuses a minimum scaling step above the maximum, naming both keys", () => {
        assert.deepEqual(
            problemsOf({ ...MANAGED, managedMinimumScalingStepSize: 5, managedMaximumScalingStepSize: 4 }),
            [
                "ecs-lifecycle:managedMinimumScalingStepSize (5) must be at most ecs-lifecycle:managedMaximumScalingStepSize (4)",
            ],
        );
    });

    it("refuses a managed group that would start with instances outside its capacity provider", () => {
        const problems = problemsOf({ capacityManagement: "managed" });
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(
            problems[0],
            /^ecs-lifecycle:desiredCapacity \(2\) must be 0 with ecs-lifecycle:capacityManagement managed, and ecs-lifecycle:minSize 0 with it: .*stay outside it for their life/,
        );
        assert.deepEqual(
            problemsOf({ capacityManagement: "managed", desiredCapacity: 0 }),
            ["ecs-lifecycle:minSize (1) must be <= desiredCapacity (0)"],
            "minSize follows desiredCapacity by the existing rule",
        );
        assert.deepEqual(problemsOf(MANAGED), []);
    });

    it("refuses the custom mode's Lambda settings in managed mode, naming every one that is set", () => {
        const problems = problemsOf({
            ...MANAGED,
            minimumSpareTasks: 2,
            drainDeadlineSeconds: 1800,
            standaloneTaskPolicy: "stop",
            // At its default it says nothing, whoever set it: Pulumi passes declared defaults too.
            idleHostThreshold: 1,
        });
        assert.deepEqual(problems, [
            "ecs-lifecycle:minimumSpareTasks, ecs-lifecycle:drainDeadlineSeconds, ecs-lifecycle:standaloneTaskPolicy tune the drain hook and capacity scaler Lambdas, which ecs-lifecycle:capacityManagement managed does not deploy (ECS's managed scaling and draining replace them): remove them, or set capacityManagement custom",
        ]);
    });

    it("refuses the capacity provider's settings in custom mode, naming every one that is set", () => {
        assert.deepEqual(problemsOf({ managedTargetCapacity: 80, managedTerminationProtection: false }), [
            "ecs-lifecycle:managedTargetCapacity, ecs-lifecycle:managedTerminationProtection configure the ECS capacity provider, which only ecs-lifecycle:capacityManagement managed deploys: remove them, or set capacityManagement managed",
        ]);
    });

    it("has no key to turn managed draining off: in managed mode nothing else drains an instance", () => {
        assert.match(
            problemsOf({ ...MANAGED, managedDraining: false })[0],
            /^ecs-lifecycle:managedDraining is not a known key/,
        );
    });

    it("accepts the example managed stack, and keeps the dev stack custom", () => {
        const managed = parseSettings(stackFileValues("managed"), "managed");
        assert.equal(managed.capacityManagement.mode, "managed");
        assert.equal(managed.cluster.desiredCapacity, 0);
        assert.equal(parseSettings(stackFileValues("dev"), "dev").capacityManagement.mode, "custom");
    });
});
