/**
 * The `--html` report: one self-contained page (Chart.js inlined from node_modules, the run's
 * chart specs inlined as JSON) with the summary table, then per scenario what it does and started
 * from, the faults injected and how often each fired, the retained instances, its charts
 * (sim/report/charts.ts: instance lanes, tasks per service, the capacity metrics), its checks and
 * its short timeline.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/stackFile";
import { SCENARIO_CATALOG } from "../scenarios/catalog";
import type { ScenarioResult } from "../scenarios/result";
import { FAULT_DESCRIPTIONS } from "../types";
import { scenarioCharts, type ChartSpec } from "./charts";
import {
    allChecks,
    faultsFiredCell,
    faultsText,
    formatClock,
    formatDuration,
    minHealthyCell,
    startText,
} from "./text";

/** Chart.js's browser bundle, minified when the package ships it. */
export function chartLibraryPath(root: string = REPO_ROOT): string {
    const candidates = ["chart.umd.min.js", "chart.umd.js"].map((f) =>
        join(root, "node_modules", "chart.js", "dist", f),
    );
    const found = candidates.find((p) => existsSync(p));
    if (!found) throw new Error(`chart.js: none of ${candidates.join(", ")} exists; run npm ci`);
    return found;
}

/** What the page embeds as `simulation-data`: every chart of every scenario. */
export interface ReportData {
    readonly scenarios: readonly { readonly name: string; readonly charts: readonly ChartSpec[] }[];
}

