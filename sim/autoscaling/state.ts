/**
 * Auto Scaling state: groups, their instances, lifecycle hooks and actions, scaling policies and
 * instance refreshes, as plain records the other Auto Scaling files read and change.
 */
import type { MarketOption } from "../ec2";

export type LifecycleState =
    | "Pending"
    | "Pending:Wait"
    | "Pending:Proceed"
    | "InService"
    | "Terminating"
    | "Terminating:Wait"
    | "Terminating:Proceed"
    | "Terminating:Retained"
    | "Terminated";

/** States that count toward the group's capacity. */
export const CAPACITY_STATES: readonly LifecycleState[] = [
    "Pending",
    "Pending:Wait",
    "Pending:Proceed",
    "InService",
];

export type TerminationCause = "SCALE_IN" | "INSTANCE_REFRESH" | "MAX_INSTANCE_LIFETIME" | "REBALANCE";

export interface LaunchTemplateRef {
    readonly launchTemplateId: string;
    readonly launchTemplateName: string;
    /** As the group holds it: a number, "$Latest" or "$Default". */
    readonly version: string;
}

export interface MixedInstancesState {
    /** Instance types in priority order (on-demand uses the first, Spot the cheapest). */
    readonly instanceTypes: readonly string[];
    readonly onDemandBaseCapacity: number;
    readonly onDemandPercentageAboveBaseCapacity: number;
}

export interface AsgInstance {
    readonly instanceId: string;
    readonly instanceType: string;
    readonly availabilityZone: string;
    readonly launchTemplate: LaunchTemplateRef;
    /** The concrete launch template version it was launched from. */
    readonly launchTemplateVersion: number;
    readonly market: MarketOption;
    readonly launchedAt: number;
    lifecycleState: LifecycleState;
    inServiceAt?: number;
    protectedFromScaleIn: boolean;
}

export interface LifecycleHookState {
    readonly name: string;
    readonly transition: "autoscaling:EC2_INSTANCE_LAUNCHING" | "autoscaling:EC2_INSTANCE_TERMINATING";
    readonly notificationTargetArn?: string;
    readonly roleArn?: string;
    readonly notificationMetadata?: string;
    readonly heartbeatTimeout: number;
    readonly defaultResult: "CONTINUE" | "ABANDON";
}

export interface LifecycleAction {
    readonly token: string;
    readonly groupName: string;
    readonly hookName: string;
    readonly instanceId: string;
    readonly startedAt: number;
    /** min(48 h, 100 × heartbeat timeout) after the start: heartbeats cannot extend past it. */
    readonly globalDeadline: number;
    heartbeatDeadline: number;
    timer?: number;
    result?: "CONTINUE" | "ABANDON";
}

export interface StepAdjustmentState {
    readonly lower?: number;
    readonly upper?: number;
    readonly adjustment: number;
}

/** A target tracking policy's configuration, with the alarms AWS created for it. */
export interface TargetTrackingState {
    readonly targetValue: number;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
    readonly statistic: "Average";
    readonly instanceWarmupSeconds: number;
    readonly alarms: readonly { readonly name: string; readonly arn: string }[];
    /** When the policy last raised the desired capacity (scale-in waits after it). */
    lastScaleOutAt?: number;
}

export interface ScalingPolicyState {
    readonly name: string;
    readonly arn: string;
    readonly groupName: string;
    readonly type: "SimpleScaling" | "StepScaling" | "TargetTrackingScaling";
    /** Simple and step scaling only (the API requires it for them). */
    readonly adjustmentType?: "ChangeInCapacity" | "ExactCapacity" | "PercentChangeInCapacity";
    readonly targetTracking?: TargetTrackingState;
    readonly scalingAdjustment?: number;
    readonly stepAdjustments: readonly StepAdjustmentState[];
    readonly cooldown?: number;
    readonly minAdjustmentMagnitude?: number;
    readonly estimatedInstanceWarmup?: number;
    readonly metricAggregationType: string;
}

export type ScaleInProtectedInstances = "Refresh" | "Ignore" | "Wait";

export interface InstanceRefreshState {
    readonly id: string;
    readonly groupName: string;
    readonly startTime: number;
    readonly minHealthyPercentage: number;
    readonly maxHealthyPercentage: number;
    readonly instanceWarmupSeconds: number;
    readonly skipMatching: boolean;
    /** What to do with instances protected from scale-in (RefreshPreferences.ScaleInProtectedInstances). */
    readonly scaleInProtectedInstances: ScaleInProtectedInstances;
    readonly desiredLaunchTemplate: LaunchTemplateRef;
    /** The instances the refresh must replace (decided when it starts). */
    readonly toReplace: Set<string>;
    readonly totalToReplace: number;
    status: "Pending" | "InProgress" | "Successful" | "Failed" | "Cancelling" | "Cancelled";
    statusReason?: string;
    endTime?: number;
    choosing: boolean;
    timer?: number;
    /** Since when protected instances alone have held the refresh up (the "Wait" preference's hour). */
    heldByProtectedSince?: number;
}

export interface GroupTag {
    readonly key: string;
    readonly value: string;
    readonly propagateAtLaunch: boolean;
}

export interface GroupState {
    readonly name: string;
    readonly arn: string;
    readonly createdAt: number;
    minSize: number;
    maxSize: number;
    desiredCapacity: number;
    availabilityZones: string[];
    launchTemplate: LaunchTemplateRef;
    mixedInstances?: MixedInstancesState;
    terminationPolicies: string[];
    /** instanceLifecyclePolicy.RetentionTriggers.TerminateHookAbandon === "retain". */
    retainOnAbandon: boolean;
    defaultCooldown: number;
    healthCheckGracePeriod: number;
    defaultInstanceWarmup?: number;
    newInstancesProtectedFromScaleIn: boolean;
    readonly tags: readonly GroupTag[];
    readonly instances: Map<string, AsgInstance>;
    readonly hooks: Map<string, LifecycleHookState>;
    readonly policies: Map<string, ScalingPolicyState>;
    readonly refreshes: InstanceRefreshState[];
    cooldownEndsAt: number;
    scaleInInFlight: boolean;
    reconcileTimer?: number;
}

export function capacityInstances(group: GroupState): AsgInstance[] {
    return [...group.instances.values()].filter((i) => CAPACITY_STATES.includes(i.lifecycleState));
}

export function activeRefresh(group: GroupState): InstanceRefreshState | undefined {
    return group.refreshes.find((r) => r.status === "Pending" || r.status === "InProgress");
}
