import assert from "node:assert/strict";
import { checkEncryptedMessaging } from "../../policy/rules/encryptedMessaging";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

const topic = (props: Record<string, unknown>): PlannedResource => ({
    type: "aws:sns/topic:Topic",
    name: "drain",
    props,
});
const queue = (props: Record<string, unknown>): PlannedResource => ({
    type: "aws:sqs/queue:Queue",
    name: "drain-q",
    props,
});

describe("policy rule messaging-encrypted", () => {
    it("passes a topic with a KMS key and queues with a key or SQS-managed SSE", () => {
        assert.deepEqual(
            checkEncryptedMessaging(topic({ kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" })),
            [],
        );
        assert.deepEqual(checkEncryptedMessaging(queue({ sqsManagedSseEnabled: true })), []);
        assert.deepEqual(checkEncryptedMessaging(queue({ kmsMasterKeyId: "alias/aws/sqs" })), []);
    });

    it("passes a key unknown during preview", () => {
        assert.deepEqual(checkEncryptedMessaging(topic({ kmsMasterKeyId: UNKNOWN })), []);
    });

    it("fails an unencrypted topic and queue", () => {
        assert.deepEqual(checkEncryptedMessaging(topic({ kmsMasterKeyId: "" })), [
            'aws:sns/topic:Topic "drain": kmsMasterKeyId is unset; it must name a KMS key (customer-managed when EventBridge or CloudWatch alarms publish to the topic)',
        ]);
        assert.deepEqual(checkEncryptedMessaging(queue({ sqsManagedSseEnabled: false })), [
            'aws:sqs/queue:Queue "drain-q": neither kmsMasterKeyId nor sqsManagedSseEnabled is set; set sqsManagedSseEnabled true or a KMS key',
        ]);
    });
});
