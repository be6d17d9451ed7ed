/**
 * What the wire syntax cannot tell about an operation's members. The query protocol sends every
 * value as text and an empty list as `Name=`; JSON sends timestamps as epoch seconds; the query
 * XML responses need to know which objects are maps and which lists SQS flattens. Everything
 * else (lists from `.member.N`, maps from `.entry.N`, structures from dotted names) is decided
 * from the syntax, so only these exceptions are listed, per service and operation.
 *
 * Paths use the SDK's member names: `A.B` is member B of structure A, `A[]` an element of list
 * A, `A{}` a value of map A. Types come from the `@aws-sdk/client-*` models (schemas in their
 * dist-cjs) and, for SQS's query names, from the service's query model.
 */
import type { ServiceName } from "../types";

/** A flattened list or map, as SQS's query protocol writes it: `Attribute.1.Name`, `<Message>…</Message><Message>…`. */
export interface Flattened {
    readonly flattened: "list" | "map";
    /** The wire name of each element or entry ("Attribute" for the member Attributes). */
    readonly wireName: string;
    /** A map entry's key and value element names (SQS: "Name" and "Value"). */
    readonly key?: string;
    readonly value?: string;
}

export type Hint = "number" | "boolean" | "timestamp" | "list" | "map" | Flattened;

export interface OperationShape {
    readonly input?: Readonly<Record<string, Hint>>;
    readonly output?: Readonly<Record<string, Hint>>;
}

type ServiceShapes = Readonly<Record<string, OperationShape>>;

const launchTemplateAndGroupSizes: Readonly<Record<string, Hint>> = {
    MinSize: "number",
    MaxSize: "number",
    DesiredCapacity: "number",
    DefaultCooldown: "number",
    HealthCheckGracePeriod: "number",
    MaxInstanceLifetime: "number",
    DefaultInstanceWarmup: "number",
    NewInstancesProtectedFromScaleIn: "boolean",
    CapacityRebalance: "boolean",
    AvailabilityZones: "list",
    TerminationPolicies: "list",
    "InstanceMaintenancePolicy.MinHealthyPercentage": "number",
    "InstanceMaintenancePolicy.MaxHealthyPercentage": "number",
};

const autoscaling: ServiceShapes = {
    CreateAutoScalingGroup: {
        input: {
            ...launchTemplateAndGroupSizes,
            TargetGroupARNs: "list",
            LoadBalancerNames: "list",
            "Tags[].PropagateAtLaunch": "boolean",
            "LifecycleHookSpecificationList[].HeartbeatTimeout": "number",
        },
    },
    UpdateAutoScalingGroup: { input: launchTemplateAndGroupSizes },
    DescribeAutoScalingGroups: {
        input: {
            AutoScalingGroupNames: "list",
            MaxRecords: "number",
            IncludeInstances: "boolean",
            "Filters[].Values": "list",
        },
    },
    DescribeAutoScalingInstances: { input: { InstanceIds: "list", MaxRecords: "number" } },
    DescribeLifecycleHooks: { input: { LifecycleHookNames: "list" } },
    PutLifecycleHook: { input: { HeartbeatTimeout: "number" } },
    SetDesiredCapacity: { input: { DesiredCapacity: "number", HonorCooldown: "boolean" } },
    TerminateInstanceInAutoScalingGroup: { input: { ShouldDecrementDesiredCapacity: "boolean" } },
    PutScalingPolicy: {
        input: {
            MinAdjustmentStep: "number",
            MinAdjustmentMagnitude: "number",
            ScalingAdjustment: "number",
            Cooldown: "number",
            EstimatedInstanceWarmup: "number",
            Enabled: "boolean",
            "StepAdjustments[].MetricIntervalLowerBound": "number",
            "StepAdjustments[].MetricIntervalUpperBound": "number",
            "StepAdjustments[].ScalingAdjustment": "number",
            "TargetTrackingConfiguration.TargetValue": "number",
            "TargetTrackingConfiguration.DisableScaleIn": "boolean",
        },
    },
    ExecutePolicy: { input: { HonorCooldown: "boolean", MetricValue: "number", BreachThreshold: "number" } },
    StartInstanceRefresh: {
        input: {
            "Preferences.MinHealthyPercentage": "number",
            "Preferences.MaxHealthyPercentage": "number",
            "Preferences.InstanceWarmup": "number",
            "Preferences.CheckpointPercentages": "list",
            "Preferences.CheckpointPercentages[]": "number",
            "Preferences.CheckpointDelay": "number",
            "Preferences.SkipMatching": "boolean",
            "Preferences.AutoRollback": "boolean",
            "Preferences.BakeTime": "number",
        },
    },
    DescribeInstanceRefreshes: { input: { InstanceRefreshIds: "list", MaxRecords: "number" } },
};

const sns: ServiceShapes = {
    Subscribe: { input: { ReturnSubscriptionArn: "boolean" } },
    GetTopicAttributes: { output: { Attributes: "map" } },
    GetSubscriptionAttributes: { output: { Attributes: "map" } },
};

