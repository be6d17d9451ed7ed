/**
 * The HTML report's charts as data: per scenario, instance lifecycle lanes, RUNNING against
 * desired tasks per service, and each capacity metric on its own axis with its alarm's threshold,
 * all on one time axis (seconds since the scenario started, shown as h:mm) and marked with
 * labelled events. The page turns each spec into a Chart.js chart; the tests read the same specs.
 * Colours: services, alarms, lifecycle states and the other markers never share one.
 */
import { LANE_STATES, type LaneState } from "../scenarios/lanes";
import type { ChartMarker, MarkerKind } from "../scenarios/markers";
import type { MetricSeries, RunSeries } from "../scenarios/recorder";

export const LIFECYCLE_COLOURS: Readonly<Record<LaneState, string>> = {
    launched: "#b0bec5",
    InService: "#66bb6a",
    DRAINING: "#ffd54f",
    "Terminating:Wait": "#ff8a65",
    terminating: "#a1887f",
    retained: "#ab47bc",
    terminated: "#e6e6e6",
};

/** What each lane state means, for the legend's tooltip and the sentence under the chart. */
export const LIFECYCLE_MEANING: Readonly<Record<LaneState, string>> = {
    launched: "launched: booting and registering with ECS (Pending)",
    InService: "InService",
    DRAINING: "DRAINING in ECS: its tasks move away",
    "Terminating:Wait": "Terminating:Wait, drain not begun",
    terminating: "terminating (Terminating:Proceed)",
    retained: "retained (Terminating:Retained): kept with its tasks",
    terminated: "terminated",
};

/** Blues and teals, one per service in order (a service's running and desired lines share it). */
export const SERVICE_COLOURS = [
    "#1e88e5",
    "#00acc1",
    "#3949ab",
    "#00897b",
    "#0d47a1",
    "#4dd0e1",
    "#5c6bc0",
    "#006064",
] as const;

export const MARKER_COLOURS: Readonly<Record<MarkerKind, string>> = {
    alarm: "#d81b60",
    scaling: "#212121",
    drain: "#827717",
    step: "#78909c",
};

export const METRIC_COLOURS: Readonly<Record<MetricSeries["metric"], string>> = {
    ContainerCapacity: "#6d4c41",
    IdleHostCapacity: "#37474f",
};

export interface MarkerSpec {
    readonly x: number;
    readonly label: string;
    readonly color: string;
    /** Dashed for an alarm going back to OK. */
    readonly dashed: boolean;
}

export interface DatasetSpec {
    readonly label: string;
    readonly color: string;
    readonly dashed?: boolean;
    /** Line points, or for lanes, bars from x[0] to x[1] on the lane named y. */
    readonly data: readonly { readonly x: number | readonly [number, number]; readonly y: number | string }[];
}

export interface ChartSpec {
    /** The canvas's id. */
    readonly id: string;
    readonly kind: "lanes" | "tasks" | "metric";
    readonly title: string;
    /** Pixels. */
    readonly height: number;
    readonly xMax: number;
    readonly yTitle: string;
    /** Lanes: the instance ids, top to bottom, and what each is (type, market, AMI). */
    readonly categories?: readonly string[];
    readonly categoryNotes?: readonly string[];
    readonly datasets: readonly DatasetSpec[];
    readonly markers: readonly MarkerSpec[];
    /** One sentence under the chart: what it shows, its units, what acts on it. */
    readonly caption: string;
}

const LANE_PIXELS = 16;
/** More steps than this (hours of load changes) are left to the desired-count lines. */
const MAX_STEP_MARKERS = 8;

export function scenarioCharts(index: number, series: RunSeries): ChartSpec[] {
    const markers = (kinds: readonly MarkerKind[], alarm?: string) =>
        series.markers
            .filter(
                (m) =>
                    kinds.includes(m.kind) &&
                    (alarm === undefined || m.kind !== "alarm" || m.alarm === alarm),
            )
            .map(markerSpec);
    const steps = series.markers.filter((m) => m.kind === "step").length;
    const taskMarkers: MarkerKind[] =
        steps <= MAX_STEP_MARKERS ? ["step", "alarm", "scaling"] : ["alarm", "scaling"];
    return [
        lanesChart(`lanes-${index}`, series, markers(["drain", "scaling"])),
        tasksChart(`tasks-${index}`, series, markers(taskMarkers)),
        ...series.capacity.map((metric) =>
            metricChart(
                `${metric.metric}-${index}`,
                series.endSeconds,
                metric,
                markers(["alarm", "scaling"], metric.alarm),
            ),
        ),
    ];
}

