import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What EventBridge does with an event the function failed to take. */
export interface TriggerRetry {
    readonly maximumRetryAttempts: number;
    readonly maximumEventAgeInSeconds: number;
}

/**
 * Makes `rule` invoke the function: the permission for exactly this rule, then the target (which
 * must wait for the permission, or the first events are refused). Both are named `name`.
 */
export function invokeOnEvents(
    name: string,
    rule: aws.cloudwatch.EventRule,
    fn: { readonly arn: pulumi.Input<string>; readonly functionName: pulumi.Input<string> },
    retryPolicy: TriggerRetry,
    parent: pulumi.Resource,
): void {
    const permission = new aws.lambda.Permission(
        name,
        {
            action: "lambda:InvokeFunction",
            function: fn.functionName,
            principal: "events.amazonaws.com",
            sourceArn: rule.arn,
        },
        { parent },
    );
    new aws.cloudwatch.EventTarget(
        name,
        { rule: rule.name, arn: fn.arn, retryPolicy: { ...retryPolicy } },
        { parent, dependsOn: [permission] },
    );
}
