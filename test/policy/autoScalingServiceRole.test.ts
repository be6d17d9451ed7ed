import assert from "node:assert/strict";
import { checkAutoScalingServiceRole } from "../../policy/rules/autoScalingServiceRole";
import { PlannedResource } from "../../policy/rules/types";

const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:termination-fn";
const OWN_ROLE =
    "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_c.us-east-1";
const DEFAULT_ROLE =
    "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";

function stack(options: { groupRole?: string; principal: string; suffix?: string }): PlannedResource[] {
    return [
        {
            type: "aws:iam/serviceLinkedRole:ServiceLinkedRole",
            name: "autoscaling-role",
            props: { awsServiceName: "autoscaling.amazonaws.com", customSuffix: options.suffix },
            outputs: { arn: OWN_ROLE },
        },
        {
            type: "aws:lambda/function:Function",
            name: "termination-fn",
            props: {},
            outputs: { arn: FUNCTION_ARN, name: "termination-fn" },
        },
        {
            type: "aws:lambda/permission:Permission",
            name: "termination-invoke-by-autoscaling",
            props: {
                function: "termination-fn",
                principal: options.principal,
                action: "lambda:InvokeFunction",
            },
        },
        {
            type: "aws:autoscaling/group:Group",
            name: "ecs-asg",
            props: {
                terminationPolicies: [FUNCTION_ARN, "OldestInstance"],
                serviceLinkedRoleArn: options.groupRole,
            },
        },
    ];
}

describe("policy rule autoscaling-service-linked-role", () => {
    it("passes a group running as the stack's own suffixed role, which its termination Lambda admits", () => {
        assert.deepEqual(
            checkAutoScalingServiceRole(
                stack({ groupRole: OWN_ROLE, principal: OWN_ROLE, suffix: "c.us-east-1" }),
            ),
            [],
        );
    });

    it("fails a group on the account's default role, which a new account does not have yet", () => {
        assert.deepEqual(
            checkAutoScalingServiceRole(stack({ principal: DEFAULT_ROLE, suffix: "c.us-east-1" })).map(
                (v) => v.message,
            ),
            [
                'aws:autoscaling/group:Group "ecs-asg": serviceLinkedRoleArn is unset, so the group runs as the account\'s AWSServiceRoleForAutoScaling, which exists only after the account\'s first group: the termination policy Lambda "termination-fn" cannot admit it in a new account; name a service-linked role the stack declares',
            ],
        );
    });

    it("fails a termination Lambda that admits another role than the group's", () => {
        assert.deepEqual(
            checkAutoScalingServiceRole(
                stack({ groupRole: OWN_ROLE, principal: DEFAULT_ROLE, suffix: "c.us-east-1" }),
            ).map((v) => v.message),
            [
                `aws:lambda/permission:Permission "termination-invoke-by-autoscaling": principal ${DEFAULT_ROLE} is not the service-linked role of group "ecs-asg" (${OWN_ROLE}), as which Auto Scaling invokes its termination policy`,
            ],
        );
    });

    it("fails declaring the account's default role, which exists in most accounts and is shared", () => {
        assert.deepEqual(
            checkAutoScalingServiceRole(stack({ groupRole: OWN_ROLE, principal: OWN_ROLE })).map(
                (v) => v.resource,
            ),
            ["autoscaling-role"],
        );
    });
});
