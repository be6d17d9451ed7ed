import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dashboardBody } from "../stack/dashboard";

export interface OperationsDashboardArgs {
    /** The dashboard's name: the ECS cluster's (unique per region, and of the characters a dashboard name allows). */
    readonly clusterName: string;
    readonly autoScalingGroupName: pulumi.Input<string>;
    /** The capacity alarms' thresholds, drawn across their metrics. */
    readonly minimumSpareTasks: number;
    readonly idleHostThreshold: number;
    /** Every Lambda of the stack, by what it is for. */
    readonly functionNames: Readonly<Record<string, pulumi.Input<string>>>;
    readonly serviceNames: readonly string[];
}

/**
 * The stack's CloudWatch dashboard: drains (started, continued, abandoned, duration), the capacity
 * metrics against their alarm thresholds, the group's instances by lifecycle state, each service's
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
                        minimumSpareTasks: args.minimumSpareTasks,
                        idleHostThreshold: args.idleHostThreshold,
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
