import assert from "node:assert/strict";
import {
    MalformedDrainMessage,
    SWEEP_ORIGIN,
    parseDrainMessage,
    redriveMessageBody,
    sweepCheckBody,
} from "../../runtime/drainMessage";

const LIFECYCLE = {
    Origin: "AutoScalingGroup",
    Destination: "EC2",
    LifecycleHookName: "drain-hook",
    AccountId: "123456789012",
    RequestId: "4e4b5d1b-0d37-4e4a-9d3e-6c2c6b1f7a10",
    LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
    AutoScalingGroupName: "ecs-asg",
    Service: "AWS Auto Scaling",
    Time: "2026-11-21T22:00:00.123Z",
    EC2InstanceId: "i-0123456789abcdef0",
    LifecycleActionToken: "71514b9d-6a40-4b26-8523-05e7ee35fa40",
};
const LIFECYCLE_REQUEST = {
    kind: "lifecycle",
    origin: "autoscaling",
    transition: "autoscaling:EC2_INSTANCE_TERMINATING",
    autoScalingGroupName: "ecs-asg",
    lifecycleHookName: "drain-hook",
    instanceId: "i-0123456789abcdef0",
    lifecycleActionToken: "71514b9d-6a40-4b26-8523-05e7ee35fa40",
    lifecycleStartedAt: Date.parse("2026-11-21T22:00:00Z") / 1000,
};

function snsEnvelope(message: unknown): string {
    return JSON.stringify({
        Type: "Notification",
        MessageId: "5f1a7c34-1b2d-4c1e-8f0a-2d3e4f5a6b7c",
        TopicArn: "arn:aws:sns:us-east-1:123456789012:drain",
        Subject: "Auto Scaling:  Lifecycle action 'TERMINATING' for instance i-0123456789abcdef0",
        Message: typeof message === "string" ? message : JSON.stringify(message),
        Timestamp: "2026-11-21T22:00:00.200Z",
        SignatureVersion: "1",
    });
}

function event(detailType: string, detail: unknown, resources: string[] = []): string {
    return JSON.stringify({
        version: "0",
        id: "e1",
        "detail-type": detailType,
        source: "aws.ec2",
        account: "123456789012",
        time: "2026-11-21T21:59:00Z",
        region: "us-east-1",
        resources,
        detail,
    });
}

const EVENT_TIME = Date.parse("2026-11-21T21:59:00Z") / 1000;

const CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/prod";
const CONTAINER_INSTANCE_ARN = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/0d1c2b3a4f5e";
const TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/prod/9f8e7d6c5b4a";
const INSTANCE_CHANGE_TYPE = "ECS Container Instance State Change";
const TASK_CHANGE_TYPE = "ECS Task State Change";

/** An ECS event as EventBridge delivers it (ECS developer guide, "Amazon ECS events"). */
function ecsEvent(detailType: string, detail: unknown): string {
    return JSON.stringify({
        version: "0",
        id: "8952ba83-7be2-4ab5-9c32-6687532d15a2",
        "detail-type": detailType,
        source: "aws.ecs",
        account: "123456789012",
        time: "2026-11-21T22:01:02Z",
        region: "us-east-1",
        resources: [],
        detail,
    });
}

/** A DRAINING m5.large still holding one awsvpc task of 256 CPU units and 512 MiB. */
function instanceChange(): Record<string, unknown> {
    const resource = (name: string, integerValue: number) => ({ name, type: "INTEGER", integerValue });
    return {
        agentConnected: true,
        attributes: [{ name: "ecs.instance-type", value: "m5.large" }],
        clusterArn: CLUSTER_ARN,
        containerInstanceArn: CONTAINER_INSTANCE_ARN,
        ec2InstanceId: "i-0123456789abcdef0",
        registeredResources: [resource("CPU", 2048), resource("MEMORY", 7680)],
        remainingResources: [resource("CPU", 1792), resource("MEMORY", 7168)],
        attachments: [{ id: "a1", type: "ElasticNetworkInterface", status: "ATTACHED", details: [] }],
        status: "DRAINING",
        version: 14,
        versionInfo: { agentVersion: "1.89.0" },
        updatedAt: "2026-11-21T22:01:02.500Z",
    };
}

