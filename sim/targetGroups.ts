/**
 * Elastic Load Balancing target groups, as far as ECS's task lifecycle depends on them. A task of
 * a service with a load balancer is deregistered from its target groups when it is told to stop,
 * and stays DEACTIVATING until that deregistration is complete (ECS developer guide, "Amazon ECS
 * task lifecycle"); the load balancer keeps a deregistering target draining for the group's
 * deregistration delay, 300 s unless configured (ELB user guide for ALBs, "Deregistration
 * delay"). Inferred: the whole delay is spent even with no open connections, as the target's
 * state reads `draining` until the delay expires.
 *
 * The region does not serve the ELBv2 API: target groups are created by the deployment (as Pulumi
 * would create them) through `create`.
 */
import { AwsError } from "./errors";
import type { RegionContext } from "./types";

/** ELBv2's default deregistration delay. */
export const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300;

export interface TargetGroup {
    readonly arn: string;
    readonly name: string;
    readonly deregistrationDelaySeconds: number;
}

export class TargetGroups {
    private readonly groups = new Map<string, TargetGroup>();

    constructor(private readonly ctx: Pick<RegionContext, "region" | "accountId" | "random">) {}

    /** A target group (ELBv2 allows 0–3600 s of deregistration delay); returns its ARN. */
    create(name: string, deregistrationDelaySeconds = DEFAULT_DEREGISTRATION_DELAY_SECONDS): string {
        if (!/^[A-Za-z0-9-]{1,32}$/.test(name) || name.startsWith("-") || name.endsWith("-")) {
            throw new Error(`target group name: 1–32 letters, digits or inner hyphens, got "${name}"`);
        }
        const delay = deregistrationDelaySeconds;
        if (!Number.isInteger(delay) || delay < 0 || delay > 3600) {
            throw new Error(`deregistrationDelaySeconds: expected an integer from 0 to 3600, got ${delay}`);
        }
        const arn = `arn:aws:elasticloadbalancing:${this.ctx.region}:${this.ctx.accountId}:targetgroup/${name}/${this.ctx.random.hex(16)}`;
        this.groups.set(arn, { arn, name, deregistrationDelaySeconds });
        return arn;
    }

    /** The group ECS is asked to register a service's tasks with; ECS rejects an unknown one. */
    get(arn: string): TargetGroup {
        const group = this.groups.get(arn);
        if (!group) {
            throw new AwsError(
                "InvalidParameterException",
                `The target group with targetGroupArn ${arn} does not exist.`,
            );
        }
        return group;
    }
}
