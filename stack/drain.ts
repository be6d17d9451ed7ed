/**
 * What DrainHook declares, as plain values shared with the simulated region
 * (sim/pipelines/drain.ts): the function's size and concurrency, the event source's batch, and
 * the EventBridge rules that start a drain without a lifecycle action.
 */
import {
    HEALTH_DETAIL_TYPE,
    REBALANCE_DETAIL_TYPE,
    SPOT_INTERRUPTION_DETAIL_TYPE,
} from "../runtime/drainMessage";

/** The most batches the drain queue's event source runs at once (its maximumConcurrency). */
export const DRAIN_CONCURRENCY = 10;
export const DRAIN_MEMORY_MB = 256;
export const DRAIN_BATCH_SIZE = 10;

/**
 * AWS Health event type codes (service EC2, category scheduledChange) that announce an instance
 * will be stopped, rebooted, retired or terminated, or its host maintained: its tasks should move
 * before then. Dedicated-host codes are left out: the group runs no dedicated hosts.
 */
export const EC2_SCHEDULED_EVENT_CODES: readonly string[] = [
    "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
    "AWS_EC2_INSTANCE_RETIREMENT_EXPEDITED",
    "AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED",
    "AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_EXPEDITED",
    "AWS_EC2_INSTANCE_STOP_SCHEDULED",
    "AWS_EC2_INSTANCE_TERMINATION_SCHEDULED",
    "AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED",
    "AWS_EC2_INSTANCE_REBOOT_FLEXIBLE_MAINTENANCE_SCHEDULED",
    "AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED",
    "AWS_EC2_INSTANCE_POWER_MAINTENANCE_SCHEDULED",
    "AWS_EC2_PERSISTENT_INSTANCE_POWER_MAINTENANCE_SCHEDULED",
    "AWS_EC2_INSTANCE_NETWORK_MAINTENANCE_SCHEDULED",
];

export interface InterruptionRule {
    /** Suffix of the rule's and its target's resource names. */
    readonly id: string;
    readonly description: string;
    readonly eventPattern: Readonly<Record<string, unknown>>;
}

/**
 * EventBridge rules whose events start a drain at once, with no lifecycle action to wait for (a
 * Spot warning leaves 2 minutes). They match every instance of the account: the drain Lambda
 * ignores instances outside its group. Their target is the drain queue, not the topic:
 * EventBridge cannot publish to a topic encrypted with the AWS-managed key.
 */
export const INTERRUPTION_RULES: readonly InterruptionRule[] = [
    {
        id: "spot-interruption",
        description:
            "Drains a Spot instance of the group as soon as its 2-minute interruption warning arrives",
        eventPattern: { source: ["aws.ec2"], "detail-type": [SPOT_INTERRUPTION_DETAIL_TYPE] },
    },
    {
        id: "rebalance",
        description: "Drains an instance of the group that EC2 recommends rebalancing away from",
        eventPattern: { source: ["aws.ec2"], "detail-type": [REBALANCE_DETAIL_TYPE] },
    },
    {
        id: "scheduled-event",
        description:
            "Drains an instance of the group that AWS has scheduled for retirement, stop, reboot or maintenance",
        eventPattern: {
            source: ["aws.health"],
            "detail-type": [HEALTH_DETAIL_TYPE],
            detail: {
                service: ["EC2"],
                eventTypeCategory: ["scheduledChange"],
                eventTypeCode: [...EC2_SCHEDULED_EVENT_CODES],
            },
        },
    },
];
