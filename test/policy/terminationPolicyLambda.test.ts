import assert from "node:assert/strict";
import { checkTerminationPolicyLambda } from "../../policy/rules/terminationPolicyLambda";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

const LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:termination-policy";

function group(terminationPolicies: unknown[]): PlannedResource {
    return { type: "aws:autoscaling/group:Group", name: "asg", props: { terminationPolicies } };
}

describe("policy rule termination-policy-lambda-first", () => {
    it("passes the unqualified Lambda ARN first, followed by built-in policies", () => {
        assert.deepEqual(
            checkTerminationPolicyLambda(group([LAMBDA, "OldestLaunchTemplate", "Default"])),
            [],
        );
        assert.deepEqual(checkTerminationPolicyLambda(group(["OldestInstance"])), []);
    });

    it("fails a Lambda that is not first", () => {
        assert.deepEqual(checkTerminationPolicyLambda(group(["Default", LAMBDA])), [
            `aws:autoscaling/group:Group "asg": terminationPolicies[1] is the Lambda "${LAMBDA}"; a Lambda termination policy must be terminationPolicies[0]`,
        ]);
    });

    it("fails a $LATEST-qualified Lambda ARN", () => {
        assert.deepEqual(checkTerminationPolicyLambda(group([`${LAMBDA}:$LATEST`])), [
            `aws:autoscaling/group:Group "asg": terminationPolicies[0] "${LAMBDA}:$LATEST" is $LATEST-qualified; use the unqualified function ARN, an alias or a version`,
        ]);
    });

    it("does not judge an ARN unknown during preview", () => {
        assert.deepEqual(checkTerminationPolicyLambda(group([UNKNOWN, "Default"])), []);
    });
});
