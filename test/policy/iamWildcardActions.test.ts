import assert from "node:assert/strict";
import { checkIamWildcardActions } from "../../policy/rules/iamWildcardActions";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

function rolePolicy(statement: unknown): PlannedResource {
    return {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "drain-policy",
        props: {
            role: "drain-role",
            policy: JSON.stringify({ Version: "2012-10-17", Statement: statement }),
        },
    };
}

const PREFIX = 'aws:iam/rolePolicy:RolePolicy "drain-policy": policy';

describe("policy rule iam-no-wildcard-actions", () => {
    it("passes named actions and a broad Deny", () => {
        const statements = [
            {
                Effect: "Allow",
                Action: ["ecs:ListTasks", "sqs:Send*"],
                Resource: "arn:aws:ecs:*:*:container-instance/c/*",
            },
            { Effect: "Deny", Action: "*", Resource: "*" },
        ];
        assert.deepEqual(checkIamWildcardActions(rolePolicy(statements)), []);
    });

    it('fails Allow "*" and "service:*", in a string or a list, naming the statement', () => {
        const statements = [
            { Effect: "Allow", Action: "*", Resource: "arn:aws:sns:us-east-1:123456789012:t" },
            { Effect: "Allow", Action: ["ecs:ListTasks", "ECS:*"], Resource: "arn:aws:ecs:*:*:cluster/c" },
        ];
        assert.deepEqual(checkIamWildcardActions(rolePolicy(statements)), [
            `${PREFIX} Statement[0] allows Action "*"; name the specific actions (e.g. "ecs:ListTasks")`,
            `${PREFIX} Statement[1] allows Action "ECS:*"; name the specific actions (e.g. "ecs:ListTasks")`,
        ]);
    });

    it("fails Allow with NotAction", () => {
        assert.deepEqual(
            checkIamWildcardActions(rolePolicy({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })),
            [`${PREFIX} Statement[0] allows NotAction ["iam:*"]; list the allowed actions in Action instead`],
        );
    });

    it("reads role inline policies and object-valued topic policies", () => {
        const role: PlannedResource = {
            type: "aws:iam/role:Role",
            name: "r",
            props: {
                inlinePolicies: [
                    {
                        name: "ok",
                        policy: JSON.stringify({
                            Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: "*" }],
                        }),
                    },
                    {
                        name: "bad",
                        policy: JSON.stringify({
                            Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }],
                        }),
                    },
                ],
            },
        };
        assert.deepEqual(checkIamWildcardActions(role), [
            'aws:iam/role:Role "r": inlinePolicies[1].policy Statement[0] allows Action "s3:*"; name the specific actions (e.g. "ecs:ListTasks")',
        ]);
        const topicPolicy: PlannedResource = {
            type: "aws:sns/topicPolicy:TopicPolicy",
            name: "tp",
            props: {
                policy: {
                    Statement: {
                        Effect: "Allow",
                        Action: "sns:*",
                        Principal: { Service: "events.amazonaws.com" },
                    },
                },
            },
        };
        assert.deepEqual(checkIamWildcardActions(topicPolicy), [
            'aws:sns/topicPolicy:TopicPolicy "tp": policy Statement[0] allows Action "sns:*"; name the specific actions (e.g. "ecs:ListTasks")',
        ]);
    });

    it("reports a document that is not JSON, and skips one unknown during preview", () => {
        const broken: PlannedResource = {
            type: "aws:iam/policy:Policy",
            name: "p",
            props: { policy: "{not json" },
        };
        const [message] = checkIamWildcardActions(broken);
        assert.match(message, /^aws:iam\/policy:Policy "p": policy is not valid JSON \(/);
        const unknown: PlannedResource = {
            type: "aws:iam/policy:Policy",
            name: "p",
            props: { policy: UNKNOWN },
        };
        assert.deepEqual(checkIamWildcardActions(unknown), []);
    });
});
