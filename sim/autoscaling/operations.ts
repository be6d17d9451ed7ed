/**
 * The Auto Scaling API operations, with `@aws-sdk/client-auto-scaling` input and output shapes,
 * the documented defaults and limits, and Auto Scaling's error codes (ValidationError,
 * AlreadyExists, ScalingActivityInProgress, InstanceRefreshInProgress).
 */
import { AwsError } from "../errors";
import { InputReader, paginate } from "../ecs/input";
import type { AutoScalingModel } from "./model";
import { groupShape, hookShape, instanceDetailsShape, policyShape, refreshShape } from "./shapes";
import {
    type GroupState,
    type LaunchTemplateRef,
    type LifecycleHookState,
    type MixedInstancesState,
    type ScalingPolicyState,
} from "./state";
import { readGroupFilters, readTags } from "./tags";
import { isValidTerminationPolicy } from "./terminationPolicy";

export type AutoScalingOperation = (input: Record<string, unknown>) => unknown;

const VALIDATION = "ValidationError";

/** Auto Scaling's answer to a NextToken it did not issue (the InvalidNextToken error its list operations declare). */
function invalidNextToken(): never {
    throw new AwsError("InvalidNextToken", "The NextToken value is not valid.");
}
const TRANSITIONS = ["autoscaling:EC2_INSTANCE_LAUNCHING", "autoscaling:EC2_INSTANCE_TERMINATING"] as const;

