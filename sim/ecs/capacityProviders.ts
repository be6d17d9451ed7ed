/**
 * Auto Scaling group capacity providers: CreateCapacityProvider, DescribeCapacityProviders,
 * PutClusterCapacityProviders, and the capacity provider strategies of CreateService and RunTask.
 *
 * Sources (ECS API reference and developer guide; quoted errors as ECS answers them):
 * - Defaults: managed scaling targetCapacity 100, step sizes 1 and 10,000, instanceWarmupPeriod
 *   300 s (API reference, ManagedScaling); managed termination protection off (AutoScalingGroupProvider);
 *   managed draining on ("Managed instance draining is on by default when you create a capacity
 *   provider", enable-managed-instance-draining). Inferred: managed scaling DISABLED when omitted.
 * - Managed termination protection needs the group's NewInstancesProtectedFromScaleIn ("The
 *   managed termination protection setting for the capacity provider is invalid. To enable
 *   managed termination protection for a capacity provider, the Auto Scaling group must have
 *   instance protection from scale in enabled.", aws/containers-roadmap#653) and managed scaling
 *   (asg-capacity-providers: "When you use managed termination protection, you must also use
 *   managed scaling"; the error's wording is inferred).
 * - Associating a provider with a cluster makes ECS create its target tracking policy and alarms
 *   (managed scaling, cluster-auto-scaling: "For each Auto Scaling group capacity provider that's
 *   associated with a cluster") and its TERMINATING lifecycle hook (managed draining; the hook's
 *   name as the cluster's attachment reports it, enable-managed-instance-draining); dissociating
 *   removes them.
 * - A strategy's providers must be associated with the cluster ("The specified capacity provider
 *   strategy cannot contain a capacity provider that is not associated with the cluster..."); a
 *   launch type and a strategy exclude each other ("Specifying both a launch type and capacity
 *   provider strategy is not supported"); without either, the cluster's default strategy applies
 *   (API reference, CreateService). At most 6 providers, one with a base, and at least one
 *   weight when there are several (CapacityProviderStrategyItem).
 * Inferred: the wording of the other errors; that an instance joins its group's provider when it
 * registers ("instances ... already running and registered ... might not be properly registered
 * with the capacity provider", asg-capacity-providers).
 */
import { AwsError } from "../errors";
import { InputReader, paginate } from "./input";
import type { EcsModel } from "./model";
import { clusterShape } from "./shapes";
import type {
    CapacityProviderState,
    CapacityProviderStrategyItemState,
    ClusterState,
    ManagedScalingState,
} from "./state";
import type { EcsOperation } from "./operations";

const INVALID = "InvalidParameterException";
const MAX_STRATEGY_ITEMS = 6;
const FARGATE_PROVIDERS = ["FARGATE", "FARGATE_SPOT"] as const;

export const MANAGED_SCALING_DEFAULTS: Omit<ManagedScalingState, "status"> = {
    targetCapacity: 100,
    minimumScalingStepSize: 1,
    maximumScalingStepSize: 10_000,
    instanceWarmupPeriod: 300,
};

function capacityProviderArn(model: EcsModel, name: string): string {
    return `arn:aws:ecs:${model.ctx.region}:${model.ctx.accountId}:capacity-provider/${name}`;
}

/** The provider a request names, by name or ARN. */
function providerByRef(model: EcsModel, ref: string): CapacityProviderState | undefined {
    const name = ref.startsWith("arn:") ? ref.slice(ref.lastIndexOf("/") + 1) : ref;
    const provider = model.state.capacityProviders.get(name);
    return provider && (ref === name || provider.arn === ref) ? provider : undefined;
}

function capacityProviderShape(provider: CapacityProviderState, includeTags: boolean) {
    return {
        capacityProviderArn: provider.arn,
        name: provider.name,
        status: provider.status,
        autoScalingGroupProvider: {
            autoScalingGroupArn: provider.autoScalingGroupArn,
            managedScaling: { ...provider.managedScaling },
            managedTerminationProtection: provider.managedTerminationProtection,
            managedDraining: provider.managedDraining,
        },
        ...(includeTags ? { tags: [] } : {}),
    };
}

