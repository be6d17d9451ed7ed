/**
 * The stack's CloudWatch dashboard as a plain value (components/dashboard.ts renders it to JSON):
 * what an on-call person looks at first. Widgets follow CloudWatch's dashboard body structure
 * (CloudWatch API reference, "Dashboard Body Structure and Syntax"): metric arrays are
 * `[namespace, metricName, dimensionName, dimensionValue, …, {options}]`.
 */
import { DRAIN_METRIC_NAMESPACE } from "../runtime/drainHandler";
import { CAPACITY_NAMESPACE } from "./capacity";

/** What scales and drains the group, with the thresholds drawn across its metrics. */
export type DashboardCapacity =
    | {
          /** The drain hook and the capacity scaler: their metrics and the capacity alarms' thresholds. */
          readonly mode: "custom";
          readonly minimumSpareTasks: number;
          readonly idleHostThreshold: number;
      }
    | {
          /** ECS's capacity provider: its CapacityProviderReservation against the target it tracks. */
          readonly mode: "managed";
          readonly capacityProviderName: string;
          readonly targetCapacity: number;
      };

export interface DashboardInput {
    readonly region: string;
    readonly clusterName: string;
    readonly autoScalingGroupName: string;
    readonly capacity: DashboardCapacity;
    /** Every Lambda of the stack, by what it is for. */
    readonly functions: Readonly<Record<string, string>>;
    readonly serviceNames: readonly string[];
}

type MetricRow = (string | { readonly label?: string; readonly stat?: string })[];

export interface MetricWidget {
    readonly type: "metric";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: {
        readonly title: string;
        readonly region: string;
        readonly view: "timeSeries";
        readonly stacked: boolean;
        readonly period: number;
        readonly stat: string;
        readonly metrics: readonly MetricRow[];
        readonly annotations?: { readonly horizontal: readonly { label: string; value: number }[] };
    };
}

export interface DashboardBody {
    readonly widgets: readonly MetricWidget[];
}

const WIDTH = 12;
const HEIGHT = 6;
/** The dashboard grid is 24 units wide: two widgets a row. */
const PER_ROW = 2;

type WidgetSpec = Omit<MetricWidget["properties"], "region" | "view" | "period"> & { period?: number };

/**
 * The widgets of the loops that scale and drain the group: in custom mode the drain Lambda's
 * metrics and the capacity metrics against their alarms' thresholds; in managed mode ECS's
 * CapacityProviderReservation against its target (ECS's draining shows as terminating instances
 * in the group's lifecycle widget).
 */
