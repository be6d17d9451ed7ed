import assert from "node:assert/strict";
import {
    ACTIONS_WITHOUT_RESOURCE_TYPES,
    supportsOnlyAllResources,
} from "../../policy/rules/actionsWithoutResourceTypes";
import { checkIamWildcardResources } from "../../policy/rules/iamWildcardResources";
import { PlannedResource } from "../../policy/rules/types";

function policy(statement: unknown): PlannedResource {
    return {
        type: "aws:iam/policy:Policy",
        name: "capacity",
        props: { policy: JSON.stringify({ Version: "2012-10-17", Statement: statement }) },
    };
}

describe("policy rule iam-wildcard-resource-allow-list", () => {
    it('passes Resource "*" for actions without resource types, and any action on named ARNs', () => {
        const statements = [
            {
                Effect: "Allow",
                Action: [
                    "ecs:ListClusters",
                    "ec2:DescribeInstances",
                    "autoscaling:Describe*",
                    "cloudwatch:PutMetricData",
                ],
                Resource: "*",
            },
            {
                Effect: "Allow",
                Action: "ecs:ListTasks",
                Resource: "arn:aws:ecs:us-east-1:123456789012:container-instance/c/*",
            },
        ];
        assert.deepEqual(checkIamWildcardResources(policy(statements)), []);
    });

    it('fails actions that take resource ARNs on Resource "*"', () => {
        const statement = {
            Effect: "Allow",
            Action: ["ecs:ListTasks", "ec2:Describe*", "sns:Publish"],
            Resource: ["*"],
        };
        assert.deepEqual(checkIamWildcardResources(policy(statement)), [
            'aws:iam/policy:Policy "capacity": policy Statement[0] allows "ecs:ListTasks" on Resource "*"; "ecs:ListTasks" supports resource ARNs, so name them (only actions without resource types may use "*")',
            'aws:iam/policy:Policy "capacity": policy Statement[0] allows "sns:Publish" on Resource "*"; "sns:Publish" supports resource ARNs, so name them (only actions without resource types may use "*")',
        ]);
    });

    it("matches the allow-list case-insensitively, and a pattern only by its own prefix", () => {
        assert.equal(supportsOnlyAllResources("EC2:describeSubnets"), true);
        assert.equal(supportsOnlyAllResources("ec2:Describe*"), true);
        assert.equal(supportsOnlyAllResources("ec2:Desc*"), false);
        assert.equal(supportsOnlyAllResources("ec2:DeleteSubnet"), false);
        assert.equal(supportsOnlyAllResources("ssm:GetParameters"), false);
    });

    it("gives every allow-list entry a reason", () => {
        for (const entry of ACTIONS_WITHOUT_RESOURCE_TYPES) {
            assert.match(entry.action, /^[a-z0-9-]+:[A-Za-z*]+$/);
            assert.ok(entry.why.length > 10, entry.action);
        }
    });
});
