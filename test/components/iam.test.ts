import assert from "node:assert/strict";
import { assumeRolePolicyFor, clusterScopedArn } from "../../components/iam";
import { rateExpression } from "../../stack/schedule";

describe("IAM and trigger helpers", () => {
    it("writes a trust policy for one service", () => {
        assert.deepEqual(JSON.parse(assumeRolePolicyFor("lambda.amazonaws.com")), {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
            ],
        });
    });

    it("scopes ECS resource ARNs to one cluster and refuses anything but a cluster ARN", () => {
        const cluster = "arn:aws:ecs:eu-west-1:123456789012:cluster/prod-a";
        assert.equal(
            clusterScopedArn(cluster, "container-instance"),
            "arn:aws:ecs:eu-west-1:123456789012:container-instance/prod-a/*",
        );
        assert.equal(clusterScopedArn(cluster, "task"), "arn:aws:ecs:eu-west-1:123456789012:task/prod-a/*");
        assert.throws(
            () => clusterScopedArn("arn:aws:ecs:eu-west-1:1:service/x/y", "task"),
            /clusterArn: expected an ECS cluster ARN/,
        );
    });

    it("spells schedules as EventBridge accepts them", () => {
        assert.equal(rateExpression(1), "rate(1 minute)");
        assert.equal(rateExpression(15), "rate(15 minutes)");
    });
});
