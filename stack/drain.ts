/**
 * What DrainHook declares, as plain values shared with the simulated region
 * (sim/pipelines/drain.ts): the function's size and concurrency, the event source's batch, the
 * EventBridge rules that start a drain without a lifecycle action, and the rules that nudge a
 * drain when ECS says a draining instance may have emptied.
 */
import {
    CONTAINER_INSTANCE_CHANGE_DETAIL_TYPE,
    HEALTH_DETAIL_TYPE,
    REBALANCE_DETAIL_TYPE,
    SPOT_INTERRUPTION_DETAIL_TYPE,
    TASK_CHANGE_DETAIL_TYPE,
} from "../runtime/drainMessage";
import { IDS_PER_FILTER } from "../runtime/drainEcs";

/**
 * The most batches the drain queue's event source runs at once (its maximumConcurrency). ECS
 * calls do not grow with it (the budget holds them); it bounds the Auto Scaling and SQS calls in
 * flight, and so how long a nudge waits in the queue behind polls: at 5, a 1,000-instance refresh
 * kept nudges waiting up to 11 s (p99), at 10 up to 8 s (bench/drainComparison.ts).
 */
export const DRAIN_CONCURRENCY = 10;
export const DRAIN_MEMORY_MB = 256;
/** Messages per invocation: one ListContainerInstances filter and one DescribeContainerInstances read them all. */
export const DRAIN_BATCH_SIZE = IDS_PER_FILTER;
/**
 * How long the event source gathers a batch (Lambda requires at least 1 s above 10 messages): a
 * task's STOPPED event and its instance's change, and the polls due in the same second, share
 * one invocation and one read. Each nudge waits for it, so it stays short.
 */
export const DRAIN_BATCHING_WINDOW_SECONDS = 1;

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

export interface NudgeRule {
    /** Suffix of the rule's and its target's resource names. */
    readonly id: string;
    readonly description: string;
    readonly eventPattern: Readonly<Record<string, unknown>>;
}

/**
 * EventBridge rules, scoped to the cluster, whose ECS events nudge a drain (ECS developer guide,
 * "Amazon ECS events"): a change of a DRAINING container instance (every task stopped on it
 * changes its remainingResources), and a task on a container instance reaching STOPPED (the same
 * stop, in case one of the two events is lost). Their target is the drain queue: the drain Lambda
 * reads them in its batches, one look per instance however many events it gets.
 */
export function nudgeRules(clusterArn: string): readonly NudgeRule[] {
    return [
        {
            id: "instance-changed",
            description: "Nudges the drain of a DRAINING container instance of the cluster when it changes",
            eventPattern: {
                source: ["aws.ecs"],
                "detail-type": [CONTAINER_INSTANCE_CHANGE_DETAIL_TYPE],
                detail: { clusterArn: [clusterArn], status: ["DRAINING"] },
            },
        },
        {
            id: "task-stopped",
            description: "Nudges the drain of a container instance of the cluster when a task on it stops",
            eventPattern: {
                source: ["aws.ecs"],
                "detail-type": [TASK_CHANGE_DETAIL_TYPE],
                detail: { clusterArn: [clusterArn], lastStatus: ["STOPPED"], launchType: ["EC2"] },
            },
        },
    ];
}
