import assert from "node:assert/strict";
import { checkInstanceRefreshPercentages } from "../../policy/rules/instanceRefreshPercentages";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

function group(preferences: Record<string, unknown> | undefined): PlannedResource {
    return {
        type: "aws:autoscaling/group:Group",
        name: "asg",
        props: { instanceRefresh: { strategy: "Rolling", preferences } },
    };
}

const PREFIX = 'aws:autoscaling/group:Group "asg": instanceRefresh.preferences';

describe("policy rule instance-refresh-percentages", () => {
    it("passes launch-before-terminate (min 100, max 200)", () => {
        assert.deepEqual(
            checkInstanceRefreshPercentages(group({ minHealthyPercentage: 100, maxHealthyPercentage: 200 })),
            [],
        );
    });

    it("passes a group without instanceRefresh", () => {
        assert.deepEqual(
            checkInstanceRefreshPercentages({ type: "aws:autoscaling/group:Group", name: "asg", props: {} }),
            [],
        );
    });

    it("fails the AWS defaults (min 90, max 100): terminate before launch", () => {
        assert.deepEqual(checkInstanceRefreshPercentages(group(undefined)), [
            `${PREFIX}.minHealthyPercentage is 90; launch-before-terminate needs 100`,
            `${PREFIX}.maxHealthyPercentage is 100; launch-before-terminate needs 101–200`,
        ]);
    });

    it("fails values AWS rejects: min above 100, max above 200, spread above 100", () => {
        assert.deepEqual(
            checkInstanceRefreshPercentages(group({ minHealthyPercentage: 50, maxHealthyPercentage: 201 })),
            [
                `${PREFIX}.maxHealthyPercentage is 201; it must be 100–200`,
                `${PREFIX}.maxHealthyPercentage 201 − minHealthyPercentage 50 is 151; it must be at most 100`,
                `${PREFIX}.minHealthyPercentage is 50; launch-before-terminate needs 100`,
            ],
        );
        assert.deepEqual(
            checkInstanceRefreshPercentages(group({ minHealthyPercentage: 101, maxHealthyPercentage: 150 })),
            [
                `${PREFIX}.minHealthyPercentage is 101; it must be 0–100`,
                `${PREFIX}.minHealthyPercentage is 101; launch-before-terminate needs 100`,
            ],
        );
    });

    it("does not judge percentages unknown during preview", () => {
        const unknownNumber = UNKNOWN;
        assert.deepEqual(
            checkInstanceRefreshPercentages(
                group({ minHealthyPercentage: unknownNumber, maxHealthyPercentage: 200 }),
            ),
            [],
        );
    });
});
