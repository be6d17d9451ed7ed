import assert from "node:assert/strict";
import { parseEmfLine } from "../../sim/emf";
import { messagingRegion, type MessagingRegion } from "./messagingContext";

const EPOCH = Date.UTC(2026, 0, 1);
const CLUSTER = [{ Name: "ClusterName", Value: "prod" }];

function emf(values: Record<string, unknown>, dimensions: string[][] = [["ClusterName"]]): string {
    return JSON.stringify({
        _aws: {
            Timestamp: Date.now(),
            CloudWatchMetrics: [
                {
                    Namespace: "ECS/Capacity",
                    Dimensions: dimensions,
                    Metrics: [
                        { Name: "ContainerCapacity", Unit: "Count" },
                        { Name: "IdleHostCapacity", Unit: "Count" },
                    ],
                },
            ],
        },
        ClusterName: "prod",
        LimitingResource: "MEMORY",
        ...values,
    });
}

/** Writes one EMF line at `seconds` after the start, as the capacity Lambda would. */
function emitAt(region: MessagingRegion, seconds: number, capacity: number): void {
    region.clock.at(EPOCH + seconds * 1000, "test.emf", () =>
        region.cloudwatch.logLine(
            "/aws/lambda/capacity",
            emf({ ContainerCapacity: capacity, IdleHostCapacity: 0 }),
        ),
    );
}

function putCapacityAlarm(region: MessagingRegion, extra: Record<string, unknown>): void {
    region.cloudwatch.call("PutMetricAlarm", {
        AlarmName: "capacity-low",
        Namespace: "ECS/Capacity",
        MetricName: "ContainerCapacity",
        Dimensions: CLUSTER,
        Statistic: "Minimum",
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 1,
        ComparisonOperator: "LessThanThreshold",
        ...extra,
    });
}

