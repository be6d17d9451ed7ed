import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { autoScalingRoleSuffix } from "../stack/autoScalingRole";

export interface AutoScalingServiceRoleArgs {
    /** The ECS cluster the group serves: with the region, it makes the role's suffix unique in the account. */
    readonly clusterName: string;
}

/**
 * The stack's own Auto Scaling service-linked role, AWSServiceRoleForAutoScaling_<suffix>, with
 * the same permissions as the account's default role. The account's default role exists only after
 * its first Auto Scaling group, so a Lambda permission naming it fails in a new account ("The
 * provided principal was invalid"); declaring the default role fails where it exists ("has been
 * taken"), and a stack that had created it would delete it on destroy while other groups use it.
 * A role of the stack's own is created on every account, is the group's and the termination policy
 * Lambda's principal, and is the only role the stack ever deletes. IAM is global, so the suffix
 * names the cluster and the region.
 */
export class AutoScalingServiceRole extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: AutoScalingServiceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:autoscaling:AutoScalingServiceRole", name, {}, opts);
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const role = new aws.iam.ServiceLinkedRole(
            `${name}-role`,
            {
                awsServiceName: "autoscaling.amazonaws.com",
                customSuffix: region.apply((regionName) =>
                    autoScalingRoleSuffix(args.clusterName, regionName),
                ),
                description: `Auto Scaling group of ECS cluster ${args.clusterName} (stack ${pulumi.getProject()}/${pulumi.getStack()})`,
            },
            { parent: this },
        );
        this.arn = role.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