function markerSpec(m: ChartMarker): MarkerSpec {
    return {
        x: m.seconds,
        label: m.label,
        color: MARKER_COLOURS[m.kind],
        dashed: m.kind === "alarm" && m.label.endsWith("→ OK"),
    };
}

function lanesChart(id: string, series: RunSeries, markers: MarkerSpec[]): ChartSpec {
    const { lanes, instances } = series.lanes;
    const categories = lanes.map((l) => l.instanceId);
    const datasets = LANE_STATES.map((state) => ({
        label: state,
        color: LIFECYCLE_COLOURS[state],
        data: lanes.flatMap((lane) =>
            lane.segments
                .filter((s) => s.state === state)
                .map((s) => ({ x: [s.from, s.to] as const, y: lane.instanceId })),
        ),
    })).filter((d) => d.data.length > 0);
    const shown =
        lanes.length < instances
            ? ` (${lanes.length} of ${instances} drawn: every retained one, the rest spread over the launch order)`
            : "";
    return {
        id,
        kind: "lanes",
        title: `Instances of the group, one lane each${shown}`,
        height: 110 + LANE_PIXELS * Math.max(lanes.length, 2),
        xMax: series.endSeconds,
        yTitle: "instance",
        categories,
        categoryNotes: lanes.map((l) => l.about),
        datasets,
        markers,
        caption:
            "Each lane is one instance: launched (booting, registering), InService, DRAINING in ECS (its tasks move away), " +
            "Terminating:Wait before its drain began (long here: a drain nobody picked up), terminating, retained (Terminating:Retained, " +
            "kept with its tasks after an abandoned drain), terminated.",
    };
}

function tasksChart(id: string, series: RunSeries, markers: MarkerSpec[]): ChartSpec {
    const datasets = Object.entries(series.services).flatMap(([name, s], i) => {
        const color = SERVICE_COLOURS[i % SERVICE_COLOURS.length];
        const points = (values: readonly number[]) => series.seconds.map((x, j) => ({ x, y: values[j] }));
        return [
            { label: `${name} running`, color, data: points(s.running) },
            { label: `${name} desired`, color, dashed: true, data: points(s.desired) },
        ];
    });
    return {
        id,
        kind: "tasks",
        title: "Tasks per service: RUNNING (solid) against desired (dashed)",
        height: 300,
        xMax: series.endSeconds,
        yTitle: "tasks",
        datasets,
        markers,
        caption:
            "A solid line under its dashed one is a service short of its desired count: tasks waiting for room, or replaced with a gap.",
    };
}

const METRIC_TEXT: Readonly<Record<MetricSeries["metric"], { unit: string; meaning: string }>> = {
    ContainerCapacity: {
        unit: "tasks that still fit",
        meaning:
            "ContainerCapacity: how many more tasks of the worst-case shape (the services' task size that fits least) the ACTIVE instances can still place, counting CPU, memory, ports and ENI slots per instance.",
    },
    IdleHostCapacity: {
        unit: "instances that could go",
        meaning:
            "IdleHostCapacity: how many of the least-used instances could be removed with every task re-placed on the rest and the spare room still kept.",
    },
};

function metricChart(id: string, xMax: number, metric: MetricSeries, markers: MarkerSpec[]): ChartSpec {
    const below = metric.comparison === "LessThanThreshold";
    const text = METRIC_TEXT[metric.metric];
    const action = below ? "adds instances (step scale-out)" : "removes one instance, drained first";
    return {
        id,
        kind: "metric",
        title: `${metric.metric} (${text.unit})`,
        height: 260,
        xMax,
        yTitle: text.unit,
        datasets: [
            {
                label: metric.metric,
                color: METRIC_COLOURS[metric.metric],
                data: metric.points.map((p) => ({ x: p.seconds, y: p.value })),
            },
            {
                label: `alarm threshold: ${below ? "<" : ">"} ${metric.threshold} for ${metric.evaluationMinutes} min`,
                color: MARKER_COLOURS.alarm,
                dashed: true,
                data: [
                    { x: 0, y: metric.threshold },
                    { x: xMax, y: metric.threshold },
                ],
            },
        ],
        markers,
        caption: `${text.meaning} ${below ? "Below" : "Above"} ${metric.threshold} for ${metric.evaluationMinutes} min, the alarm ${metric.alarm} ${action}.`,
    };
}
