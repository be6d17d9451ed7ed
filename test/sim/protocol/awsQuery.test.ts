import assert from "node:assert/strict";
import { decodeQueryInput } from "../../../sim/protocol/awsQuery";
import { InputShapeError } from "../../../sim/protocol/coerce";
import { operationShape } from "../../../sim/protocol/shapes";

const decode = (
    form: string,
    operation = "DescribeAutoScalingGroups",
    service: "autoscaling" | "sns" | "sqs" | "monitoring" = "autoscaling",
) => decodeQueryInput(new URLSearchParams(form), operationShape(service, operation));

describe("sim/protocol/awsQuery decodeQueryInput", () => {
    it("orders list members by their number, not by their position in the request", () => {
        const members = Array.from(
            { length: 11 },
            (_, index) => `AutoScalingGroupNames.member.${11 - index}=g${11 - index}`,
        ).join("&");
        assert.deepEqual(decode(`Action=DescribeAutoScalingGroups&Version=2011-01-01&${members}`), {
            AutoScalingGroupNames: ["g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9", "g10", "g11"],
        });
    });

    it("decodes nested lists inside list members, and maps with key/value entries", () => {
        assert.deepEqual(
            decode(
                "Filters.member.1.Name=tag-key&Filters.member.1.Values.member.1=cluster&Filters.member.2.Name=tag-value&Filters.member.2.Values.member.1=demo",
            ),
            {
                Filters: [
                    { Name: "tag-key", Values: ["cluster"] },
                    { Name: "tag-value", Values: ["demo"] },
                ],
            },
        );
        assert.deepEqual(
            decode(
                "Name=drain&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=drain%20hook&Attributes.entry.2.key=Policy&Attributes.entry.2.value=%7B%7D",
                "CreateTopic",
                "sns",
            ),
            {
                Name: "drain",
                Attributes: { DisplayName: "drain hook", Policy: "{}" },
            },
        );
    });

    it("types timestamps and numbers inside list members by the shape table", () => {
        assert.deepEqual(
            decode(
                "Namespace=ECS&MetricData.member.1.MetricName=Idle&MetricData.member.1.Timestamp=2026-11-21T21%3A00%3A00Z&MetricData.member.1.Values.member.1=1.5" +
                    "&MetricData.member.1.Values.member.2=2",
                "PutMetricData",
                "monitoring",
            ),
            {
                Namespace: "ECS",
                MetricData: [
                    { MetricName: "Idle", Timestamp: new Date("2026-11-21T21:00:00Z"), Values: [1.5, 2] },
                ],
            },
        );
    });

    it("renames SQS's flattened wire names to the SDK's members", () => {
        assert.deepEqual(
            decode(
                "QueueName=drain&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=60&Tag.1.Key=team&Tag.1.Value=platform",
                "CreateQueue",
                "sqs",
            ),
            {
                QueueName: "drain",
                Attributes: { VisibilityTimeout: "60" },
                tags: { team: "platform" },
            },
        );
    });

    it("names the member and what was expected when the syntax or a value is wrong", () => {
        assert.throws(
            () => decode("Filters.member.first.Name=x"),
            (error: InputShapeError) =>
                error instanceof InputShapeError &&
                error.path === "Filters" &&
                error.expected === "a list or map numbered from 1",
        );
        assert.throws(
            () => decode("Name=drain&Attributes.entry.1.key=DisplayName", "CreateTopic", "sns"),
            (error: InputShapeError) =>
                error.path === "Attributes.entry.1" && error.expected === "a map entry with key and value",
        );
        assert.throws(() => decode("MaxRecords=lots"), {
            message: "Value 'lots' at 'MaxRecords' failed to satisfy constraint: Member must be a number",
        });
        assert.throws(() => decode("IncludeInstances=yes"), {
            message:
                "Value 'yes' at 'IncludeInstances' failed to satisfy constraint: Member must be true or false",
        });
        assert.throws(() => decode("AutoScalingGroupNames=ecs-asg"), {
            message: /at 'AutoScalingGroupNames' failed to satisfy constraint: Member must be a list/,
        });
    });
});
