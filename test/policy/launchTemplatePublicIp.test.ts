import assert from "node:assert/strict";
import { checkLaunchTemplatePublicIp } from "../../policy/rules/launchTemplatePublicIp";
import { PlannedResource } from "../../policy/rules/types";

function template(networkInterfaces: unknown[]): PlannedResource {
    return { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", props: { networkInterfaces } };
}

describe("policy rule launch-template-no-public-ip", () => {
    it('passes interfaces with associatePublicIpAddress "false" or unset', () => {
        assert.deepEqual(
            checkLaunchTemplatePublicIp(
                template([{ associatePublicIpAddress: "false" }, { deviceIndex: 1 }]),
            ),
            [],
        );
        assert.deepEqual(
            checkLaunchTemplatePublicIp({
                type: "aws:ec2/launchTemplate:LaunchTemplate",
                name: "lt",
                props: {},
            }),
            [],
        );
    });

    it('fails associatePublicIpAddress "true" (the provider\'s string form) or true', () => {
        assert.deepEqual(
            checkLaunchTemplatePublicIp(template([{ deviceIndex: 0 }, { associatePublicIpAddress: "true" }])),
            [
                'aws:ec2/launchTemplate:LaunchTemplate "lt": networkInterfaces[1].associatePublicIpAddress is true; it must be false or unset (instances stay private)',
            ],
        );
        assert.equal(checkLaunchTemplatePublicIp(template([{ associatePublicIpAddress: true }])).length, 1);
    });
});
