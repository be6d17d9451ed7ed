/**
 * The scenarios in the managed capacity mode (issue 16): the stack's group empty, ECS's capacity
 * provider as the cluster's default strategy, the services placed through it, none of the stack's
 * drain, capacity or termination Lambdas. One seed each at the test stack's size: the full
 * comparison with five seeds and two sizes is `npm run bench -- --modes`.
 */
import * as assert from "node:assert/strict";
import { MANAGED_DRAINING_HOOK } from "../../../sim/ecs/managedDraining";
import type { Region } from "../../../sim/region";
import { rollingUpdate } from "../../../sim/scenarios/rollingUpdate";
import type { FinishedRun, ScenarioOptions } from "../../../sim/scenarios/scenario";
import { scaleIn } from "../../../sim/scenarios/scaleIn";
import { scaleOut } from "../../../sim/scenarios/scaleOut";
import { spotInterruption } from "../../../sim/scenarios/spotInterruption";
import type { HostPortService } from "../../../sim/scenarios/stackScenario";
import { steadyState } from "../../../sim/scenarios/steadyState";
import type { TimelineEntry } from "../../../sim/types";
import { testStack } from "./testStack";

const MANAGED_STACK = { capacityManagement: "managed", desiredCapacity: 0, minSize: 0 };

/** One task per instance: a static host port next to the awsvpc services. */
const EDGE: HostPortService = {
    name: "edge",
    image: "edge:1",
    cpu: 1024,
    memory: 2048,
    hostPort: 8443,
    desiredCount: 2,
    minCount: 1,
    maxCount: 4,
};

/** Runs with `afterRun` capturing the region, for a look at its timeline after the result. */
function capturing(options: ScenarioOptions): { options: ScenarioOptions; run: () => FinishedRun } {
    let finished: FinishedRun | undefined;
    return {
        options: { ...options, afterRun: (run) => (finished = run) },
        run: () => finished!,
    };
}

function entries(region: Region, kind: string, since = 0): TimelineEntry[] {
    return region.timeline.filter((e) => e.kind === kind && e.at >= since);
}

describe("sim/scenarios in the managed capacity mode", () => {
    it("rolling-update: ECS's own hook drains every old instance, nothing killed, no call or Lambda of the account", async () => {
        const c = capturing({ seed: 1, capacityManagement: "managed" });
        const result = await rollingUpdate.run(testStack(), c.options);
        assert.equal(result.passed, true, JSON.stringify({ checks: result.checks, inv: result.invariants }));
        assert.equal(result.capacityManagement, "managed");
        const { region, startedAt } = c.run();
        const completed = entries(region, "autoscaling.hook.completed", startedAt);
        assert.ok(completed.length >= 3, `${completed.length} drains`);
        assert.deepEqual(
            [...new Set(completed.map((e) => `${String(e.detail.hookName)} ${String(e.detail.result)}`))],
            [`${MANAGED_DRAINING_HOOK.name} CONTINUE`],
        );
        assert.deepEqual(Object.keys(region.lambda.allStats()), [], "no Lambda of the stack's is deployed");
        assert.equal(result.ecsApiCalls, 0, "ECS's loops make no ECS calls of the account");
    });

    it("scale-out: tasks wait in PROVISIONING, ECS's target tracking adds instances, and the reservation alarm stays quiet", async () => {
        const c = capturing({ seed: 1, hostPortServices: [EDGE] });
        const result = await scaleOut.run(testStack(MANAGED_STACK), c.options);
        assert.equal(result.passed, true, JSON.stringify(result.checks));
        const { region, startedAt, stack } = c.run();
        assert.ok(
            entries(region, "ecs.task.status", startedAt).some((e) => e.detail.lastStatus === "PROVISIONING"),
        );
        assert.ok(
            entries(region, "autoscaling.scaling", startedAt).every((e) =>
                String(e.detail.source).startsWith("policy ECSManagedAutoScalingPolicy"),
            ),
        );
        assert.deepEqual(
            entries(region, "alarm.state").filter(
                (e) => e.detail.alarm === stack.managed!.reservationHighAlarmName && e.detail.to === "ALARM",
            ),
            [],
        );
    });

    it("scale-out past maxSize: tasks wait for instances that cannot come, and the reservation alarm tells someone after 15 minutes", async () => {
        const c = capturing({ seed: 1 });
        // maxSize 3 (the scenario allows twice the workload, 6); the surge needs 7 instances.
        const result = await scaleOut.run(testStack({ ...MANAGED_STACK, maxSize: 3 }), c.options);
        assert.equal(result.checks.find((check) => check.name === "every surged task placed")?.passed, false);
        const { region, startedAt, stack } = c.run();
        const alarmed = entries(region, "alarm.state", startedAt).find(
            (e) => e.detail.alarm === stack.managed!.reservationHighAlarmName && e.detail.to === "ALARM",
        );
        assert.ok(alarmed, "the reservation alarm went to ALARM");
        assert.ok(alarmed.at - startedAt >= 15 * 60_000, `${(alarmed.at - startedAt) / 1000} s`);
    });

    it("scale-in: managed termination protection lets only empty instances go, so each drain is immediate", async () => {
        const c = capturing({ seed: 1, capacityManagement: "managed", hostPortServices: [EDGE] });
        const result = await scaleIn.run(testStack(), c.options);
        assert.equal(result.passed, true, JSON.stringify(result.checks));
        const { region, startedAt } = c.run();
        const started = entries(region, "ecs.managedDraining.started", startedAt);
        assert.ok(started.length > 0);
        assert.deepEqual(
            started.map((e) => e.detail.tasks),
            started.map(() => 0),
        );
        assert.equal(result.invariants.runningTasksKilled, 0);
    });

    it("spot-interruption: with no spare room (targetCapacity 100) the interrupted instance's task is killed; the custom mode's spare slots save it", async () => {
        const managed = await spotInterruption.run(testStack({ minimumSpareTasks: 2 }), {
            seed: 1,
            capacityManagement: "managed",
        });
        assert.equal(managed.invariants.killedWhileRunning, 1, JSON.stringify(managed.invariants));
        assert.equal(managed.passed, false);
        const custom = await spotInterruption.run(testStack({ minimumSpareTasks: 2 }), { seed: 1 });
        assert.equal(custom.invariants.runningTasksKilled, 0);
        assert.equal(custom.passed, true);
    });

    it("steady-state: six hours of waves with the host-port service, nothing killed, no scaling back and forth", async () => {
        const result = await steadyState.run(testStack(MANAGED_STACK), { seed: 1, hostPortServices: [EDGE] });
        assert.equal(result.passed, true, JSON.stringify({ checks: result.checks, inv: result.invariants }));
        assert.deepEqual(
            result.services.map((s) => s.name),
            ["web", "api", "edge"],
        );
        assert.equal(result.lambda.invocations, 0);
    });
});
