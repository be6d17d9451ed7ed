/**
 * Which instances a group terminates. Auto Scaling first decides how much capacity to take from
 * each AZ (keeping the AZs balanced), then asks the termination policies in order: a Lambda
 * function (first in the list, invoked with the documented payload and a 2-second limit) may name
 * the instances; an empty answer means "not now" (the group retries); an error or timeout falls
 * back to the next policies; when it names more than needed, the next policies narrow them down.
 * Named policies order the candidates of each AZ; Default = oldest launch template, then random.
 */
import type { RegionContext } from "../types";
import type { AsgInstance, GroupState, TerminationCause } from "./state";

export const TERMINATION_POLICY_LAMBDA_TIMEOUT_MS = 2000;
const MAX_PAYLOAD_INSTANCES = 30_000;
const NAMED_POLICIES = [
    "Default",
    "OldestInstance",
    "NewestInstance",
    "OldestLaunchTemplate",
    "OldestLaunchConfiguration",
    "ClosestToNextInstanceHour",
    "AllocationStrategy",
];

export function isValidTerminationPolicy(policy: string): boolean {
    return NAMED_POLICIES.includes(policy) || isLambdaArn(policy);
}

export function isLambdaArn(policy: string): boolean {
    return /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$/.test(policy);
}

/** "retry" when the policy Lambda answered with no instances; the group asks again later. */
export type TerminationChoice = AsgInstance[] | "retry";

/** How many instances to take from each AZ so the AZs stay balanced (the largest AZ first). */
export function capacityToTerminateByAz(
    group: GroupState,
    candidates: readonly AsgInstance[],
    count: number,
): Map<string, number> {
    const inAz = new Map<string, number>();
    const available = new Map<string, number>();
    for (const i of candidates)
        available.set(i.availabilityZone, (available.get(i.availabilityZone) ?? 0) + 1);
    for (const i of group.instances.values()) {
        if (available.has(i.availabilityZone))
            inAz.set(i.availabilityZone, (inAz.get(i.availabilityZone) ?? 0) + 1);
    }
    const take = new Map<string, number>();
    for (let n = 0; n < count; n++) {
        let best: string | undefined;
        for (const az of group.availabilityZones.concat([...available.keys()])) {
            const left = (available.get(az) ?? 0) - (take.get(az) ?? 0);
            if (left <= 0) continue;
            const size = (inAz.get(az) ?? 0) - (take.get(az) ?? 0);
            if (best === undefined || size > (inAz.get(best) ?? 0) - (take.get(best) ?? 0)) best = az;
        }
        if (best === undefined) break;
        take.set(best, (take.get(best) ?? 0) + 1);
    }
    return take;
}

export class TerminationPolicies {
    constructor(
        private readonly ctx: RegionContext,
        /** The concrete version the group's launch template reference resolves to now. */
        private readonly currentVersion: (group: GroupState) => number,
    ) {}

    async choose(
        group: GroupState,
        candidates: readonly AsgInstance[],
        count: number,
        cause: TerminationCause,
    ): Promise<TerminationChoice> {
        const perAz = capacityToTerminateByAz(group, candidates, count);
        const inScope = candidates.filter((i) => (perAz.get(i.availabilityZone) ?? 0) > 0);
        const policies = group.terminationPolicies.length > 0 ? group.terminationPolicies : ["Default"];
        const [first, ...rest] = policies;
        if (isLambdaArn(first)) {
            const named = await this.askLambda(first, group, perAz, inScope, cause);
            if (named === "retry") return "retry";
            if (named !== undefined) {
                if (named.length <= count) return named;
                return this.byNamedPolicies(group, named, count, rest);
            }
            return this.byNamedPolicies(group, inScope, count, rest, perAz);
        }
        return this.byNamedPolicies(group, inScope, count, policies, perAz);
    }

