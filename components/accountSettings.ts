import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AccountSettingsArgs {
    /** Turn on awsvpcTrunking: instances launched afterwards get a trunk ENI. */
    readonly awsvpcTrunking: boolean;
    /** fargateTaskRetirementWaitPeriod: days between a Fargate retirement notice and AWS stopping the tasks. */
    readonly fargateTaskRetirementWaitPeriodDays: number;
}

/**
 * The account-wide ECS settings of the stack's region, declared only by the stack that owns them
 * (`accountSettingsOwner`). They are one per account and region: two stacks declaring them would
 * overwrite each other, and deleting the resource resets the setting to AWS's default for every
 * stack. So exactly one stack declares them, and they are kept when that stack is destroyed
 * (retainOnDelete); to hand them to another stack, set the owner there first (a put of the same
 * value changes nothing), then remove it here.
 */
export class AccountSettings extends pulumi.ComponentResource {
    /** The awsvpcTrunking setting, when declared: the Auto Scaling group must be created after it. */
    readonly trunking?: aws.ecs.AccountSettingDefault;

    constructor(name: string, args: AccountSettingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:account:AccountSettings", name, {}, opts);
        const kept = { parent: this, retainOnDelete: true };
        if (args.awsvpcTrunking) {
            this.trunking = new aws.ecs.AccountSettingDefault(
                `${name}-awsvpc-trunking`,
                { name: "awsvpcTrunking", value: "enabled" },
                kept,
            );
        }
        new aws.ecs.AccountSettingDefault(
            `${name}-retirement-wait`,
            {
                name: "fargateTaskRetirementWaitPeriod",
                value: String(args.fargateTaskRetirementWaitPeriodDays),
            },
            kept,
        );
        this.registerOutputs({});
    }
}
