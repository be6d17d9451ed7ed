/**
 * Operator events forwarded to the alerts topic as they are (components/alerts.ts), besides the
 * alarms. Auto Scaling sends instance refresh events to EventBridge on a best-effort basis
 * (Auto Scaling user guide, "Instance refresh example events and patterns"); each names the group
 * in `detail.AutoScalingGroupName`.
 */

/** An instance refresh that stopped before replacing every instance: the group runs a mix of AMIs. */
export const INSTANCE_REFRESH_STOPPED_DETAIL_TYPES = [
    "EC2 Auto Scaling Instance Refresh Failed",
    "EC2 Auto Scaling Instance Refresh Cancelled",
] as const;

export function instanceRefreshStoppedPattern(autoScalingGroupName: string): Record<string, unknown> {
    return {
        source: ["aws.autoscaling"],
        "detail-type": [...INSTANCE_REFRESH_STOPPED_DETAIL_TYPES],
        detail: { AutoScalingGroupName: [autoScalingGroupName] },
    };
}
