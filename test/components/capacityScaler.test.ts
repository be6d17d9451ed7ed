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
            trunking: false,
            clusterName: "c1",
            clusterArn: CLUSTER_ARN,
            autoScalingGroupName: "asg",
            logRetentionDays: 30,
            reserveConcurrency: false,
            alertsTopicArn: ALERTS,
            tags: {},
        });
        await settle(run);
    });

    it("runs on this cluster's container instance events and every minute", () => {
        const events = named(run, "aws:cloudwatch/eventRule:EventRule", "capacity-instance-events");
        assert.deepEqual(JSON.parse(events.inputs.eventPattern), {
            source: ["aws.ecs"],
            "detail-type": ["ECS Container Instance State Change"],
            detail: { clusterArn: [CLUSTER_ARN] },
        });
        assert.equal(
            named(run, "aws:cloudwatch/eventRule:EventRule", "capacity-schedule").inputs.scheduleExpression,
            "rate(1 minute)",
        );
        assert.deepEqual(
            ofType(run, "aws:lambda/permission:Permission")
                .map((p) => [p.name, p.inputs.principal])
                .sort(),
            [
                ["capacity-instance-events", "events.amazonaws.com"],
                ["capacity-schedule", "events.amazonaws.com"],
            ],
        );
        assert.equal(
            named(run, "aws:lambda/function:Function", "capacity-fn").inputs.reservedConcurrentExecutions,
            undefined,
            "no reservation unless the stack opts in",
        );
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
        assert.deepEqual(alarm.inputs.alarmActions, [
            "arn:aws:autoscaling:us-east-1:123456789012:autoscaling/capacity-scale-out-physical",
        ]);
        const policy = named(run, "aws:autoscaling/policy:Policy", "capacity-scale-out");
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
            capacityCallbackFactory({ trunking: true, minimumSpareTasks: 1, namespace: CAPACITY_NAMESPACE }),
        );
        assert.ok(handler.zipBytes < 50_000, `capacity archive is ${handler.zipBytes} bytes`);
        assert.deepEqual(brokenCollections(handler.text), []);
        process.env.CLUSTER_NAME = "c1";
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
