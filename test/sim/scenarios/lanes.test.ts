import * as assert from "node:assert/strict";
import { instanceLanes } from "../../../sim/scenarios/lanes";
import { chartMarkers } from "../../../sim/scenarios/markers";
import type { TimelineEntry } from "../../../sim/types";

const T0 = 1_000_000;
const at = (seconds: number, kind: string, detail: Record<string, unknown> = {}): TimelineEntry => ({
    at: T0 + seconds * 1000,
    kind,
    detail,
});
const state = (seconds: number, instanceId: string, s: string) =>
    at(seconds, "autoscaling.instance.state", { groupName: "g", instanceId, state: s });

describe("sim/scenarios/lanes and markers: what the report's charts draw", () => {
    const timeline = [
        // i-old was in service before the start; it is drained and terminated.
        at(-500, "instance.launched", {
            instanceId: "i-old",
            instanceType: "m5.large",
            market: "on-demand",
            imageId: "ami-1",
        }),
        state(-500, "i-old", "Pending"),
        state(-400, "i-old", "InService"),
        // i-gone went away before the start: no lane.
        state(-300, "i-gone", "InService"),
        at(-200, "instance.terminated", { instanceId: "i-gone" }),
        at(10, "instance.launched", {
            instanceId: "i-new",
            instanceType: "m5.large",
            market: "spot",
            imageId: "ami-2",
        }),
        state(10, "i-new", "Pending"),
        state(90, "i-new", "InService"),
        state(100, "i-old", "Terminating:Wait"),
        at(100, "autoscaling.hook.waiting", { instanceId: "i-old" }),
        at(130, "ecs.instance.status", { ec2InstanceId: "i-old", status: "DRAINING" }),
        at(200, "autoscaling.hook.completed", { instanceId: "i-old", result: "CONTINUE" }),
        state(200, "i-old", "Terminating:Proceed"),
        at(230, "instance.terminated", { instanceId: "i-old" }),
        // Another group's instance is not drawn.
        at(240, "autoscaling.instance.state", { groupName: "other", instanceId: "i-x", state: "InService" }),
        at(250, "alarm.state", { alarm: "c-capacity-low", from: "OK", to: "ALARM" }),
        at(250, "autoscaling.scaling", { from: 2, to: 3 }),
        at(260, "scenario.step", { text: "load rises" }),
    ];

    it("draws one lane per instance of the group, state by state, in seconds since the start", () => {
        const chart = instanceLanes(timeline, "g", T0, 300, 10);
        assert.equal(chart.instances, 2);
        assert.deepEqual(
            chart.lanes.map((l) => [l.instanceId, l.about, l.segments.map((s) => [s.state, s.from, s.to])]),
            [
                [
                    "i-old",
                    "m5.large, on-demand, ami-1",
                    [
                        ["InService", 0, 100],
                        ["Terminating:Wait", 100, 130],
                        ["DRAINING", 130, 200],
                        ["terminating", 200, 230],
                        ["terminated", 230, 300],
                    ],
                ],
                [
                    "i-new",
                    "m5.large, spot, ami-2",
                    [
                        ["launched", 10, 90],
                        ["InService", 90, 300],
                    ],
                ],
            ],
        );
    });

    it("draws at most the lanes it may: every retained one, the rest spread over the launch order", () => {
        const retained = [...timeline, state(280, "i-new", "Terminating:Retained")];
        const chart = instanceLanes(retained, "g", T0, 300, 1);
        assert.equal(chart.instances, 2);
        assert.deepEqual(
            chart.lanes.map((l) => l.instanceId),
            ["i-new"],
        );
        const many = Array.from({ length: 10 }, (_, i) => state(i, `i-${i}`, "InService"));
        assert.deepEqual(
            instanceLanes([...many, state(20, "i-7", "Terminating:Retained")], "g", T0, 300, 4).lanes.map(
                (l) => l.instanceId,
            ),
            ["i-0", "i-3", "i-6", "i-7"],
        );
    });

    it("labels each marker: alarm name → state, scaling from → to, drains, the scenario's steps", () => {
        assert.deepEqual(chartMarkers(timeline, T0, "c"), [
            { seconds: 100, kind: "drain", label: "drain i-old started" },
            { seconds: 200, kind: "drain", label: "drain i-old finished: CONTINUE" },
            { seconds: 250, kind: "alarm", label: "capacity-low → ALARM", alarm: "c-capacity-low" },
            { seconds: 250, kind: "scaling", label: "desired 2 → 3" },
            { seconds: 260, kind: "step", label: "load rises" },
        ]);
    });
});