function fargateProviderShape(model: EcsModel, name: string, includeTags: boolean) {
    return {
        capacityProviderArn: capacityProviderArn(model, name),
        name,
        status: "ACTIVE",
        ...(includeTags ? { tags: [] } : {}),
    };
}

/**
 * A request's capacity provider strategy, checked against the cluster's providers (`associated`,
 * by default the cluster's own). Undefined when the request gives none.
 */
export function readCapacityProviderStrategy(
    r: InputReader,
    field: string,
    associated: readonly string[],
): CapacityProviderStrategyItemState[] | undefined {
    const given = r.optionalObjectList(field);
    if (!given || given.length === 0) return undefined;
    if (given.length > MAX_STRATEGY_ITEMS)
        r.fail(`${field}: at most ${MAX_STRATEGY_ITEMS} capacity providers are allowed`);
    const items = given.map((raw, i) => {
        const ir: InputReader = r.nested(`${field}[${i}]`, raw);
        return {
            capacityProvider: ir.string("capacityProvider"),
            base: ir.optionalInt("base", 0, 100_000) ?? 0,
            weight: ir.optionalInt("weight", 0, 1000) ?? 0,
        };
    });
    const names = items.map((i) => i.capacityProvider);
    if (new Set(names).size !== names.length) r.fail(`${field}: a capacity provider may appear only once`);
    if (items.filter((i) => i.base > 0).length > 1)
        r.fail(`${field}: only one capacity provider in a strategy can have a base`);
    if (items.length > 1 && items.every((i) => i.weight === 0))
        r.fail(`${field}: at least one capacity provider must have a weight greater than 0`);
    if (names.some((n) => !associated.includes(n))) {
        throw new AwsError(
            INVALID,
            "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.",
        );
    }
    return items;
}

/** What a CreateService or RunTask places its tasks through: a launch type, or a strategy. */
export function launchChoice(
    r: InputReader,
    cluster: ClusterState,
    launchType: string | undefined,
): CapacityProviderStrategyItemState[] | undefined {
    const strategy = readCapacityProviderStrategy(r, "capacityProviderStrategy", cluster.capacityProviders);
    if (strategy && launchType !== undefined) {
        throw new AwsError(
            INVALID,
            "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
        );
    }
    if (strategy || launchType !== undefined) return strategy;
    return cluster.defaultCapacityProviderStrategy.length > 0
        ? [...cluster.defaultCapacityProviderStrategy]
        : undefined;
}

