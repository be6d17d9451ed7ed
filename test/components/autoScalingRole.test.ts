import assert from "node:assert/strict";
import { AutoScalingServiceRole } from "../../components/autoScalingRole";
import { autoScalingRoleSuffix } from "../../stack/autoScalingRole";
import { named, settle, startMocks, valueOf } from "../../scripts/mockSynthesis";

describe("AutoScalingServiceRole", () => {
    it("is the stack's own suffixed role, never the account's default one", async () => {
        const run = await startMocks();
        const role = new AutoScalingServiceRole("autoscaling", { clusterName: "ecs-lifecycle-prod" });
        await settle(run);
        const declared = named(run, "aws:iam/serviceLinkedRole:ServiceLinkedRole", "autoscaling-role");
        assert.deepEqual(
            [declared.inputs.awsServiceName, declared.inputs.customSuffix],
            ["autoscaling.amazonaws.com", "ecs-lifecycle-prod.us-east-1"],
        );
        assert.equal(declared.retainOnDelete, false, "the stack's own role goes with the stack");
        assert.equal(
            await valueOf(role.arn),
            "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_ecs-lifecycle-prod.us-east-1",
        );
    });

    it("names the cluster and region, within IAM's 64 characters however long the cluster name", () => {
        assert.equal(autoScalingRoleSuffix("web", "eu-west-1"), "web.eu-west-1");
        const long = "a".repeat(200);
        const suffix = autoScalingRoleSuffix(long, "ap-southeast-2");
        assert.equal(`AWSServiceRoleForAutoScaling_${suffix}`.length, 64);
        assert.match(suffix, /^a{26}\.[0-9a-f]{8}$/);
        assert.notEqual(
            suffix,
            autoScalingRoleSuffix(long, "ap-southeast-1"),
            "another region, another role",
        );
    });
});