function capacityWidgets(capacity: DashboardCapacity, group: string[], cluster: string[]): WidgetSpec[] {
    if (capacity.mode === "managed") {
        return [
            {
                title: "CapacityProviderReservation (instances needed ÷ instances running, %) against its target",
                stacked: false,
                stat: "Maximum",
                metrics: [
                    [
                        "AWS/ECS/ManagedScaling",
                        "CapacityProviderReservation",
                        "CapacityProviderName",
                        capacity.capacityProviderName,
                        ...cluster,
                    ],
                ],
                annotations: {
                    horizontal: [
                        { label: "target: scale out above, in below", value: capacity.targetCapacity },
                    ],
                },
            },
        ];
    }
    return [
        {
            title: "Drains started, continued (instance empty), abandoned (instance retained)",
            stacked: false,
            stat: "Sum",
            metrics: [
                [DRAIN_METRIC_NAMESPACE, "DrainsStarted", ...group, { label: "started" }],
                [DRAIN_METRIC_NAMESPACE, "DrainsContinued", ...group, { label: "continued" }],
                [DRAIN_METRIC_NAMESPACE, "DrainsAbandoned", ...group, { label: "abandoned: retained" }],
            ],
        },
        {
            title: "Drain duration (seconds)",
            stacked: false,
            stat: "Maximum",
            metrics: [
                [
                    DRAIN_METRIC_NAMESPACE,
                    "DrainDurationSeconds",
                    ...group,
                    { label: "longest", stat: "Maximum" },
                ],
                [
                    DRAIN_METRIC_NAMESPACE,
                    "DrainDurationSeconds",
                    ...group,
                    { label: "average", stat: "Average" },
                ],
            ],
        },
        {
            title: "Drains completed on an ECS event, polls, and drain work the ECS budget deferred",
            stacked: false,
            stat: "Sum",
            metrics: [
                [
                    DRAIN_METRIC_NAMESPACE,
                    "DrainsCompletedByEvent",
                    ...group,
                    { label: "completed on an event" },
                ],
                [DRAIN_METRIC_NAMESPACE, "DrainPolls", ...group, { label: "polls" }],
                [DRAIN_METRIC_NAMESPACE, "BudgetDeferrals", ...group, { label: "deferred: budget in use" }],
                [DRAIN_METRIC_NAMESPACE, "NudgesLetGo", ...group, { label: "nudges left to the poll" }],
            ],
        },
        {
            title: "ContainerCapacity (worst-case tasks that still fit) against minimumSpareTasks",
            stacked: false,
            stat: "Minimum",
            metrics: [[CAPACITY_NAMESPACE, "ContainerCapacity", ...cluster]],
            annotations: {
                horizontal: [{ label: "scale out below", value: capacity.minimumSpareTasks }],
            },
        },
        {
            title: "IdleHostCapacity (instances that could go) against idleHostThreshold",
            stacked: false,
            stat: "Minimum",
            metrics: [[CAPACITY_NAMESPACE, "IdleHostCapacity", ...cluster]],
            annotations: {
                horizontal: [{ label: "scale in above", value: capacity.idleHostThreshold }],
            },
        },
    ];
}

export function dashboardBody(input: DashboardInput): DashboardBody {
    const group = ["AutoScalingGroupName", input.autoScalingGroupName];
    const cluster = ["ClusterName", input.clusterName];
    const specs: WidgetSpec[] = [
        ...capacityWidgets(input.capacity, group, cluster),
        {
            title: "Group instances by lifecycle state",
            stacked: true,
            stat: "Maximum",
            metrics: [
                ["AWS/AutoScaling", "GroupInServiceInstances", ...group, { label: "in service" }],
                ["AWS/AutoScaling", "GroupPendingInstances", ...group, { label: "pending" }],
                ["AWS/AutoScaling", "GroupTerminatingInstances", ...group, { label: "terminating" }],
                ["AWS/AutoScaling", "GroupStandbyInstances", ...group, { label: "standby" }],
            ],
        },
        {
            title: "Services: running tasks against desired",
            stacked: false,
            stat: "Maximum",
            metrics: input.serviceNames.flatMap((service) => [
                [
                    "ECS/ContainerInsights",
                    "RunningTaskCount",
                    ...cluster,
                    "ServiceName",
                    service,
                    { label: `${service} running` },
                ],
                [
                    "ECS/ContainerInsights",
                    "DesiredTaskCount",
                    ...cluster,
                    "ServiceName",
                    service,
                    { label: `${service} desired` },
                ],
            ]),
        },
        {
            title: "Lambda handler errors",
            stacked: false,
            stat: "Sum",
            metrics: Object.entries(input.functions).map(([role, functionName]) => [
                "AWS/Lambda",
                "Errors",
                "FunctionName",
                functionName,
                { label: role },
            ]),
        },
    ];
    return {
        // A metric widget without metrics is an invalid body (a stack without services).
        widgets: specs
            .filter((spec) => spec.metrics.length > 0)
            .map((spec, i) => ({
                type: "metric",
                x: (i % PER_ROW) * WIDTH,
                y: Math.floor(i / PER_ROW) * HEIGHT,
                width: WIDTH,
                height: HEIGHT,
                properties: { region: input.region, view: "timeSeries", period: 60, ...spec },
            })),
    };
}