const monitoring: ServiceShapes = {
    PutMetricData: {
        input: {
            "MetricData[].Timestamp": "timestamp",
            "MetricData[].Value": "number",
            "MetricData[].Values": "list",
            "MetricData[].Values[]": "number",
            "MetricData[].Counts": "list",
            "MetricData[].Counts[]": "number",
            "MetricData[].StatisticValues.SampleCount": "number",
            "MetricData[].StatisticValues.Sum": "number",
            "MetricData[].StatisticValues.Minimum": "number",
            "MetricData[].StatisticValues.Maximum": "number",
            "MetricData[].StorageResolution": "number",
            "MetricData[].Dimensions": "list",
        },
    },
    PutMetricAlarm: {
        input: {
            Period: "number",
            EvaluationPeriods: "number",
            DatapointsToAlarm: "number",
            Threshold: "number",
            ActionsEnabled: "boolean",
            AlarmActions: "list",
            OKActions: "list",
            InsufficientDataActions: "list",
            Dimensions: "list",
        },
    },
    DescribeAlarms: { input: { AlarmNames: "list", AlarmTypes: "list", MaxRecords: "number" } },
    DeleteAlarms: { input: { AlarmNames: "list" } },
    GetMetricStatistics: {
        input: {
            StartTime: "timestamp",
            EndTime: "timestamp",
            Period: "number",
            Statistics: "list",
            Dimensions: "list",
        },
    },
    GetMetricData: {
        input: {
            StartTime: "timestamp",
            EndTime: "timestamp",
            MaxDatapoints: "number",
            "MetricDataQueries[].ReturnData": "boolean",
            "MetricDataQueries[].Period": "number",
            "MetricDataQueries[].MetricStat.Period": "number",
        },
    },
    DescribeAlarmHistory: { input: { StartDate: "timestamp", EndDate: "timestamp", MaxRecords: "number" } },
};

const sqsMessageAttributes: Flattened = {
    flattened: "map",
    wireName: "MessageAttribute",
    key: "Name",
    value: "Value",
};
const sqsAttributes: Flattened = { flattened: "map", wireName: "Attribute", key: "Name", value: "Value" };
const sqs: ServiceShapes = {
    CreateQueue: {
        input: {
            Attributes: sqsAttributes,
            tags: { flattened: "map", wireName: "Tag", key: "Key", value: "Value" },
        },
    },
    GetQueueAttributes: {
        input: { AttributeNames: { flattened: "list", wireName: "AttributeName" } },
        output: { Attributes: sqsAttributes },
    },
    SetQueueAttributes: { input: { Attributes: sqsAttributes } },
    ListQueues: {
        input: { MaxResults: "number" },
        output: { QueueUrls: { flattened: "list", wireName: "QueueUrl" } },
    },
    SendMessage: { input: { DelaySeconds: "number", MessageAttributes: sqsMessageAttributes } },
    SendMessageBatch: {
        input: {
            Entries: { flattened: "list", wireName: "SendMessageBatchRequestEntry" },
            "Entries[].DelaySeconds": "number",
            "Entries[].MessageAttributes": sqsMessageAttributes,
        },
        output: {
            Successful: { flattened: "list", wireName: "SendMessageBatchResultEntry" },
            Failed: { flattened: "list", wireName: "BatchResultErrorEntry" },
        },
    },
    ReceiveMessage: {
        input: {
            AttributeNames: { flattened: "list", wireName: "AttributeName" },
            MessageSystemAttributeNames: { flattened: "list", wireName: "MessageSystemAttributeName" },
            MessageAttributeNames: { flattened: "list", wireName: "MessageAttributeName" },
            MaxNumberOfMessages: "number",
            VisibilityTimeout: "number",
            WaitTimeSeconds: "number",
        },
        output: {
            Messages: { flattened: "list", wireName: "Message" },
            "Messages[].Attributes": sqsAttributes,
            "Messages[].MessageAttributes": sqsMessageAttributes,
        },
    },
    ChangeMessageVisibility: { input: { VisibilityTimeout: "number" } },
    DeleteMessageBatch: {
        input: { Entries: { flattened: "list", wireName: "DeleteMessageBatchRequestEntry" } },
        output: {
            Successful: { flattened: "list", wireName: "DeleteMessageBatchResultEntry" },
            Failed: { flattened: "list", wireName: "BatchResultErrorEntry" },
        },
    },
};

const events: ServiceShapes = {
    PutEvents: { input: { "Entries[].Time": "timestamp" } },
};

const shapesByService: Readonly<Partial<Record<ServiceName, ServiceShapes>>> = {
    autoscaling,
    sns,
    monitoring,
    sqs,
    events,
};

const noShape: OperationShape = {};

/** The path of member `name` of the structure at `path`. */
export function memberPath(path: string, name: string): string {
    return path === "" ? name : `${path}.${name}`;
}

/** The path of an element of the list at `path`. */
export function elementPath(path: string): string {
    return `${path}[]`;
}

/** The path of a value of the map at `path`. */
export function mapValuePath(path: string): string {
    return `${path}{}`;
}

/** The hints of one operation; an operation without any (every ECS and SSM operation) gets none. */
export function operationShape(service: ServiceName, operation: string): OperationShape {
    return shapesByService[service]?.[operation] ?? noShape;
}
