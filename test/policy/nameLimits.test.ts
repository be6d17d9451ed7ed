import assert from "node:assert/strict";
import { checkNameLimits } from "../../policy/rules/nameLimits";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

function resource(type: string, name: string, props: Record<string, unknown> = {}): PlannedResource {
    return { type, name, props };
}

const TARGET_GROUP = "aws:lb/targetGroup:TargetGroup";

describe("policy rule name-limits", () => {
    it("passes auto-names and set names within AWS's limits", () => {
        assert.deepEqual(
            checkNameLimits([
                resource(TARGET_GROUP, `svc-${"a".repeat(17)}-tg`),
                resource("aws:lambda/function:Function", "termination-fn"),
                resource("aws:cloudwatch/logGroup:LogGroup", "drain-fn-logs", {
                    namePrefix: "/ecs-lifecycle/drain-fn-",
                }),
                resource("aws:ecs/cluster:Cluster", "ecs-cluster", { name: "ecs-lifecycle-dev" }),
                resource("aws:iam/serviceLinkedRole:ServiceLinkedRole", "autoscaling-role", {
                    awsServiceName: "autoscaling.amazonaws.com",
                    customSuffix: "ecs-lifecycle-dev.us-east-1",
                }),
            ]),
            [],
        );
    });

    it("fails a target group whose auto-name (logical name, '-' and 7 characters) passes ELB's 32", () => {
        assert.deepEqual(checkNameLimits([resource(TARGET_GROUP, `svc-${"a".repeat(18)}-tg`)]), [
            {
                resource: `svc-${"a".repeat(18)}-tg`,
                message: `aws:lb/targetGroup:TargetGroup "svc-${"a".repeat(18)}-tg": name svc-${"a".repeat(18)}-tg-xxxxxxx (auto-named) is 33 characters; AWS allows 32: shorten the logical name or the setting it comes from`,
            },
        ]);
    });

    it("fails a name set or derived past its limit, and an ECS name with a character ECS rejects", () => {
        assert.deepEqual(
            checkNameLimits([
                resource("aws:ecs/cluster:Cluster", "ecs-cluster", { name: "ecs-lifecycle-feature.x" }),
                resource("aws:ecs/taskDefinition:TaskDefinition", "svc-api-task", {
                    family: "f".repeat(256),
                }),
                resource("aws:cloudwatch/eventRule:EventRule", "r".repeat(57)),
            ]).map((v) => v.message),
            [
                'aws:ecs/cluster:Cluster "ecs-cluster": name ecs-lifecycle-feature.x may only hold letters, digits, hyphens and underscores',
                `aws:ecs/taskDefinition:TaskDefinition "svc-api-task": family ${"f".repeat(256)} is 256 characters; AWS allows 255: shorten the logical name or the setting it comes from`,
                `aws:cloudwatch/eventRule:EventRule "${"r".repeat(57)}": name ${"r".repeat(57)}-xxxxxxx (auto-named) is 65 characters; AWS allows 64: shorten the logical name or the setting it comes from`,
            ],
        );
    });

    it("does not judge a name unknown during preview", () => {
        assert.deepEqual(checkNameLimits([resource(TARGET_GROUP, "x".repeat(40), { name: UNKNOWN })]), []);
    });
});
