/**
 * The labelled markers the HTML report draws on its time charts, read from the region's
 * timeline: alarm state changes ("capacity-low → ALARM"), scaling actions ("desired 4 → 5"),
 * drains started and finished (several in one minute on one marker) and what the scenario
 * itself did.
 */
import type { TimelineEntry } from "../types";

export type MarkerKind = "alarm" | "scaling" | "drain" | "step";

export interface ChartMarker {
    /** Seconds since the scenario started. */
    readonly seconds: number;
    readonly kind: MarkerKind;
    readonly label: string;
    /** The alarm's full name, on alarm markers (a chart shows the alarms on its own metric). */
    readonly alarm?: string;
}

type DrainEnd = "started" | "CONTINUE" | "ABANDON" | "timed out";

export function chartMarkers(
    timeline: readonly TimelineEntry[],
    startedAt: number,
    clusterName: string,
): ChartMarker[] {
    const markers: ChartMarker[] = [];
    const drains = new Map<string, { seconds: number; instances: string[]; end: DrainEnd }>();
    const short = (alarm: string) =>
        alarm.startsWith(`${clusterName}-`) ? alarm.slice(clusterName.length + 1) : alarm;
    for (const e of timeline) {
        if (e.at < startedAt) continue;
        const seconds = Math.round((e.at - startedAt) / 1000);
        const d = e.detail;
        if (e.kind === "alarm.state") {
            const alarm = String(d.alarm);
            markers.push({ seconds, kind: "alarm", label: `${short(alarm)} → ${String(d.to)}`, alarm });
        } else if (e.kind === "autoscaling.scaling") {
            markers.push({ seconds, kind: "scaling", label: `desired ${String(d.from)} → ${String(d.to)}` });
        } else if (e.kind === "scenario.step") {
            markers.push({ seconds, kind: "step", label: String(d.text) });
        } else {
            const end = drainEnd(e);
            if (!end) continue;
            const key = `${Math.floor(seconds / 60)} ${end}`;
            const group = drains.get(key) ?? { seconds, instances: [], end };
            group.instances.push(String(d.instanceId));
            drains.set(key, group);
        }
    }
    for (const { seconds, instances, end } of drains.values()) {
        const what = instances.length === 1 ? `drain ${instances[0]}` : `${instances.length} drains`;
        const label = end === "started" ? `${what} started` : `${what} finished: ${end}`;
        markers.push({ seconds, kind: "drain", label });
    }
    return markers.sort((a, b) => a.seconds - b.seconds);
}

function drainEnd(e: TimelineEntry): DrainEnd | undefined {
    if (e.kind === "autoscaling.hook.waiting") return "started";
    if (e.kind === "autoscaling.hook.timedOut") return "timed out";
    if (e.kind === "autoscaling.hook.completed")
        return e.detail.result === "ABANDON" ? "ABANDON" : "CONTINUE";
    return undefined;
}
