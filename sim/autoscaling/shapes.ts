/**
 * Auto Scaling API output shapes as `@aws-sdk/client-auto-scaling` types them, built from state.
 * Note the API's own inconsistency: group instances say HealthStatus "Healthy",
 * DescribeAutoScalingInstances says "HEALTHY".
 */
import type {
    AutoScalingGroup,
    AutoScalingInstanceDetails,
    Instance,
    InstanceRefresh,
    LifecycleHook,
    ScalingPolicy,
} from "@aws-sdk/client-auto-scaling";
import { globalTimeoutSeconds } from "./hooks";
import { tagDescriptions } from "./tags";
import type {
    AsgInstance,
    GroupState,
    InstanceRefreshState,
    LifecycleHookState,
    ScalingPolicyState,
} from "./state";

function launchTemplateShape(instance: AsgInstance) {
    return {
        LaunchTemplateId: instance.launchTemplate.launchTemplateId,
        LaunchTemplateName: instance.launchTemplate.launchTemplateName,
        Version: instance.launchTemplate.version,
    };
}

function groupInstanceShape(instance: AsgInstance): Instance {
    return {
        InstanceId: instance.instanceId,
        InstanceType: instance.instanceType,
        AvailabilityZone: instance.availabilityZone,
        LifecycleState: instance.lifecycleState,
        HealthStatus: "Healthy",
        LaunchTemplate: launchTemplateShape(instance),
        ProtectedFromScaleIn: instance.protectedFromScaleIn,
    };
}

