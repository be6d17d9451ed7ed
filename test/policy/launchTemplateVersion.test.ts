import assert from "node:assert/strict";
import { checkLaunchTemplateVersion } from "../../policy/rules/launchTemplateVersion";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

function group(props: Record<string, unknown>): PlannedResource {
    return { type: "aws:autoscaling/group:Group", name: "asg", props };
}

describe("policy rule launch-template-version-pinned", () => {
    it("passes a pinned version number, as a string or a number", () => {
        assert.deepEqual(
            checkLaunchTemplateVersion(group({ launchTemplate: { id: "lt-1", version: "3" } })),
            [],
        );
        assert.deepEqual(
            checkLaunchTemplateVersion(group({ launchTemplate: { id: "lt-1", version: 3 } })),
            [],
        );
    });

    it("fails $Latest on the group and $Default in the mixed instances policy", () => {
        assert.deepEqual(
            checkLaunchTemplateVersion(group({ launchTemplate: { id: "lt-1", version: "$Latest" } })),
            [
                'aws:autoscaling/group:Group "asg": launchTemplate.version is "$Latest"; it must be a version number (the template\'s latestVersion)',
            ],
        );
        const mixed = {
            mixedInstancesPolicy: {
                launchTemplate: {
                    launchTemplateSpecification: { launchTemplateId: "lt-1", version: "$Default" },
                },
            },
        };
        assert.deepEqual(checkLaunchTemplateVersion(group(mixed)), [
            'aws:autoscaling/group:Group "asg": mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.version is "$Default"; it must be a version number (the template\'s latestVersion)',
        ]);
    });

    it("fails an unset version, which AWS reads as $Default", () => {
        assert.deepEqual(checkLaunchTemplateVersion(group({ launchTemplate: { id: "lt-1" } })), [
            'aws:autoscaling/group:Group "asg": launchTemplate.version is unset (AWS uses $Default); it must be a version number (the template\'s latestVersion)',
        ]);
    });

    it("does not judge a version unknown during preview (latestVersion of a new template)", () => {
        const unknown = UNKNOWN;
        assert.deepEqual(
            checkLaunchTemplateVersion(group({ launchTemplate: { id: "lt-1", version: unknown } })),
            [],
        );
    });
});
