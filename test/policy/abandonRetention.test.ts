import assert from "node:assert/strict";
import { checkAbandonRetention } from "../../policy/rules/abandonRetention";
import { UNKNOWN } from "../../policy/rules/known";
import { PlannedResource } from "../../policy/rules/types";

const GROUP_URN = "urn:pulumi:dev::ecs-lifecycle::aws:autoscaling/group:Group::ecs-asg";
const RETAIN = { retentionTriggers: { terminateHookAbandon: "retain" } };

function group(instanceLifecyclePolicy: unknown, props: Record<string, unknown> = {}): PlannedResource {
    return {
        type: "aws:autoscaling/group:Group",
        name: "ecs-asg",
        urn: GROUP_URN,
        props: { instanceLifecyclePolicy, ...props },
        outputs: { name: "ecs-asg-physical" },
    };
}

function hook(
    props: Record<string, unknown>,
    propertyDependencies?: Record<string, string[]>,
): PlannedResource {
    return {
        type: "aws:autoscaling/lifecycleHook:LifecycleHook",
        name: "drain-hook",
        urn: "urn:pulumi:dev::ecs-lifecycle::aws:autoscaling/lifecycleHook:LifecycleHook::drain-hook",
        props: {
            autoscalingGroupName: "ecs-asg-physical",
            lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
            ...props,
        },
        propertyDependencies,
    };
}

const REMEDY =
    "set the group's instanceLifecyclePolicy.retentionTriggers.terminateHookAbandon to \"retain\", or the hook's defaultResult to CONTINUE";

describe("policy rule terminating-hook-abandon-retained", () => {
    it("passes an ABANDON hook whose group retains abandoned instances, and hooks that do not abandon", () => {
        assert.deepEqual(checkAbandonRetention([group(RETAIN), hook({ defaultResult: "ABANDON" })]), []);
        assert.deepEqual(checkAbandonRetention([group(undefined), hook({ defaultResult: "CONTINUE" })]), []);
        assert.deepEqual(
            checkAbandonRetention([
                group(undefined),
                hook({ defaultResult: "ABANDON", lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING" }),
            ]),
            [],
        );
    });

    it("fails an ABANDON hook (set, or AWS's default) on a group that would terminate the instance", () => {
        const expected = (result: string) => [
            {
                resource:
                    "urn:pulumi:dev::ecs-lifecycle::aws:autoscaling/lifecycleHook:LifecycleHook::drain-hook",
                message: `aws:autoscaling/lifecycleHook:LifecycleHook "drain-hook": defaultResult ${result} on EC2_INSTANCE_TERMINATING terminates the instance with its tasks when the drain times out or gives up, because group "ecs-asg" does not retain it; ${REMEDY}`,
            },
        ];
        assert.deepEqual(
            checkAbandonRetention([group(undefined), hook({ defaultResult: "ABANDON" })]),
            expected("ABANDON"),
        );
        assert.deepEqual(
            checkAbandonRetention([
                group({ retentionTriggers: { terminateHookAbandon: "terminate" } }),
                hook({ defaultResult: undefined }),
            ]),
            expected("unset (ABANDON)"),
        );
    });

    it("finds the group through the engine's propertyDependencies while its name is unknown", () => {
        const unknownName = hook(
            { defaultResult: "ABANDON", autoscalingGroupName: UNKNOWN },
            {
                autoscalingGroupName: [GROUP_URN],
            },
        );
        assert.equal(checkAbandonRetention([group(undefined), unknownName]).length, 1);
        assert.deepEqual(checkAbandonRetention([group(RETAIN), unknownName]), []);
    });

    it("does not judge a default result or retention unknown during preview", () => {
        assert.deepEqual(checkAbandonRetention([group(undefined), hook({ defaultResult: UNKNOWN })]), []);
        assert.deepEqual(checkAbandonRetention([group(UNKNOWN), hook({ defaultResult: "ABANDON" })]), []);
        assert.deepEqual(
            checkAbandonRetention([
                group({ retentionTriggers: UNKNOWN }),
                hook({ defaultResult: "ABANDON" }),
            ]),
            [],
        );
    });

    it("checks hooks declared inline on the group", () => {
        const inline = {
            initialLifecycleHooks: [
                { name: "launch", lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING" },
                {
                    name: "drain",
                    lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
                    defaultResult: "ABANDON",
                },
            ],
        };
        assert.deepEqual(checkAbandonRetention([group(RETAIN, inline)]), []);
        assert.deepEqual(checkAbandonRetention([group(undefined, inline)]), [
            {
                resource: GROUP_URN,
                message: `aws:autoscaling/group:Group "ecs-asg": initialLifecycleHooks[1] ("drain") abandons a terminating instance by default, which terminates it with its tasks; ${REMEDY}`,
            },
        ]);
    });
});
