import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dashboardBody, type DashboardCapacity } from "../stack/dashboard";

export interface OperationsDashboardArgs {
    /** The dashboard's name: the ECS cluster's (unique per region, and of the characters a dashboard name allows). */
    readonly clusterName: string;
    readonly autoScalingGroupName: pulumi.Input<string>;
    /** What scales and drains the group (this stack's Lambdas or ECS's capacity provider), with its thresholds. */
    readonly capacity: DashboardCapacity;
    /** Every Lambda of the stack, by what it is for. */
    readonly functionNames: Readonly<Record<string, pulumi.Input<string>>>;
    readonly serviceNames: readonly string[];
}

/**
 * The stack's CloudWatch dashboard: drains (started, continued, abandoned, duration) and the
 * capacity metrics against their alarm thresholds (custom mode), or CapacityProviderReservation
 * against its target (managed mode); the group's instances by lifecycle state, each service's
 * running tasks against desired, and every Lambda's errors.
 */
export class OperationsDashboard extends pulumi.ComponentResource {
    readonly dashboardName: pulumi.Output<string>;

    constructor(name: string, args: OperationsDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:dashboard:OperationsDashboard", name, {}, opts);
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const body = pulumi
            .all([region, args.autoScalingGroupName, pulumi.all(args.functionNames)])
            .apply(([regionName, groupName, functions]) =>
                JSON.stringify(
                    dashboardBody({
                        region: regionName,
                        clusterName: args.clusterName,
                        autoScalingGroupName: groupName,
                        capacity: args.capacity,
                        functions,
                        serviceNames: args.serviceNames,
                    }),
                ),
            );
        const dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            { dashboardName: args.clusterName, dashboardBody: body },
            { parent: this },
        );
        this.dashboardName = dashboard.dashboardName;
        this.registerOutputs({ dashboardName: this.dashboardName });
    }
}
