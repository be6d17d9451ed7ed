import assert from "node:assert/strict";
import { AwsError } from "../../../sim/errors";
import type { Region } from "../../../sim/region";
import { fixedRegion } from "../coreScenario";

function taggedGroups(): Region {
    const region = fixedRegion();
    const lt = region.ec2.createLaunchTemplate("lt", "ami-0aaa", "m5.large", "c");
    const group = (name: string, tags: Record<string, string>) =>
        region.admin("autoscaling", "CreateAutoScalingGroup", {
            AutoScalingGroupName: name,
            MinSize: 0,
            MaxSize: 1,
            DesiredCapacity: 0,
            AvailabilityZones: ["us-east-1a"],
            LaunchTemplate: { LaunchTemplateId: lt.id, Version: "1" },
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: true })),
        });
    group("web-prod", { environment: "production", team: "web" });
    group("web-dev", { environment: "development", team: "web" });
    group("batch", { environment: "production", owner: "data" });
    group("untagged", {});
    return region;
}

async function groupNames(region: Region, input: Record<string, unknown>): Promise<string[]> {
    const out = (await region.call("autoscaling", "DescribeAutoScalingGroups", input)) as {
        AutoScalingGroups: { AutoScalingGroupName: string }[];
    };
    return out.AutoScalingGroups.map((g) => g.AutoScalingGroupName).sort();
}

async function rejection(promise: Promise<unknown>): Promise<AwsError> {
    const error = await promise.then(
        () => assert.fail("expected the call to be refused"),
        (e: unknown) => e,
    );
    assert.ok(error instanceof AwsError, String(error));
    return error;
}

describe("sim/autoscaling DescribeAutoScalingGroups", () => {
    it("returns each group's tags as TagDescriptions", async () => {
        const region = taggedGroups();
        const out = (await region.call("autoscaling", "DescribeAutoScalingGroups", {
            AutoScalingGroupNames: ["batch"],
        })) as { AutoScalingGroups: { Tags: unknown[] }[] };
        assert.deepEqual(out.AutoScalingGroups[0].Tags, [
            {
                ResourceId: "batch",
                ResourceType: "auto-scaling-group",
                Key: "environment",
                Value: "production",
                PropagateAtLaunch: true,
            },
            {
                ResourceId: "batch",
                ResourceType: "auto-scaling-group",
                Key: "owner",
                Value: "data",
                PropagateAtLaunch: true,
            },
        ]);
    });

    it("filters by tag-key, tag-value and tag:<key>; values of one filter OR, filters AND", async () => {
        const region = taggedGroups();
        assert.deepEqual(await groupNames(region, { Filters: [{ Name: "tag-key", Values: ["owner"] }] }), [
            "batch",
        ]);
        assert.deepEqual(
            await groupNames(region, { Filters: [{ Name: "tag-value", Values: ["production", "web"] }] }),
            ["batch", "web-dev", "web-prod"],
        );
        assert.deepEqual(
            await groupNames(region, {
                Filters: [{ Name: "tag:environment", Values: ["production", "development"] }],
            }),
            ["batch", "web-dev", "web-prod"],
        );
        assert.deepEqual(
            await groupNames(region, {
                Filters: [
                    { Name: "tag:environment", Values: ["production"] },
                    { Name: "tag-key", Values: ["team"] },
                ],
            }),
            ["web-prod"],
        );
        assert.deepEqual(
            await groupNames(region, { Filters: [{ Name: "tag:environment", Values: ["Production"] }] }),
            [],
            "values are case-sensitive",
        );
        assert.deepEqual(
            await groupNames(region, {
                AutoScalingGroupNames: ["web-prod", "untagged"],
                Filters: [{ Name: "tag-key", Values: ["team"] }],
            }),
            ["web-prod"],
        );
    });

    it("refuses a filter name it does not know with ValidationError", async () => {
        const region = taggedGroups();
        for (const name of ["auto-scaling-group", "key", "tag", "Tag:environment"]) {
            const error = await rejection(
                region.call("autoscaling", "DescribeAutoScalingGroups", {
                    Filters: [{ Name: name, Values: ["x"] }],
                }),
            );
            assert.equal(error.code, "ValidationError", name);
            assert.match(error.message, new RegExp(`Filter name ${name} is not valid`));
        }
    });

    it("pages with the NextToken it issued and refuses any other with InvalidNextToken", async () => {
        const region = taggedGroups();
        const names: string[] = [];
        let token: string | undefined;
        do {
            const out = (await region.call("autoscaling", "DescribeAutoScalingGroups", {
                MaxRecords: 1,
                NextToken: token,
            })) as { AutoScalingGroups: { AutoScalingGroupName: string }[]; NextToken?: string };
            names.push(...out.AutoScalingGroups.map((g) => g.AutoScalingGroupName));
            token = out.NextToken;
        } while (token !== undefined);
        assert.deepEqual(names, ["web-prod", "web-dev", "batch", "untagged"]);
        for (const operation of [
            "DescribeAutoScalingGroups",
            "DescribeAutoScalingInstances",
            "DescribePolicies",
        ]) {
            const error = await rejection(
                region.call("autoscaling", operation, { NextToken: "not-a-token" }),
            );
            assert.equal(error.code, "InvalidNextToken", operation);
        }
    });
});