export function autoScalingOperations(model: AutoScalingModel): Record<string, AutoScalingOperation> {
    const { ctx, groups } = model;
    const reader = (input: Record<string, unknown>) => new InputReader(input, VALIDATION);

    function group(name: string): GroupState {
        const found = groups.get(name);
        if (!found) throw new AwsError(VALIDATION, `AutoScalingGroup name not found - ${name}`);
        return found;
    }

    function launchTemplateRef(
        r: InputReader,
        spec: Record<string, unknown>,
        field: string,
    ): LaunchTemplateRef {
        const sr: InputReader = r.nested(field, spec);
        const idOrName = sr.optionalString("LaunchTemplateId") ?? sr.optionalString("LaunchTemplateName");
        if (idOrName === undefined) sr.fail(`${field}: LaunchTemplateId or LaunchTemplateName is required`);
        const template = model.ec2.launchTemplate(idOrName);
        const version = sr.optionalString("Version") ?? "$Default";
        model.ec2.resolveVersion(template.id, version);
        return { launchTemplateId: template.id, launchTemplateName: template.name, version };
    }

    function mixedInstances(
        r: InputReader,
        raw: Record<string, unknown>,
    ): { template: LaunchTemplateRef; mixed: MixedInstancesState } {
        const mr: InputReader = r.nested("MixedInstancesPolicy", raw);
        const lt = mr.optionalObject("LaunchTemplate");
        if (!lt) mr.fail("MixedInstancesPolicy.LaunchTemplate: a value is required");
        const ltr: InputReader = mr.nested("LaunchTemplate", lt);
        const spec = ltr.optionalObject("LaunchTemplateSpecification");
        if (!spec)
            ltr.fail("MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification: a value is required");
        const template = launchTemplateRef(ltr, spec, "LaunchTemplateSpecification");
        const overrides = ltr.optionalObjectList("Overrides") ?? [];
        const instanceTypes = overrides.map((o, i) =>
            ltr.nested(`Overrides[${i}]`, o).string("InstanceType"),
        );
        const distribution = mr.optionalObject("InstancesDistribution") ?? {};
        const dr: InputReader = mr.nested("InstancesDistribution", distribution);
        return {
            template,
            mixed: {
                instanceTypes,
                onDemandBaseCapacity: dr.optionalInt("OnDemandBaseCapacity", 0, 100000) ?? 0,
                onDemandPercentageAboveBaseCapacity:
                    dr.optionalInt("OnDemandPercentageAboveBaseCapacity", 0, 100) ?? 100,
            },
        };
    }

    function terminationPolicies(r: InputReader): string[] | undefined {
        const policies = r.optionalStringList("TerminationPolicies");
        if (!policies) return undefined;
        for (const p of policies) {
            if (!isValidTerminationPolicy(p))
                r.fail(`TerminationPolicies: ${p} is neither a named policy nor a Lambda function ARN`);
        }
        const lambdaIndex = policies.findIndex((p) => p.startsWith("arn:"));
        if (lambdaIndex > 0)
            r.fail("TerminationPolicies: a Lambda function must be the first termination policy");
        if (policies.filter((p) => p.startsWith("arn:")).length > 1)
            r.fail("TerminationPolicies: only one Lambda function is allowed");
        return policies;
    }

    function retention(r: InputReader): boolean | undefined {
        const policy = r.optionalObject("InstanceLifecyclePolicy");
        if (!policy) return undefined;
        const pr: InputReader = r.nested("InstanceLifecyclePolicy", policy);
        const triggers = pr.optionalObject("RetentionTriggers") ?? {};
        const action = pr
            .nested("RetentionTriggers", triggers)
            .optionalEnum("TerminateHookAbandon", ["retain", "terminate"] as const);
        return action === "retain";
    }

    function checkSizes(min: number, max: number, desired: number): void {
        if (min > max)
            throw new AwsError(
                VALIDATION,
                `Max bound, ${max}, must be greater than or equal to min bound, ${min}`,
            );
        if (desired < min || desired > max) {
            throw new AwsError(
                VALIDATION,
                `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
            );
        }
    }

    function availabilityZones(r: InputReader): string[] | undefined {
        const zones = r.optionalStringList("AvailabilityZones");
        if (zones && zones.length > 0) return zones;
        const subnets = r.optionalString("VPCZoneIdentifier");
        if (subnets === undefined) return undefined;
        // Subnets are not modelled: the n-th subnet of the list stands for the region's n-th AZ.
        return subnets.split(",").map((_, i) => `${ctx.region}${String.fromCharCode(97 + i)}`);
    }

    function putHook(g: GroupState, r: InputReader, existing?: LifecycleHookState): LifecycleHookState {
        const transition = r.optionalEnum("LifecycleTransition", TRANSITIONS) ?? existing?.transition;
        if (!transition) r.fail(`LifecycleTransition: expected one of ${TRANSITIONS.join(", ")}`);
        const hook: LifecycleHookState = {
            name: r.string("LifecycleHookName"),
            transition,
            notificationTargetArn:
                r.optionalString("NotificationTargetARN") ?? existing?.notificationTargetArn,
            roleArn: r.optionalString("RoleARN") ?? existing?.roleArn,
            notificationMetadata: r.optionalString("NotificationMetadata") ?? existing?.notificationMetadata,
            heartbeatTimeout:
                r.optionalInt("HeartbeatTimeout", 30, 7200) ?? existing?.heartbeatTimeout ?? 3600,
            defaultResult:
                r.optionalEnum("DefaultResult", ["CONTINUE", "ABANDON"] as const) ??
                existing?.defaultResult ??
                "ABANDON",
        };
        g.hooks.set(hook.name, hook);
        ctx.record("autoscaling.hook.put", {
            groupName: g.name,
            hookName: hook.name,
            heartbeatTimeout: hook.heartbeatTimeout,
        });
        if (hook.notificationTargetArn && hook.notificationTargetArn !== existing?.notificationTargetArn) {
            model.actions.sendTestNotification(g, hook);
        }
        return hook;
    }

    return {
        CreateAutoScalingGroup(input) {
            const r: InputReader = reader(input);
            const name = r.string("AutoScalingGroupName");
            if (name.length > 255) r.fail("AutoScalingGroupName: at most 255 characters");
            if (groups.has(name)) {
                throw new AwsError(
                    "AlreadyExists",
                    `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`,
                );
            }
            const minSize = r.int("MinSize", 0, 100000);
            const maxSize = r.int("MaxSize", 0, 100000);
            const desired = r.optionalInt("DesiredCapacity", 0, 100000) ?? minSize;
            checkSizes(minSize, maxSize, desired);
            const zones = availabilityZones(r);
            if (!zones)
                r.fail(
                    "AvailabilityZones: at least one Availability Zone or VPCZoneIdentifier subnet is required",
                );
            const lt = r.optionalObject("LaunchTemplate");
            const mixedRaw = r.optionalObject("MixedInstancesPolicy");
            if (!lt && !mixedRaw)
                r.fail("LaunchTemplate: a LaunchTemplate or MixedInstancesPolicy is required");
            const mixed = mixedRaw ? mixedInstances(r, mixedRaw) : undefined;
            const h = ctx.random.hex(32);
            const g: GroupState = {
                name,
                arn: `arn:aws:autoscaling:${ctx.region}:${ctx.accountId}:autoScalingGroup:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}:autoScalingGroupName/${name}`,
                createdAt: ctx.clock.now(),
                minSize,
                maxSize,
                desiredCapacity: desired,
                availabilityZones: zones,
                launchTemplate: mixed ? mixed.template : launchTemplateRef(r, lt!, "LaunchTemplate"),
                mixedInstances: mixed?.mixed,
                terminationPolicies: terminationPolicies(r) ?? ["Default"],
                retainOnAbandon: retention(r) ?? false,
                defaultCooldown: r.optionalInt("DefaultCooldown", 0, 86400) ?? 300,
                healthCheckGracePeriod: r.optionalInt("HealthCheckGracePeriod", 0, 86400) ?? 0,
                defaultInstanceWarmup: r.optionalInt("DefaultInstanceWarmup", -1, 86400),
                newInstancesProtectedFromScaleIn:
                    r.optionalBoolean("NewInstancesProtectedFromScaleIn") ?? false,
                tags: readTags(r),
                instances: new Map(),
                hooks: new Map(),
                policies: new Map(),
                refreshes: [],
                cooldownEndsAt: 0,
                scaleInInFlight: false,
            };
            groups.set(name, g);
            for (const [i, spec] of (
                r.optionalObjectList("LifecycleHookSpecificationList") ?? []
            ).entries()) {
                putHook(g, r.nested(`LifecycleHookSpecificationList[${i}]`, spec));
            }
            ctx.record("autoscaling.group.created", { groupName: name, desired });
            model.lifecycle.requestReconcile(g, 0);
            return {};
        },

        UpdateAutoScalingGroup(input) {
            const r: InputReader = reader(input);
            const g = group(r.string("AutoScalingGroupName"));
            const minSize = r.optionalInt("MinSize", 0, 100000) ?? g.minSize;
            const maxSize = r.optionalInt("MaxSize", 0, 100000) ?? g.maxSize;
            let desired = r.optionalInt("DesiredCapacity", 0, 100000);
            if (desired === undefined) desired = Math.min(maxSize, Math.max(minSize, g.desiredCapacity));
            checkSizes(minSize, maxSize, desired);
            const lt = r.optionalObject("LaunchTemplate");
            if (lt) g.launchTemplate = launchTemplateRef(r, lt, "LaunchTemplate");
            const mixedRaw = r.optionalObject("MixedInstancesPolicy");
            if (mixedRaw) {
                const mixed = mixedInstances(r, mixedRaw);
                g.launchTemplate = mixed.template;
                g.mixedInstances = mixed.mixed;
            }
            g.availabilityZones = availabilityZones(r) ?? g.availabilityZones;
            g.terminationPolicies = terminationPolicies(r) ?? g.terminationPolicies;
            g.retainOnAbandon = retention(r) ?? g.retainOnAbandon;
            g.defaultCooldown = r.optionalInt("DefaultCooldown", 0, 86400) ?? g.defaultCooldown;
            g.healthCheckGracePeriod =
                r.optionalInt("HealthCheckGracePeriod", 0, 86400) ?? g.healthCheckGracePeriod;
            g.defaultInstanceWarmup =
                r.optionalInt("DefaultInstanceWarmup", -1, 86400) ?? g.defaultInstanceWarmup;
            g.newInstancesProtectedFromScaleIn =
                r.optionalBoolean("NewInstancesProtectedFromScaleIn") ?? g.newInstancesProtectedFromScaleIn;
            g.minSize = minSize;
            g.maxSize = maxSize;
            model.policies.setDesired(g, desired, "UpdateAutoScalingGroup", 0);
            model.lifecycle.requestReconcile(g);
            return {};
        },

        DescribeAutoScalingGroups(input) {
            const r: InputReader = reader(input);
            const names = r.optionalStringList("AutoScalingGroupNames");
            const filter = readGroupFilters(r);
            const pageSize = r.optionalInt("MaxRecords", 1, 100) ?? 50;
            const selected = [...groups.values()].filter(
                (g) => (!names || names.includes(g.name)) && filter(g),
            );
            const { page, nextToken } = paginate(
                selected,
                r.optionalString("NextToken"),
                pageSize,
                invalidNextToken,
            );
            return { AutoScalingGroups: page.map(groupShape), NextToken: nextToken };
        },

        DescribeAutoScalingInstances(input) {
            const r: InputReader = reader(input);
            const ids = r.optionalStringList("InstanceIds");
            if (ids && ids.length > 50) r.fail("InstanceIds: at most 50 instance IDs per call");
            const pageSize = r.optionalInt("MaxRecords", 1, 50) ?? 50;
            const all = [...groups.values()].flatMap((g) => [...g.instances.values()].map((i) => ({ g, i })));
            const selected = all.filter(({ i }) => !ids || ids.includes(i.instanceId));
            const { page, nextToken } = paginate(
                selected,
                r.optionalString("NextToken"),
                pageSize,
                invalidNextToken,
            );
            return {
                AutoScalingInstances: page.map(({ g, i }) => instanceDetailsShape(g, i)),
                NextToken: nextToken,
            };
        },

        SetDesiredCapacity(input) {
            const r: InputReader = reader(input);
            const g = group(r.string("AutoScalingGroupName"));
            const desired = r.int("DesiredCapacity", 0, 100000);
            if (desired > g.maxSize) {
                r.fail(
                    `New SetDesiredCapacity value ${desired} is above max value ${g.maxSize} for the AutoScalingGroup.`,
                );
            }
            if (desired < g.minSize) {
                r.fail(
                    `New SetDesiredCapacity value ${desired} is below min value ${g.minSize} for the AutoScalingGroup.`,
                );
            }
            if ((r.optionalBoolean("HonorCooldown") ?? false) && ctx.clock.now() < g.cooldownEndsAt) {
                throw new AwsError(
                    "ScalingActivityInProgress",
                    `The cooldown of group ${g.name} has not expired.`,
                );
            }
            model.policies.setDesired(g, desired, "SetDesiredCapacity", g.defaultCooldown);
            return {};
        },

        TerminateInstanceInAutoScalingGroup(input) {
            const r: InputReader = reader(input);
            const instanceId = r.string("InstanceId");
            const decrement = r.optionalBoolean("ShouldDecrementDesiredCapacity");
            if (decrement === undefined) r.fail("ShouldDecrementDesiredCapacity: a value is required");
            const g = model.lifecycle.groupOf(instanceId);
            const instance = g?.instances.get(instanceId);
            if (!g || !instance)
                r.fail(`Instance Id not found - No managed instance found for instance ID: ${instanceId}`);
            if (decrement) {
                if (g.desiredCapacity - 1 < g.minSize) {
                    r.fail(
                        `Currently, desiredSize equals minSize (${g.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
                    );
                }
                model.policies.setDesired(g, g.desiredCapacity - 1, "TerminateInstanceInAutoScalingGroup", 0);
            }
            model.lifecycle.beginTermination(g, instance, "USER_REQUEST");
            const h = ctx.random.hex(32);
            return {
                Activity: {
                    ActivityId: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
                    AutoScalingGroupName: g.name,
                    Description: `Terminating EC2 instance: ${instanceId}`,
                    Cause: `At ${new Date(ctx.clock.now()).toISOString()} instance ${instanceId} was taken out of service in response to a user request${decrement ? ", shrinking the capacity" : ""}.`,
                    StartTime: new Date(ctx.clock.now()),
                    StatusCode: "InProgress",
                    Progress: 0,
                    Details: JSON.stringify({ "Availability Zone": instance.availabilityZone }),
                },
            };
        },

        /**
         * API reference, SetInstanceProtection: up to 50 instance IDs; the flag is what scale-in
         * skips (groups.ts). Inferred wording for an instance the group does not hold.
         */
        SetInstanceProtection(input) {
            const r: InputReader = reader(input);
            const g = group(r.string("AutoScalingGroupName"));
            const ids = r.optionalStringList("InstanceIds");
            if (!ids || ids.length === 0) r.fail("InstanceIds: at least one instance ID is required");
            if (ids.length > 50) r.fail("InstanceIds: at most 50 instance IDs per call");
            const protect = r.optionalBoolean("ProtectedFromScaleIn");
            if (protect === undefined) r.fail("ProtectedFromScaleIn: a value is required");
            const instances = ids.map((id) => {
                const instance = g.instances.get(id);
                if (!instance) r.fail(`The instance ${id} is not part of Auto Scaling group ${g.name}.`);
                return instance;
            });
            for (const instance of instances) {
                if (instance.protectedFromScaleIn === protect) continue;
                instance.protectedFromScaleIn = protect;
                ctx.record("autoscaling.instance.protection", {
                    groupName: g.name,
                    instanceId: instance.instanceId,
                    protectedFromScaleIn: protect,
                });
            }
            model.lifecycle.requestReconcile(g);
            return {};
        },

        PutLifecycleHook(input) {
            const r: InputReader = reader(input);
            const g = group(r.string("AutoScalingGroupName"));
            const name = r.string("LifecycleHookName");
            if (!/^[A-Za-z0-9\-_/]{1,255}$/.test(name))
                r.fail("LifecycleHookName: 1 to 255 letters, digits, -, _ or /");
            putHook(g, r, g.hooks.get(name));
            return {};
        },

        DeleteLifecycleHook(input) {
            const r: InputReader = reader(input);
            const g = group(r.string("AutoScalingGroupName"));
            const name = r.string("LifecycleHookName");
            if (!g.hooks.delete(name))
                r.fail(`No Lifecycle Hook found with name ${name} for group ${g.name}`);
            return {};
        },

        DescribeLifecycleHooks(input) {
            const r: InputReader = reader(input);
            const g = group(r.string("AutoScalingGroupName"));
            const names = r.optionalStringList("LifecycleHookNames");
            const hooks = [...g.hooks.values()].filter((h) => !names || names.includes(h.name));
            return { LifecycleHooks: hooks.map((h) => hookShape(g, h)) };
        },

        CompleteLifecycleAction(input) {
            const r: InputReader = reader(input);
            const g = group(r.string("AutoScalingGroupName"));
            const hookName = r.string("LifecycleHookName");
            if (!g.hooks.has(hookName))
                r.fail(`No Lifecycle Hook found with name ${hookName} for group ${g.name}`);
            const result = r.optionalString("LifecycleActionResult");
            if (result !== "CONTINUE" && result !== "ABANDON") {
                r.fail(`LifecycleActionResult: expected CONTINUE or ABANDON, got ${String(result)}`);
            }
            const instanceId = r.optionalString("InstanceId");
            const token = r.optionalString("LifecycleActionToken");
            if (instanceId === undefined && token === undefined)
                r.fail("InstanceId or LifecycleActionToken is required");
            model.actions.complete(g, hookName, result, instanceId, token);
            return {};
        },

        RecordLifecycleActionHeartbeat(input) {
            const r: InputReader = reader(input);
            const g = group(r.string("AutoScalingGroupName"));
            const hookName = r.string("LifecycleHookName");
            const hook = g.hooks.get(hookName);
            if (!hook) r.fail(`No Lifecycle Hook found with name ${hookName} for group ${g.name}`);
            const instanceId = r.optionalString("InstanceId");
            const token = r.optionalString("LifecycleActionToken");
            if (instanceId === undefined && token === undefined)
                r.fail("InstanceId or LifecycleActionToken is required");
            model.actions.heartbeat(g, hook, instanceId, token);
            return {};
        },

        PutScalingPolicy(input) {
            const r: InputReader = reader(input);
            const g = group(r.string("AutoScalingGroupName"));
            const name = r.string("PolicyName");
            const type =
                r.optionalEnum("PolicyType", [
                    "SimpleScaling",
                    "StepScaling",
                    "TargetTrackingScaling",
                    "PredictiveScaling",
                ] as const) ?? "SimpleScaling";
            if (type !== "SimpleScaling" && type !== "StepScaling") {
                r.fail(`PolicyType: the simulated region models SimpleScaling and StepScaling, got ${type}`);
            }
            const adjustmentType = r.optionalEnum("AdjustmentType", [
                "ChangeInCapacity",
                "ExactCapacity",
                "PercentChangeInCapacity",
            ] as const);
            if (!adjustmentType)
                r.fail("AdjustmentType: expected ChangeInCapacity, ExactCapacity or PercentChangeInCapacity");
            const scalingAdjustment = r.optionalInt("ScalingAdjustment", -100000, 100000);
            if (type === "SimpleScaling" && scalingAdjustment === undefined) {
                r.fail("ScalingAdjustment: required for a SimpleScaling policy");
            }
            const steps = (r.optionalObjectList("StepAdjustments") ?? []).map((s, i) => {
                const sr: InputReader = r.nested(`StepAdjustments[${i}]`, s);
                return {
                    lower: sr.optionalNumber("MetricIntervalLowerBound"),
                    upper: sr.optionalNumber("MetricIntervalUpperBound"),
                    adjustment: sr.int("ScalingAdjustment", -100000, 100000),
                };
            });
            if (type === "StepScaling" && steps.length === 0)
                r.fail("StepAdjustments: required for a StepScaling policy");
            const h = ctx.random.hex(32);
            const policy: ScalingPolicyState = {
                name,
                arn: `arn:aws:autoscaling:${ctx.region}:${ctx.accountId}:scalingPolicy:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}:autoScalingGroupName/${g.name}:policyName/${name}`,
                groupName: g.name,
                type,
                adjustmentType,
                scalingAdjustment,
                stepAdjustments: steps,
                cooldown: r.optionalInt("Cooldown", 0, 86400),
                minAdjustmentMagnitude: r.optionalInt("MinAdjustmentMagnitude", 1, 100000),
                estimatedInstanceWarmup: r.optionalInt("EstimatedInstanceWarmup", 0, 86400),
                metricAggregationType:
                    r.optionalEnum("MetricAggregationType", ["Average", "Minimum", "Maximum"] as const) ??
                    "Average",
            };
            const previous = g.policies.get(name);
            g.policies.set(name, previous ? { ...policy, arn: previous.arn } : policy);
            return { PolicyARN: g.policies.get(name)!.arn, Alarms: [] };
        },

        DescribePolicies(input) {
            const r: InputReader = reader(input);
            const groupName = r.optionalString("AutoScalingGroupName");
            const names = r.optionalStringList("PolicyNames");
            const pageSize = r.optionalInt("MaxRecords", 1, 100) ?? 50;
            const policies = [...groups.values()]
                .filter((g) => groupName === undefined || g.name === groupName)
                .flatMap((g) => [...g.policies.values()])
                .filter((p) => !names || names.includes(p.name) || names.includes(p.arn));
            const { page, nextToken } = paginate(
                policies,
                r.optionalString("NextToken"),
                pageSize,
                invalidNextToken,
            );
            return { ScalingPolicies: page.map(policyShape), NextToken: nextToken };
        },

        ExecutePolicy(input) {
            const r: InputReader = reader(input);
            const ref = r.string("PolicyName");
            const groupName = r.optionalString("AutoScalingGroupName");
            const policy = ref.startsWith("arn:")
                ? model.policyByArn(ref)
                : groupName !== undefined
                  ? group(groupName).policies.get(ref)
                  : undefined;
            if (!policy) r.fail(`No policy found with name ${ref}`);
            model.policies.execute(group(policy.groupName), policy, {
                metricValue: r.optionalNumber("MetricValue"),
                breachThreshold: r.optionalNumber("BreachThreshold"),
                honorCooldown: r.optionalBoolean("HonorCooldown") ?? false,
                source: "api",
            });
            return {};
        },

        StartInstanceRefresh(input) {
            const r: InputReader = reader(input);
            const g = group(r.string("AutoScalingGroupName"));
            const strategy =
                r.optionalEnum("Strategy", ["Rolling", "ReplaceRootVolume"] as const) ?? "Rolling";
            if (strategy !== "Rolling") r.fail("Strategy: the simulated region models the Rolling strategy");
            const desiredConfig = r.optionalObject("DesiredConfiguration");
            let desired = g.launchTemplate;
            if (desiredConfig) {
                const dr: InputReader = r.nested("DesiredConfiguration", desiredConfig);
                const lt = dr.optionalObject("LaunchTemplate");
                if (lt) desired = launchTemplateRef(dr, lt, "LaunchTemplate");
            }
            const prefs = r.optionalObject("Preferences") ?? {};
            const pr: InputReader = r.nested("Preferences", prefs);
            const minHealthy = pr.optionalInt("MinHealthyPercentage", 0, 100) ?? 90;
            const maxHealthy = pr.optionalInt("MaxHealthyPercentage", 100, 200) ?? 100;
            if (maxHealthy - minHealthy > 100) {
                pr.fail(
                    "Preferences.MaxHealthyPercentage: the difference from MinHealthyPercentage must be at most 100",
                );
            }
            if (minHealthy === 100 && maxHealthy === 100) {
                pr.fail(
                    "Preferences.MaxHealthyPercentage: with MinHealthyPercentage 100 it must be above 100",
                );
            }
            const warmup =
                pr.optionalInt("InstanceWarmup", 0, 86400) ??
                g.defaultInstanceWarmup ??
                g.healthCheckGracePeriod;
            const refresh = model.refreshes.start(g, desired, {
                minHealthyPercentage: minHealthy,
                maxHealthyPercentage: maxHealthy,
                instanceWarmupSeconds: Math.max(0, warmup),
                skipMatching: pr.optionalBoolean("SkipMatching") ?? false,
                scaleInProtectedInstances:
                    pr.optionalEnum("ScaleInProtectedInstances", ["Refresh", "Ignore", "Wait"] as const) ??
                    "Wait",
            });
            return { InstanceRefreshId: refresh.id };
        },

        DescribeInstanceRefreshes(input) {
            const r: InputReader = reader(input);
            const g = group(r.string("AutoScalingGroupName"));
            const ids = r.optionalStringList("InstanceRefreshIds");
            const pageSize = r.optionalInt("MaxRecords", 1, 100) ?? 50;
            const selected = g.refreshes.filter((x) => !ids || ids.includes(x.id));
            const { page, nextToken } = paginate(
                selected,
                r.optionalString("NextToken"),
                pageSize,
                invalidNextToken,
            );
            return {
                InstanceRefreshes: page.map((x) =>
                    refreshShape(
                        x,
                        model.refreshes.percentageComplete(g, x),
                        model.refreshes.remaining(g, x),
                    ),
                ),
                NextToken: nextToken,
            };
        },
    };
}
