import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    autoScalingGroupProviderDeclaration,
    capacityProviderName,
    defaultStrategyDeclaration,
    managedCapacityAlarmDeclarations,
    managedCapacityProblems,
    type ManagedCapacityAlarmDeclaration,
    type ManagedCapacitySettings,
} from "../stack/capacityProvider";
import { alertingAlarm } from "./alarms";

export interface ManagedCapacityArgs {
    /** The capacity provider's settings (validated stack settings, capacityManagement managed). */
    readonly settings: ManagedCapacitySettings;
    /** The ECS cluster's name, known before it exists: the provider is named after it. */
    readonly clusterName: string;
    /** The cluster resource's name output, so the association waits for the cluster. */
    readonly cluster: pulumi.Input<string>;
    /** The group the provider scales and drains; EcsCluster prepared it (`capacityProvider`). */
    readonly autoScalingGroupArn: pulumi.Input<string>;
    readonly autoScalingGroupName: pulumi.Input<string>;
    /** Where the alarms on ECS's loops falling behind notify a person. */
    readonly alertsTopicArn: pulumi.Input<string>;
    /** Tags beyond its provider's default tags (index.ts gives the provider the stack's tags). */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * ECS's managed capacity loops for the stack's group (capacityManagement managed): an Auto
 * Scaling group capacity provider with managed scaling (target tracking on
 * CapacityProviderReservation, which ECS creates on the group with its two alarms), managed
 * termination protection and managed draining (ECS's own TERMINATING lifecycle hook), made the
 * cluster's default strategy; and two alarms that tell a person when those loops fall behind
 * (tasks waiting for instances, an instance draining for an hour). The declarations are
 * stack/capacityProvider.ts's, which the simulated region deploys too.
 */
export class ManagedCapacity extends pulumi.ComponentResource {
    /** The provider's name, read from the cluster's association: a strategy naming it waits for both. */
    readonly capacityProviderName: pulumi.Output<string>;
    readonly capacityProviderArn: pulumi.Output<string>;

    constructor(name: string, args: ManagedCapacityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:capacity:ManagedCapacity", name, {}, opts);
        const problems = managedCapacityProblems(args.settings);
        if (problems.length > 0)
            throw new Error(`ManagedCapacity: ${problems.map((p) => `settings.${p}`).join("; ")}`);
        const parent = { parent: this };
        const tags = (role: string) => ({ ...args.tags, Name: `${name}-${role}` });

        const provider = new aws.ecs.CapacityProvider(
            `${name}-provider`,
            {
                name: capacityProviderName(args.clusterName),
                autoScalingGroupProvider: pulumi
                    .output(args.autoScalingGroupArn)
                    .apply((groupArn) => autoScalingGroupProviderDeclaration(groupArn, args.settings)),
                tags: tags("provider"),
            },
            parent,
        );
        const association = new aws.ecs.ClusterCapacityProviders(
            `${name}-association`,
            {
                clusterName: args.cluster,
                capacityProviders: [provider.name],
                defaultCapacityProviderStrategies: provider.name.apply((providerName) =>
                    defaultStrategyDeclaration(providerName).map((item) => ({ ...item })),
                ),
            },
            parent,
        );
        this.capacityProviderArn = provider.arn;
        this.capacityProviderName = pulumi
            .all([provider.name, association.id])
            .apply(([providerName]) => providerName);

        const alarms = managedCapacityAlarmDeclarations(args.settings);
        const alarm = (role: string, declared: ManagedCapacityAlarmDeclaration, dimensions: Dimensions) =>
            alertingAlarm(
                `${name}-${role}`,
                { ...alarmDefinition(declared, dimensions), tags: tags(role) },
                args.alertsTopicArn,
                parent,
            );
        alarm("reservation-high", alarms.reservationHigh, {
            ClusterName: args.cluster,
            CapacityProviderName: provider.name,
        });
        alarm("drain-long", alarms.drainLong, { AutoScalingGroupName: args.autoScalingGroupName });

        this.registerOutputs({
            capacityProviderName: this.capacityProviderName,
            capacityProviderArn: this.capacityProviderArn,
        });
    }
}

type Dimensions = Record<string, pulumi.Input<string>>;

function alarmDefinition(declared: ManagedCapacityAlarmDeclaration, dimensions: Dimensions) {
    return {
        alarmDescription: declared.description,
        namespace: declared.namespace,
        metricName: declared.metricName,
        dimensions,
        statistic: declared.statistic,
        period: declared.period,
        evaluationPeriods: declared.evaluationPeriods,
        datapointsToAlarm: declared.datapointsToAlarm,
        threshold: declared.threshold,
        comparisonOperator: declared.comparisonOperator,
        treatMissingData: declared.treatMissingData,
    };
}