describe("sim/cloudwatch", () => {
    describe("EMF", () => {
        it("extracts one datapoint per value and per dimension set", () => {
            const parsed = parseEmfLine(
                emf({ ContainerCapacity: [3, 4], IdleHostCapacity: 1 }, [
                    ["ClusterName"],
                    ["ClusterName", "LimitingResource"],
                ]),
            );
            assert.equal(parsed.kind, "metrics");
            assert.deepEqual(
                parsed.kind === "metrics"
                    ? parsed.metrics.map((m) => [
                          m.metricName,
                          m.dimensions.map((d) => d.Value),
                          m.values,
                          m.unit,
                      ])
                    : [],
                [
                    ["ContainerCapacity", ["prod"], [3, 4], "Count"],
                    ["ContainerCapacity", ["prod", "MEMORY"], [3, 4], "Count"],
                    ["IdleHostCapacity", ["prod"], [1], "Count"],
                    ["IdleHostCapacity", ["prod", "MEMORY"], [1], "Count"],
                ],
            );
        });

        it("tells plain lines from invalid EMF, and says why", () => {
            assert.deepEqual(parseEmfLine("START RequestId: 1"), { kind: "not-emf" });
            assert.deepEqual(parseEmfLine('{"message":"hello"}'), { kind: "not-emf" });
            assert.deepEqual(parseEmfLine(emf({ ContainerCapacity: "three", IdleHostCapacity: 0 })), {
                kind: "invalid",
                reason: "metric ContainerCapacity must be a number or a list of 1–100 numbers at the root",
            });
            assert.deepEqual(
                parseEmfLine(emf({ ContainerCapacity: 1, IdleHostCapacity: 0 }, [["Missing"]])),
                {
                    kind: "invalid",
                    reason: '_aws.CloudWatchMetrics[0].Dimensions: "Missing" must name a root member holding a string',
                },
            );
        });

        it("turns a Lambda's EMF log lines into metrics stamped with virtual time, and records rejected lines", async () => {
            const region = messagingRegion();
            emitAt(region, 10, 3);
            emitAt(region, 70, 2);
            region.clock.at(EPOCH + 80_000, "bad", () =>
                region.cloudwatch.logLine("/aws/lambda/capacity", '{"_aws":{"Timestamp":1}}'),
            );
            await region.clock.runFor(120_000);
            assert.deepEqual(region.cloudwatch.series("ECS/Capacity", "ContainerCapacity", CLUSTER), [
                { at: EPOCH + 10_000, value: 3 },
                { at: EPOCH + 70_000, value: 2 },
            ]);
            assert.deepEqual(region.entries("cloudwatch.emf-rejected"), [
                {
                    t: 80,
                    detail: {
                        logGroup: "/aws/lambda/capacity",
                        reason: "_aws.CloudWatchMetrics must be an array",
                    },
                },
            ]);
            assert.equal(region.cloudwatch.logEvents("/aws/lambda/capacity").length, 3);
            const listed = region.cloudwatch.call("ListMetrics", {
                Namespace: "ECS/Capacity",
                Dimensions: [{ Name: "ClusterName" }],
            }) as {
                Metrics: { MetricName: string }[];
            };
            assert.deepEqual(listed.Metrics.map((m) => m.MetricName).sort(), [
                "ContainerCapacity",
                "IdleHostCapacity",
            ]);
        });
    });

    describe("statistics", () => {
        it("aggregates PutMetricData values into periods for GetMetricStatistics and GetMetricData", async () => {
            const region = messagingRegion();
            const put = (seconds: number, data: Record<string, unknown>) =>
                region.cloudwatch.call("PutMetricData", {
                    Namespace: "App",
                    MetricData: [
                        {
                            MetricName: "Latency",
                            Dimensions: [{ Name: "Service", Value: "web" }],
                            Timestamp: new Date(EPOCH + seconds * 1000),
                            ...data,
                        },
                    ],
                });
            put(5, { Value: 10 });
            put(50, { Value: 30 });
            put(65, { Values: [1, 3], Counts: [1, 3] });
            put(130, { StatisticValues: { SampleCount: 4, Sum: 40, Minimum: 2, Maximum: 20 } });
            const stats = region.cloudwatch.call("GetMetricStatistics", {
                Namespace: "App",
                MetricName: "Latency",
                Dimensions: [{ Name: "Service", Value: "web" }],
                StartTime: new Date(EPOCH),
                EndTime: new Date(EPOCH + 180_000),
                Period: 60,
                Statistics: ["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
            }) as { Datapoints: Record<string, unknown>[] };
            assert.deepEqual(stats.Datapoints, [
                {
                    Timestamp: new Date(EPOCH),
                    SampleCount: 2,
                    Sum: 40,
                    Average: 20,
                    Minimum: 10,
                    Maximum: 30,
                    Unit: "None",
                },
                {
                    Timestamp: new Date(EPOCH + 60_000),
                    SampleCount: 4,
                    Sum: 10,
                    Average: 2.5,
                    Minimum: 1,
                    Maximum: 3,
                    Unit: "None",
                },
                {
                    Timestamp: new Date(EPOCH + 120_000),
                    SampleCount: 4,
                    Sum: 40,
                    Average: 10,
                    Minimum: 2,
                    Maximum: 20,
                    Unit: "None",
                },
            ]);
            const data = region.cloudwatch.call("GetMetricData", {
                StartTime: new Date(EPOCH),
                EndTime: new Date(EPOCH + 180_000),
                MetricDataQueries: [
                    {
                        Id: "max",
                        MetricStat: {
                            Metric: {
                                Namespace: "App",
                                MetricName: "Latency",
                                Dimensions: [{ Name: "Service", Value: "web" }],
                            },
                            Period: 120,
                            Stat: "Maximum",
                        },
                    },
                ],
            }) as { MetricDataResults: { Id: string; Timestamps: Date[]; Values: number[] }[] };
            assert.deepEqual(data.MetricDataResults[0].Timestamps, [
                new Date(EPOCH + 120_000),
                new Date(EPOCH),
            ]);
            assert.deepEqual(data.MetricDataResults[0].Values, [20, 30]);
            // A different dimension set is a different metric.
            assert.deepEqual(region.cloudwatch.series("App", "Latency", []), []);
            assert.throws(
                () =>
                    region.cloudwatch.call("PutMetricData", {
                        Namespace: "AWS/EC2",
                        MetricData: [{ MetricName: "x", Value: 1 }],
                    }),
                {
                    name: "InvalidParameterValue",
                },
            );
        });
        it("takes PutMetricData time stamps from two weeks back to two hours ahead, and refuses the whole request otherwise", async () => {
            const region = messagingRegion();
            await region.clock.runFor(20 * 24 * 3600 * 1000);
            const now = region.clock.now();
            const put = (...offsetsMs: number[]) =>
                region.cloudwatch.call("PutMetricData", {
                    Namespace: "App",
                    MetricData: offsetsMs.map((offset) => ({
                        MetricName: "Depth",
                        Value: 1,
                        Timestamp: new Date(now + offset),
                    })),
                });
            const twoWeeks = 14 * 24 * 3600 * 1000;
            const twoHours = 2 * 3600 * 1000;
            put(-twoWeeks, 0, twoHours);
            assert.throws(() => put(0, -twoWeeks - 1000), {
                name: "InvalidParameterValue",
                message:
                    "The parameter MetricData.member.2.Timestamp must specify a time within the past two weeks.",
            });
            assert.throws(() => put(twoHours + 1000, 0, -twoWeeks - 1000), {
                name: "InvalidParameterValue",
                message:
                    "The parameter MetricData.member.1.Timestamp must specify a time no more than two hours in the future.\n" +
                    "The parameter MetricData.member.3.Timestamp must specify a time within the past two weeks.",
            });
            assert.equal(
                region.cloudwatch.series("App", "Depth", []).length,
                3,
                "refused requests store nothing",
            );
        });
    });

    describe("alarms", () => {
        it("evaluates M of N each minute, runs the scaling action on ALARM and again every minute while in ALARM, and notifies SNS on changes", async () => {
            const region = messagingRegion();
            const { TopicArn } = region.sns.call("CreateTopic", { Name: "alarms" }) as { TopicArn: string };
            const policyArn =
                "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:abc:autoScalingGroupName/asg:policyName/out";
            putCapacityAlarm(region, { AlarmActions: [policyArn, TopicArn], OKActions: [TopicArn] });
            for (let minute = 0; minute < 8; minute++) emitAt(region, minute * 60 + 10, minute < 4 ? 0 : 5);
            await region.clock.runFor(600_000);

            assert.deepEqual(
                region.entries("alarm.state").map((e) => [e.t, e.detail.from, e.detail.to]),
                [
                    [60, "INSUFFICIENT_DATA", "OK"],
                    [120, "OK", "ALARM"],
                    [360, "ALARM", "OK"],
                ],
            );
            assert.deepEqual(
                region.scalingCalls.map((c) => [
                    (c.at - EPOCH) / 1000,
                    c.policyArn,
                    c.alarmValue,
                    c.breachThreshold,
                ]),
                [
                    [120, policyArn, 0, 1],
                    [180, policyArn, 0, 1],
                    [240, policyArn, 0, 1],
                    [300, policyArn, 5, 1],
                ],
            );
            const notices = region.sns
                .messagesFor(TopicArn)
                .map((m) => [
                    m.subject,
                    JSON.parse(m.message).NewStateValue,
                    JSON.parse(m.message).OldStateValue,
                ]);
            assert.deepEqual(notices, [
                ['OK: "capacity-low" in us-east-1', "OK", "INSUFFICIENT_DATA"],
                ['ALARM: "capacity-low" in us-east-1', "ALARM", "OK"],
                ['OK: "capacity-low" in us-east-1', "OK", "ALARM"],
            ]);
            const described = region.cloudwatch.call("DescribeAlarms", { AlarmNames: ["capacity-low"] }) as {
                MetricAlarms: Record<string, unknown>[];
            };
            assert.equal(described.MetricAlarms[0].StateValue, "OK");
            assert.deepEqual(described.MetricAlarms[0].StateUpdatedTimestamp, new Date(EPOCH + 360_000));
        });

        it("goes to INSUFFICIENT_DATA when data stops under `missing`, and alarms on silence under `breaching`", async () => {
            const quiet = messagingRegion();
            putCapacityAlarm(quiet, { TreatMissingData: "missing" });
            emitAt(quiet, 10, 5);
            await quiet.clock.runFor(300_000);
            assert.deepEqual(
                quiet.entries("alarm.state").map((e) => [e.t, e.detail.to]),
                [
                    [60, "OK"],
                    [240, "INSUFFICIENT_DATA"],
                ],
            );

            const silent = messagingRegion();
            const policyArn =
                "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:abc:autoScalingGroupName/asg:policyName/out";
            putCapacityAlarm(silent, { TreatMissingData: "breaching", AlarmActions: [policyArn] });
            await silent.clock.runFor(180_000);
            assert.deepEqual(
                silent.entries("alarm.state").map((e) => [e.t, e.detail.to]),
                [[60, "ALARM"]],
            );
            // With no datapoint the policy gets the threshold as the metric value.
            assert.deepEqual(
                silent.scalingCalls.map((c) => [(c.at - EPOCH) / 1000, c.alarmValue]),
                [
                    [60, 1],
                    [120, 1],
                    [180, 1],
                ],
            );
        });

        it("when data stops, keeps ALARM under `ignore`, goes OK under `notBreaching` and INSUFFICIENT_DATA under `missing`", async () => {
            const after: Record<string, [number, unknown][]> = {};
            for (const treatMissingData of ["ignore", "notBreaching", "missing"]) {
                const region = messagingRegion();
                putCapacityAlarm(region, {
                    TreatMissingData: treatMissingData,
                    EvaluationPeriods: 1,
                    DatapointsToAlarm: 1,
                });
                emitAt(region, 10, 0);
                await region.clock.runFor(600_000);
                after[treatMissingData] = region.entries("alarm.state").map((e) => [e.t, e.detail.to]);
            }
            assert.deepEqual(after, {
                ignore: [[60, "ALARM"]],
                notBreaching: [
                    [60, "ALARM"],
                    [120, "OK"],
                ],
                missing: [
                    [60, "ALARM"],
                    [120, "INSUFFICIENT_DATA"],
                ],
            });
        });

        it("validates alarm settings and deletes alarms", () => {
            const region = messagingRegion();
            assert.throws(() => putCapacityAlarm(region, { ComparisonOperator: "Above" }), {
                name: "InvalidParameterValue",
                message: /ComparisonOperator/,
            });
            assert.throws(() => putCapacityAlarm(region, { TreatMissingData: "zero" }), {
                name: "InvalidParameterValue",
            });
            assert.throws(() => putCapacityAlarm(region, { Period: 45 }), {
                name: "InvalidParameterValue",
                message: /Period/,
            });
            assert.throws(() => putCapacityAlarm(region, { DatapointsToAlarm: 4 }), {
                name: "InvalidParameterValue",
            });
            assert.throws(() => putCapacityAlarm(region, { Statistic: "p99" }), {
                name: "InvalidParameterValue",
            });
            putCapacityAlarm(region, {});
            region.cloudwatch.call("DeleteAlarms", { AlarmNames: ["capacity-low"] });
            assert.deepEqual(
                (region.cloudwatch.call("DescribeAlarms", {}) as { MetricAlarms: unknown[] }).MetricAlarms,
                [],
            );
            assert.throws(() => region.cloudwatch.call("DeleteAlarms", { AlarmNames: ["capacity-low"] }), {
                name: "ResourceNotFound",
            });
        });
    });
});
