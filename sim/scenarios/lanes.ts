/**
 * Per-instance lifecycle lanes for the HTML report, read from the region's timeline: when each
 * instance of the group was launched, InService, DRAINING in ECS, held in Terminating:Wait by the
 * lifecycle hook before its drain began, terminating, retained or terminated, in seconds since
 * the scenario started. A lane in Terminating:Wait without DRAINING is a drain nobody picked up.
 */
import type { TimelineEntry } from "../types";

export const LANE_STATES = [
    "launched",
    "InService",
    "DRAINING",
    "Terminating:Wait",
    "terminating",
    "retained",
    "terminated",
] as const;

export type LaneState = (typeof LANE_STATES)[number];

export interface LaneSegment {
    readonly state: LaneState;
    /** Seconds since the scenario started. */
    readonly from: number;
    readonly to: number;
}

export interface InstanceLane {
    readonly instanceId: string;
    /** Instance type, market and AMI, for the lane's tooltip. */
    readonly about: string;
    readonly segments: readonly LaneSegment[];
}

export interface LaneChart {
    /** Instances of the group seen during the scenario. */
    readonly instances: number;
    /** At most `maxLanes` of them, in launch order: every retained one, the rest spread over the launch order. */
    readonly lanes: readonly InstanceLane[];
}

interface Tracked {
    readonly instanceId: string;
    groupState?: string;
    draining: boolean;
    terminated: boolean;
    shown?: { state: LaneState; from: number };
    readonly segments: LaneSegment[];
}

function displayState(t: Tracked): LaneState {
    if (t.terminated || t.groupState === "Terminated") return "terminated";
    if (t.groupState === "Terminating:Retained") return "retained";
    if (t.groupState === "Terminating" || t.groupState === "Terminating:Proceed") return "terminating";
    if (t.draining) return "DRAINING";
    if (t.groupState === "Terminating:Wait") return "Terminating:Wait";
    if (t.groupState === "InService") return "InService";
    return "launched";
}

/** The lanes of every instance of `groupName` that was not gone before `startedAt`. */
export function instanceLanes(
    timeline: readonly TimelineEntry[],
    groupName: string,
    startedAt: number,
    endSeconds: number,
    maxLanes: number,
): LaneChart {
    const tracked = new Map<string, Tracked>();
    const about = new Map<string, string>();
    const seconds = (at: number) => Math.min(endSeconds, Math.max(0, Math.round((at - startedAt) / 1000)));
    const update = (t: Tracked, at: number) => {
        const state = displayState(t);
        if (t.shown?.state === state) return;
        const now = seconds(at);
        if (t.shown && now > t.shown.from) t.segments.push({ ...t.shown, to: now });
        t.shown = { state, from: now };
    };
    for (const entry of timeline) {
        const d = entry.detail;
        const id = String(d.instanceId ?? d.ec2InstanceId);
        if (entry.kind === "instance.launched") {
            about.set(id, `${String(d.instanceType)}, ${String(d.market)}, ${String(d.imageId)}`);
            continue;
        }
        if (entry.kind === "autoscaling.instance.state" && d.groupName === groupName && !tracked.has(id)) {
            tracked.set(id, { instanceId: id, draining: false, terminated: false, segments: [] });
        }
        const t = tracked.get(id);
        if (!t) continue;
        if (entry.kind === "autoscaling.instance.state") t.groupState = String(d.state);
        else if (entry.kind === "ecs.instance.status") t.draining = d.status === "DRAINING";
        else if (entry.kind === "instance.terminated") t.terminated = true;
        else continue;
        update(t, entry.at);
    }
    const lanes: InstanceLane[] = [];
    for (const t of tracked.values()) {
        if (t.shown && endSeconds > t.shown.from) t.segments.push({ ...t.shown, to: endSeconds });
        if (t.segments.every((s) => s.state === "terminated")) continue;
        lanes.push({ instanceId: t.instanceId, about: about.get(t.instanceId) ?? "", segments: t.segments });
    }
    return { instances: lanes.length, lanes: pickLanes(lanes, maxLanes) };
}

/** Every retained lane, then lanes evenly spread over the launch order (old and new instances alike), in launch order. */
function pickLanes(lanes: readonly InstanceLane[], maxLanes: number): InstanceLane[] {
    if (lanes.length <= maxLanes) return [...lanes];
    const retained = lanes
        .filter((lane) => lane.segments.some((s) => s.state === "retained"))
        .slice(0, maxLanes);
    const others = lanes.filter((lane) => !retained.includes(lane));
    const room = maxLanes - retained.length;
    const spread = Array.from({ length: room }, (_, i) => others[Math.floor((i * others.length) / room)]);
    const shown = new Set([...retained, ...spread]);
    return lanes.filter((lane) => shown.has(lane));
}
