import assert from "node:assert/strict";
import { clusterNameOf, loadStackSettings } from "../../components/config";
import { startMocks } from "../../scripts/mockSynthesis";

describe("loadStackSettings (Pulumi config)", () => {
    it("fails with every bad value named, before any resource exists", async () => {
        const run = await startMocks({
            "ecs-lifecycle:minSize": "1",
            "ecs-lifecycle:maxSize": "2",
            "ecs-lifecycle:desiredCapacity": "3",
            "ecs-lifecycle:natGateways": "many",
        });
        assert.throws(
            () => loadStackSettings(),
            (e: Error) =>
                e.message ===
                "invalid stack configuration:\n" +
                    "  ecs-lifecycle:natGateways (many) must be one of perAz | single\n" +
                    "  ecs-lifecycle:maxSize (2) must be >= desiredCapacity (3)",
        );
        assert.equal(run.resources.length, 0);
    });

    it("catches a mistyped key instead of silently using a default", async () => {
        await startMocks({ "ecs-lifecycle:minSzie": "3" });
        assert.throws(
            () => loadStackSettings(),
            /ecs-lifecycle:minSzie is not a known key: did you mean "minSize"\?/,
        );
    });

    it("refuses to run as a project renamed away from its config namespace", async () => {
        // Pulumi files `pulumi config set minSize 3` under the project's name: payments-ecs:minSize.
        const run = await startMocks({ "payments-ecs:minSize": "3" }, "prod", [], "payments-ecs");
        assert.throws(
            () => loadStackSettings(),
            /Pulumi\.yaml names the project "payments-ecs", but the program reads its settings from the config namespace "ecs-lifecycle"/,
        );
        assert.equal(run.resources.length, 0);
    });

    it("reads structured values and names the cluster after project and stack", async () => {
        await startMocks(
            {
                "ecs-lifecycle:services": JSON.stringify([{ name: "web", image: "nginx" }]),
                "ecs-lifecycle:tags": '{"team":"a"}',
            },
            "prod",
        );
        const settings = loadStackSettings();
        assert.equal(settings.stack, "prod");
        assert.equal(settings.services[0].image, "nginx");
        assert.deepEqual(settings.tags, { team: "a" });
        assert.equal(clusterNameOf(settings), "ecs-lifecycle-prod");
    });
});