export function capacityProviderOperations(model: EcsModel): Record<string, EcsOperation> {
    const { state, ctx } = model;
    const reader = (input: Record<string, unknown>) => new InputReader(input, INVALID);

    function managedScaling(r: InputReader): ManagedScalingState {
        const raw = r.optionalObject("managedScaling");
        const mr: InputReader = r.nested("managedScaling", raw ?? {});
        const settings: ManagedScalingState = {
            status: mr.optionalEnum("status", ["ENABLED", "DISABLED"] as const) ?? "DISABLED",
            targetCapacity:
                mr.optionalInt("targetCapacity", 1, 100) ?? MANAGED_SCALING_DEFAULTS.targetCapacity,
            minimumScalingStepSize:
                mr.optionalInt("minimumScalingStepSize", 1, 10_000) ??
                MANAGED_SCALING_DEFAULTS.minimumScalingStepSize,
            maximumScalingStepSize:
                mr.optionalInt("maximumScalingStepSize", 1, 10_000) ??
                MANAGED_SCALING_DEFAULTS.maximumScalingStepSize,
            instanceWarmupPeriod:
                mr.optionalInt("instanceWarmupPeriod", 0, 10_000) ??
                MANAGED_SCALING_DEFAULTS.instanceWarmupPeriod,
        };
        if (settings.minimumScalingStepSize > settings.maximumScalingStepSize) {
            mr.fail(
                `managedScaling.minimumScalingStepSize: must not exceed maximumScalingStepSize (${settings.maximumScalingStepSize}), got ${settings.minimumScalingStepSize}`,
            );
        }
        return settings;
    }

    function associate(provider: CapacityProviderState, cluster: ClusterState): void {
        const group = ctx.autoscaling.groupForCapacityProvider(provider.autoScalingGroupArn)!;
        let scalingPolicyArn: string | undefined;
        if (provider.managedScaling.status === "ENABLED") {
            scalingPolicyArn = ctx.autoscaling.putManagedTargetTracking(
                model.managedScaling.policySpec(provider, cluster, group.name),
            );
        }
        let drainingHookName: string | undefined;
        if (provider.managedDraining === "ENABLED")
            drainingHookName = model.managedDraining.putHook(group.name);
        provider.association = { clusterArn: cluster.arn, scalingPolicyArn, drainingHookName };
        ctx.record("ecs.capacityProvider.associated", {
            capacityProvider: provider.name,
            clusterArn: cluster.arn,
            groupName: group.name,
        });
        if (scalingPolicyArn) model.managedScaling.start();
    }

    function dissociate(provider: CapacityProviderState): void {
        const group = ctx.autoscaling.groupForCapacityProvider(provider.autoScalingGroupArn);
        const association = provider.association;
        provider.association = undefined;
        if (!group || !association) return;
        if (association.scalingPolicyArn) {
            const policyName = association.scalingPolicyArn.slice(
                association.scalingPolicyArn.lastIndexOf("policyName/") + "policyName/".length,
            );
            ctx.autoscaling.deleteManagedTargetTracking(group.name, policyName);
        }
        if (association.drainingHookName)
            model.managedDraining.deleteHook(group.name, association.drainingHookName);
        ctx.record("ecs.capacityProvider.dissociated", {
            capacityProvider: provider.name,
            clusterArn: association.clusterArn,
        });
    }

    function inUse(provider: CapacityProviderState, cluster: ClusterState): boolean {
        const usedByService = [...state.services.values()].some(
            (s) =>
                s.clusterArn === cluster.arn &&
                s.status !== "INACTIVE" &&
                (s.capacityProviderStrategy ?? []).some((i) => i.capacityProvider === provider.name),
        );
        return (
            usedByService ||
            state
                .clusterTasks(cluster.arn)
                .some((t) => t.capacityProviderName === provider.name && t.lastStatus !== "STOPPED")
        );
    }

    return {
        CreateCapacityProvider(input) {
            const r: InputReader = reader(input);
            const name = r.string("name");
            if (!/^[A-Za-z0-9_-]{1,255}$/.test(name))
                r.fail("name: up to 255 letters, numbers, underscores and hyphens");
            if (/^(aws|ecs|fargate)/i.test(name))
                r.fail(`name: a capacity provider name can't begin with aws, ecs or fargate, got ${name}`);
            if (state.capacityProviders.has(name)) {
                throw new AwsError(
                    "ClientException",
                    "The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.",
                );
            }
            const raw = r.optionalObject("autoScalingGroupProvider");
            if (!raw) r.fail("autoScalingGroupProvider: a value is required");
            const ar: InputReader = r.nested("autoScalingGroupProvider", raw);
            const autoScalingGroupArn = ar.string("autoScalingGroupArn");
            const group = ctx.autoscaling.groupForCapacityProvider(autoScalingGroupArn);
            if (!group) {
                throw new AwsError(
                    "ClientException",
                    `The specified Auto Scaling group ARN ${autoScalingGroupArn} does not exist.`,
                );
            }
            if ([...state.capacityProviders.values()].some((p) => p.autoScalingGroupArn === group.arn)) {
                throw new AwsError(
                    "ClientException",
                    `The Auto Scaling group ${group.name} is already used by another capacity provider.`,
                );
            }
            const scaling = managedScaling(ar);
            const protection =
                ar.optionalEnum("managedTerminationProtection", ["ENABLED", "DISABLED"] as const) ??
                "DISABLED";
            const draining =
                ar.optionalEnum("managedDraining", ["ENABLED", "DISABLED"] as const) ?? "ENABLED";
            if (protection === "ENABLED" && !group.newInstancesProtectedFromScaleIn) {
                throw new AwsError(
                    INVALID,
                    "The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, the Auto Scaling group must have instance protection from scale in enabled.",
                );
            }
            if (protection === "ENABLED" && scaling.status !== "ENABLED") {
                throw new AwsError(
                    INVALID,
                    "The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, you must enable managed scaling.",
                );
            }
            const provider: CapacityProviderState = {
                arn: capacityProviderArn(model, name),
                name,
                autoScalingGroupArn: group.arn,
                managedScaling: scaling,
                managedTerminationProtection: protection,
                managedDraining: draining,
                createdAt: ctx.clock.now(),
                status: "ACTIVE",
            };
            state.capacityProviders.set(name, provider);
            ctx.record("ecs.capacityProvider.created", { capacityProvider: name, groupName: group.name });
            return { capacityProvider: capacityProviderShape(provider, true) };
        },

        DescribeCapacityProviders(input) {
            const r: InputReader = reader(input);
            const refs = r.optionalStringList("capacityProviders");
            if (refs && refs.length > 100)
                r.fail("capacityProviders: at most 100 capacity providers per call");
            const include = r.optionalStringList("include") ?? [];
            if (include.some((i) => i !== "TAGS")) r.fail("include: expected TAGS");
            const tags = include.includes("TAGS");
            const all = [
                ...FARGATE_PROVIDERS.map((n) => fargateProviderShape(model, n, tags)),
                ...[...state.capacityProviders.values()].map((p) => capacityProviderShape(p, tags)),
            ];
            const failures: { arn: string; reason: string }[] = [];
            const selected = refs
                ? refs.flatMap((ref) => {
                      const found = all.find((p) => p.name === ref || p.capacityProviderArn === ref);
                      if (!found) failures.push({ arn: ref, reason: "MISSING" });
                      return found ? [found] : [];
                  })
                : all;
            const { page, nextToken } = paginate(
                selected,
                r.optionalString("nextToken"),
                r.optionalInt("maxResults", 1, 10) ?? 10,
                r.fail.bind(r),
            );
            return { capacityProviders: page, failures, nextToken };
        },

        PutClusterCapacityProviders(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.string("cluster"));
            const refs = r.optionalStringList("capacityProviders");
            if (!refs) r.fail("capacityProviders: a value is required (an empty list removes them all)");
            if (!r.has("defaultCapacityProviderStrategy"))
                r.fail("defaultCapacityProviderStrategy: a value is required (it may be empty)");
            const providers = refs.map((ref) => {
                if ((FARGATE_PROVIDERS as readonly string[]).includes(ref))
                    r.fail(
                        `capacityProviders: the simulated region models Auto Scaling group capacity providers, got ${ref}`,
                    );
                const provider = providerByRef(model, ref);
                if (!provider) {
                    throw new AwsError(
                        INVALID,
                        `The specified capacity provider '${ref}' does not exist. Specify a valid capacity provider and try again.`,
                    );
                }
                if (provider.status !== "ACTIVE") {
                    throw new AwsError(
                        INVALID,
                        `The specified capacity provider '${ref}' is not in an ACTIVE state. Specify a valid capacity provider and try again.`,
                    );
                }
                if (provider.association && provider.association.clusterArn !== cluster.arn) {
                    throw new AwsError(
                        INVALID,
                        `The specified capacity provider '${provider.name}' is already associated with another cluster.`,
                    );
                }
                return provider;
            });
            const names = providers.map((p) => p.name);
            const strategy = readCapacityProviderStrategy(r, "defaultCapacityProviderStrategy", names) ?? [];
            const removed = cluster.capacityProviders
                .filter((n) => !names.includes(n))
                .map((n) => state.capacityProviders.get(n)!);
            const busy = removed.find((p) => inUse(p, cluster));
            if (busy) {
                throw new AwsError(
                    "ResourceInUseException",
                    `The specified capacity provider '${busy.name}' is in use and cannot be removed.`,
                );
            }
            for (const provider of removed) dissociate(provider);
            for (const provider of providers) if (!provider.association) associate(provider, cluster);
            cluster.capacityProviders = names;
            cluster.defaultCapacityProviderStrategy = strategy;
            model.scheduler.request();
            return { cluster: clusterShape(cluster, state) };
        },
    };
}
