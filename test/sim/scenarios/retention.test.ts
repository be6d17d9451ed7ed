import * as assert from "node:assert/strict";
import { retainedInstances, retentionCheck } from "../../../sim/scenarios/retention";
import type { TimelineEntry } from "../../../sim/types";

const T0 = 1_000_000;
const ALARM = "c-drain-abandoned";
const at = (seconds: number, kind: string, detail: Record<string, unknown> = {}): TimelineEntry => ({
    at: T0 + seconds * 1000,
    kind,
    detail,
});

/** A drain of i-1 that reached its deadline with one task that ignored SIGTERM, then what `ending` adds. */
function abandonedDrain(ending: readonly TimelineEntry[], stuck = 1): TimelineEntry[] {
    return [
        at(0, "autoscaling.hook.waiting", { instanceId: "i-1" }),
        at(0, "autoscaling.instance.state", { instanceId: "i-1", state: "Terminating:Wait" }),
        ...Array.from({ length: stuck }, (_, n) =>
            at(5, "fault.fired", { fault: "stuckTaskRate", taskArn: `t-${n}`, ec2InstanceId: "i-1" }),
        ),
        ...ending,
    ];
}

const retainedBy = (kind: "autoscaling.hook.completed" | "autoscaling.hook.timedOut") => [
    at(3600, kind, { instanceId: "i-1", result: "ABANDON" }),
    at(3600, "autoscaling.instance.state", { instanceId: "i-1", state: "Terminating:Retained" }),
];

describe("sim/scenarios/retention: is a retained instance the designed outcome?", () => {
    it("yes: the drain Lambda abandoned at the deadline, a task ignored SIGTERM, the alarm fired", () => {
        const timeline = abandonedDrain([
            ...retainedBy("autoscaling.hook.completed"),
            at(3660, "alarm.state", { alarm: ALARM, from: "OK", to: "ALARM" }),
        ]);
        const [retained] = retainedInstances(timeline, T0, ALARM);
        assert.deepEqual(retained, {
            instanceId: "i-1",
            retainedAtSeconds: 3600,
            waitedSeconds: 3600,
            stuckTasks: 1,
            alarmFired: true,
            designed: true,
            why: "the drain reached its deadline after 3600 s with 1 task that ignored SIGTERM (stuckTaskRate): ABANDON, instance and tasks kept, c-drain-abandoned → ALARM",
        });
        assert.equal(retentionCheck([retained]).passed, true);
    });

    it("no: the alarm stayed quiet (an ALARM before the retention does not count)", () => {
        const timeline = [
            at(-60, "alarm.state", { alarm: ALARM, from: "OK", to: "ALARM" }),
            ...abandonedDrain(retainedBy("autoscaling.hook.completed")),
        ];
        const [retained] = retainedInstances(timeline, T0, ALARM);
        assert.equal(retained.designed, false);
        assert.equal(retained.why, "UNEXPECTED: c-drain-abandoned did not go to ALARM");
        assert.equal(retentionCheck([retained]).passed, false);
    });

    it("no: nothing explains the abandon when no task ignored SIGTERM on that instance", () => {
        const timeline = abandonedDrain(
            [
                ...retainedBy("autoscaling.hook.completed"),
                at(3660, "alarm.state", { alarm: ALARM, to: "ALARM" }),
            ],
            0,
        );
        assert.equal(
            retainedInstances(timeline, T0, ALARM)[0].why,
            "UNEXPECTED: no task that ignored SIGTERM explains the abandon",
        );
    });

    it("no: the hook timed out instead of a drain deciding, and without the drain pipeline there is no alarm", () => {
        const timeline = abandonedDrain(retainedBy("autoscaling.hook.timedOut"));
        const [retained] = retainedInstances(timeline, T0, undefined);
        assert.equal(
            retained.why,
            "UNEXPECTED: its lifecycle hook timed out: no drain decided; no abandoned-drain alarm is deployed",
        );
    });

    it("only instances still retained at the end are judged", () => {
        const timeline = abandonedDrain([
            ...retainedBy("autoscaling.hook.completed"),
            at(4000, "autoscaling.instance.state", { instanceId: "i-1", state: "Terminated" }),
        ]);
        assert.deepEqual(retainedInstances(timeline, T0, ALARM), []);
    });
});
