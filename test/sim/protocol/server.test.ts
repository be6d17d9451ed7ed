import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
    AutoScalingClient,
    CompleteLifecycleActionCommand,
    DescribeAutoScalingGroupsCommand,
    StartInstanceRefreshCommand,
} from "@aws-sdk/client-auto-scaling";
import {
    CloudWatchClient,
    DescribeAlarmsCommand,
    InvalidParameterValueException,
    PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import {
    ClusterNotFoundException,
    DescribeContainerInstancesCommand,
    ECSClient,
    ListContainerInstancesCommand,
    ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { GetTopicAttributesCommand, NotFoundException, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { QueueDoesNotExist, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { AwsError } from "../../../sim/errors";
import { type RegionServer, startRegionServer } from "../../../sim/protocol/server";
import { type ScriptedCall, type ScriptedDispatch, scriptedDispatch } from "./scriptedDispatch";

const region = "us-east-1";
const credentials = { accessKeyId: "AKIDSIMULATED", secretAccessKey: "simulated-secret" };
const account = "123456789012";

/** One client config per test: no retries unless the test is about them, so each call reaches the dispatcher once. */
const clientConfig = (server: RegionServer, maxAttempts = 1) => ({
    endpoint: server.endpoint,
    region,
    credentials,
    maxAttempts,
});

async function withServer(
    script: Record<string, ScriptedCall>,
    test: (server: RegionServer, scripted: ScriptedDispatch) => Promise<void>,
): Promise<void> {
    const scripted = scriptedDispatch(script);
    const server = await startRegionServer(scripted.dispatch);
    try {
        await test(server, scripted);
    } finally {
        await server.close();
    }
}

/** The SDK output without its transport metadata. */
function withoutMetadata<T extends { $metadata: unknown }>(output: T): Omit<T, "$metadata"> {
    const { $metadata, ...rest } = output;
    assert.ok($metadata);
    return rest;
}

/** A SigV4 Authorization header as a client would send it (the server reads only the credential scope). */
const signedFor = (service: string) =>
    `AWS4-HMAC-SHA256 Credential=AKIDSIMULATED/20261121/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;

async function postForm(
    server: RegionServer,
    form: string,
    authorization?: string,
): Promise<{ status: number; requestId: string | null; body: string }> {
    const headers: Record<string, string> = {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    };
    if (authorization !== undefined) {
        headers.authorization = authorization;
    }
    const response = await fetch(`${server.endpoint}/`, { method: "POST", headers, body: form });
    return {
        status: response.status,
        requestId: response.headers.get("x-amzn-requestid"),
        body: await response.text(),
    };
}

async function postJson(
    server: RegionServer,
    target: string,
    body: string,
): Promise<{ status: number; headers: Headers; body: string }> {
    const response = await fetch(`${server.endpoint}/`, {
        method: "POST",
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
        body,
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
}

describe("sim/protocol/server", () => {
    it("listens on loopback only, on a free port", async () => {
        const server = await startRegionServer(async () => ({}));
        try {
            assert.match(server.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
            assert.equal(server.endpoint, `http://127.0.0.1:${server.port}`);
            assert.ok(server.port > 0);
        } finally {
            await server.close();
        }
        await assert.rejects(
            startRegionServer(async () => ({}), { host: "0.0.0.0" as "127.0.0.1" }),
            {
                message: `host must be "127.0.0.1" (the region is served on loopback only), got '0.0.0.0'`,
            },
        );
    });

    describe("ECS (AWS JSON 1.1)", () => {
        const instanceArn = `arn:aws:ecs:${region}:${account}:container-instance/demo/0f1e2d3c`;
        const containerInstance = {
            containerInstanceArn: instanceArn,
            ec2InstanceId: "i-0abc",
            version: 7,
            status: "DRAINING",
            agentConnected: true,
            runningTasksCount: 2,
            pendingTasksCount: 1,
            registeredResources: [
                { name: "CPU", type: "INTEGER", integerValue: 2048, doubleValue: 0, longValue: 0 },
                { name: "PORTS", type: "STRINGSET", stringSetValue: ["22", "2375", "51678"] },
            ],
            attributes: [{ name: "ecs.instance-type", value: "c5.large" }],
            attachments: [
                {
                    id: "att-1",
                    type: "ElasticNetworkInterface",
                    status: "ATTACHED",
                    details: [{ name: "networkInterfaceId", value: "eni-1" }],
                },
            ],
            registeredAt: new Date("2026-11-21T20:00:00.250Z"),
        };

        it("round-trips ListContainerInstances and DescribeContainerInstances with nested lists, numbers and timestamps", async () => {
            await withServer(
                {
                    "ecs ListContainerInstances": {
                        input: { cluster: "demo", filter: "ec2InstanceId == i-0abc", maxResults: 100 },
                        answers: [{ output: { containerInstanceArns: [instanceArn], nextToken: "page-2" } }],
                    },
                    "ecs DescribeContainerInstances": {
                        input: {
                            cluster: "demo",
                            containerInstances: [instanceArn],
                            include: ["CONTAINER_INSTANCE_HEALTH"],
                        },
                        answers: [{ output: { containerInstances: [containerInstance], failures: [] } }],
                    },
                },
                async (server, scripted) => {
                    const ecs = new ECSClient(clientConfig(server));
                    const listed = await ecs.send(
                        new ListContainerInstancesCommand({
                            cluster: "demo",
                            filter: "ec2InstanceId == i-0abc",
                            maxResults: 100,
                        }),
                    );
                    assert.deepEqual(withoutMetadata(listed), {
                        containerInstanceArns: [instanceArn],
                        nextToken: "page-2",
                    });
                    const described = await ecs.send(
                        new DescribeContainerInstancesCommand({
                            cluster: "demo",
                            containerInstances: [instanceArn],
                            include: ["CONTAINER_INSTANCE_HEALTH"],
                        }),
                    );
                    assert.deepEqual(withoutMetadata(described), {
                        containerInstances: [containerInstance],
                        failures: [],
                    });
                    assert.deepEqual(
                        scripted.calls.map((call) => `${call.service} ${call.operation}`),
                        ["ecs ListContainerInstances", "ecs DescribeContainerInstances"],
                    );
                },
            );
        });

        it("raises the service's own exception class with the code and message", async () => {
            await withServer(
                {
                    "ecs ListContainerInstances": {
                        input: { cluster: "gone" },
                        answers: [
                            { error: new AwsError("ClusterNotFoundException", "Cluster not found.", 400) },
                        ],
                    },
                },
                async (server) => {
                    const ecs = new ECSClient(clientConfig(server));
                    await assert.rejects(
                        ecs.send(new ListContainerInstancesCommand({ cluster: "gone" })),
                        (error: ClusterNotFoundException) => {
                            assert.ok(error instanceof ClusterNotFoundException);
                            assert.equal(error.name, "ClusterNotFoundException");
                            assert.equal(error.message, "Cluster not found.");
                            assert.equal(error.$metadata.httpStatusCode, 400);
                            assert.equal(error.$fault, "client");
                            return true;
                        },
                    );
                },
            );
        });

        it("answers ThrottlingException so that the SDK retries it as throttling", async () => {
            const taskArn = `arn:aws:ecs:${region}:${account}:task/demo/9a8b`;
            await withServer(
                {
                    "ecs ListTasks": {
                        input: { cluster: "demo", containerInstance: instanceArn, desiredStatus: "RUNNING" },
                        answers: [
                            { error: new AwsError("ThrottlingException", "Rate exceeded", 400) },
                            { output: { taskArns: [taskArn] } },
                        ],
                    },
                },
                async (server, scripted) => {
                    const ecs = new ECSClient(clientConfig(server, 3));
                    const tasks = await ecs.send(
                        new ListTasksCommand({
                            cluster: "demo",
                            containerInstance: instanceArn,
                            desiredStatus: "RUNNING",
                        }),
                    );
                    assert.deepEqual(withoutMetadata(tasks), { taskArns: [taskArn] });
                    assert.equal(tasks.$metadata.attempts, 2);
                    assert.equal(scripted.calls.length, 2);
                },
            );
            await withServer(
                {
                    "ecs ListTasks": {
                        input: { cluster: "demo" },
                        answers: [{ error: new AwsError("ThrottlingException", "Rate exceeded", 400) }],
                    },
                },
                async (server) => {
                    const ecs = new ECSClient(clientConfig(server));
                    await assert.rejects(ecs.send(new ListTasksCommand({ cluster: "demo" })), {
                        name: "ThrottlingException",
                        message: "Rate exceeded",
                    });
                },
            );
        });

        it("reports a model's own failure as a 500 InternalFailure", async () => {
            await withServer(
                {
                    "ecs ListTasks": {
                        input: { cluster: "demo" },
                        answers: [{ error: new TypeError("tasks is undefined") }],
                    },
                },
                async (server) => {
                    const ecs = new ECSClient(clientConfig(server));
                    await assert.rejects(
                        ecs.send(new ListTasksCommand({ cluster: "demo" })),
                        (error: ClusterNotFoundException) => {
                            assert.equal(error.name, "InternalFailure");
                            assert.equal(error.message, "The simulated service failed: tasks is undefined");
                            assert.equal(error.$metadata.httpStatusCode, 500);
                            return true;
                        },
                    );
                },
            );
        });

        it("dispatches an unknown operation and returns the model's UnknownOperationException", async () => {
            await withServer(
                {
                    "ecs DescribeEverything": {
                        input: { cluster: "demo" },
                        answers: [
                            {
                                error: new AwsError(
                                    "UnknownOperationException",
                                    "Operation DescribeEverything is not served",
                                    400,
                                ),
                            },
                        ],
                    },
                },
                async (server, scripted) => {
                    const response = await postJson(
                        server,
                        "AmazonEC2ContainerServiceV20141113.DescribeEverything",
                        '{"cluster":"demo"}',
                    );
                    assert.equal(response.status, 400);
                    assert.equal(response.headers.get("x-amzn-errortype"), "UnknownOperationException");
                    assert.equal(response.headers.get("content-type"), "application/x-amz-json-1.1");
                    assert.deepEqual(JSON.parse(response.body), {
                        __type: "UnknownOperationException",
                        message: "Operation DescribeEverything is not served",
                    });
                    assert.equal(scripted.calls.length, 1);
                },
            );
        });

        it("rejects a target of no served service and a malformed body without dispatching", async () => {
            await withServer({}, async (server, scripted) => {
                const unknown = await postJson(server, "AmazonRDSv19.DescribeDBInstances", "{}");
                assert.equal(unknown.status, 400);
                const answer = JSON.parse(unknown.body) as { __type: string; message: string };
                assert.equal(answer.__type, "UnknownOperationException");
                assert.match(
                    answer.message,
                    /^No service served here answers X-Amz-Target 'AmazonRDSv19.DescribeDBInstances'. Not served: EC2 /,
                );
                const malformed = await postJson(
                    server,
                    "AmazonEC2ContainerServiceV20141113.ListTasks",
                    '{"cluster":',
                );
                assert.equal(malformed.status, 400);
                assert.equal(malformed.headers.get("x-amzn-errortype"), "SerializationException");
                assert.match(
                    JSON.parse(malformed.body).message,
                    /^1 validation error detected: Value '.+' at '\(body\)' failed to satisfy constraint: Member must be a JSON object$/,
                );
                assert.equal(scripted.calls.length, 0);
            });
        });
    });

    describe("Auto Scaling (query protocol, XML)", () => {
        const group = {
            AutoScalingGroupName: "ecs-asg",
            AutoScalingGroupARN: `arn:aws:autoscaling:${region}:${account}:autoScalingGroup:uuid:autoScalingGroupName/ecs-asg`,
            LaunchTemplate: { LaunchTemplateId: "lt-0123", LaunchTemplateName: "ecs", Version: "3" },
            MinSize: 1,
            MaxSize: 6,
            DesiredCapacity: 3,
            DefaultCooldown: 300,
            AvailabilityZones: ["us-east-1a", "us-east-1b"],
            LoadBalancerNames: [],
            HealthCheckType: "EC2",
            HealthCheckGracePeriod: 0,
            Instances: [
                {
                    InstanceId: "i-0abc",
                    InstanceType: "c5.large",
                    AvailabilityZone: "us-east-1a",
                    LifecycleState: "Terminating:Wait",
                    HealthStatus: "Healthy",
                    LaunchTemplate: { LaunchTemplateId: "lt-0123", LaunchTemplateName: "ecs", Version: "3" },
                    ProtectedFromScaleIn: false,
                },
            ],
            CreatedTime: new Date("2026-11-21T20:00:00.125Z"),
            SuspendedProcesses: [],
            Tags: [
                {
                    ResourceId: "ecs-asg",
                    ResourceType: "auto-scaling-group",
                    Key: "cluster",
                    Value: "demo & <co>",
                    PropagateAtLaunch: true,
                },
            ],
            TerminationPolicies: [`arn:aws:lambda:${region}:${account}:function:termination`, "Default"],
            NewInstancesProtectedFromScaleIn: false,
            InstanceMaintenancePolicy: { MinHealthyPercentage: 100, MaxHealthyPercentage: 200 },
        };

        it("decodes Filters.member.N and lists, and returns groups with nested lists, numbers, booleans and timestamps", async () => {
            const input = {
                AutoScalingGroupNames: ["ecs-asg"],
                Filters: [{ Name: "tag:cluster", Values: ["demo", "demo-2"] }],
                MaxRecords: 50,
            };
            await withServer(
                {
                    "autoscaling DescribeAutoScalingGroups": {
                        input,
                        answers: [{ output: { AutoScalingGroups: [group], NextToken: "n-2" } }],
                    },
                },
                async (server) => {
                    const autoscaling = new AutoScalingClient(clientConfig(server));
                    const described = await autoscaling.send(new DescribeAutoScalingGroupsCommand(input));
                    assert.deepEqual(withoutMetadata(described), {
                        AutoScalingGroups: [group],
                        NextToken: "n-2",
                    });
                },
            );
        });

        it("decodes an empty list, nested structures and lists of numbers by the shape table", async () => {
            const refresh = {
                AutoScalingGroupName: "ecs-asg",
                Strategy: "Rolling" as const,
                DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: "lt-0123", Version: "4" } },
                Preferences: {
                    MinHealthyPercentage: 100,
                    MaxHealthyPercentage: 200,
                    InstanceWarmup: 60,
                    CheckpointPercentages: [50, 100],
                    SkipMatching: true,
                },
            };
            await withServer(
                {
                    "autoscaling StartInstanceRefresh": {
                        input: refresh,
                        answers: [{ output: { InstanceRefreshId: "0f8e-refresh" } }],
                    },
                    "autoscaling DescribeAutoScalingGroups": {
                        input: { AutoScalingGroupNames: [] },
                        answers: [{ output: { AutoScalingGroups: [] } }],
                    },
                },
                async (server) => {
                    const autoscaling = new AutoScalingClient(clientConfig(server));
                    const started = await autoscaling.send(new StartInstanceRefreshCommand(refresh));
                    assert.deepEqual(withoutMetadata(started), { InstanceRefreshId: "0f8e-refresh" });
                    const none = await autoscaling.send(
                        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [] }),
                    );
                    assert.deepEqual(withoutMetadata(none), { AutoScalingGroups: [] });
                },
            );
        });

        it("returns a ValidationError as the SDK's error with that name and message", async () => {
            const input = {
                LifecycleHookName: "drain",
                AutoScalingGroupName: "ecs-asg",
                LifecycleActionResult: "CONTINUE",
                InstanceId: "i-0abc",
            };
            await withServer(
                {
                    "autoscaling CompleteLifecycleAction": {
                        input,
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
                },
                async (server) => {
                    const autoscaling = new AutoScalingClient(clientConfig(server));
                    await assert.rejects(
                        autoscaling.send(new CompleteLifecycleActionCommand(input)),
                        (error: Error & { $metadata: { httpStatusCode: number } }) => {
                            assert.equal(error.name, "ValidationError");
                            assert.equal(
                                error.message,
                                "No active Lifecycle Action found with instance ID i-0abc",
                            );
                            assert.equal(error.$metadata.httpStatusCode, 400);
                            return true;
                        },
                    );
                },
            );
        });

        it("dispatches an unknown Action and renders the model's error as an ErrorResponse", async () => {
            await withServer(
                {
                    "autoscaling DescribeEverything": {
                        input: { AutoScalingGroupName: "ecs-asg" },
                        answers: [
                            {
                                error: new AwsError(
                                    "InvalidAction",
                                    "Could not find operation DescribeEverything for version 2011-01-01",
                                    400,
                                ),
                            },
                        ],
                    },
                },
                async (server) => {
                    const response = await postForm(
                        server,
                        "Action=DescribeEverything&Version=2011-01-01&AutoScalingGroupName=ecs-asg",
                        signedFor("autoscaling"),
                    );
                    assert.equal(response.status, 400);
                    assert.equal(
                        response.body,
                        '<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>InvalidAction</Code>' +
                            `<Message>Could not find operation DescribeEverything for version 2011-01-01</Message></Error><RequestId>${response.requestId}</RequestId></ErrorResponse>`,
                    );
                },
            );
        });

        it("rejects a parameter of the wrong type naming the member, without dispatching", async () => {
            await withServer({}, async (server, scripted) => {
                const response = await postForm(
                    server,
                    "Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupName=ecs-asg&DesiredCapacity=three",
                    signedFor("autoscaling"),
                );
                assert.equal(response.status, 400);
                assert.match(
                    response.body,
                    /<Code>ValidationError<\/Code><Message>1 validation error detected: Value &apos;three&apos; at &apos;DesiredCapacity&apos; failed to satisfy constraint: Member must be a number<\/Message>/,
                );
                const missing = await postForm(
                    server,
                    "Version=2011-01-01&AutoScalingGroupName=ecs-asg",
                    signedFor("autoscaling"),
                );
                assert.equal(missing.status, 400);
                assert.match(missing.body, /<Code>MissingAction<\/Code>/);
                assert.equal(scripted.calls.length, 0);
            });
        });
    });

    describe("SNS (query protocol, XML)", () => {
        const topicArn = `arn:aws:sns:${region}:${account}:drain`;

        it("decodes MessageAttributes.entry.N.Name/Value.* into a map and returns the MessageId", async () => {
            const publish = {
                TopicArn: topicArn,
                Subject: "Auto Scaling: test notification",
                Message: '{"Event":"autoscaling:TEST_NOTIFICATION","AutoScalingGroupName":"ecs-asg"}',
                MessageAttributes: {
                    cluster: { DataType: "String", StringValue: "demo" },
                    attempt: { DataType: "Number", StringValue: "2" },
                },
            };
            await withServer(
                { "sns Publish": { input: publish, answers: [{ output: { MessageId: "5f1c-message" } }] } },
                async (server) => {
                    const sns = new SNSClient(clientConfig(server));
                    assert.deepEqual(withoutMetadata(await sns.send(new PublishCommand(publish))), {
                        MessageId: "5f1c-message",
                    });
                },
            );
        });

        it("returns a map as entry/key/value with every character escaped and read back unchanged", async () => {
            const attributes = {
                TopicArn: topicArn,
                DisplayName: `drain <&> "hook" 'x'\r\nline two`,
                SubscriptionsConfirmed: "1",
            };
            await withServer(
                {
                    "sns GetTopicAttributes": {
                        input: { TopicArn: topicArn },
                        answers: [{ output: { Attributes: attributes } }],
                    },
                },
                async (server) => {
                    const sns = new SNSClient(clientConfig(server));
                    assert.deepEqual(
                        withoutMetadata(
                            await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })),
                        ),
                        { Attributes: attributes },
                    );
                },
            );
        });

        it("maps a query error code to the SDK's exception class", async () => {
            await withServer(
                {
                    "sns Publish": {
                        input: { TopicArn: topicArn, Message: "m" },
                        answers: [{ error: new AwsError("NotFound", "Topic does not exist", 404) }],
                    },
                },
                async (server) => {
                    const sns = new SNSClient(clientConfig(server));
                    await assert.rejects(
                        sns.send(new PublishCommand({ TopicArn: topicArn, Message: "m" })),
                        (error: NotFoundException) => {
                            assert.ok(error instanceof NotFoundException);
                            assert.equal(error.message, "Topic does not exist");
                            assert.equal(error.$metadata.httpStatusCode, 404);
                            return true;
                        },
                    );
                },
            );
        });

        it("recognises an unsigned query request by its Version and answers the exact XML", async () => {
            await withServer(
                {
                    "sns Publish": {
                        input: {
                            TopicArn: topicArn,
                            Message: "hello",
                            MessageAttributes: { cluster: { DataType: "String", StringValue: "demo" } },
                        },
                        answers: [{ output: { MessageId: "m-1" } }],
                    },
                },
                async (server) => {
                    const form =
                        `Action=Publish&Version=2010-03-31&TopicArn=${encodeURIComponent(topicArn)}&Message=hello` +
                        "&MessageAttributes.entry.1.Name=cluster&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=demo";
                    const response = await postForm(server, form);
                    assert.equal(response.status, 200);
                    assert.equal(
                        response.body,
                        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult>' +
                            `<ResponseMetadata><RequestId>${response.requestId}</RequestId></ResponseMetadata></PublishResponse>`,
                    );
                },
            );
        });
    });

    describe("SQS", () => {
        const queueUrl = `http://127.0.0.1/${account}/drain`;
        const body = '{"Type":"Notification","Message":"{}"}';
        const md5 = (text: string) => createHash("md5").update(text).digest("hex");

        it("round-trips ReceiveMessage over JSON 1.0 with attribute maps", async () => {
            const input = {
                QueueUrl: queueUrl,
                MaxNumberOfMessages: 10,
                WaitTimeSeconds: 0,
                MessageSystemAttributeNames: ["ApproximateReceiveCount" as const],
                MessageAttributeNames: ["All"],
            };
            const message = {
                MessageId: "m-1",
                ReceiptHandle: "rh-1",
                MD5OfBody: md5(body),
                Body: body,
                Attributes: { ApproximateReceiveCount: "2" },
                MessageAttributes: { cluster: { DataType: "String", StringValue: "demo" } },
            };
            await withServer(
                { "sqs ReceiveMessage": { input, answers: [{ output: { Messages: [message] } }] } },
                async (server) => {
                    const sqs = new SQSClient(clientConfig(server));
                    assert.deepEqual(withoutMetadata(await sqs.send(new ReceiveMessageCommand(input))), {
                        Messages: [message],
                    });
                },
            );
        });

        it("sends the shape name in __type and the query-era code in x-amzn-query-error, whichever the model raised", async () => {
            for (const raised of ["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"]) {
                await withServer(
                    {
                        "sqs ReceiveMessage": {
                            input: { QueueUrl: queueUrl },
                            answers: [
                                { error: new AwsError(raised, "The specified queue does not exist.", 400) },
                            ],
                        },
                    },
                    async (server) => {
                        const sqs = new SQSClient(clientConfig(server));
                        await assert.rejects(
                            sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl })),
                            (error: QueueDoesNotExist) => {
                                assert.ok(error instanceof QueueDoesNotExist);
                                assert.equal(error.message, "The specified queue does not exist.");
                                return true;
                            },
                        );
                        const response = await fetch(`${server.endpoint}/`, {
                            method: "POST",
                            headers: {
                                "content-type": "application/x-amz-json-1.0",
                                "x-amz-target": "AmazonSQS.ReceiveMessage",
                            },
                            body: JSON.stringify({ QueueUrl: queueUrl }),
                        });
                        assert.equal(response.status, 400);
                        assert.equal(
                            response.headers.get("x-amzn-query-error"),
                            "AWS.SimpleQueueService.NonExistentQueue;Sender",
                        );
                        assert.deepEqual(await response.json(), {
                            __type: "QueueDoesNotExist",
                            message: "The specified queue does not exist.",
                        });
                    },
                );
            }
        });

        it("answers the query-era code over the query protocol", async () => {
            await withServer(
                {
                    "sqs GetQueueUrl": {
                        input: { QueueName: "gone" },
                        answers: [
                            {
                                error: new AwsError(
                                    "QueueDoesNotExist",
                                    "The specified queue does not exist.",
                                    400,
                                ),
                            },
                        ],
                    },
                },
                async (server) => {
                    const response = await postForm(
                        server,
                        "Action=GetQueueUrl&Version=2012-11-05&QueueName=gone",
                        signedFor("sqs"),
                    );
                    assert.equal(response.status, 400);
                    assert.equal(
                        response.body,
                        '<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>' +
                            `<Message>The specified queue does not exist.</Message></Error><RequestId>${response.requestId}</RequestId></ErrorResponse>`,
                    );
                },
            );
        });

        it("decodes and answers SQS's flattened query names, as older CLIs send them", async () => {
            const batch = {
                QueueUrl: queueUrl,
                Entries: [
                    {
                        Id: "a",
                        MessageBody: "first",
                        DelaySeconds: 5,
                        MessageAttributes: { cluster: { DataType: "String", StringValue: "demo" } },
                    },
                    { Id: "b", MessageBody: "second" },
                ],
            };
            await withServer(
                {
                    "sqs SendMessageBatch": {
                        input: batch,
                        answers: [
                            {
                                output: {
                                    Successful: [
                                        { Id: "a", MessageId: "m-a", MD5OfMessageBody: md5("first") },
                                    ],
                                    Failed: [
                                        {
                                            Id: "b",
                                            SenderFault: true,
                                            Code: "InvalidParameterValue",
                                            Message: "bad",
                                        },
                                    ],
                                },
                            },
                        ],
                    },
                    "sqs ReceiveMessage": {
                        input: { QueueUrl: queueUrl, AttributeNames: ["All"], MaxNumberOfMessages: 1 },
                        answers: [
                            {
                                output: {
                                    Messages: [
                                        {
                                            MessageId: "m-a",
                                            Body: "first",
                                            Attributes: { SentTimestamp: "1763758800000" },
                                        },
                                    ],
                                },
                            },
                        ],
                    },
                },
                async (server) => {
                    const sent = await postForm(
                        server,
                        `Action=SendMessageBatch&Version=2012-11-05&QueueUrl=${encodeURIComponent(queueUrl)}` +
                            "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=first&SendMessageBatchRequestEntry.1.DelaySeconds=5" +
                            "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=cluster&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String" +
                            "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=demo" +
                            "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=second",
                        signedFor("sqs"),
                    );
                    assert.equal(sent.status, 200);
                    assert.equal(
                        sent.body,
                        '<SendMessageBatchResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><SendMessageBatchResult>' +
                            `<SendMessageBatchResultEntry><Id>a</Id><MessageId>m-a</MessageId><MD5OfMessageBody>${md5("first")}</MD5OfMessageBody></SendMessageBatchResultEntry>` +
                            "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>InvalidParameterValue</Code><Message>bad</Message></BatchResultErrorEntry>" +
                            `</SendMessageBatchResult><ResponseMetadata><RequestId>${sent.requestId}</RequestId></ResponseMetadata></SendMessageBatchResponse>`,
                    );
                    const received = await postForm(
                        server,
                        `Action=ReceiveMessage&Version=2012-11-05&QueueUrl=${encodeURIComponent(queueUrl)}&AttributeName.1=All&MaxNumberOfMessages=1`,
                        signedFor("sqs"),
                    );
                    assert.match(
                        received.body,
                        /<ReceiveMessageResult><Message><MessageId>m-a<\/MessageId><Body>first<\/Body><Attribute><Name>SentTimestamp<\/Name><Value>1763758800000<\/Value><\/Attribute><\/Message><\/ReceiveMessageResult>/,
                    );
                },
            );
        });
    });

    describe("CloudWatch (AWS JSON 1.0, query-compatible)", () => {
        it("decodes epoch-second timestamps into Dates and returns alarms with timestamps and numbers", async () => {
            const metrics = {
                Namespace: "ECS/Lifecycle",
                MetricData: [
                    {
                        MetricName: "ContainerCapacity",
                        Dimensions: [{ Name: "ClusterName", Value: "demo" }],
                        Timestamp: new Date("2026-11-21T21:00:00.500Z"),
                        Value: 3,
                        Unit: "Count" as const,
                    },
                ],
            };
            const alarm = {
                AlarmName: "demo-capacity-low",
                AlarmArn: `arn:aws:cloudwatch:${region}:${account}:alarm:demo-capacity-low`,
                ActionsEnabled: true,
                AlarmActions: [
                    `arn:aws:autoscaling:${region}:${account}:scalingPolicy:uuid:autoScalingGroupName/ecs-asg:policyName/out`,
                ],
                StateValue: "ALARM" as const,
                StateUpdatedTimestamp: new Date("2026-11-21T21:03:00.000Z"),
                MetricName: "ContainerCapacity",
                Namespace: "ECS/Lifecycle",
                Statistic: "Minimum" as const,
                Dimensions: [{ Name: "ClusterName", Value: "demo" }],
                Period: 60,
                EvaluationPeriods: 3,
                Threshold: 1,
                ComparisonOperator: "LessThanThreshold" as const,
            };
            await withServer(
                {
                    "monitoring PutMetricData": { input: metrics, answers: [{ output: {} }] },
                    "monitoring DescribeAlarms": {
                        input: { AlarmNames: ["demo-capacity-low"] },
                        answers: [{ output: { MetricAlarms: [alarm] } }],
                    },
                },
                async (server, scripted) => {
                    const cloudwatch = new CloudWatchClient(clientConfig(server));
                    assert.deepEqual(
                        withoutMetadata(await cloudwatch.send(new PutMetricDataCommand(metrics))),
                        {},
                    );
                    const alarms = await cloudwatch.send(
                        new DescribeAlarmsCommand({ AlarmNames: ["demo-capacity-low"] }),
                    );
                    assert.deepEqual(withoutMetadata(alarms), { MetricAlarms: [alarm] });
                    assert.ok(
                        (scripted.calls[0].input.MetricData as { Timestamp: unknown }[])[0]
                            .Timestamp instanceof Date,
                    );
                },
            );
        });

        it("reads the gzip-compressed bodies the SDK sends for large PutMetricData calls", async () => {
            const metrics = {
                Namespace: "ECS/Lifecycle",
                MetricData: Array.from({ length: 150 }, (_, index) => ({
                    MetricName: "ContainerCapacity",
                    Dimensions: [{ Name: "ClusterName", Value: `cluster-${index}` }],
                    Timestamp: new Date(Date.UTC(2026, 10, 21, 21, index % 60)),
                    Value: index,
                })),
            };
            assert.ok(JSON.stringify(metrics).length > 10240, "the SDK compresses bodies over 10 KiB");
            await withServer(
                { "monitoring PutMetricData": { input: metrics, answers: [{ output: {} }] } },
                async (server, scripted) => {
                    const seenEncodings: (string | undefined)[] = [];
                    const cloudwatch = new CloudWatchClient(clientConfig(server));
                    cloudwatch.middlewareStack.add(
                        (next) => async (args) => {
                            seenEncodings.push(
                                (args.request as { headers: Record<string, string> }).headers[
                                    "content-encoding"
                                ],
                            );
                            return next(args);
                        },
                        { step: "finalizeRequest" },
                    );
                    await cloudwatch.send(new PutMetricDataCommand(metrics));
                    assert.deepEqual(seenEncodings, ["gzip"]);
                    assert.equal(scripted.calls.length, 1);
                },
            );
        });

        it("refuses a body that claims gzip but is not, and one over 8 MiB, without dispatching", async () => {
            await withServer({}, async (server, scripted) => {
                const notGzip = await fetch(`${server.endpoint}/`, {
                    method: "POST",
                    headers: {
                        "content-type": "application/x-amz-json-1.0",
                        "content-encoding": "gzip",
                        "x-amz-target": "GraniteServiceVersion20100801.PutMetricData",
                    },
                    body: '{"Namespace":"N"}',
                });
                assert.equal(notGzip.status, 400);
                assert.match(await notGzip.text(), /^Content-Encoding gzip, but the body does not gunzip: /);
                const oversized = await fetch(`${server.endpoint}/`, {
                    method: "POST",
                    headers: { "content-type": "application/x-www-form-urlencoded" },
                    body: `Action=PutMetricData&Version=2010-08-01&Namespace=${"N".repeat(8 * 1024 * 1024)}`,
                });
                assert.equal(oversized.status, 413);
                assert.equal(await oversized.text(), "Request body over 8388608 bytes");
                assert.equal(scripted.calls.length, 0);
            });
        });

        it("raises the exception class found by the query error code", async () => {
            await withServer(
                {
                    "monitoring DescribeAlarms": {
                        input: { MaxRecords: 0 },
                        answers: [
                            {
                                error: new AwsError(
                                    "InvalidParameterValue",
                                    "MaxRecords must be between 1 and 100",
                                    400,
                                ),
                            },
                        ],
                    },
                },
                async (server) => {
                    const cloudwatch = new CloudWatchClient(clientConfig(server));
                    await assert.rejects(
                        cloudwatch.send(new DescribeAlarmsCommand({ MaxRecords: 0 })),
                        (error: InvalidParameterValueException) => {
                            assert.ok(error instanceof InvalidParameterValueException);
                            assert.equal(error.message, "MaxRecords must be between 1 and 100");
                            return true;
                        },
                    );
                },
            );
        });
    });

    describe("SSM (AWS JSON 1.1)", () => {
        it("round-trips GetParameter and its ParameterNotFound error", async () => {
            const parameter = {
                Name: "/ecs-lifecycle/slack-webhook",
                Type: "SecureString" as const,
                Value: "https://hooks.slack.invalid/T000/B000",
                Version: 3,
                LastModifiedDate: new Date("2026-11-20T08:30:00.000Z"),
                ARN: `arn:aws:ssm:${region}:${account}:parameter/ecs-lifecycle/slack-webhook`,
                DataType: "text",
            };
            await withServer(
                {
                    "ssm GetParameter": {
                        input: { Name: parameter.Name, WithDecryption: true },
                        answers: [
                            { output: { Parameter: parameter } },
                            { error: new AwsError("ParameterNotFound", "", 400) },
                        ],
                    },
                },
                async (server) => {
                    const ssm = new SSMClient(clientConfig(server));
                    const found = await ssm.send(
                        new GetParameterCommand({ Name: parameter.Name, WithDecryption: true }),
                    );
                    assert.deepEqual(withoutMetadata(found), { Parameter: parameter });
                    await assert.rejects(
                        ssm.send(new GetParameterCommand({ Name: parameter.Name, WithDecryption: true })),
                        (error: ParameterNotFound) => {
                            assert.ok(error instanceof ParameterNotFound);
                            return true;
                        },
                    );
                },
            );
        });
    });

    describe("EventBridge (AWS JSON 1.1)", () => {
        it("decodes PutEvents entries' epoch-second Time into a Date and answers JSON", async () => {
            const entry = {
                Source: "ecs-lifecycle.sim",
                DetailType: "Drain Requested",
                Detail: '{"instance-id":"i-0abc"}',
                Time: new Date("2026-11-21T21:00:00.000Z"),
            };
            await withServer(
                {
                    "events PutEvents": {
                        input: { Entries: [entry] },
                        answers: [{ output: { FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] } }],
                    },
                },
                async (server) => {
                    const response = await postJson(
                        server,
                        "AWSEvents.PutEvents",
                        JSON.stringify({ Entries: [{ ...entry, Time: entry.Time.getTime() / 1000 }] }),
                    );
                    assert.equal(response.status, 200);
                    assert.equal(response.headers.get("content-type"), "application/x-amz-json-1.1");
                    assert.equal(response.body, '{"FailedEntryCount":0,"Entries":[{"EventId":"e-1"}]}');
                },
            );
        });
    });
});
