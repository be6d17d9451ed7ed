/**
 * Deploys the CapacityScaler component into the simulated region as the component declares it:
 * the capacity Lambda built from `capacityCallbackFactory` (its env, size, failure queue, and its
 * reserved concurrency when the stack opts in), the one-minute schedule that runs it, its
 * evaluation queue and that queue's event source mapping, the step scale-out and simple scale-in
 * policies, the two scaling alarms on the EMF metrics, and, given the stack's alerts topic, the
 * alarm that pages it when ContainerCapacity stops arriving (without one the region has no topic to
 * page, and runs stay as they were for their seeds). Every value comes from the component's
 * exported declarations, so the region runs what Pulumi would create. Deploy-time calls go through
 * `region.admin` (uncounted), as in harness.ts.
 */
import type { CapacitySettings } from "../../stack/settings";
import type { DeployedCluster, SimHarness } from "../harness";
import { coldStartOnFirstInvocation } from "./coldStart";
import {
    CAPACITY_FUNCTION,
    CAPACITY_NAMESPACE,
    CAPACITY_QUEUE,
    CAPACITY_QUEUE_SOURCE,
    CAPACITY_SCHEDULE,
    capacityAlarmDeclarations,
    placementFailurePattern,
    capacityMetricsMissingAlarmDeclaration,
    scaleInPolicyDeclaration,
    scaleOutPolicyDeclaration,
    type CapacityAlarmDeclaration,
} from "../../stack/capacity";
import { capacityCallbackFactory } from "../../runtime/capacityHandler";
import { reservedConcurrencyOf } from "../../stack/concurrency";

export interface CapacityScalerDeployment {
    readonly functionArn: string;
    readonly functionName: string;
    readonly failureQueueArn: string;
    readonly evaluationQueueUrl: string;
    readonly scheduleRuleName: string;
    readonly scaleOutPolicyArn: string;
    readonly scaleInPolicyArn: string;
    readonly capacityLowAlarmName: string;
    readonly idleHostsAlarmName: string;
    /** Deployed only with an alerts topic to page (`options.alertsTopicArn`). */
    readonly metricsMissingAlarmName: string;
    /** The metrics' one dimension set, as CloudWatch identifies them. */
    readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
}