    /** The instances the Lambda names (those in scope), "retry" for an empty answer, undefined on failure. */
    private async askLambda(
        functionArn: string,
        group: GroupState,
        perAz: Map<string, number>,
        inScope: readonly AsgInstance[],
        cause: TerminationCause,
    ): Promise<AsgInstance[] | "retry" | undefined> {
        const payload = {
            AutoScalingGroupARN: group.arn,
            AutoScalingGroupName: group.name,
            CapacityToTerminate: [...perAz.entries()].map(([az, capacity]) => ({
                AvailabilityZone: az,
                Capacity: capacity,
                InstanceMarketOption: "on-demand",
            })),
            Instances: inScope.slice(0, MAX_PAYLOAD_INSTANCES).map((i) => ({
                AvailabilityZone: i.availabilityZone,
                InstanceId: i.instanceId,
                InstanceType: i.instanceType,
                InstanceMarketOption: i.market,
            })),
            Cause: cause,
            ...(inScope.length > MAX_PAYLOAD_INSTANCES ? { HasMoreInstances: true } : {}),
        };
        let response: unknown;
        try {
            response = await this.ctx.lambda.invokeSync(
                functionArn,
                payload,
                TERMINATION_POLICY_LAMBDA_TIMEOUT_MS,
            );
        } catch (error) {
            this.ctx.record("autoscaling.terminationPolicy.failed", {
                groupName: group.name,
                functionArn,
                error: (error as Error).message,
            });
            return undefined;
        }
        const ids = (response as { InstanceIDs?: unknown } | null)?.InstanceIDs;
        if (!Array.isArray(ids)) {
            this.ctx.record("autoscaling.terminationPolicy.failed", {
                groupName: group.name,
                functionArn,
                error: "response has no InstanceIDs list",
            });
            return undefined;
        }
        const named = inScope.filter((i) => ids.includes(i.instanceId));
        this.ctx.record("autoscaling.terminationPolicy.answered", {
            groupName: group.name,
            functionArn,
            instanceIds: named.map((i) => i.instanceId),
        });
        return named.length === 0 ? "retry" : named;
    }

    private byNamedPolicies(
        group: GroupState,
        candidates: readonly AsgInstance[],
        count: number,
        policies: readonly string[],
        perAz?: Map<string, number>,
    ): AsgInstance[] {
        const ordered = this.order(
            group,
            candidates,
            policies.filter((p) => !isLambdaArn(p)),
        );
        if (!perAz) return ordered.slice(0, count);
        const picked: AsgInstance[] = [];
        for (const [az, capacity] of perAz) {
            picked.push(...ordered.filter((i) => i.availabilityZone === az).slice(0, capacity));
        }
        return picked;
    }

    /** Candidates sorted by the policies in order, each breaking the previous one's ties; random last. */
    private order(
        group: GroupState,
        candidates: readonly AsgInstance[],
        policies: readonly string[],
    ): AsgInstance[] {
        const current = this.currentVersion(group);
        const now = this.ctx.clock.now();
        const tieBreak = new Map(candidates.map((i) => [i.instanceId, this.ctx.random.next()]));
        const keys: ((i: AsgInstance) => number)[] = [];
        for (const policy of policies.length > 0 ? policies : ["Default"]) {
            switch (policy) {
                case "OldestInstance":
                    keys.push((i) => i.launchedAt);
                    break;
                case "NewestInstance":
                    keys.push((i) => -i.launchedAt);
                    break;
                case "ClosestToNextInstanceHour":
                    keys.push((i) => 3_600_000 - ((now - i.launchedAt) % 3_600_000));
                    break;
                default:
                    // Default, OldestLaunchTemplate, OldestLaunchConfiguration, AllocationStrategy:
                    // instances not on the current launch template version go first, oldest version first.
                    keys.push((i) =>
                        i.launchTemplateVersion === current
                            ? Number.MAX_SAFE_INTEGER
                            : i.launchTemplateVersion,
                    );
            }
        }
        keys.push((i) => tieBreak.get(i.instanceId)!);
        return [...candidates].sort((a, b) => {
            for (const key of keys) {
                const d = key(a) - key(b);
                if (d !== 0) return d;
            }
            return 0;
        });
    }
}
