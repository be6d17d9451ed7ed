import * as assert from "node:assert/strict";
import {
    LIFECYCLE_COLOURS,
    MARKER_COLOURS,
    METRIC_COLOURS,
    SERVICE_COLOURS,
    type ChartSpec,
} from "../../../sim/report/charts";
import { renderHtml, type ReportData } from "../../../sim/report/html";
import { rollingUpdate } from "../../../sim/scenarios/rollingUpdate";
import type { ScenarioResult } from "../../../sim/scenarios/result";
import { testStack } from "../scenarios/testStack";

function embedded(html: string): ReportData {
    const data = /<script id="simulation-data" type="application\/json">(.*?)<\/script>/s.exec(html);
    return JSON.parse(data![1]) as ReportData;
}

describe("sim/report/html: the charts an SRE reads", () => {
    let result: ScenarioResult;
    let html: string;
    let charts: readonly ChartSpec[];
    before(async () => {
        // Tasks that never stop: a drained instance is retained, so every lane state a drain goes through shows.
        result = await rollingUpdate.run(testStack(), { seed: 1, faults: { stuckTaskRate: 0.2 } });
        html = renderHtml("test", [result], "/* Chart.js */");
        charts = embedded(html).scenarios[0].charts;
    });

    it("draws every canvas from a chart spec, and each chart has data inside the scenario's time", () => {
        const canvases = [...html.matchAll(/<canvas id="([^"]+)">/g)].map((m) => m[1]);
        assert.deepEqual(
            canvases,
            charts.map((c) => c.id),
        );
        assert.deepEqual(
            charts.map((c) => c.kind),
            ["lanes", "tasks", "metric", "metric"],
        );
        for (const chart of charts) {
            const points = chart.datasets.flatMap((d) => d.data);
            assert.ok(points.length > 0, `${chart.id} has no data`);
            for (const p of points) {
                const xs = Array.isArray(p.x) ? p.x : [p.x];
                assert.ok(
                    xs.every((x) => x >= 0 && x <= chart.xMax),
                    `${chart.id}: ${JSON.stringify(p)}`,
                );
            }
            assert.ok(chart.caption.length > 0);
        }
    });

    it("lanes: one per instance, with the states a drain goes through and labelled drain markers", () => {
        const lanes = charts.find((c) => c.kind === "lanes")!;
        assert.equal(lanes.categories!.length, result.series.lanes.lanes.length);
        assert.deepEqual(
            lanes.datasets.map((d) => d.label),
            [
                "launched",
                "InService",
                "DRAINING",
                "Terminating:Wait",
                "terminating",
                "retained",
                "terminated",
            ],
        );
        assert.ok(lanes.markers.some((m) => /^\d+ drains started$|^drain i-\w+ started$/.test(m.label)));
        assert.ok(lanes.markers.some((m) => / finished: ABANDON$/.test(m.label)));
    });

    it("tasks: RUNNING against desired for every service, with the scenario's steps and the alarms marked", () => {
        const tasks = charts.find((c) => c.kind === "tasks")!;
        assert.deepEqual(
            tasks.datasets.map((d) => [d.label, d.dashed === true]),
            [
                ["web running", false],
                ["web desired", true],
                ["api running", false],
                ["api desired", true],
            ],
        );
        assert.ok(tasks.markers.some((m) => m.label.startsWith("new AMI ")));
        assert.ok(tasks.markers.some((m) => m.label === "drain-abandoned → ALARM"));
    });

    it("capacity: each metric on its own axis with its unit, its alarm's threshold and what it means", () => {
        const metrics = charts.filter((c) => c.kind === "metric");
        assert.deepEqual(
            metrics.map((c) => [c.title, c.yTitle, c.datasets[1].label]),
            [
                [
                    "ContainerCapacity (tasks that still fit)",
                    "tasks that still fit",
                    "alarm threshold: < 1 for 1 min",
                ],
                [
                    "IdleHostCapacity (instances that could go)",
                    "instances that could go",
                    "alarm threshold: > 1 for 10 min",
                ],
            ],
        );
        assert.match(metrics[0].caption, /^ContainerCapacity: how many more tasks of the worst-case shape/);
        assert.match(
            metrics[1].caption,
            /the alarm ecs-lifecycle-test-capacity-idle-hosts removes one instance/,
        );
    });

    it("says which faults were injected, how often each fired, and why an instance was retained", () => {
        assert.match(html, /Faults injected \(stuckTaskRate=0\.2 fired \d+ times?\)/);
        assert.match(
            html,
            /<span class="pass">by design<\/span> i-\w+ at \+1:\d\d:\d\d: the drain reached its deadline/,
        );
    });

    it("never gives a service, an alarm and a lifecycle state the same colour", () => {
        const colours = [
            ...Object.values(LIFECYCLE_COLOURS),
            ...SERVICE_COLOURS,
            ...Object.values(MARKER_COLOURS),
            ...Object.values(METRIC_COLOURS),
        ].map((c) => c.toLowerCase());
        assert.equal(new Set(colours).size, colours.length, colours.join(" "));
    });
});
