import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** An alarm's definition: everything but its actions, which say who hears of it. */
export type AlarmDefinition = Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions">;

/**
 * An alarm that tells a person: it notifies the alerts topic when it fires and when it clears.
 * Only alarms that drive a scaling policy have other actions (the plan's alarm-actions rule).
 */
export function alertingAlarm(
    name: string,
    definition: AlarmDefinition,
    alertsTopicArn: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
        name,
        { ...definition, alarmActions: [alertsTopicArn], okActions: [alertsTopicArn] },
        opts,
    );
}

/**
 * An alarm on a count that should stay at zero (a handler error, a parked message, an abandoned
 * drain): any minute at 1 or more fires it, and no data means nothing happened.
 */
export function anyInAMinute(
    metric: Pick<AlarmDefinition, "namespace" | "metricName" | "dimensions" | "statistic">,
): AlarmDefinition {
    return {
        ...metric,
        period: 60,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
    };
}
