/**
 * The custom termination policy's decision: which of the instances Auto Scaling offers to
 * terminate are cheapest to drain. Pure: `terminationHandler.ts` gathers the facts from ECS.
 *
 * Per CapacityToTerminate entry (an Availability Zone and market option), up to its Capacity,
 * from the payload's Instances in that zone: first instances ECS has no tasks on the way to
 * (not registered, or already DRAINING), then the fewest non-daemon tasks, then the oldest, then
 * Auto Scaling's own order. Never more than the total capacity, never an instance not offered.
 * Returning more than asked would hand the choice back to the group's other policies; fewer is
 * allowed (the group asks again).
 */

import { describeValue } from "./describeValue";

export const TERMINATION_CAUSES = [
    "SCALE_IN",
    "INSTANCE_REFRESH",
    "MAX_INSTANCE_LIFETIME",
    "REBALANCE",
] as const;
export const MARKET_OPTIONS = ["on-demand", "spot"] as const;

export interface CapacityToTerminate {
    readonly AvailabilityZone: string;
    readonly Capacity: number;
    /** Absent in older payloads; then the entry covers both markets. */
    readonly InstanceMarketOption?: (typeof MARKET_OPTIONS)[number];
}

export interface CandidateInstance {
    readonly AvailabilityZone: string;
    readonly InstanceId: string;
    readonly InstanceType?: string;
    readonly InstanceMarketOption?: (typeof MARKET_OPTIONS)[number];
}

/** The documented input of a custom termination policy Lambda. */
export interface TerminationPayload {
    readonly AutoScalingGroupARN: string;
    readonly AutoScalingGroupName: string;
    readonly CapacityToTerminate: readonly CapacityToTerminate[];
    readonly Instances: readonly CandidateInstance[];
    readonly Cause: (typeof TERMINATION_CAUSES)[number];
    readonly HasMoreInstances?: boolean;
}

/** What ECS says about one EC2 instance. */
export interface InstanceFacts {
    /** False when no container instance of the cluster runs on it (never registered, or deregistered). */
    readonly registered: boolean;
    readonly status?: string;
    /** Running + pending tasks that are not daemon tasks. */
    readonly nonDaemonTasks?: number;
    /** Epoch ms the instance registered with ECS (its age as the cluster sees it). */
    readonly launchedAt?: number;
}

export interface TerminationDecision {
    readonly InstanceIDs: string[];
    /** Set when the payload was rejected; InstanceIDs is then empty. */
    readonly invalidPayload?: string;
}

export type ParsedPayload =
    | { readonly ok: true; readonly payload: TerminationPayload }
    | { readonly ok: false; readonly reason: string };

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** Validates the payload's shape; the reason names the first bad field and what was expected. */
export function parseTerminationPayload(input: unknown): ParsedPayload {
    const fail = (reason: string): ParsedPayload => ({ ok: false, reason });
    if (!isRecord(input)) return fail(`payload: expected an object, got ${describeValue(input)}`);
    for (const field of ["AutoScalingGroupARN", "AutoScalingGroupName"] as const) {
        if (typeof input[field] !== "string" || input[field].length === 0) {
            return fail(`${field}: expected a non-empty string, got ${describeValue(input[field])}`);
        }
    }
    if (!(TERMINATION_CAUSES as readonly unknown[]).includes(input.Cause)) {
        return fail(
            `Cause: expected one of ${TERMINATION_CAUSES.join(", ")}, got ${describeValue(input.Cause)}`,
        );
    }
    if (input.HasMoreInstances !== undefined && typeof input.HasMoreInstances !== "boolean") {
        return fail(`HasMoreInstances: expected a boolean, got ${describeValue(input.HasMoreInstances)}`);
    }
    if (!Array.isArray(input.CapacityToTerminate)) {
        return fail(
            `CapacityToTerminate: expected an array, got ${describeValue(input.CapacityToTerminate)}`,
        );
    }
    if (!Array.isArray(input.Instances))
        return fail(`Instances: expected an array, got ${describeValue(input.Instances)}`);
    for (const [index, entry] of input.CapacityToTerminate.entries()) {
        const field = `CapacityToTerminate[${index}]`;
        if (!isRecord(entry)) return fail(`${field}: expected an object, got ${describeValue(entry)}`);
        const problem =
            zoneProblem(entry.AvailabilityZone) ??
            marketProblem(entry.InstanceMarketOption) ??
            (Number.isInteger(entry.Capacity) && (entry.Capacity as number) >= 0
                ? undefined
                : `Capacity: expected an integer >= 0, got ${describeValue(entry.Capacity)}`);
        if (problem !== undefined) return fail(`${field}.${problem}`);
    }
    for (const [index, instance] of input.Instances.entries()) {
        const field = `Instances[${index}]`;
        if (!isRecord(instance)) return fail(`${field}: expected an object, got ${describeValue(instance)}`);
        const problem =
            (typeof instance.InstanceId === "string" && INSTANCE_ID.test(instance.InstanceId)
                ? undefined
                : `InstanceId: expected an EC2 instance id (i-…), got ${describeValue(instance.InstanceId)}`) ??
            zoneProblem(instance.AvailabilityZone) ??
            marketProblem(instance.InstanceMarketOption) ??
            (instance.InstanceType === undefined || typeof instance.InstanceType === "string"
                ? undefined
                : `InstanceType: expected a string, got ${describeValue(instance.InstanceType)}`);
        if (problem !== undefined) return fail(`${field}.${problem}`);
    }
    return { ok: true, payload: input as unknown as TerminationPayload };
}

