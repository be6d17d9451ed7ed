/**
 * The Auto Scaling model: groups and their parts (capacity loop, lifecycle actions, termination
 * policies, scaling policies, instance refresh), serving the API (operations.ts) and the alarm
 * action `executePolicyByArn`.
 */
import type { Ec2Fleet } from "../ec2";
import { AwsError } from "../errors";
import type { AutoScalingInternal, RegionContext, ServiceModel } from "../types";
import { DEFAULT_AUTOSCALING_TIMINGS, GroupLifecycle, type AutoScalingTimings } from "./groups";
import { LifecycleActions } from "./hooks";
import { InstanceRefreshes } from "./instanceRefresh";
import { autoScalingOperations, type AutoScalingOperation } from "./operations";
import { ScalingPolicies } from "./policies";
import type { GroupState, ScalingPolicyState } from "./state";
import { TerminationPolicies } from "./terminationPolicy";

export class AutoScalingModel implements ServiceModel, AutoScalingInternal {
    readonly service = "autoscaling" as const;
    readonly operations: readonly string[];
    readonly groups = new Map<string, GroupState>();
    readonly actions: LifecycleActions;
    readonly termination: TerminationPolicies;
    readonly lifecycle: GroupLifecycle;
    readonly policies: ScalingPolicies;
    readonly refreshes: InstanceRefreshes;
    /** API calls answered with an injected fault so far, by error code. */
    readonly injectedFaults: Record<string, number> = {};
    private readonly handlers: Readonly<Record<string, AutoScalingOperation>>;

    constructor(
        readonly ctx: RegionContext,
        readonly ec2: Ec2Fleet,
        timings: Partial<AutoScalingTimings> = {},
    ) {
        const t = { ...DEFAULT_AUTOSCALING_TIMINGS, ...timings };
        this.actions = new LifecycleActions(ctx);
        this.termination = new TerminationPolicies(
            ctx,
            (g) =>
                ec2.resolveVersion(g.launchTemplate.launchTemplateId, g.launchTemplate.version).versionNumber,
        );
        this.lifecycle = new GroupLifecycle(ctx, ec2, this.actions, this.termination, t);
        this.policies = new ScalingPolicies(ctx, (g) => this.lifecycle.requestReconcile(g));
        this.refreshes = new InstanceRefreshes(ctx, ec2, this.lifecycle, this.termination, t.refreshCheckMs);
        this.lifecycle.onChange = (g) => this.refreshes.check(g);
        this.handlers = autoScalingOperations(this);
        this.operations = Object.keys(this.handlers);
    }

    call(operation: string, input: Record<string, unknown>): unknown {
        const handler = this.handlers[operation];
        if (!handler)
            throw new AwsError("InvalidAction", `The action ${operation} is not valid for this web service.`);
        return handler(input ?? {});
    }

    /**
     * The faults a run switched on, for one API call (not the harness's set-up): `Throttling`, the
     * code Auto Scaling's query API answers "Rate exceeded" with (HTTP 400, as SDKs log it:
     * aws/aws-sdk-go#3119), and `ResourceContentionFault`, which every served operation declares
     * (HTTP 500, sender fault: "You already have a pending update to an Amazon EC2 Auto Scaling
     * resource"). Either rejects the call before it changes anything.
     */
    injectApiFaults(operation: string): void {
        if (!this.handlers[operation]) return;
        if (this.ctx.faultFires("autoscalingThrottleRate", { service: "autoscaling", operation })) {
            this.injected("Throttling");
            throw new AwsError("Throttling", "Rate exceeded");
        }
        if (this.ctx.faultFires("resourceContentionRate", { service: "autoscaling", operation })) {
            this.injected("ResourceContention");
            throw new AwsError(
                "ResourceContention",
                "You already have a pending update to an Amazon EC2 Auto Scaling resource (for example, an Auto Scaling group, instance, or load balancer).",
                500,
                "Sender",
            );
        }
    }

    policyByArn(policyArn: string): ScalingPolicyState | undefined {
        for (const group of this.groups.values()) {
            for (const policy of group.policies.values()) if (policy.arn === policyArn) return policy;
        }
        return undefined;
    }

    private injected(code: string): void {
        this.injectedFaults[code] = (this.injectedFaults[code] ?? 0) + 1;
    }

    executePolicyByArn(policyArn: string, alarmValue: number, breachThreshold?: number): void {
        const policy = this.policyByArn(policyArn);
        if (!policy) {
            this.ctx.record("autoscaling.alarmAction.unknownPolicy", { policyArn });
            return;
        }
        this.policies.execute(this.groups.get(policy.groupName)!, policy, {
            metricValue: alarmValue,
            breachThreshold,
            honorCooldown: true,
            source: "alarm",
        });
    }
}
