import assert from "node:assert/strict";
import { AwsError } from "../../../sim/errors";
import { clusterWithInstances, fixedRegion } from "../coreScenario";

function fails(fn: () => unknown, code: string, message: RegExp): void {
    assert.throws(fn, (e: unknown) => e instanceof AwsError && e.code === code && message.test(e.message));
}

describe("sim/ecs custom attributes (PutAttributes)", () => {
    it("stores attributes on a container instance and returns them with its built-in ones", () => {
        const region = fixedRegion();
        const [arn] = clusterWithInstances(region, "c", [["i-000", "m5.large", "us-east-1a"]]);
        const put = region.admin("ecs", "PutAttributes", {
            cluster: "c",
            attributes: [
                {
                    name: "drain.started",
                    value: "1767225600",
                    targetType: "container-instance",
                    targetId: arn,
                },
                { name: "team", targetType: "container-instance", targetId: arn },
            ],
        });
        assert.deepEqual(put, {
            attributes: [
                {
                    name: "drain.started",
                    value: "1767225600",
                    targetType: "container-instance",
                    targetId: arn,
                },
                { name: "team", value: undefined, targetType: "container-instance", targetId: arn },
            ],
        });
        region.admin("ecs", "PutAttributes", {
            cluster: "c",
            attributes: [
                {
                    name: "drain.started",
                    value: "1767229200",
                    targetType: "container-instance",
                    targetId: arn,
                },
            ],
        });
        const { containerInstances } = region.admin("ecs", "DescribeContainerInstances", {
            cluster: "c",
            containerInstances: [arn],
        }) as { containerInstances: { attributes: { name: string; value?: string }[] }[] };
        const attributes = containerInstances[0].attributes;
        assert.deepEqual(
            attributes.filter((a) => !a.name.startsWith("ecs.")).map((a) => [a.name, a.value]),
            [
                ["drain.started", "1767229200"],
                ["team", undefined],
            ],
        );
        assert.ok(attributes.some((a) => a.name === "ecs.instance-type" && a.value === "m5.large"));
    });

    it("answers an unknown target with TargetNotFoundException and changes nothing", () => {
        const region = fixedRegion();
        const [arn] = clusterWithInstances(region, "c", [["i-000", "m5.large", "us-east-1a"]]);
        fails(
            () =>
                region.admin("ecs", "PutAttributes", {
                    cluster: "c",
                    attributes: [
                        { name: "a", value: "1", targetType: "container-instance", targetId: arn },
                        { name: "b", value: "2", targetType: "container-instance", targetId: "missing" },
                    ],
                }),
            "TargetNotFoundException",
            /missing/,
        );
        assert.equal(region.ecs.state.containerInstances.get(arn)!.customAttributes.size, 0);
    });

    it("holds at most 10 custom attributes per container instance and validates names and values", () => {
        const region = fixedRegion();
        const [arn] = clusterWithInstances(region, "c", [["i-000", "m5.large", "us-east-1a"]]);
        const attribute = (name: string, value?: string) => ({
            name,
            value,
            targetType: "container-instance",
            targetId: arn,
        });
        region.admin("ecs", "PutAttributes", {
            cluster: "c",
            attributes: Array.from({ length: 10 }, (_, i) => attribute(`a${i}`, "x")),
        });
        fails(
            () => region.admin("ecs", "PutAttributes", { cluster: "c", attributes: [attribute("a10", "x")] }),
            "AttributeLimitExceededException",
            /up to 10 custom attributes/,
        );
        fails(
            () => region.admin("ecs", "PutAttributes", { cluster: "c", attributes: [attribute("a b", "x")] }),
            "InvalidParameterException",
            /attributes\[0\]\.name/,
        );
        fails(
            () => region.admin("ecs", "PutAttributes", { cluster: "c", attributes: [attribute("a0", " x")] }),
            "InvalidParameterException",
            /attributes\[0\]\.value/,
        );
    });
});
