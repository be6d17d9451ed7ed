import * as assert from "node:assert/strict";
import { shortTimeline } from "../../../sim/scenarios/recorder";
import { drainRecords, percentile, summarizeDrains } from "../../../sim/scenarios/result";
import type { TimelineEntry } from "../../../sim/types";

const T0 = 1_000_000;
const at = (seconds: number, kind: string, detail: Record<string, unknown> = {}): TimelineEntry => ({
    at: T0 + seconds * 1000,
    kind,
    detail,
});

describe("sim/scenarios/result and the short timeline", () => {
    it("pairs each lifecycle wait with its end and summarizes the drains", () => {
        const timeline = [
            at(0, "autoscaling.hook.waiting", { instanceId: "i-1" }),
            at(5, "autoscaling.hook.waiting", { instanceId: "i-2" }),
            at(10, "autoscaling.hook.waiting", { instanceId: "i-3" }),
            at(60, "autoscaling.hook.completed", { instanceId: "i-1", result: "CONTINUE" }),
            at(125, "autoscaling.hook.completed", { instanceId: "i-2", result: "ABANDON" }),
            at(910, "autoscaling.hook.timedOut", { instanceId: "i-3", result: "ABANDON" }),
        ];
        const records = drainRecords(timeline);
        assert.deepEqual(
            records.map((r) => [r.instanceId, (r.endedAt - r.startedAt) / 1000, r.result, r.timedOut]),
            [
                ["i-1", 60, "CONTINUE", false],
                ["i-2", 120, "ABANDON", false],
                ["i-3", 900, "ABANDON", true],
            ],
        );
        assert.deepEqual(summarizeDrains(records), {
            count: 3,
            p50Seconds: 120,
            maxSeconds: 900,
            continued: 1,
            abandoned: 2,
        });
        assert.deepEqual(
            drainRecords(timeline, T0 + 1000).map((r) => r.instanceId),
            ["i-2", "i-3"],
        );
    });

    it("takes the nearest-rank percentile", () => {
        assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
        assert.equal(percentile([1, 2, 3, 4], 0.99), 4);
        assert.equal(percentile([7], 0.5), 7);
    });

    it("counts repeats of a kind within a minute on one line, keeps alarms and steps apart, and caps the length in the middle", () => {
        const timeline = [
            at(1, "instance.launched", { instanceId: "i-a", imageId: "ami-2" }),
            at(2, "instance.launched", { instanceId: "i-b", imageId: "ami-2" }),
            at(3, "alarm.state", { alarm: "low", from: "OK", to: "ALARM" }),
            at(4, "scenario.step", { text: "load rises" }),
            at(70, "ecs.task.status", { lastStatus: "RUNNING", group: "service:web" }),
            at(71, "ecs.task.status", { lastStatus: "RUNNING", group: "family:batch" }),
            at(80, "sqs.dropped", {}),
        ];
        assert.deepEqual(shortTimeline(timeline, T0, 10), [
            { seconds: 1, text: "2 instances launched (ami-2)" },
            { seconds: 3, text: "alarm low: OK → ALARM" },
            { seconds: 4, text: "load rises" },
            { seconds: 70, text: "1 service task(s) started (replacements or new)" },
        ]);
        // A long run keeps its start and its end.
        assert.deepEqual(shortTimeline(timeline, T0, 3), [
            { seconds: 1, text: "2 instances launched (ami-2)" },
            { seconds: 3, text: "… 2 more lines" },
            { seconds: 70, text: "1 service task(s) started (replacements or new)" },
        ]);
    });
});