export async function deployCapacityScaler(
    harness: SimHarness,
    deployed: DeployedCluster,
    settings: CapacitySettings,
    options: { reserveConcurrency?: boolean; alertsTopicArn?: string } = {},
): Promise<CapacityScalerDeployment> {
    const region = harness.region;
    const name = `${deployed.clusterName}-capacity`;

    const createQueue = (queueName: string, attributes: Record<string, string>) => {
        const { QueueUrl } = region.admin("sqs", "CreateQueue", {
            QueueName: queueName,
            Attributes: attributes,
        }) as { QueueUrl: string };
        const { Attributes } = region.admin("sqs", "GetQueueAttributes", {
            QueueUrl,
            AttributeNames: ["QueueArn"],
        }) as { Attributes: { QueueArn: string } };
        return { url: QueueUrl, arn: Attributes.QueueArn };
    };
    const failureQueueArn = createQueue(`${name}-failures`, {
        MessageRetentionPeriod: String(14 * 24 * 3600),
    }).arn;
    const evaluations = createQueue(`${name}-evaluations`, {
        MessageRetentionPeriod: String(CAPACITY_QUEUE.messageRetentionSeconds),
        VisibilityTimeout: String(CAPACITY_QUEUE.visibilityTimeoutSeconds),
    });

    const handler = coldStartOnFirstInvocation(
        capacityCallbackFactory(
            { minimumSpareTasks: settings.minimumSpareTasks, namespace: CAPACITY_NAMESPACE },
            harness.lambdaRuntime,
        ),
    );
    const functionName = `${name}-fn`;
    const functionArn = harness.deployFunction({
        name: functionName,
        handler,
        ...CAPACITY_FUNCTION,
        reservedConcurrency: reservedConcurrencyOf("capacity", options.reserveConcurrency ?? false),
        environment: {
            CLUSTER_NAME: deployed.clusterName,
            EVALUATION_QUEUE_URL: evaluations.url,
            // The group's zones, as CapacityScaler passes the network's.
            AVAILABILITY_ZONES: region.autoscaling.groups
                .get(deployed.groupName)!
                .availabilityZones.join(","),
        },
        deadLetterArn: failureQueueArn,
    });
    region.lambda.createEventSourceMapping({
        queueArn: evaluations.arn,
        functionArn,
        batchSize: CAPACITY_QUEUE_SOURCE.batchSize,
        maximumConcurrency: CAPACITY_QUEUE_SOURCE.maximumConcurrency,
    });

    const scheduleRuleName = `${name}-schedule`;
    region.admin("events", "PutRule", {
        Name: scheduleRuleName,
        Description: "Evaluates the cluster's capacity once a minute",
        ScheduleExpression: CAPACITY_SCHEDULE,
    });
    region.admin("events", "PutTargets", {
        Rule: scheduleRuleName,
        Targets: [{ Id: "capacity", Arn: functionArn }],
    });

    const placementFailuresRuleName = `${name}-placement-failures`;
    region.admin("events", "PutRule", {
        Name: placementFailuresRuleName,
        Description: "Evaluates at once when a service of the cluster cannot place a task",
        EventPattern: JSON.stringify(placementFailurePattern(deployed.clusterArn)),
    });
    region.admin("events", "PutTargets", {
        Rule: placementFailuresRuleName,
        Targets: [{ Id: "evaluations", Arn: evaluations.arn }],
    });

    const out = scaleOutPolicyDeclaration(settings);
    const { PolicyARN: scaleOutPolicyArn } = region.admin("autoscaling", "PutScalingPolicy", {
        AutoScalingGroupName: deployed.groupName,
        PolicyName: `${name}-scale-out`,
        PolicyType: out.policyType,
        AdjustmentType: out.adjustmentType,
        MetricAggregationType: out.metricAggregationType,
        EstimatedInstanceWarmup: out.estimatedInstanceWarmup,
        StepAdjustments: out.steps.map((step) => ({
            MetricIntervalLowerBound: step.lowerBound,
            MetricIntervalUpperBound: step.upperBound,
            ScalingAdjustment: step.adjustment,
        })),
    }) as { PolicyARN: string };
    const scaleIn = scaleInPolicyDeclaration(settings);
    const { PolicyARN: scaleInPolicyArn } = region.admin("autoscaling", "PutScalingPolicy", {
        AutoScalingGroupName: deployed.groupName,
        PolicyName: `${name}-scale-in`,
        PolicyType: scaleIn.policyType,
        AdjustmentType: scaleIn.adjustmentType,
        ScalingAdjustment: scaleIn.scalingAdjustment,
        Cooldown: scaleIn.cooldown,
    }) as { PolicyARN: string };

    const dimensions = [{ Name: "ClusterName", Value: deployed.clusterName }];
    const alarms = capacityAlarmDeclarations(settings);
    const putAlarm = (alarmName: string, alarm: CapacityAlarmDeclaration, policyArn: string): string => {
        region.admin("monitoring", "PutMetricAlarm", {
            AlarmName: alarmName,
            AlarmDescription: alarm.description,
            Namespace: CAPACITY_NAMESPACE,
            MetricName: alarm.metricName,
            Dimensions: dimensions,
            Statistic: alarm.statistic,
            Period: alarm.period,
            EvaluationPeriods: alarm.evaluationPeriods,
            DatapointsToAlarm: alarm.datapointsToAlarm,
            Threshold: alarm.threshold,
            ComparisonOperator: alarm.comparisonOperator,
            TreatMissingData: alarm.treatMissingData,
            AlarmActions: [policyArn],
        });
        return alarmName;
    };

    const metricsMissingAlarmName = `${name}-metrics-missing`;
    if (options.alertsTopicArn !== undefined) {
        const missing = capacityMetricsMissingAlarmDeclaration();
        region.admin("monitoring", "PutMetricAlarm", {
            AlarmName: metricsMissingAlarmName,
            AlarmDescription: missing.description,
            Namespace: CAPACITY_NAMESPACE,
            MetricName: missing.metricName,
            Dimensions: dimensions,
            Statistic: missing.statistic,
            Period: missing.period,
            EvaluationPeriods: missing.evaluationPeriods,
            DatapointsToAlarm: missing.datapointsToAlarm,
            Threshold: missing.threshold,
            ComparisonOperator: missing.comparisonOperator,
            TreatMissingData: missing.treatMissingData,
            AlarmActions: [options.alertsTopicArn],
            OKActions: [options.alertsTopicArn],
        });
    }

    return {
        functionArn,
        functionName,
        metricsMissingAlarmName,
        failureQueueArn,
        evaluationQueueUrl: evaluations.url,
        scheduleRuleName,
        scaleOutPolicyArn,
        scaleInPolicyArn,
        capacityLowAlarmName: putAlarm(`${name}-capacity-low`, alarms.capacityLow, scaleOutPolicyArn),
        idleHostsAlarmName: putAlarm(`${name}-idle-hosts`, alarms.idleHosts, scaleInPolicyArn),
        dimensions,
    };
}
