import assert from "node:assert/strict";
import { checkLambdaRole } from "../../policy/rules/lambdaRole";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

const PARENT = "urn:pulumi:dev::ecs-lifecycle::ecs-lifecycle:drain:DrainHook::drain";
const LAMBDA_TRUST = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ],
});

function role(name: string, extra: Record<string, unknown> = {}): PlannedResource {
    return {
        type: "aws:iam/role:Role",
        name,
        urn: `urn:pulumi:dev::ecs-lifecycle::aws:iam/role:Role::${name}`,
        parent: PARENT,
        id: name,
        outputs: { arn: `arn:aws:iam::123456789012:role/${name}` },
        props: { assumeRolePolicy: LAMBDA_TRUST, ...extra },
    };
}

function lambda(roleArn: unknown): PlannedResource {
    return {
        type: "aws:lambda/function:Function",
        name: "drain-fn",
        urn: "urn:pulumi:dev::ecs-lifecycle::aws:lambda/function:Function::drain-fn",
        parent: PARENT,
        props: { role: roleArn, runtime: "nodejs22.x" },
    };
}

function attachment(roleName: string, policyArn: string): PlannedResource {
    return {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: `${roleName}-attach`,
        urn: `urn:pulumi:dev::ecs-lifecycle::aws:iam/rolePolicyAttachment:RolePolicyAttachment::${roleName}-attach`,
        props: { role: roleName, policyArn },
    };
}

const BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const SQS_FULL = "arn:aws:iam::aws:policy/AmazonSQSFullAccess";

describe("policy rule lambda-explicit-role", () => {
    it("passes a Lambda with its own role holding only narrow policies", () => {
        const resources = [
            role("drain-fn-role"),
            lambda("arn:aws:iam::123456789012:role/drain-fn-role"),
            attachment("drain-fn-role", BASIC_EXECUTION),
        ];
        assert.deepEqual(checkLambdaRole(resources), []);
    });

    it("fails a Lambda with no role", () => {
        assert.deepEqual(checkLambdaRole([lambda(undefined)]), [
            {
                resource: "urn:pulumi:dev::ecs-lifecycle::aws:lambda/function:Function::drain-fn",
                message:
                    'aws:lambda/function:Function "drain-fn": role is not set; it must be an explicit least-privilege IAM role ARN',
            },
        ]);
    });

    it("fails the role CallbackFunction creates when none is passed (same name and parent)", () => {
        const resources = [role("drain-fn"), lambda(UNKNOWN)];
        assert.deepEqual(checkLambdaRole(resources), [
            {
                resource: "urn:pulumi:dev::ecs-lifecycle::aws:lambda/function:Function::drain-fn",
                message:
                    'aws:lambda/function:Function "drain-fn": role is the default role "drain-fn" CallbackFunction creates; pass an explicit least-privilege role',
            },
        ]);
    });

    it("fails a *FullAccess attachment to a Lambda's role", () => {
        const resources = [
            role("drain-fn-role"),
            lambda("arn:aws:iam::123456789012:role/drain-fn-role"),
            attachment("drain-fn-role", SQS_FULL),
        ];
        assert.deepEqual(checkLambdaRole(resources), [
            {
                resource:
                    "urn:pulumi:dev::ecs-lifecycle::aws:iam/rolePolicyAttachment:RolePolicyAttachment::drain-fn-role-attach",
                message: `aws:iam/rolePolicyAttachment:RolePolicyAttachment "drain-fn-role-attach": policyArn "${SQS_FULL}" is attached to the Lambda role "drain-fn-role"; a Lambda's role must not hold *FullAccess policies`,
            },
        ]);
    });

    it("fails *FullAccess in managedPolicyArns of a role that trusts Lambda, and ignores other roles", () => {
        const instanceRole: PlannedResource = {
            ...role("instance-role", { managedPolicyArns: [SQS_FULL] }),
            props: {
                assumeRolePolicy: LAMBDA_TRUST.replace("lambda.amazonaws.com", "ec2.amazonaws.com"),
                managedPolicyArns: [SQS_FULL],
            },
        };
        const resources = [
            role("notifier-role", { managedPolicyArns: ["arn:aws:iam::aws:policy/CloudWatchFullAccessV2"] }),
            instanceRole,
        ];
        assert.deepEqual(checkLambdaRole(resources), [
            {
                resource: "urn:pulumi:dev::ecs-lifecycle::aws:iam/role:Role::notifier-role",
                message:
                    'aws:iam/role:Role "notifier-role": managedPolicyArns includes "arn:aws:iam::aws:policy/CloudWatchFullAccessV2"; a Lambda\'s role must not hold *FullAccess policies',
            },
        ]);
    });

    it("links an attachment to its role through propertyDependencies while the name is unknown", () => {
        const unknown = UNKNOWN;
        const pending = {
            ...attachment("x", SQS_FULL),
            props: { role: unknown, policyArn: SQS_FULL },
            propertyDependencies: {
                role: ["urn:pulumi:dev::ecs-lifecycle::aws:iam/role:Role::drain-fn-role"],
            },
        };
        assert.equal(checkLambdaRole([role("drain-fn-role"), pending]).length, 1);
        assert.deepEqual(
            checkLambdaRole([role("drain-fn-role"), { ...pending, propertyDependencies: {} }]),
            [],
        );
    });
});
