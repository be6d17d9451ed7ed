import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { AwsError } from "../../../sim/errors";
import { type RegionServer, startRegionServer } from "../../../sim/protocol/server";
import { findAwsCli, runAwsCli } from "./awsCli";
import { type ScriptedDispatch, scriptedDispatch } from "./scriptedDispatch";

const account = "123456789012";
const instanceArn = `arn:aws:ecs:us-east-1:${account}:container-instance/demo/0f1e2d3c`;
const topicArn = `arn:aws:sns:us-east-1:${account}:drain`;
const body = '{"Event":"autoscaling:TEST_NOTIFICATION"}';
const createdTime = new Date("2026-11-21T20:00:00.000Z");
const message = {
    MessageId: "m-1",
    ReceiptHandle: "rh-1",
    MD5OfBody: createHash("md5").update(body).digest("hex"),
    Body: body,
    Attributes: { ApproximateReceiveCount: "1" },
    MessageAttributes: { cluster: { DataType: "String", StringValue: "demo" } },
};

describe("sim/protocol/server with the AWS CLI", function () {
    const cli = findAwsCli();
    let server: RegionServer;
    let scripted: ScriptedDispatch;

    before(async function () {
        if (cli === undefined) {
            // CI installs Debian's awscli; a machine without it cannot run this second client.
            this.skip();
        }
        // The script names the queue by the server's own URL (the CLI sends requests there), so it follows the start.
        server = await startRegionServer((service, operation, input) =>
            scripted.dispatch(service, operation, input),
        );
        const queueUrl = `${server.endpoint}/${account}/drain`;
        scripted = scriptedDispatch({
            "ecs ListContainerInstances": {
                input: { cluster: "demo", filter: "ec2InstanceId == i-0abc" },
                answers: [{ output: { containerInstanceArns: [instanceArn] } }],
            },
            "ecs DescribeClusters": {
                input: { clusters: ["gone"] },
                answers: [{ error: new AwsError("ClusterNotFoundException", "Cluster not found.", 400) }],
            },
            "autoscaling DescribeAutoScalingGroups": {
                input: {
                    AutoScalingGroupNames: ["ecs-asg"],
                    Filters: [{ Name: "tag:cluster", Values: ["demo", "demo-2"] }],
                },
                answers: [
                    {
                        output: {
                            AutoScalingGroups: [
                                {
                                    AutoScalingGroupName: "ecs-asg",
                                    MinSize: 1,
                                    MaxSize: 6,
                                    DesiredCapacity: 3,
                                    DefaultCooldown: 300,
                                    AvailabilityZones: ["us-east-1a", "us-east-1b"],
                                    HealthCheckType: "EC2",
                                    CreatedTime: createdTime,
                                    Instances: [
                                        {
                                            InstanceId: "i-0abc",
                                            AvailabilityZone: "us-east-1a",
                                            LifecycleState: "InService",
                                            HealthStatus: "Healthy",
                                            ProtectedFromScaleIn: false,
                                        },
                                    ],
                                    Tags: [],
                                },
                            ],
                        },
                    },
                ],
            },
            "autoscaling CompleteLifecycleAction": {
                input: {
                    LifecycleHookName: "drain",
                    AutoScalingGroupName: "ecs-asg",
                    LifecycleActionResult: "CONTINUE",
                    InstanceId: "i-0abc",
                },
                answers: [
                    {
                        error: new AwsError(
                            "ValidationError",
                            "No active Lifecycle Action found with instance ID i-0abc",
                            400,
                        ),
                    },
                ],
            },
            "sns Publish": {
                input: {
                    TopicArn: topicArn,
                    Message: body,
                    MessageAttributes: { cluster: { DataType: "String", StringValue: "demo" } },
                },
                answers: [{ output: { MessageId: "5f1c-message" } }],
            },
            "sqs ReceiveMessage": {
                input: {
                    QueueUrl: queueUrl,
                    AttributeNames: ["All"],
                    MessageAttributeNames: ["All"],
                    MaxNumberOfMessages: 2,
                },
                answers: [{ output: { Messages: [message] } }],
            },
            "monitoring PutMetricData": {
                input: {
                    Namespace: "ECS/Lifecycle",
                    MetricData: [
                        {
                            MetricName: "ContainerCapacity",
                            Timestamp: new Date("2026-11-21T21:00:00.000Z"),
                            Value: 3,
                            Dimensions: [{ Name: "ClusterName", Value: "demo" }],
                        },
                    ],
                },
                answers: [{ output: {} }],
            },
        });
    });

    after(async () => {
        await server?.close();
    });

    it("speaks JSON 1.1 to ECS, query to Auto Scaling and SNS, and either to SQS and CloudWatch", async () => {
        const run = (args: readonly string[]) => runAwsCli(cli!, server.endpoint, args);
        const queueUrl = `${server.endpoint}/${account}/drain`;
        const [instances, groups, published, received, metric] = await Promise.all([
            run([
                "ecs",
                "list-container-instances",
                "--cluster",
                "demo",
                "--filter",
                "ec2InstanceId == i-0abc",
            ]),
            run([
                "autoscaling",
                "describe-auto-scaling-groups",
                "--auto-scaling-group-names",
                "ecs-asg",
                "--filters",
                "Name=tag:cluster,Values=demo,demo-2",
            ]),
            run([
                "sns",
                "publish",
                "--topic-arn",
                topicArn,
                "--message",
                body,
                "--message-attributes",
                '{"cluster":{"DataType":"String","StringValue":"demo"}}',
            ]),
            run([
                "sqs",
                "receive-message",
                "--queue-url",
                queueUrl,
                "--attribute-names",
                "All",
                "--message-attribute-names",
                "All",
                "--max-number-of-messages",
                "2",
            ]),
            run([
                "cloudwatch",
                "put-metric-data",
                "--namespace",
                "ECS/Lifecycle",
                "--metric-name",
                "ContainerCapacity",
                "--value",
                "3",
                "--dimensions",
                "ClusterName=demo",
                "--timestamp",
                "2026-11-21T21:00:00Z",
            ]),
        ]);
        for (const result of [instances, groups, published, received, metric]) {
            assert.equal(result.exitCode, 0, result.stderr);
        }
        assert.deepEqual(JSON.parse(instances.stdout), { containerInstanceArns: [instanceArn] });
        const [group] = JSON.parse(groups.stdout).AutoScalingGroups;
        // CLI versions print timestamps differently ("…000Z" or "…+00:00"): compare the instant.
        assert.equal(Date.parse(group.CreatedTime), createdTime.getTime());
        assert.deepEqual(
            { ...group, CreatedTime: undefined },
            {
                AutoScalingGroupName: "ecs-asg",
                MinSize: 1,
                MaxSize: 6,
                DesiredCapacity: 3,
                DefaultCooldown: 300,
                AvailabilityZones: ["us-east-1a", "us-east-1b"],
                HealthCheckType: "EC2",
                CreatedTime: undefined,
                Instances: [
                    {
                        InstanceId: "i-0abc",
                        AvailabilityZone: "us-east-1a",
                        LifecycleState: "InService",
                        HealthStatus: "Healthy",
                        ProtectedFromScaleIn: false,
                    },
                ],
                Tags: [],
            },
        );
        assert.deepEqual(JSON.parse(published.stdout), { MessageId: "5f1c-message" });
        assert.deepEqual(JSON.parse(received.stdout), { Messages: [message] });
        assert.equal(metric.stdout, "");
        assert.deepEqual(scripted.calls.map((call) => `${call.service} ${call.operation}`).sort(), [
            "autoscaling DescribeAutoScalingGroups",
            "ecs ListContainerInstances",
            "monitoring PutMetricData",
            "sns Publish",
            "sqs ReceiveMessage",
        ]);
    });

    it("reports the region's errors with their codes and messages", async () => {
        const [cluster, lifecycle] = await Promise.all([
            runAwsCli(cli!, server.endpoint, ["ecs", "describe-clusters", "--clusters", "gone"]),
            runAwsCli(cli!, server.endpoint, [
                "autoscaling",
                "complete-lifecycle-action",
                "--lifecycle-hook-name",
                "drain",
                "--auto-scaling-group-name",
                "ecs-asg",
                "--lifecycle-action-result",
                "CONTINUE",
                "--instance-id",
                "i-0abc",
            ]),
        ]);
        assert.notEqual(cluster.exitCode, 0);
        assert.match(
            cluster.stderr,
            /An error occurred \(ClusterNotFoundException\) when calling the DescribeClusters operation: Cluster not found\./,
        );
        assert.notEqual(lifecycle.exitCode, 0);
        assert.match(
            lifecycle.stderr,
            /An error occurred \(ValidationError\) when calling the CompleteLifecycleAction operation: No active Lifecycle Action found with instance ID i-0abc/,
        );
    });
});