/** Text safe inside a <script> element: no sequence can close it. */
function scriptSafe(text: string): string {
    return text.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const verdict = (passed: boolean) =>
    passed ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>';

export function renderHtml(stack: string, results: readonly ScenarioResult[], chartLibrary: string): string {
    const data: ReportData = {
        scenarios: results.map((r, i) => ({ name: r.name, charts: scenarioCharts(i, r.series) })),
    };
    const sections = results.map((r, i) => scenarioSection(r, data.scenarios[i].charts)).join("\n");
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ecs-lifecycle simulation: stack ${escapeHtml(stack)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #1d2330; max-width: 1340px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 36px; border-top: 1px solid #ccd; padding-top: 16px; }
h3 { font-size: 14px; margin: 14px 0 2px; }
table { border-collapse: collapse; font-size: 13px; } td, th { padding: 3px 8px; border-bottom: 1px solid #e3e6ee; text-align: right; }
th { background: #f2f4f8; } td { white-space: nowrap; } td:first-child, th:first-child { text-align: left; } td.text, th.text { text-align: left; }
.pass { color: #17813b; font-weight: 600; } .fail { color: #c0292b; font-weight: 600; }
.note { font-size: 12px; color: #4a5163; margin: 4px 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
.caption { font-size: 12px; color: #4a5163; margin: 2px 0 8px; }
pre { font-size: 12px; background: #f7f8fb; padding: 8px; max-height: 260px; overflow: auto; }
ul.checks { font-size: 13px; padding-left: 18px; }
</style>
<script>${scriptSafe(chartLibrary)}</script>
</head>
<body>
<h1>ecs-lifecycle simulation — stack <code>${escapeHtml(stack)}</code></h1>
<p>The stack's settings from <code>Pulumi.${escapeHtml(stack)}.yaml</code>, its real Lambda handlers and control loops, in the simulated region.
Overall: ${verdict(results.every((r) => r.passed))}.</p>
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
        "retained",
        "drains (p50/max s)",
        "faults fired",
        "Lambda invocations / billed s",
        "ECS API calls",
        "result",
    ];
    const notes: string[] = [];
    const rows = results.map((r) => {
        const minHealthy = minHealthyCell(r);
        notes.push(...minHealthy.notes);
        const round = (s: number | null) => (s === null ? "-" : String(Math.round(s)));
        return [
            `<a href="#scenario-${escapeHtml(r.name)}">${escapeHtml(r.name)}</a>`,
            r.start.inService === r.instances
                ? String(r.instances)
                : `${r.instances} (${r.start.inService} at start)`,
            formatDuration(r.simulatedSeconds),
            String(r.invariants.runningTasksKilled),
            escapeHtml(minHealthy.cell),
            String(r.invariants.stuckInstances),
            String(r.invariants.scaleOscillations),
            String(r.retained.length),
            `${r.drains.count} (${round(r.drains.p50Seconds)}/${round(r.drains.maxSeconds)})`,
            faultsFiredCell(r),
            `${r.lambda.invocations} / ${r.lambda.billedSeconds.toFixed(1)}`,
            String(r.ecsApiCalls),
            verdict(r.passed),
        ]
            .map((c) => `<td>${c}</td>`)
            .join("");
    });
    return `<table><tr>${header.map((h) => `<th>${h}</th>`).join("")}</tr>${rows.map((r) => `<tr>${r}</tr>`).join("")}</table>
${notes.map((n) => `<p class="note">* ${escapeHtml(n)}</p>`).join("\n")}`;
}

function faultsTable(r: ScenarioResult): string {
    const entries = Object.entries(r.faults);
    if (entries.length === 0) return `<p class="note">Faults: none injected.</p>`;
    const rows = entries.map(
        ([name, f]) =>
            `<tr><td><code>${escapeHtml(name)}</code></td><td>${escapeHtml(String(f.setting))}</td><td>${f.fired}</td><td class="text">${escapeHtml(FAULT_DESCRIPTIONS[name as keyof typeof FAULT_DESCRIPTIONS])}</td></tr>`,
    );
    return `<h3>Faults injected (${escapeHtml(faultsText(r))})</h3>
<table><tr><th>fault</th><th>setting</th><th>fired</th><th class="text">what it does</th></tr>${rows.join("")}</table>`;
}

function retainedList(r: ScenarioResult): string {
    if (r.retained.length === 0) return "";
    const items = r.retained.map(
        (i) =>
            `<li><span class="${i.designed ? "pass" : "fail"}">${i.designed ? "by design" : "UNEXPECTED"}</span> ${escapeHtml(i.instanceId)} at ${formatClock(i.retainedAtSeconds)}: ${escapeHtml(i.why)}</li>`,
    );
    return `<h3>Retained instances (${r.retained.length})</h3><ul class="checks">${items.join("")}</ul>`;
}

function chartBlock(spec: ChartSpec): string {
    return `<div><h3>${escapeHtml(spec.title)}</h3>
<div style="position: relative; height: ${spec.height}px"><canvas id="${escapeHtml(spec.id)}"></canvas></div>
<p class="caption">${escapeHtml(spec.caption)}</p></div>`;
}

function scenarioSection(r: ScenarioResult, charts: readonly ChartSpec[]): string {
    const summary = SCENARIO_CATALOG.find((s) => s.name === r.name)?.summary ?? "";
    const checks = allChecks(r)
        .map(
            (c) =>
                `<li><span class="${c.passed ? "pass" : "fail"}">${c.passed ? "ok" : "FAIL"}</span> ${escapeHtml(c.name)}: ${escapeHtml(c.detail)}</li>`,
        )
        .join("");
    const timeline = r.timeline.map((l) => `${formatClock(l.seconds)}  ${l.text}`).join("\n");
    const wide = charts.filter((c) => c.kind !== "metric").map(chartBlock);
    const metrics = charts.filter((c) => c.kind === "metric").map(chartBlock);
    return `<h2 id="scenario-${escapeHtml(r.name)}">${escapeHtml(r.name)} — ${verdict(r.passed)}</h2>
<p>${escapeHtml(summary)}.</p>
<p class="note">Seed ${r.seed}; ${escapeHtml(startText(r))}; ${formatDuration(r.simulatedSeconds)} simulated. Drains ${r.drains.count} (CONTINUE ${r.drains.continued}, ABANDON ${r.drains.abandoned}); ${r.ecsApiCalls} ECS API calls; Lambda ${r.lambda.invocations} invocations, ${r.lambda.billedSeconds.toFixed(1)} s billed.</p>
${faultsTable(r)}
${retainedList(r)}
${wide.join("\n")}
${metrics.length > 0 ? `<div class="pair">${metrics.join("\n")}</div>` : `<p class="note">No capacity scaler in this run: no capacity metrics.</p>`}
<h3>Checks</h3>
<ul class="checks">${checks}</ul>
<h3>Timeline</h3>
<pre>${escapeHtml(timeline)}</pre>`;
}

/** Runs in the page: draws every chart spec with Chart.js, marks its events, and counts what it drew. */
const CHART_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById("simulation-data").textContent);
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(s) { s = Math.round(s); return Math.floor(s / 3600) + ":" + two(Math.floor((s % 3600) / 60)); }
  function clockSeconds(s) { s = Math.round(s); return clock(s) + ":" + two(s % 60); }
  var STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800];
  function tickStep(max) {
    for (var i = 0; i < STEPS.length; i++) if (max / STEPS[i] <= 10) return STEPS[i];
    return STEPS[STEPS.length - 1];
  }
  var ROWS = { lanes: 2, tasks: 3, metric: 2 };
  var ROW_PIXELS = 14;
  // Vertical lines at the events, then their labels in rows above the plot (a label with no room left is dropped).
  function markerPlugin(markers, rows) {
    return {
      id: "markers",
      afterDatasetsDraw: function (chart) {
        var ctx = chart.ctx, area = chart.chartArea, x = chart.scales.x, ends = [], labels = [];
        ctx.save();
        ctx.font = "11px system-ui, sans-serif";
        ctx.textBaseline = "top";
        markers.forEach(function (m) {
          var px = x.getPixelForValue(m.x);
          if (px < area.left - 1 || px > area.right + 1) return;
          var width = ctx.measureText(m.label).width + 6;
          var left = Math.max(area.left, Math.min(px + 1, area.right - width));
          var row = -1;
          for (var r = 0; r < rows; r++) if (ends[r] === undefined || ends[r] < left) { row = r; break; }
          var top = row < 0 ? area.top : area.top - (rows - row) * ROW_PIXELS;
          ctx.strokeStyle = m.color;
          ctx.lineWidth = 1.2;
          ctx.setLineDash(m.dashed ? [4, 3] : []);
          ctx.beginPath(); ctx.moveTo(px, top); ctx.lineTo(px, area.bottom); ctx.stroke();
          if (row < 0) return;
          ends[row] = left + width;
          labels.push({ m: m, left: left, top: top, width: width });
        });
        labels.forEach(function (l) {
          ctx.fillStyle = "rgba(255,255,255,0.95)";
          ctx.fillRect(l.left, l.top, l.width, ROW_PIXELS - 1);
          ctx.fillStyle = l.m.color;
          ctx.fillText(l.m.label, l.left + 3, l.top + 1);
        });
        ctx.restore();
      }
    };
  }
  function dataset(spec, d) {
    if (spec.kind === "lanes") {
      return { label: d.label, data: d.data, backgroundColor: d.color, borderColor: d.color, borderWidth: 0,
        grouped: false, barPercentage: 0.8, categoryPercentage: 1 };
    }
    // Dashed lines (desired counts, thresholds) are drawn over the solid ones they are read against.
    return { label: d.label, data: d.data, borderColor: d.color, backgroundColor: d.color,
      borderWidth: d.dashed ? 1.5 : 2.5, borderDash: d.dashed ? [6, 4] : [], order: d.dashed ? 0 : 1,
      pointRadius: 0, pointStyle: "line", stepped: spec.kind === "tasks", spanGaps: true };
  }
  function fixedWidth(width) { return function (axis) { axis.width = width; }; }
  var drawn = 0;
  data.scenarios.forEach(function (scenario) {
    scenario.charts.forEach(function (spec) {
      var lanes = spec.kind === "lanes";
      var rows = ROWS[spec.kind];
      var yAxis = lanes
        ? { type: "category", offset: true, ticks: { autoSkip: false, font: { size: 10 } }, afterFit: fixedWidth(140) }
        : { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: spec.yTitle },
            afterFit: fixedWidth(spec.kind === "tasks" ? 140 : 70) };
      new Chart(document.getElementById(spec.id), {
        type: lanes ? "bar" : "line",
        data: { labels: spec.categories, datasets: spec.datasets.map(function (d) { return dataset(spec, d); }) },
        options: {
          animation: false, maintainAspectRatio: false, indexAxis: lanes ? "y" : "x",
          layout: { padding: { top: rows * ROW_PIXELS + 2, right: 12 } },
          interaction: lanes ? { mode: "nearest", intersect: true } : { mode: "nearest", axis: "x", intersect: false },
          plugins: {
            legend: { position: "bottom", labels: { boxWidth: 24, boxHeight: 10, usePointStyle: !lanes,
              sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } } },
            tooltip: { callbacks: {
              title: function (items) {
                var raw = items[0].raw;
                if (!lanes) return "+" + clockSeconds(raw.x);
                var note = spec.categoryNotes[spec.categories.indexOf(raw.y)];
                return raw.y + (note ? " (" + note + ")" : "");
              },
              label: function (item) {
                var raw = item.raw;
                return lanes ? item.dataset.label + ": +" + clockSeconds(raw.x[0]) + " to +" + clockSeconds(raw.x[1])
                  : item.dataset.label + ": " + raw.y;
              } } }
          },
          scales: {
            x: { type: "linear", min: 0, max: spec.xMax,
              ticks: { callback: function (v) { return clock(v); } },
              // Ticks on whole minutes or hours from the start, whatever the run's length.
              afterBuildTicks: function (axis) {
                var step = tickStep(spec.xMax), ticks = [];
                for (var v = 0; v <= spec.xMax; v += step) ticks.push({ value: v });
                axis.ticks = ticks;
              },
              title: { display: true, text: "time since the scenario started (h:mm)" } },
            y: yAxis
          }
        },
        plugins: [markerPlugin(spec.markers, rows)]
      });
      drawn++;
    });
  });
  document.body.setAttribute("data-charts-drawn", String(drawn));
})();
`;

/** The page for the results, with Chart.js read from node_modules. */
export function renderHtmlReport(stack: string, results: readonly ScenarioResult[]): string {
    return renderHtml(stack, results, readFileSync(chartLibraryPath(), "utf8"));
}
