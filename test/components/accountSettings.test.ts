import * as aws from "@pulumi/aws";
import assert from "node:assert/strict";
import { AccountSettings } from "../../components/accountSettings";
import { ofType, recordOptions, settle, startMocks } from "../../scripts/mockSynthesis";

describe("AccountSettings (the account settings owner's)", () => {
    it("turns on trunking and sets the retirement wait, and keeps both when the stack is destroyed", async () => {
        const run = await startMocks();
        const recorder = recordOptions();
        const settings = new AccountSettings(
            "account",
            { awsvpcTrunking: true, fargateTaskRetirementWaitPeriodDays: 14 },
            { transformations: [recorder.transformation] },
        );
        await settle(run);
        assert.deepEqual(
            ofType(run, "aws:ecs/accountSettingDefault:AccountSettingDefault").map((r) => [r.name, r.inputs]),
            [
                ["account-awsvpc-trunking", { name: "awsvpcTrunking", value: "enabled" }],
                ["account-retirement-wait", { name: "fargateTaskRetirementWaitPeriod", value: "14" }],
            ],
        );
        for (const r of ofType(run, "aws:ecs/accountSettingDefault:AccountSettingDefault")) {
            assert.equal(
                r.retainOnDelete,
                true,
                `${r.name}: destroying the owner must not reset every stack's setting`,
            );
        }
        assert.ok(settings.trunking instanceof aws.ecs.AccountSettingDefault);
    });

    it("leaves trunking alone when the owner does not turn it on", async () => {
        const run = await startMocks();
        const settings = new AccountSettings("account", {
            awsvpcTrunking: false,
            fargateTaskRetirementWaitPeriodDays: 7,
        });
        await settle(run);
        assert.deepEqual(
            ofType(run, "aws:ecs/accountSettingDefault:AccountSettingDefault").map((r) => r.inputs.name),
            ["fargateTaskRetirementWaitPeriod"],
        );
        assert.equal(settings.trunking, undefined);
    });
});
