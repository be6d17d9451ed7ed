import assert from "node:assert/strict";
import { CapacityScaler } from "../../components/capacityScaler";
import { parseSettings } from "../../stack/settings";
import { named, ofType, settle, startMocks, type MockRun } from "../../scripts/mockSynthesis";
import { brokenCollections, serializeHandler } from "../../scripts/lambdaArchive";
import { CAPACITY_NAMESPACE } from "../../stack/capacity";
import { capacityCallbackFactory } from "../../runtime/capacityHandler";

const CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/c1";
const ALERTS = "arn:aws:sns:us-east-1:123456789012:alerts";

describe("CapacityScaler", () => {
    let run: MockRun;
    before(async () => {
        run = await startMocks();
        new CapacityScaler("capacity", {
            settings: parseSettings(
                { minimumSpareTasks: 2, scaleInEvaluationMinutes: 15, scaleInCooldownSeconds: 900 },
                "t",
            ).capacity,
            clusterName: "c1",
            clusterArn: CLUSTER_ARN,
            autoScalingGroupName: "asg",
            availabilityZones: ["us-east-1a", "us-east-1b"],
            logRetentionDays: 30,
            reserveConcurrency: false,
            alertsTopicArn: ALERTS,
            tags: {},
        });
        await settle(run);
    });

    it("runs once a minute on its schedule, on its evaluation queue, and on no ECS event but a placement failure", () => {
        const rules = ofType(run, "aws:cloudwatch/eventRule:EventRule");
        assert.deepEqual(
            rules.map((rule) => [rule.name, rule.inputs.scheduleExpression, rule.inputs.eventPattern]),
            [
                ["capacity-schedule", "rate(1 minute)", undefined],
                [
                    "capacity-placement-failures",
                    undefined,
                    JSON.stringify({
                        source: ["aws.ecs"],
                        "detail-type": ["ECS Service Action"],
                        detail: { eventName: ["SERVICE_TASK_PLACEMENT_FAILURE"], clusterArn: [CLUSTER_ARN] },
                    }),
                ],
            ],
        );
        const failures = named(run, "aws:cloudwatch/eventTarget:EventTarget", "capacity-placement-failures");
        const queueArn = named(run, "aws:sqs/queue:Queue", "capacity-evaluations").outputs.arn;
        assert.equal(failures.inputs.arn, queueArn);
        const policy = JSON.parse(
            named(run, "aws:sqs/queuePolicy:QueuePolicy", "capacity-evaluations-policy").inputs.policy,
        );
        assert.deepEqual(policy.Statement, [
            {
                Sid: "FromThePlacementFailureRuleOnly",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: {
                    ArnEquals: {
                        "aws:SourceArn": named(
                            run,
                            "aws:cloudwatch/eventRule:EventRule",
                            "capacity-placement-failures",
                        ).outputs.arn,
                    },
                },
            },
        ]);
        const target = named(run, "aws:cloudwatch/eventTarget:EventTarget", "capacity-schedule");
        assert.deepEqual(target.inputs.retryPolicy, {
            maximumRetryAttempts: 2,
            maximumEventAgeInSeconds: 60,
        });
        assert.deepEqual(
            ofType(run, "aws:lambda/permission:Permission").map((p) => [p.name, p.inputs.principal]),
            [["capacity-schedule", "events.amazonaws.com"]],
        );
        const queue = named(run, "aws:sqs/queue:Queue", "capacity-evaluations");
        assert.deepEqual(
            [
                queue.inputs.sqsManagedSseEnabled,
                queue.inputs.messageRetentionSeconds,
                queue.inputs.visibilityTimeoutSeconds,
            ],
            [true, 60, 60],
        );
        const source = named(run, "aws:lambda/eventSourceMapping:EventSourceMapping", "capacity-evaluations");
        assert.deepEqual(
            [
                source.inputs.batchSize,
                source.inputs.maximumBatchingWindowInSeconds,
                source.inputs.scalingConfig,
            ],
            [10, undefined, { maximumConcurrency: 2 }],
        );
        assert.equal(
            named(run, "aws:lambda/function:Function", "capacity-fn").inputs.reservedConcurrentExecutions,
            undefined,
            "no reservation unless the stack opts in",
        );
        const fn = named(run, "aws:lambda/function:Function", "capacity-fn");
        assert.equal(fn.inputs.memorySize, 512);
        assert.deepEqual(Object.keys(fn.inputs.environment.variables).sort(), [
            "AVAILABILITY_ZONES",
            "CLUSTER_NAME",
            "EVALUATION_QUEUE_URL",
        ]);
        assert.equal(fn.inputs.environment.variables.AVAILABILITY_ZONES, "us-east-1a,us-east-1b");
    });

    it("adds instances when fewer than minimumSpareTasks fit, and treats missing data as fine", () => {
        const alarm = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "capacity-capacity-low");
        assert.deepEqual(
            [
                alarm.inputs.namespace,
                alarm.inputs.metricName,
                alarm.inputs.threshold,
                alarm.inputs.comparisonOperator,
                alarm.inputs.treatMissingData,
            ],
            [CAPACITY_NAMESPACE, "ContainerCapacity", 2, "LessThanThreshold", "notBreaching"],
        );
        assert.deepEqual(alarm.inputs.dimensions, { ClusterName: "c1" });
        const policy = named(run, "aws:autoscaling/policy:Policy", "capacity-scale-out");
        assert.match(
            policy.outputs.arn,
            /^arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName\/asg:policyName\/capacity-scale-out-physical$/,
        );
        assert.deepEqual(alarm.inputs.alarmActions, [policy.outputs.arn]);
        assert.equal(policy.inputs.policyType, "StepScaling");
        assert.equal(policy.inputs.estimatedInstanceWarmup, 300);
        assert.deepEqual(policy.inputs.stepAdjustments, [
            { metricIntervalLowerBound: "-3", metricIntervalUpperBound: "0", scalingAdjustment: 1 },
            { metricIntervalUpperBound: "-3", scalingAdjustment: 2 },
        ]);
    });

    it("removes one instance at a time after a sustained idle period, with a cooldown", () => {
        const alarm = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "capacity-idle-hosts");
        assert.deepEqual(
            [
                alarm.inputs.metricName,
                alarm.inputs.statistic,
                alarm.inputs.threshold,
                alarm.inputs.comparisonOperator,
            ],
            ["IdleHostCapacity", "Minimum", 1, "GreaterThanThreshold"],
        );
        assert.deepEqual(
            [alarm.inputs.evaluationPeriods, alarm.inputs.datapointsToAlarm, alarm.inputs.treatMissingData],
            [15, 15, "notBreaching"],
        );
        const policy = named(run, "aws:autoscaling/policy:Policy", "capacity-scale-in");
        assert.deepEqual(
            [
                policy.inputs.policyType,
                policy.inputs.scalingAdjustment,
                policy.inputs.cooldown,
                policy.inputs.autoscalingGroupName,
            ],
            ["SimpleScaling", -1, 900, "asg"],
        );
    });

    it("pages, and never scales, when ContainerCapacity stops arriving for three schedule intervals", () => {
        const alarm = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "capacity-metrics-missing");
        assert.deepEqual(
            [
                alarm.inputs.namespace,
                alarm.inputs.metricName,
                alarm.inputs.statistic,
                alarm.inputs.period,
                alarm.inputs.evaluationPeriods,
                alarm.inputs.datapointsToAlarm,
                alarm.inputs.threshold,
                alarm.inputs.comparisonOperator,
                alarm.inputs.treatMissingData,
            ],
            [
                CAPACITY_NAMESPACE,
                "ContainerCapacity",
                "SampleCount",
                60,
                3,
                3,
                1,
                "LessThanThreshold",
                "breaching",
            ],
        );
        assert.deepEqual(alarm.inputs.dimensions, { ClusterName: "c1" });
        assert.deepEqual([alarm.inputs.alarmActions, alarm.inputs.okActions], [[ALERTS], [ALERTS]]);
        for (const scaling of ["capacity-capacity-low", "capacity-idle-hosts"]) {
            assert.equal(
                named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", scaling).inputs.treatMissingData,
                "notBreaching",
            );
        }
    });

    it("tells a person of handler failures and failed async invocations", () => {
        for (const name of ["capacity-fn-errors", "capacity-fn-failed-events"]) {
            const alarm = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", name);
            assert.deepEqual([alarm.inputs.alarmActions, alarm.inputs.okActions], [[ALERTS], [ALERTS]], name);
        }
        const failed = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "capacity-fn-failed-events");
        assert.deepEqual(
            [failed.inputs.namespace, failed.inputs.metricName, failed.inputs.dimensions],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "capacity-fn-failures-physical" }],
        );
    });

    it("reads only this cluster's instances and services", () => {
        const policy = JSON.parse(
            named(run, "aws:iam/rolePolicy:RolePolicy", "capacity-fn-policy").inputs.policy,
        );
        const bySid = Object.fromEntries(policy.Statement.map((s: { Sid: string }) => [s.Sid, s]));
        assert.equal(bySid.ListThisClustersInstances.Resource, CLUSTER_ARN);
        assert.deepEqual(bySid.DeferAndReceiveEvaluations.Action, [
            "sqs:SendMessage",
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        ]);
        assert.match(bySid.DeferAndReceiveEvaluations.Resource, /^arn:aws:sqs:.*capacity-evaluations/);
        assert.deepEqual(bySid.DescribeThisClustersInstancesAndServices.Resource, [
            "arn:aws:ecs:us-east-1:123456789012:container-instance/c1/*",
            "arn:aws:ecs:us-east-1:123456789012:service/c1/*",
        ]);
        assert.deepEqual(bySid.ListThisClustersServices.Condition, {
            ArnEquals: { "ecs:cluster": CLUSTER_ARN },
        });
        for (const statement of policy.Statement) {
            for (const action of [statement.Action].flat()) assert.doesNotMatch(action, /^[a-z]+:\*$|^\*$/);
        }
    });

    it("serializes a handler that runs as Lambda loads it", async () => {
        const handler = await serializeHandler(
            capacityCallbackFactory({ minimumSpareTasks: 1, namespace: CAPACITY_NAMESPACE }),
        );
        assert.ok(handler.zipBytes < 50_000, `capacity archive is ${handler.zipBytes} bytes`);
        assert.deepEqual(brokenCollections(handler.text), []);
        process.env.CLUSTER_NAME = "c1";
        process.env.EVALUATION_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/c1-evaluations";
        process.env.AWS_REGION = "us-east-1";
        const lines: string[] = [];
        const log = console.log;
        console.log = (line: string) => lines.push(line);
        try {
            const result = (await handler.load()({
                "detail-type": "ECS Container Instance State Change",
            })) as { outcome: string };
            assert.equal(result.outcome, "malformed");
        } finally {
            console.log = log;
        }
        assert.ok(
            lines.some((l) => l.includes("MalformedEvents")),
            lines.join("\n"),
        );
    });
});