export function groupShape(group: GroupState): AutoScalingGroup {
    const mixed = group.mixedInstances;
    return {
        AutoScalingGroupName: group.name,
        AutoScalingGroupARN: group.arn,
        LaunchTemplate: mixed
            ? undefined
            : {
                  LaunchTemplateId: group.launchTemplate.launchTemplateId,
                  LaunchTemplateName: group.launchTemplate.launchTemplateName,
                  Version: group.launchTemplate.version,
              },
        MixedInstancesPolicy: mixed
            ? {
                  LaunchTemplate: {
                      LaunchTemplateSpecification: {
                          LaunchTemplateId: group.launchTemplate.launchTemplateId,
                          LaunchTemplateName: group.launchTemplate.launchTemplateName,
                          Version: group.launchTemplate.version,
                      },
                      Overrides: mixed.instanceTypes.map((t) => ({ InstanceType: t })),
                  },
                  InstancesDistribution: {
                      OnDemandBaseCapacity: mixed.onDemandBaseCapacity,
                      OnDemandPercentageAboveBaseCapacity: mixed.onDemandPercentageAboveBaseCapacity,
                      OnDemandAllocationStrategy: "prioritized",
                      SpotAllocationStrategy: "lowest-price",
                  },
              }
            : undefined,
        MinSize: group.minSize,
        MaxSize: group.maxSize,
        DesiredCapacity: group.desiredCapacity,
        DefaultCooldown: group.defaultCooldown,
        AvailabilityZones: [...group.availabilityZones],
        LoadBalancerNames: [],
        TargetGroupARNs: [],
        HealthCheckType: "EC2",
        HealthCheckGracePeriod: group.healthCheckGracePeriod,
        Instances: [...group.instances.values()].map(groupInstanceShape),
        CreatedTime: new Date(group.createdAt),
        SuspendedProcesses: [],
        EnabledMetrics: [],
        Tags: tagDescriptions(group),
        TerminationPolicies: [...group.terminationPolicies],
        NewInstancesProtectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
        DefaultInstanceWarmup: group.defaultInstanceWarmup,
        InstanceLifecyclePolicy: group.retainOnAbandon
            ? { RetentionTriggers: { TerminateHookAbandon: "retain" } }
            : undefined,
        ServiceLinkedRoleARN: group.arn.replace(
            /^arn:aws:autoscaling:[^:]+:(\d+):.*$/,
            "arn:aws:iam::$1:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        ),
    };
}

export function instanceDetailsShape(group: GroupState, instance: AsgInstance): AutoScalingInstanceDetails {
    return {
        InstanceId: instance.instanceId,
        InstanceType: instance.instanceType,
        AutoScalingGroupName: group.name,
        AvailabilityZone: instance.availabilityZone,
        LifecycleState: instance.lifecycleState,
        HealthStatus: "HEALTHY",
        LaunchTemplate: launchTemplateShape(instance),
        ProtectedFromScaleIn: instance.protectedFromScaleIn,
    };
}

export function hookShape(group: GroupState, hook: LifecycleHookState): LifecycleHook {
    return {
        LifecycleHookName: hook.name,
        AutoScalingGroupName: group.name,
        LifecycleTransition: hook.transition,
        NotificationTargetARN: hook.notificationTargetArn,
        RoleARN: hook.roleArn,
        NotificationMetadata: hook.notificationMetadata,
        HeartbeatTimeout: hook.heartbeatTimeout,
        GlobalTimeout: globalTimeoutSeconds(hook.heartbeatTimeout),
        DefaultResult: hook.defaultResult,
    };
}

export function policyShape(policy: ScalingPolicyState): ScalingPolicy {
    const tracking = policy.targetTracking;
    return {
        AutoScalingGroupName: policy.groupName,
        PolicyName: policy.name,
        PolicyARN: policy.arn,
        PolicyType: policy.type,
        AdjustmentType: policy.adjustmentType,
        ScalingAdjustment: policy.scalingAdjustment,
        Cooldown: policy.cooldown,
        MinAdjustmentMagnitude: policy.minAdjustmentMagnitude,
        EstimatedInstanceWarmup: tracking ? tracking.instanceWarmupSeconds : policy.estimatedInstanceWarmup,
        MetricAggregationType: policy.type === "StepScaling" ? policy.metricAggregationType : undefined,
        StepAdjustments: policy.stepAdjustments.map((s) => ({
            MetricIntervalLowerBound: s.lower,
            MetricIntervalUpperBound: s.upper,
            ScalingAdjustment: s.adjustment,
        })),
        TargetTrackingConfiguration: tracking
            ? {
                  CustomizedMetricSpecification: {
                      MetricName: tracking.metricName,
                      Namespace: tracking.namespace,
                      Dimensions: tracking.dimensions.map((d) => ({ Name: d.Name, Value: d.Value })),
                      Statistic: tracking.statistic,
                  },
                  TargetValue: tracking.targetValue,
                  DisableScaleIn: false,
              }
            : undefined,
        Alarms: (tracking?.alarms ?? []).map((a) => ({ AlarmName: a.name, AlarmARN: a.arn })),
        Enabled: true,
    };
}

export function refreshShape(
    refresh: InstanceRefreshState,
    percentageComplete: number,
    instancesToUpdate: number,
): InstanceRefresh {
    return {
        InstanceRefreshId: refresh.id,
        AutoScalingGroupName: refresh.groupName,
        Status: refresh.status,
        StatusReason: refresh.statusReason,
        StartTime: new Date(refresh.startTime),
        EndTime: refresh.endTime === undefined ? undefined : new Date(refresh.endTime),
        PercentageComplete: percentageComplete,
        InstancesToUpdate: instancesToUpdate,
        Preferences: {
            MinHealthyPercentage: refresh.minHealthyPercentage,
            MaxHealthyPercentage: refresh.maxHealthyPercentage,
            InstanceWarmup: refresh.instanceWarmupSeconds,
            SkipMatching: refresh.skipMatching,
            ScaleInProtectedInstances: refresh.scaleInProtectedInstances,
        },
        DesiredConfiguration: {
            LaunchTemplate: {
                LaunchTemplateId: refresh.desiredLaunchTemplate.launchTemplateId,
                LaunchTemplateName: refresh.desiredLaunchTemplate.launchTemplateName,
                Version: refresh.desiredLaunchTemplate.version,
            },
        },
    };
}
