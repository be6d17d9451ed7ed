/**
 * How the region injects its faults and counts them: every injection site asks `fires` (a draw)
 * or reports `fired` (decided otherwise), so each firing is counted once and lands on the
 * timeline as "fault.fired" (`fault` plus what it hit), for the reports' "faults injected" lines.
 */
import type { SeededRandom } from "./random";
import type { FaultName, FaultSettings, RateFaultName } from "./types";

export class FaultInjector {
    private readonly counts: Partial<Record<FaultName, number>> = {};

    constructor(
        readonly settings: FaultSettings,
        private readonly random: SeededRandom,
        private readonly record: (kind: string, detail: Record<string, unknown>) => void,
    ) {}

    /** Draws as `random.chance(rate)` did before faults were counted, so a seed's run is unchanged. */
    fires(name: RateFaultName, detail: Record<string, unknown>): boolean {
        const fires = this.random.chance(this.settings[name]);
        if (fires) this.fired(name, detail);
        return fires;
    }

    fired(name: FaultName, detail: Record<string, unknown>): void {
        this.counts[name] = (this.counts[name] ?? 0) + 1;
        this.record("fault.fired", { fault: name, ...detail });
    }

    /** Firings so far of every fault the run switched on (0 when it never fired). */
    firedCounts(): Partial<Record<FaultName, number>> {
        const switchedOn = (Object.keys(this.settings) as FaultName[]).filter((name) => this.settings[name]);
        return Object.fromEntries(switchedOn.map((name) => [name, this.counts[name] ?? 0]));
    }
}