function taskChange(lastStatus: string): Record<string, unknown> {
    return {
        clusterArn: CLUSTER_ARN,
        containerInstanceArn: CONTAINER_INSTANCE_ARN,
        taskArn: TASK_ARN,
        lastStatus,
        desiredStatus: "STOPPED",
        group: "service:web",
        launchType: "EC2",
        version: 6,
        updatedAt: "2026-11-21T22:01:02.400Z",
    };
}

describe("parseDrainMessage", () => {
    it("parses a lifecycle notification inside the SNS envelope", () => {
        assert.deepEqual(parseDrainMessage(snsEnvelope(LIFECYCLE)), [LIFECYCLE_REQUEST]);
    });

    it("parses a raw lifecycle notification (raw message delivery)", () => {
        assert.deepEqual(parseDrainMessage(JSON.stringify(LIFECYCLE)), [LIFECYCLE_REQUEST]);
    });

    it("recognises the hook's test notification, which has no instance id", () => {
        const test = {
            AccountId: "123456789012",
            RequestId: "r",
            AutoScalingGroupARN: "arn",
            AutoScalingGroupName: "ecs-asg",
            Service: "AWS Auto Scaling",
            Event: "autoscaling:TEST_NOTIFICATION",
            Time: "2026-11-21T22:00:00Z",
        };
        assert.deepEqual(parseDrainMessage(snsEnvelope(test)), [
            { kind: "test-notification", autoScalingGroupName: "ecs-asg" },
        ]);
    });

    it("keeps a non-terminating transition for the core to ignore", () => {
        const [request] = parseDrainMessage(
            snsEnvelope({ ...LIFECYCLE, LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING" }),
        );
        assert.equal(
            request.kind === "lifecycle" && request.transition,
            "autoscaling:EC2_INSTANCE_LAUNCHING",
        );
    });

    it("round-trips the sweep's re-drive, which carries no token", () => {
        const body = redriveMessageBody({
            autoScalingGroupName: "ecs-asg",
            lifecycleHookName: "drain-hook",
            instanceId: "i-0123456789abcdef0",
            startedAt: 1_800_000_000,
        });
        assert.equal(JSON.parse(body).Origin, SWEEP_ORIGIN);
        assert.deepEqual(parseDrainMessage(body), [
            {
                ...LIFECYCLE_REQUEST,
                origin: "sweep",
                lifecycleActionToken: undefined,
                lifecycleStartedAt: 1_800_000_000,
            },
        ]);
    });

    it("parses a Spot interruption warning and a rebalance recommendation", () => {
        assert.deepEqual(
            parseDrainMessage(
                snsEnvelope(
                    JSON.parse(
                        event("EC2 Spot Instance Interruption Warning", {
                            "instance-id": "i-0123456789abcdef0",
                            "instance-action": "terminate",
                        }),
                    ),
                ),
            ),
            [
                {
                    kind: "external",
                    source: "spot-interruption",
                    instanceId: "i-0123456789abcdef0",
                    requestedAt: EVENT_TIME,
                },
            ],
        );
        assert.deepEqual(
            parseDrainMessage(
                event("EC2 Instance Rebalance Recommendation", { "instance-id": "i-0aaaaaaaaaaaaaaa1" }),
            ),
            [
                {
                    kind: "external",
                    source: "rebalance-recommendation",
                    instanceId: "i-0aaaaaaaaaaaaaaa1",
                    requestedAt: EVENT_TIME,
                },
            ],
        );
    });

    it("parses an AWS Health scheduled event into one request per affected instance", () => {
        const detail = {
            service: "EC2",
            eventTypeCode: "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
            affectedEntities: [
                { entityValue: "i-0aaaaaaaaaaaaaaa1" },
                { entityValue: "i-0bbbbbbbbbbbbbbb2" },
            ],
        };
        assert.deepEqual(parseDrainMessage(event("AWS Health Event", detail, ["i-0aaaaaaaaaaaaaaa1"])), [
            {
                kind: "external",
                source: "scheduled-event",
                instanceId: "i-0aaaaaaaaaaaaaaa1",
                requestedAt: EVENT_TIME,
            },
            {
                kind: "external",
                source: "scheduled-event",
                instanceId: "i-0bbbbbbbbbbbbbbb2",
                requestedAt: EVENT_TIME,
            },
        ]);
        assert.deepEqual(
            parseDrainMessage(
                event("AWS Health Event", { service: "EC2", affectedEntities: [] }, ["i-0ccccccccccccccc3"]),
            ),
            [
                {
                    kind: "external",
                    source: "scheduled-event",
                    instanceId: "i-0ccccccccccccccc3",
                    requestedAt: EVENT_TIME,
                },
            ],
        );
    });

    it("parses an operator's manual drain", () => {
        assert.deepEqual(
            parseDrainMessage(snsEnvelope({ action: "drain", instanceId: "i-0123456789abcdef0" })),
            [
                {
                    kind: "external",
                    source: "manual",
                    instanceId: "i-0123456789abcdef0",
                    requestedAt: undefined,
                },
            ],
        );
    });

    it("parses a container instance state change into a nudge with what it still holds", () => {
        assert.deepEqual(parseDrainMessage(ecsEvent(INSTANCE_CHANGE_TYPE, instanceChange())), [
            {
                kind: "nudge",
                event: "container-instance",
                clusterArn: CLUSTER_ARN,
                containerInstanceArn: CONTAINER_INSTANCE_ARN,
                ec2InstanceId: "i-0123456789abcdef0",
                status: "DRAINING",
                version: 14,
                changedAt: Date.parse("2026-11-21T22:01:02.500Z"),
                heldCpu: 256,
                heldMemory: 512,
                taskAttachments: 1,
            },
        ]);
    });

    it("parses a task that STOPPED on a container instance into a nudge, and lets other task changes go", () => {
        assert.deepEqual(parseDrainMessage(ecsEvent(TASK_CHANGE_TYPE, taskChange("STOPPED"))), [
            {
                kind: "nudge",
                event: "task-stopped",
                clusterArn: CLUSTER_ARN,
                containerInstanceArn: CONTAINER_INSTANCE_ARN,
                taskArn: TASK_ARN,
                changedAt: Date.parse("2026-11-21T22:01:02.400Z"),
            },
        ]);
        assert.deepEqual(parseDrainMessage(ecsEvent(TASK_CHANGE_TYPE, taskChange("DEACTIVATING"))), []);
        const fargate = { ...taskChange("STOPPED"), containerInstanceArn: undefined, launchType: "FARGATE" };
        assert.deepEqual(parseDrainMessage(ecsEvent(TASK_CHANGE_TYPE, fargate)), []);
    });

    it("round-trips the scheduled sweep's message", () => {
        const ids = ["i-0123456789abcdef0", "i-0aaaaaaaaaaaaaaa1"];
        assert.deepEqual(parseDrainMessage(sweepCheckBody(ids, EVENT_TIME)), [
            { kind: "sweep", instanceIds: ids, requestedAt: EVENT_TIME },
        ]);
    });

    const malformed: [string, string, string][] = [
        [
            "a body that is not JSON",
            "hello",
            'body: expected a JSON object, got text that is not JSON: "hello"',
        ],
        ["a JSON array", "[1]", "body: expected a JSON object, got [1]"],
        [
            "an SNS message that is not JSON",
            snsEnvelope("{oops"),
            'Message: expected a JSON object, got text that is not JSON: "{oops"',
        ],
        [
            "a lifecycle message without an instance id",
            JSON.stringify({ ...LIFECYCLE, EC2InstanceId: undefined }),
            'EC2InstanceId: expected an EC2 instance id like "i-0123456789abcdef0", got nothing',
        ],
        [
            "a lifecycle message with a bad Time",
            JSON.stringify({ ...LIFECYCLE, Time: "yesterday" }),
            'Time: expected an ISO 8601 timestamp, got "yesterday"',
        ],
        [
            "an Auto Scaling message without its token",
            JSON.stringify({ ...LIFECYCLE, LifecycleActionToken: "" }),
            'LifecycleActionToken: expected a non-empty string, got ""',
        ],
        [
            "a lifecycle message without its hook name",
            JSON.stringify({ ...LIFECYCLE, LifecycleHookName: 7 }),
            "LifecycleHookName: expected a non-empty string, got 7",
        ],
        [
            "a manual drain of a bad id",
            JSON.stringify({ action: "drain", instanceId: "web-1" }),
            'instanceId: expected an EC2 instance id like "i-0123456789abcdef0", got "web-1"',
        ],
        [
            "a Spot warning without instance-id",
            event("EC2 Spot Instance Interruption Warning", {}),
            'detail["instance-id"]: expected an EC2 instance id like "i-0123456789abcdef0", got nothing',
        ],
        [
            "a Health event naming no instance",
            event("AWS Health Event", { affectedEntities: [{ entityValue: "vol-1" }] }),
            'detail.affectedEntities: expected at least one EC2 instance id (or one in resources), got [{"entityValue":"vol-1"}]',
        ],
        [
            "an event of another type",
            event("EC2 Instance State-change Notification", { state: "running" }),
            'detail-type: expected "EC2 Spot Instance Interruption Warning", "EC2 Instance Rebalance Recommendation", "AWS Health Event", "ECS Container Instance State Change" or "ECS Task State Change", got "EC2 Instance State-change Notification"',
        ],
        [
            "a container instance event without its remaining resources",
            ecsEvent(INSTANCE_CHANGE_TYPE, { ...instanceChange(), remainingResources: undefined }),
            "detail.remainingResources: expected a list of resources, got nothing",
        ],
        [
            "a container instance event without registered MEMORY",
            ecsEvent(INSTANCE_CHANGE_TYPE, {
                ...instanceChange(),
                registeredResources: [{ name: "CPU", type: "INTEGER", integerValue: 2048 }],
            }),
            "detail.registeredResources: expected a MEMORY resource, got none",
        ],
        [
            "a container instance event without a version",
            ecsEvent(INSTANCE_CHANGE_TYPE, { ...instanceChange(), version: "14" }),
            'detail.version: expected a number, got "14"',
        ],
        [
            "a stopped task event without updatedAt",
            ecsEvent(TASK_CHANGE_TYPE, { ...taskChange("STOPPED"), updatedAt: undefined }),
            "detail.updatedAt: expected an ISO 8601 timestamp, got nothing",
        ],
        [
            "a sweep message naming no instance",
            JSON.stringify({ action: "sweep", instanceIds: [], time: "2026-11-21T22:00:00Z" }),
            "instanceIds: expected a list of 1 to 50 EC2 instance ids, got []",
        ],
        [
            "an event without detail",
            JSON.stringify({ "detail-type": "EC2 Spot Instance Interruption Warning" }),
            "detail: expected an object, got nothing",
        ],
        [
            "an unknown object",
            JSON.stringify({ hello: "world" }),
            'body: expected an Auto Scaling lifecycle notification (LifecycleTransition), an EventBridge event (detail-type), {"action":"drain","instanceId":…} or {"action":"sweep","instanceIds":[…]}, got {"hello":"world"}',
        ],
    ];
    for (const [what, body, message] of malformed) {
        it(`rejects ${what}, naming the field`, () => {
            assert.throws(
                () => parseDrainMessage(body),
                (error: unknown) => error instanceof MalformedDrainMessage && error.message === message,
            );
        });
    }
});
