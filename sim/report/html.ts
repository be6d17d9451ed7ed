/**
 * The `--html` report: one self-contained page (Chart.js inlined from node_modules, the run's
 * data inlined as JSON) with, per scenario, the summary figures, its checks, the short timeline
 * and two charts on one time axis: instances by lifecycle state with ContainerCapacity and
 * IdleHostCapacity, and RUNNING tasks per service with the alarm, hook and scaling events.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/stackFile";
import type { ScenarioResult } from "../scenarios/result";
import { formatClock, formatDuration } from "./text";

/** Chart.js's browser bundle, minified when the package ships it. */
export function chartLibraryPath(root: string = REPO_ROOT): string {
    const candidates = ["chart.umd.min.js", "chart.umd.js"].map((f) =>
        join(root, "node_modules", "chart.js", "dist", f),
    );
    const found = candidates.find((p) => existsSync(p));
    if (!found) throw new Error(`chart.js: none of ${candidates.join(", ")} exists; run npm ci`);
    return found;
}

/** Text safe inside a <script> element: no sequence can close it. */
function scriptSafe(text: string): string {
    return text.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderHtml(stack: string, results: readonly ScenarioResult[], chartLibrary: string): string {
    const sections = results.map((r, i) => scenarioSection(r, i)).join("\n");
    const data = results.map((r) => ({ name: r.name, series: r.series }));
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ecs-lifecycle simulation: stack ${escapeHtml(stack)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #1d2330; max-width: 1300px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 36px; border-top: 1px solid #ccd; padding-top: 16px; }
table { border-collapse: collapse; font-size: 13px; } td, th { padding: 3px 8px; border-bottom: 1px solid #e3e6ee; text-align: right; }
th { background: #f2f4f8; } td:first-child, th:first-child { text-align: left; }
.pass { color: #17813b; font-weight: 600; } .fail { color: #c0292b; font-weight: 600; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; } .chart { height: 300px; }
pre { font-size: 12px; background: #f7f8fb; padding: 8px; max-height: 220px; overflow: auto; }
ul.checks { font-size: 13px; padding-left: 18px; }
</style>
<script>${scriptSafe(chartLibrary)}</script>
</head>
<body>
<h1>ecs-lifecycle simulation — stack <code>${escapeHtml(stack)}</code></h1>
<p>The stack's settings from <code>Pulumi.${escapeHtml(stack)}.yaml</code>, its real Lambda handlers and control loops, in the simulated region.
Overall: ${results.every((r) => r.passed) ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>'}.</p>
${summaryTable(results)}
${sections}
<script id="simulation-data" type="application/json">${scriptSafe(JSON.stringify(data))}</script>
<script>${scriptSafe(CHART_SCRIPT)}</script>
</body>
</html>
`;
}

function summaryTable(results: readonly ScenarioResult[]): string {
    const header = [
        "scenario",
        "instances",
        "simulated",
        "tasks killed",
        "min healthy",
        "stuck",
        "oscillations",
        "drains (p50/max s)",
        "Lambda invocations / billed s",
        "ECS API calls",
        "result",
    ];
    const rows = results.map((r) =>
        [
            `<a href="#scenario-${escapeHtml(r.name)}">${escapeHtml(r.name)}</a>`,
            String(r.instances),
            formatDuration(r.simulatedSeconds),
            String(r.invariants.runningTasksKilled),
            r.invariants.minHealthyFraction === null ? "-" : r.invariants.minHealthyFraction.toFixed(2),
            String(r.invariants.stuckInstances),
            String(r.invariants.scaleOscillations),
            `${r.drains.count} (${r.drains.p50Seconds ?? "-"}/${r.drains.maxSeconds ?? "-"})`,
            `${r.lambda.invocations} / ${r.lambda.billedSeconds.toFixed(1)}`,
            String(r.ecsApiCalls),
            r.passed ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>',
        ]
            .map((c) => `<td>${c}</td>`)
            .join(""),
    );
    return `<table><tr>${header.map((h) => `<th>${h}</th>`).join("")}</tr>${rows.map((r) => `<tr>${r}</tr>`).join("")}</table>`;
}

function scenarioSection(r: ScenarioResult, index: number): string {
    const checks = r.checks
        .map(
            (c) =>
                `<li><span class="${c.passed ? "pass" : "fail"}">${c.passed ? "ok" : "FAIL"}</span> ${escapeHtml(c.name)}: ${escapeHtml(c.detail)}</li>`,
        )
        .join("");
    const timeline = r.timeline.map((l) => `${formatClock(l.seconds)}  ${l.text}`).join("\n");
    return `<h2 id="scenario-${escapeHtml(r.name)}">${escapeHtml(r.name)} — ${r.passed ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>'}</h2>
<p>seed ${r.seed}, ${r.instances} instances, ${formatDuration(r.simulatedSeconds)} simulated; drains ${r.drains.count} (CONTINUE ${r.drains.continued}, ABANDON ${r.drains.abandoned}); ${r.ecsApiCalls} ECS API calls; Lambda ${r.lambda.invocations} invocations, ${r.lambda.billedSeconds.toFixed(1)} s billed.</p>
<div class="charts">
<div class="chart"><canvas id="instances-${index}"></canvas></div>
<div class="chart"><canvas id="tasks-${index}"></canvas></div>
</div>
<ul class="checks">${checks}</ul>
<pre>${escapeHtml(timeline)}</pre>`;
}

/** Runs in the page: draws both charts of every scenario from the inlined data. */
const CHART_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById("simulation-data").textContent);
  var palette = ["#2f6fdf", "#e0861a", "#1f9d55", "#c0292b", "#8a4fd3", "#0b9aa8", "#a05a2c"];
  var eventStyle = { alarm: ["#c0292b", "triangle"], hook: ["#1f9d55", "circle"], scaling: ["#8a4fd3", "rectRot"] };
  function points(seconds, values) {
    return seconds.map(function (s, i) { return { x: s / 60, y: values[i] }; });
  }
  function line(label, seconds, values, color, extra) {
    return Object.assign({ label: label, data: points(seconds, values), borderColor: color, backgroundColor: color,
      pointRadius: 0, borderWidth: 2, stepped: true, spanGaps: true }, extra || {});
  }
  function options(title, y1Title) {
    var scales = {
      x: { type: "linear", title: { display: true, text: "minutes since the scenario started" } },
      y: { beginAtZero: true, title: { display: true, text: "count" } }
    };
    if (y1Title) scales.y1 = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: y1Title } };
    return { animation: false, maintainAspectRatio: false, plugins: { title: { display: true, text: title },
      tooltip: { callbacks: { label: function (c) { return c.raw.label || (c.dataset.label + ": " + c.formattedValue); } } } },
      scales: scales };
  }
  data.forEach(function (scenario, index) {
    var s = scenario.series;
    new Chart(document.getElementById("instances-" + index), { type: "line", data: { datasets: [
      line("InService", s.seconds, s.instances.inService, palette[0]),
      line("Pending", s.seconds, s.instances.pending, palette[1]),
      line("Draining (Terminating:Wait)", s.seconds, s.instances.draining, palette[3]),
      line("Retained", s.seconds, s.instances.retained, palette[6]),
      line("ContainerCapacity", s.seconds, s.containerCapacity, palette[2], { yAxisID: "y1", borderDash: [6, 3], stepped: false }),
      line("IdleHostCapacity", s.seconds, s.idleHostCapacity, palette[4], { yAxisID: "y1", borderDash: [2, 3], stepped: false })
    ] }, options: options(scenario.name + ": instances by state, capacity metrics", "capacity metric") });
    var taskSets = Object.keys(s.runningTasks).map(function (name, i) {
      return line("RUNNING " + name, s.seconds, s.runningTasks[name], palette[i % palette.length]);
    });
    var eventSets = Object.keys(eventStyle).map(function (kind, k) {
      var events = s.events.filter(function (e) { return e.kind === kind; });
      return { type: "scatter", label: kind + " events", yAxisID: "y1", showLine: false,
        data: events.map(function (e) { return { x: e.seconds / 60, y: k + 1, label: e.label }; }),
        borderColor: eventStyle[kind][0], backgroundColor: eventStyle[kind][0], pointStyle: eventStyle[kind][1], pointRadius: 5 };
    });
    var tasksOptions = options(scenario.name + ": running tasks per service, events", "events (1 alarm, 2 hook, 3 scaling)");
    tasksOptions.scales.y1.max = 4;
    tasksOptions.scales.y1.ticks = { stepSize: 1 };
    new Chart(document.getElementById("tasks-" + index), { type: "line", data: { datasets: taskSets.concat(eventSets) }, options: tasksOptions });
  });
})();
`;

/** The page for the results, with Chart.js read from node_modules. */
export function renderHtmlReport(stack: string, results: readonly ScenarioResult[]): string {
    return renderHtml(stack, results, readFileSync(chartLibraryPath(), "utf8"));
}
