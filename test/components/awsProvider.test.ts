import assert from "node:assert/strict";
import { stackAwsProvider } from "../../components/awsProvider";
import { named, settle, startMocks } from "../../scripts/mockSynthesis";

describe("stackAwsProvider", () => {
    it("carries the stack's tags as default tags, with aws:region and aws:profile passed on", async () => {
        const run = await startMocks({ "aws:profile": "platform-dev" });
        stackAwsProvider("aws", { team: "platform" });
        await settle(run);
        const provider = named(run, "pulumi:providers:aws", "aws");
        assert.deepEqual(JSON.parse(provider.inputs.defaultTags), { tags: { team: "platform" } });
        assert.deepEqual([provider.inputs.region, provider.inputs.profile], ["us-east-1", "platform-dev"]);
    });

    it("refuses aws: config an explicit provider would silently ignore, naming each key", async () => {
        const run = await startMocks({
            "aws:skipCredentialsValidation": "true",
            "aws:defaultTags": JSON.stringify({ tags: { team: "x" } }),
        });
        assert.throws(
            () => stackAwsProvider("aws", {}),
            (e: Error) =>
                e.message ===
                "invalid stack configuration:\n" +
                    "  aws:skipCredentialsValidation is set, but the stack's AWS provider is explicit (components/awsProvider.ts) and reads only aws:region and aws:profile from stack config: pass skipCredentialsValidation on there, or use its environment variable\n" +
                    "  aws:defaultTags is set, but the program gives the provider the stack's tags as its default tags: set them as ecs-lifecycle:tags",
        );
        assert.equal(run.resources.length, 0);
    });
});