/** The instances whose drain is cheapest, per zone and market, up to the capacity asked for. */
export function chooseInstancesToTerminate(
    payload: unknown,
    facts: ReadonlyMap<string, InstanceFacts>,
): TerminationDecision {
    const parsed = parseTerminationPayload(payload);
    if (!parsed.ok) return { InstanceIDs: [], invalidPayload: parsed.reason };
    return {
        InstanceIDs: select(parsed.payload, (a, b) => compareDrainCost(facts.get(a.id), facts.get(b.id))),
    };
}

/** What Auto Scaling itself suggested: its Instances in order, up to each entry's Capacity. */
export function autoScalingSuggestion(payload: TerminationPayload): string[] {
    return select(payload, () => 0);
}

/** The payload's instances some entry with Capacity > 0 could take: the only ones worth asking ECS about. */
export function candidateInstanceIds(payload: TerminationPayload): string[] {
    const ids = new Set<string>();
    for (const instance of payload.Instances) {
        if (payload.CapacityToTerminate.some((entry) => entry.Capacity > 0 && covers(entry, instance))) {
            ids.add(instance.InstanceId);
        }
    }
    return [...ids];
}

interface Ranked {
    readonly id: string;
    readonly instance: CandidateInstance;
    readonly order: number;
}

/** Fills each entry in payload order; ties in `compare` keep Auto Scaling's order. */
function select(payload: TerminationPayload, compare: (a: Ranked, b: Ranked) => number): string[] {
    const ranked = payload.Instances.map((instance, order) => ({
        id: instance.InstanceId,
        instance,
        order,
    })).sort((a, b) => compare(a, b) || a.order - b.order);
    const chosen = new Set<string>();
    for (const entry of payload.CapacityToTerminate) {
        let taken = 0;
        for (const candidate of ranked) {
            if (taken >= entry.Capacity) break;
            if (chosen.has(candidate.id) || !covers(entry, candidate.instance)) continue;
            chosen.add(candidate.id);
            taken++;
        }
    }
    return [...chosen];
}

function covers(entry: CapacityToTerminate, instance: CandidateInstance): boolean {
    return (
        entry.AvailabilityZone === instance.AvailabilityZone &&
        (entry.InstanceMarketOption === undefined ||
            instance.InstanceMarketOption === undefined ||
            entry.InstanceMarketOption === instance.InstanceMarketOption)
    );
}

/** Negative when `a` is cheaper to drain. Unknown facts rank as a registered instance of unknown load. */
function compareDrainCost(a: InstanceFacts | undefined, b: InstanceFacts | undefined): number {
    const tier = (facts: InstanceFacts | undefined): number =>
        facts !== undefined && (!facts.registered || facts.status === "DRAINING") ? 0 : 1;
    const tasks = (facts: InstanceFacts | undefined): number =>
        facts?.registered === false ? 0 : (facts?.nonDaemonTasks ?? Number.POSITIVE_INFINITY);
    const age = (facts: InstanceFacts | undefined): number => facts?.launchedAt ?? Number.POSITIVE_INFINITY;
    return tier(a) - tier(b) || difference(tasks(a), tasks(b)) || difference(age(a), age(b));
}

/** a − b where two infinities are equal rather than NaN. */
function difference(a: number, b: number): number {
    return a === b ? 0 : a < b ? -1 : 1;
}

function zoneProblem(zone: unknown): string | undefined {
    return typeof zone === "string" && zone.length > 0
        ? undefined
        : `AvailabilityZone: expected a non-empty string, got ${describeValue(zone)}`;
}

function marketProblem(market: unknown): string | undefined {
    return market === undefined || (MARKET_OPTIONS as readonly unknown[]).includes(market)
        ? undefined
        : `InstanceMarketOption: expected one of ${MARKET_OPTIONS.join(", ")}, got ${describeValue(market)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
