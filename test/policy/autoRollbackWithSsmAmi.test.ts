import assert from "node:assert/strict";
import { checkAutoRollbackWithSsmAmi } from "../../policy/rules/autoRollbackWithSsmAmi";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

const SSM_IMAGE = "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

function template(imageId: string): PlannedResource {
    return {
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name: "cluster-lt",
        urn: "urn:pulumi:dev::ecs-lifecycle::aws:ec2/launchTemplate:LaunchTemplate::cluster-lt",
        id: "lt-0123",
        props: { imageId },
    };
}

function group(
    autoRollback: boolean,
    launchTemplate: Record<string, unknown> = { id: "lt-0123", version: "7" },
): PlannedResource {
    return {
        type: "aws:autoscaling/group:Group",
        name: "cluster-asg",
        urn: "urn:pulumi:dev::ecs-lifecycle::aws:autoscaling/group:Group::cluster-asg",
        props: {
            launchTemplate,
            instanceRefresh: {
                strategy: "Rolling",
                preferences: { autoRollback, minHealthyPercentage: 100 },
            },
        },
    };
}

describe("policy rule no-auto-rollback-with-ssm-ami", () => {
    it("passes autoRollback with a literal AMI id, and an SSM AMI without autoRollback", () => {
        assert.deepEqual(checkAutoRollbackWithSsmAmi([template("ami-0abc"), group(true)]), []);
        assert.deepEqual(checkAutoRollbackWithSsmAmi([template(SSM_IMAGE), group(false)]), []);
    });

    it("fails autoRollback on a group whose template resolves its AMI from SSM", () => {
        assert.deepEqual(checkAutoRollbackWithSsmAmi([template(SSM_IMAGE), group(true)]), [
            {
                resource: "urn:pulumi:dev::ecs-lifecycle::aws:autoscaling/group:Group::cluster-asg",
                message: `aws:autoscaling/group:Group "cluster-asg": instanceRefresh.preferences.autoRollback is true but launch template "cluster-lt" has imageId "${SSM_IMAGE}"; autoRollback must be false with an SSM-resolved AMI`,
            },
        ]);
    });

    it("follows the template through propertyDependencies while its id is unknown", () => {
        const unknownId = UNKNOWN;
        const withDependency = {
            ...group(true, { id: unknownId, version: unknownId }),
            propertyDependencies: { launchTemplate: [template(SSM_IMAGE).urn as string] },
        };
        assert.equal(checkAutoRollbackWithSsmAmi([template(SSM_IMAGE), withDependency]).length, 1);
        assert.deepEqual(
            checkAutoRollbackWithSsmAmi([template(SSM_IMAGE), group(true, { id: unknownId })]),
            [],
        );
    });
});
