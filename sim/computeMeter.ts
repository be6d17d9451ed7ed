/**
 * Measures the CPU a handler's code uses between two points of this process: the main thread's
 * own CPU time (Linux's per-thread schedstat, so V8's background threads and the machine's other
 * load do not count; process.cpuUsage() elsewhere), less the garbage-collection pauses V8 reports
 * in between. Collections are left out because in this process they collect the region's garbage
 * as much as the handler's (inferred: a handler's own collections are small next to its
 * compute); without that, a pause that happens to fall in a small handler would be billed to it
 * and could time it out.
 */
import { openSync, readSync } from "node:fs";
import { GCProfiler } from "node:v8";

const SCHEDSTAT = "/proc/thread-self/schedstat";

let schedstat: number | undefined | null;
const buffer = Buffer.alloc(128);

/** CPU ms this thread has used, or the process's when the kernel does not say per thread. */
export function threadCpuMs(): number {
    if (schedstat === undefined) {
        try {
            schedstat = openSync(SCHEDSTAT, "r");
        } catch {
            schedstat = null;
        }
    }
    if (schedstat !== null) {
        const length = readSync(schedstat, buffer, 0, buffer.length, 0);
        // "<ns on CPU> <ns waiting> <slices>"
        return Number(buffer.toString("latin1", 0, length).split(" ", 1)[0]) / 1e6;
    }
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
}

export interface ComputeSegment {
    readonly cpuMs: number;
    readonly gc: GCProfiler;
}

export function startCompute(): ComputeSegment {
    const gc = new GCProfiler();
    gc.start();
    return { cpuMs: threadCpuMs(), gc };
}

/** CPU ms the code used since `segment` started, garbage-collection pauses excluded. */
export function computeSince(segment: ComputeSegment): number {
    const cpuMs = threadCpuMs() - segment.cpuMs;
    const pausesMs = (segment.gc.stop()?.statistics ?? []).reduce((sum, gc) => sum + gc.cost, 0) / 1000;
    return Math.max(0, cpuMs - pausesMs);
}
