import assert from "node:assert/strict";
import { checkDeliveryOrder } from "../../policy/rules/deliveryOrder";
import { PlannedResource } from "../../policy/rules/types";

const QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:drain-queue";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/drain-queue";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:drain-topic";

const queue: PlannedResource = {
    type: "aws:sqs/queue:Queue",
    name: "drain-queue",
    urn: "urn:queue",
    props: {},
    outputs: { arn: QUEUE_ARN, url: QUEUE_URL },
    dependencies: [],
};
const queuePolicy: PlannedResource = {
    type: "aws:sqs/queuePolicy:QueuePolicy",
    name: "drain-queue-policy",
    urn: "urn:queue-policy",
    props: { queueUrl: QUEUE_URL },
    dependencies: ["urn:queue"],
};
const topic: PlannedResource = {
    type: "aws:sns/topic:Topic",
    name: "drain-topic",
    urn: "urn:topic",
    props: {},
    outputs: { arn: TOPIC_ARN },
    dependencies: [],
};
const subscription: PlannedResource = {
    type: "aws:sns/topicSubscription:TopicSubscription",
    name: "drain-to-queue",
    urn: "urn:subscription",
    props: { topic: TOPIC_ARN, protocol: "sqs", endpoint: QUEUE_ARN },
    dependencies: ["urn:topic", "urn:queue"],
};
const trunking: PlannedResource = {
    type: "aws:ecs/accountSettingDefault:AccountSettingDefault",
    name: "account-awsvpc-trunking",
    urn: "urn:trunking",
    props: { name: "awsvpcTrunking", value: "enabled" },
    dependencies: [],
};

function target(dependencies: string[]): PlannedResource {
    return {
        type: "aws:cloudwatch/eventTarget:EventTarget",
        name: "drain-spot-interruption",
        urn: "urn:target",
        props: { arn: QUEUE_ARN },
        dependencies,
    };
}
function hook(dependencies: string[]): PlannedResource {
    return {
        type: "aws:autoscaling/lifecycleHook:LifecycleHook",
        name: "drain-hook",
        urn: "urn:hook",
        props: { notificationTargetArn: TOPIC_ARN },
        dependencies,
    };
}
function group(dependencies: string[]): PlannedResource {
    return {
        type: "aws:autoscaling/group:Group",
        name: "ecs-asg",
        urn: "urn:group",
        props: {},
        dependencies,
    };
}

describe("policy rule delivery-order", () => {
    it("passes targets, hooks and the group created after what admits them", () => {
        assert.deepEqual(
            checkDeliveryOrder([
                queue,
                queuePolicy,
                topic,
                subscription,
                trunking,
                target(["urn:queue", "urn:queue-policy"]),
                hook(["urn:topic", "urn:subscription", "urn:queue-policy"]),
                group(["urn:trunking"]),
            ]),
            [],
        );
    });

    it("fails an EventBridge target and a lifecycle hook that may deliver before the queue policy exists", () => {
        assert.deepEqual(
            checkDeliveryOrder([
                queue,
                queuePolicy,
                topic,
                subscription,
                target(["urn:queue"]),
                hook(["urn:topic"]),
            ]).map((v) => v.message),
            [
                'aws:cloudwatch/eventTarget:EventTarget "drain-spot-interruption": delivers events into "drain-queue" and may be created before "drain-queue-policy" admits it: what it sends first is lost; make it depend on the policy',
                'aws:autoscaling/lifecycleHook:LifecycleHook "drain-hook": sends its test notification (at creation) through topic "drain-topic" into "drain-queue" and may be created before "drain-queue-policy" admits it: what it sends first is lost; make it depend on the policy',
            ],
        );
    });

    it("fails a group that may launch instances before the stack's trunking setting is on", () => {
        assert.deepEqual(
            checkDeliveryOrder([trunking, group([])]).map((v) => v.message),
            [
                'aws:autoscaling/group:Group "ecs-asg": may launch instances before the awsvpcTrunking account setting "account-awsvpc-trunking" is on: those get no trunk ENI; make the group depend on it',
            ],
        );
    });

    it("fails a target into a queue no policy opens, and judges nothing without recorded dependencies", () => {
        assert.equal(checkDeliveryOrder([queue, target(["urn:queue"])]).length, 1);
        assert.deepEqual(checkDeliveryOrder([queue, { ...target([]), dependencies: undefined }]), []);
    });
});
