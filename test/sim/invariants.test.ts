import assert from "node:assert/strict";
import { InvariantMonitor } from "../../sim/invariants";

const at = (s: number) => s * 1000;

describe("sim/invariants", () => {
    it("counts tasks killed by a termination in every phase, standalone ones too, but not daemon tasks", () => {
        const monitor = new InvariantMonitor();
        const reason = "Host EC2 (instance i-1) terminated.";
        const kill = (taskArn: string, lastStatus: string, phase: string, extra: Record<string, unknown>) =>
            monitor.observe({
                at: at(1),
                kind: "ecs.task.killedByTermination",
                detail: {
                    taskArn,
                    ec2InstanceId: "i-1",
                    group: "service:s",
                    lastStatus,
                    phase,
                    reason,
                    ...extra,
                },
            });
        kill("t1", "RUNNING", "running", { serviceArn: "s", daemon: false });
        kill("t2", "RUNNING", "running", { serviceArn: "d", daemon: true });
        kill("t3", "DEACTIVATING", "stopping", { serviceArn: "s", daemon: false, stoppingBecause: "drain" });
        kill("t4", "RUNNING", "running", { daemon: false, group: "family:job" });
        kill("t5", "PENDING", "starting", { serviceArn: "s", daemon: false });
        const report = monitor.report();
        assert.equal(report.tasksKilledByTermination, 4);
        assert.deepEqual(report.killedByPhase, { running: 2, stopping: 1, starting: 1 });
        assert.deepEqual(report.killedTasks[1], {
            at: at(1),
            taskArn: "t3",
            serviceArn: "s",
            group: "service:s",
            ec2InstanceId: "i-1",
            lastStatus: "DEACTIVATING",
            phase: "stopping",
            reason,
            stoppingBecause: "drain",
        });
        assert.equal(report.killedTasks[2].serviceArn, undefined);
        assert.equal(report.ok, false);
    });

    it("tracks the lowest healthy fraction only once the service reached its desired count", () => {
        const monitor = new InvariantMonitor();
        const health = (s: number, running: number, desired: number) =>
            monitor.observe({
                at: at(s),
                kind: "ecs.service.health",
                detail: { serviceArn: "s", running, desired },
            });
        health(0, 0, 4);
        health(10, 2, 4);
        health(20, 4, 4);
        health(30, 3, 4);
        health(40, 4, 4);
        health(50, 4, 8);
        health(60, 5, 8);
        assert.deepEqual(monitor.report().services, { s: { lowestHealthyFraction: 0.75, lowestAt: at(30) } });
        assert.equal(monitor.report().ok, true);
    });

    it("reports null for a service that never reached its desired count", () => {
        const monitor = new InvariantMonitor();
        monitor.observe({
            at: 0,
            kind: "ecs.service.health",
            detail: { serviceArn: "s", running: 1, desired: 3 },
        });
        assert.deepEqual(monitor.report().services, { s: { lowestHealthyFraction: null, lowestAt: null } });
    });

    it("lists lifecycle hooks that timed out with the instance still in Terminating:Wait", () => {
        const monitor = new InvariantMonitor();
        monitor.observe({
            at: at(900),
            kind: "autoscaling.hook.timedOut",
            detail: {
                groupName: "g",
                hookName: "h",
                instanceId: "i-1",
                deadline: "heartbeat",
                result: "CONTINUE",
                waitedSeconds: 900,
            },
        });
        assert.deepEqual(monitor.report().terminatingWaitPastDeadline, [
            {
                at: at(900),
                groupName: "g",
                hookName: "h",
                instanceId: "i-1",
                deadline: "heartbeat",
                waitedSeconds: 900,
            },
        ]);
    });

    it("counts each reversal of scaling direction within the window once", () => {
        const monitor = new InvariantMonitor({ oscillationWindowSeconds: 300 });
        const scale = (s: number, direction: string, cooldownSeconds = 60) =>
            monitor.observe({
                at: at(s),
                kind: "autoscaling.scaling",
                detail: { groupName: "g", direction, cooldownSeconds },
            });
        scale(0, "out");
        scale(100, "out");
        scale(200, "in");
        scale(1000, "out");
        scale(1100, "in", 600);
        scale(1650, "out");
        const report = monitor.report();
        assert.equal(report.scalingOscillations, 3);
        assert.deepEqual(
            report.oscillations.map((o) => [o.firstAt / 1000, o.firstDirection, o.secondAt / 1000]),
            [
                [100, "out", 200],
                [1000, "out", 1100],
                [1100, "in", 1650],
            ],
        );
    });
});
