import assert from "node:assert/strict";
import { matchesPattern, parseEventPattern } from "../../sim/eventPattern";

const event = {
    version: "0",
    source: "aws.ecs",
    "detail-type": "ECS Container Instance State Change",
    resources: ["arn:aws:ecs:us-east-1:123456789012:container-instance/prod/abc"],
    detail: {
        clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        status: "DRAINING",
        version: 7,
        agentConnected: true,
        attributes: [{ name: "ecs.instance-type", value: "c5.large" }],
    },
};

function matches(pattern: object): boolean {
    return matchesPattern(parseEventPattern(JSON.stringify(pattern)), event);
}

describe("sim/eventPattern", () => {
    it("matches exact values listed in arrays, and nested objects", () => {
        assert.equal(matches({ source: ["aws.ecs"] }), true);
        assert.equal(matches({ source: ["aws.ec2", "aws.ecs"], detail: { status: ["DRAINING"] } }), true);
        assert.equal(matches({ source: ["aws.ecs"], detail: { status: ["ACTIVE"] } }), false);
        assert.equal(matches({ detail: { version: [7], agentConnected: [true] } }), true);
        assert.equal(matches({ detail: { version: ["7"] } }), false);
        assert.equal(matches({ detail: { missing: ["x"] } }), false);
    });

    it("matches when any element of an array in the event matches", () => {
        assert.equal(
            matches({ resources: ["arn:aws:ecs:us-east-1:123456789012:container-instance/prod/abc"] }),
            true,
        );
        assert.equal(matches({ detail: { attributes: { value: ["c5.large"] } } }), true);
        assert.equal(matches({ detail: { attributes: { value: ["m5.large"] } } }), false);
    });

    it("supports prefix, suffix and equals-ignore-case", () => {
        assert.equal(matches({ detail: { clusterArn: [{ prefix: "arn:aws:ecs:us-east-1:" }] } }), true);
        assert.equal(matches({ detail: { clusterArn: [{ prefix: "arn:aws:ecs:eu-west-1:" }] } }), false);
        assert.equal(matches({ detail: { clusterArn: [{ suffix: "/prod" }] } }), true);
        assert.equal(matches({ detail: { status: [{ "equals-ignore-case": "draining" }] } }), true);
    });

    it("supports anything-but with a value, a list and a prefix", () => {
        assert.equal(matches({ detail: { status: [{ "anything-but": "ACTIVE" }] } }), true);
        assert.equal(matches({ detail: { status: [{ "anything-but": ["ACTIVE", "DRAINING"] }] } }), false);
        assert.equal(matches({ detail: { status: [{ "anything-but": { prefix: "DRAIN" } }] } }), false);
        assert.equal(matches({ detail: { status: [{ "anything-but": { prefix: "ACT" } }] } }), true);
    });

    it("supports exists true and false", () => {
        assert.equal(matches({ detail: { status: [{ exists: true }] } }), true);
        assert.equal(matches({ detail: { stoppedReason: [{ exists: false }] } }), true);
        assert.equal(matches({ detail: { status: [{ exists: false }] } }), false);
        assert.equal(matches({ detail: { stoppedReason: [{ exists: true }] } }), false);
    });

    it("supports numeric ranges", () => {
        assert.equal(matches({ detail: { version: [{ numeric: [">", 5, "<=", 7] }] } }), true);
        assert.equal(matches({ detail: { version: [{ numeric: [">", 7] }] } }), false);
        assert.equal(matches({ detail: { version: [{ numeric: ["=", 7] }] } }), true);
        assert.equal(matches({ detail: { status: [{ numeric: [">", 0] }] } }), false);
    });

    it("rejects malformed patterns with the reason and the place", () => {
        assert.throws(() => parseEventPattern("{"), /^Error: Filter is not valid JSON/);
        assert.throws(() => parseEventPattern('{"source":"aws.ecs"}'), {
            message: '"source" must be an object or an array',
        });
        assert.throws(() => parseEventPattern('{"detail":{"status":[]}}'), {
            message: "Empty arrays are not allowed at detail.status",
        });
        assert.throws(() => parseEventPattern('{"detail":{"v":[{"numeric":[">"]}]}}'), {
            message: /Operator "numeric" at detail.v expects pairs/,
        });
        assert.throws(() => parseEventPattern('{"a":[{"wildcards":"x"}]}'), {
            message: 'Unrecognized match type "wildcards" at a',
        });
    });
});
