import assert from "node:assert/strict";
import { messagingRegion } from "./messagingContext";

describe("sim/ssm", () => {
    it("stores SecureStrings, returns them decrypted only WithDecryption, and versions overwrites", () => {
        const region = messagingRegion();
        assert.deepEqual(
            region.ssm.call("PutParameter", {
                Name: "/slack/webhook",
                Value: "https://hooks/1",
                Type: "SecureString",
            }),
            {
                Version: 1,
                Tier: "Standard",
            },
        );
        const encrypted = (
            region.ssm.call("GetParameter", { Name: "/slack/webhook" }) as { Parameter: { Value: string } }
        ).Parameter;
        assert.notEqual(encrypted.Value, "https://hooks/1");
        const decrypted = region.ssm.call("GetParameter", {
            Name: "/slack/webhook",
            WithDecryption: true,
        }) as { Parameter: Record<string, unknown> };
        assert.deepEqual(decrypted.Parameter, {
            Name: "/slack/webhook",
            Type: "SecureString",
            Value: "https://hooks/1",
            Version: 1,
            LastModifiedDate: new Date(Date.UTC(2026, 0, 1)),
            ARN: "arn:aws:ssm:us-east-1:123456789012:parameter/slack/webhook",
            DataType: "text",
        });
        assert.throws(
            () =>
                region.ssm.call("PutParameter", { Name: "/slack/webhook", Value: "x", Type: "SecureString" }),
            {
                name: "ParameterAlreadyExists",
            },
        );
        assert.deepEqual(
            region.ssm.call("PutParameter", {
                Name: "/slack/webhook",
                Value: "https://hooks/2",
                Overwrite: true,
            }),
            {
                Version: 2,
                Tier: "Standard",
            },
        );
        const second = region.ssm.call("GetParameter", { Name: "/slack/webhook", WithDecryption: true }) as {
            Parameter: { Value: string; Type: string };
        };
        assert.deepEqual(
            [second.Parameter.Value, second.Parameter.Type],
            ["https://hooks/2", "SecureString"],
        );
    });

    it("answers ParameterNotFound and validates the type", () => {
        const region = messagingRegion();
        assert.throws(() => region.ssm.call("GetParameter", { Name: "/missing" }), {
            name: "ParameterNotFound",
            message: "Parameter /missing not found.",
        });
        assert.throws(() => region.ssm.call("PutParameter", { Name: "/p", Value: "v" }), {
            name: "ValidationException",
            message: /Type is required/,
        });
        assert.throws(() => region.ssm.call("PutParameter", { Name: "/p", Value: "v", Type: "Secret" }), {
            name: "ValidationException",
            message: /Type/,
        });
        region.ssm.call("PutParameter", { Name: "/p", Value: "a,b", Type: "StringList" });
        assert.equal(
            (region.ssm.call("GetParameter", { Name: "/p" }) as { Parameter: { Value: string } }).Parameter
                .Value,
            "a,b",
        );
        region.ssm.call("DeleteParameter", { Name: "/p" });
        assert.throws(() => region.ssm.call("DeleteParameter", { Name: "/p" }), {
            name: "ParameterNotFound",
        });
    });
});
