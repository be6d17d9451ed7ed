import assert from "node:assert/strict";
import { UNKNOWN } from "../../policy/rules/known";
import { checkCapacityProviderGroup } from "../../policy/rules/capacityProviderGroup";
import { PlannedResource } from "../../policy/rules/types";

const GROUP_ARN = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:u:autoScalingGroupName/asg";
const LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:termination-policy";

function provider(overrides: Record<string, unknown> = {}): PlannedResource {
    return {
        type: "aws:ecs/capacityProvider:CapacityProvider",
        name: "capacity-provider",
        props: {
            autoScalingGroupProvider: {
                autoScalingGroupArn: GROUP_ARN,
                managedScaling: { status: "ENABLED", targetCapacity: 100 },
                managedTerminationProtection: "ENABLED",
                managedDraining: "ENABLED",
                ...overrides,
            },
        },
    };
}

function group(props: Record<string, unknown> = {}): PlannedResource {
    return {
        type: "aws:autoscaling/group:Group",
        name: "ecs-asg",
        props: {
            protectFromScaleIn: true,
            instanceRefresh: { strategy: "Rolling", preferences: { scaleInProtectedInstances: "Refresh" } },
            ...props,
        },
        outputs: { arn: GROUP_ARN },
    };
}

const messages = (resources: PlannedResource[]) =>
    checkCapacityProviderGroup(resources).map((v) => v.message);

describe("policy rule capacity-provider-group", () => {
    it("passes a protected group that refreshes protected instances, with no termination policy Lambda", () => {
        assert.deepEqual(messages([provider(), group({ terminationPolicies: ["OldestInstance"] })]), []);
        assert.deepEqual(
            messages([
                provider({ managedTerminationProtection: "DISABLED" }),
                group({ protectFromScaleIn: false }),
            ]),
            [],
            "without managed termination protection the group may scale in any instance",
        );
    });

    it("fails a group that does not protect new instances from scale-in", () => {
        assert.deepEqual(messages([provider(), group({ protectFromScaleIn: false })]), [
            'aws:autoscaling/group:Group "ecs-asg": protectFromScaleIn must be true: its capacity provider has managed termination protection, which ECS refuses on a group that does not protect new instances from scale-in',
        ]);
    });

    it("fails a refresh that waits on protected instances, and a custom termination policy Lambda", () => {
        assert.deepEqual(
            messages([
                provider(),
                group({
                    instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 100 } },
                    terminationPolicies: [LAMBDA, "OldestInstance"],
                }),
            ]),
            [
                'aws:autoscaling/group:Group "ecs-asg": instanceRefresh.preferences.scaleInProtectedInstances is unset; it must be "Refresh" under managed termination protection, or a refresh waits on instances ECS keeps protected and fails',
                `aws:autoscaling/group:Group "ecs-asg": terminationPolicies holds the Lambda "${LAMBDA}": under managed termination protection Auto Scaling only chooses among empty instances, so a custom termination policy decides nothing; remove it`,
            ],
        );
    });

    it("fails managed termination protection without managed scaling", () => {
        assert.deepEqual(messages([provider({ managedScaling: { status: "DISABLED" } }), group()]), [
            'aws:ecs/capacityProvider:CapacityProvider "capacity-provider": autoScalingGroupProvider.managedTerminationProtection ENABLED needs managedScaling.status ENABLED',
        ]);
    });

    it("does not judge values unknown during preview", () => {
        assert.deepEqual(messages([provider(), group({ protectFromScaleIn: UNKNOWN })]), []);
    });
});
