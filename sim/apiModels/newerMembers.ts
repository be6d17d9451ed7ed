/**
 * Members and enum values AWS added to its APIs after the pinned models (Debian bookworm's
 * botocore 1.29.27, December 2022) that the region serves, with their shapes as botocore 1.43.11
 * models them, so the checks know them too. Each is added only where the model lacks it; the tests check that
 * each is still missing from the pinned model (else it is to be removed from here), and that it
 * equals a newer model's wherever one is given (BOTOCORE_DATA).
 */
import type { ServiceName } from "../types";
import type { ApiModel, Shape } from "./botocore";

export interface NewerMember {
    readonly service: ServiceName;
    /** The structure that gained the member. */
    readonly structure: string;
    readonly member: string;
    /** The member's shape, in the model or in NEWER_SHAPES. */
    readonly shape: string;
    /** The API reference page that documents it. */
    readonly documentedAt: string;
}

const INSTANCE_LIFECYCLE_POLICY =
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstanceLifecyclePolicy.html";

export const NEWER_MEMBERS: readonly NewerMember[] = [
    ...["AutoScalingGroup", "CreateAutoScalingGroupType", "UpdateAutoScalingGroupType"].map((structure) => ({
        service: "autoscaling" as const,
        structure,
        member: "InstanceLifecyclePolicy",
        shape: "InstanceLifecyclePolicy",
        documentedAt: INSTANCE_LIFECYCLE_POLICY,
    })),
    {
        service: "autoscaling",
        structure: "RefreshPreferences",
        member: "ScaleInProtectedInstances",
        shape: "ScaleInProtectedInstances",
        documentedAt: "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html",
    },
    {
        service: "monitoring",
        structure: "MetricAlarm",
        member: "StateTransitionedTimestamp",
        shape: "Timestamp",
        documentedAt: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html",
    },
    {
        service: "ecs",
        structure: "AutoScalingGroupProvider",
        member: "managedDraining",
        shape: "ManagedDraining",
        documentedAt:
            "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AutoScalingGroupProvider.html",
    },
    {
        service: "autoscaling",
        structure: "RefreshPreferences",
        member: "MaxHealthyPercentage",
        shape: "IntPercent100To200",
        documentedAt: "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html",
    },
];

/** The shapes the newer members use that the pinned model does not have. */
export const NEWER_SHAPES: Readonly<Partial<Record<ServiceName, Readonly<Record<string, Shape>>>>> = {
    autoscaling: {
        InstanceLifecyclePolicy: {
            type: "structure",
            members: { RetentionTriggers: { shape: "RetentionTriggers" } },
        },
        RetentionTriggers: {
            type: "structure",
            members: { TerminateHookAbandon: { shape: "RetentionAction" } },
        },
        RetentionAction: { type: "string", enum: ["retain", "terminate"] },
        IntPercent100To200: { type: "integer", min: 100, max: 200 },
        ScaleInProtectedInstances: { type: "string", enum: ["Refresh", "Ignore", "Wait"] },
    },
    ecs: {
        // Managed instance draining (January 2024).
        ManagedDraining: { type: "string", enum: ["ENABLED", "DISABLED"] },
    },
};

/** Enum values added since, by service and enum shape. */
export const NEWER_ENUM_VALUES: Readonly<
    Partial<Record<ServiceName, Readonly<Record<string, readonly string[]>>>>
> = {
    // An instance kept by a retention trigger (API_InstanceLifecyclePolicy.html).
    autoscaling: { LifecycleState: ["Terminating:Retained"] },
};

/** `model` with the newer members and enum values of `service` it lacks. */
export function withNewerMembers(model: ApiModel, service: ServiceName): ApiModel {
    const shapes: Record<string, Shape> = { ...model.shapes };
    for (const [name, shape] of Object.entries(NEWER_SHAPES[service] ?? {})) shapes[name] ??= shape;
    for (const { structure, member, shape } of NEWER_MEMBERS.filter((m) => m.service === service)) {
        const owner = shapes[structure];
        if (owner === undefined) throw new Error(`newer members: the ${service} model has no ${structure}`);
        if (owner.members?.[member] !== undefined) continue;
        shapes[structure] = { ...owner, members: { ...owner.members, [member]: { shape } } };
    }
    for (const [name, values] of Object.entries(NEWER_ENUM_VALUES[service] ?? {})) {
        const known = shapes[name]?.enum;
        if (known === undefined)
            throw new Error(`newer enum values: the ${service} model has no enum ${name}`);
        shapes[name] = { ...shapes[name], enum: [...known, ...values.filter((v) => !known.includes(v))] };
    }
    return { ...model, shapes };
}
