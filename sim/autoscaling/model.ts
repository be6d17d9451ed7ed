/**
 * The Auto Scaling model: groups and their parts (capacity loop, lifecycle actions, termination
 * policies, scaling policies, instance refresh), serving the API (operations.ts), the alarm
 * action `executePolicyByArn`, and what ECS's capacity providers use (the API with ECS's
 * service-linked role, and the target tracking policy of managed scaling: targetTracking.ts).
 */
import type { Ec2Fleet } from "../ec2";
import { AwsError } from "../errors";
import type {
    AutoScalingInternal,
    GroupForCapacityProvider,
    GroupInstanceForCapacityProvider,
    ManagedTargetTrackingSpec,
    RegionContext,
    ServiceModel,
} from "../types";
import { DEFAULT_AUTOSCALING_TIMINGS, GroupLifecycle, type AutoScalingTimings } from "./groups";
import { LifecycleActions } from "./hooks";
import { InstanceRefreshes } from "./instanceRefresh";
import { autoScalingOperations, type AutoScalingOperation } from "./operations";
import { ScalingPolicies } from "./policies";
import type { GroupState, ScalingPolicyState } from "./state";
import { targetTrackingAlarmInputs } from "./targetTracking";
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

    serviceCall(operation: string, input: Record<string, unknown>): unknown {
        return this.call(operation, input);
    }

    groupForCapacityProvider(groupArn: string): GroupForCapacityProvider | undefined {
        const group = [...this.groups.values()].find((g) => g.arn === groupArn);
        if (!group) return undefined;
        const overrides = group.mixedInstances?.instanceTypes ?? [];
        const template = group.launchTemplate;
        return {
            name: group.name,
            arn: group.arn,
            newInstancesProtectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
            instanceTypes:
                overrides.length > 0
                    ? overrides
                    : [this.ec2.resolveVersion(template.launchTemplateId, template.version).instanceType],
        };
    }

    groupInstance(instanceId: string): GroupInstanceForCapacityProvider | undefined {
        const group = this.lifecycle.groupOf(instanceId);
        const instance = group?.instances.get(instanceId);
        if (!group || !instance) return undefined;
        return {
            groupName: group.name,
            groupArn: group.arn,
            lifecycleState: instance.lifecycleState,
            protectedFromScaleIn: instance.protectedFromScaleIn,
        };
    }

    putManagedTargetTracking(spec: ManagedTargetTrackingSpec): string {
        const group = this.groups.get(spec.groupName);
        if (!group)
            throw new AwsError("ValidationError", `AutoScalingGroup name not found - ${spec.groupName}`);
        const arn = `arn:aws:autoscaling:${this.ctx.region}:${this.ctx.accountId}:scalingPolicy:${this.uuid()}:autoScalingGroupName/${group.name}:policyName/${spec.policyName}`;
        const alarms = targetTrackingAlarmInputs(spec, arn, () => this.uuid()).map((input) => ({
            name: String(input.AlarmName),
            arn: this.ctx.cloudwatch.putServiceAlarm(input),
        }));
        group.policies.set(spec.policyName, {
            name: spec.policyName,
            arn,
            groupName: group.name,
            type: "TargetTrackingScaling",
            stepAdjustments: [],
            metricAggregationType: "Average",
            targetTracking: {
                targetValue: spec.targetValue,
                namespace: spec.namespace,
                metricName: spec.metricName,
                dimensions: spec.dimensions,
                statistic: "Average",
                instanceWarmupSeconds: spec.instanceWarmupSeconds,
                alarms,
            },
        });
        this.ctx.record("autoscaling.targetTracking.put", {
            groupName: group.name,
            policy: spec.policyName,
            targetValue: spec.targetValue,
            alarms: alarms.map((a) => a.name),
        });
        return arn;
    }

    deleteManagedTargetTracking(groupName: string, policyName: string): void {
        const policy = this.groups.get(groupName)?.policies.get(policyName);
        if (!policy) return;
        this.ctx.cloudwatch.deleteServiceAlarms((policy.targetTracking?.alarms ?? []).map((a) => a.name));
        this.groups.get(groupName)!.policies.delete(policyName);
    }

    private uuid(): string {
        const h = this.ctx.random.hex(32);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
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
