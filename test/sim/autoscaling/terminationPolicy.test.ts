import assert from "node:assert/strict";
import { deployCluster, type DeployedCluster } from "../../../sim/harness";
import type { Region } from "../../../sim/region";
import type { LambdaHandler } from "../../../sim/types";
import { fixedRegion } from "../coreScenario";

interface Setup {
    region: Region;
    deployed: DeployedCluster;
    payloads: Record<string, unknown>[];
}

async function withPolicy(
    handler: (payload: Record<string, unknown>, region: Region) => unknown,
): Promise<Setup> {
    const region = fixedRegion();
    const payloads: Record<string, unknown>[] = [];
    const lambdaHandler: LambdaHandler = async (event) => {
        payloads.push(event as Record<string, unknown>);
        return handler(event as Record<string, unknown>, region);
    };
    const arn = region.lambda.createFunction({
        name: "pick",
        handler: lambdaHandler,
        timeoutSeconds: 3,
        memoryMb: 128,
    });
    const deployed = deployCluster(region, {
        clusterName: "c",
        instanceType: "m5.large",
        instanceCount: 4,
        availabilityZones: ["us-east-1a", "us-east-1b"],
        terminationPolicies: [arn, "OldestInstance"],
    });
    await region.run(120);
    region.admin("autoscaling", "SetDesiredCapacity", {
        AutoScalingGroupName: deployed.groupName,
        DesiredCapacity: 2,
    });
    return { region, deployed, payloads };
}

function instancesLeft(s: Setup): string[] {
    return [...s.region.autoscaling.groups.get(s.deployed.groupName)!.instances.values()]
        .filter((i) => i.lifecycleState === "InService")
        .map((i) => i.instanceId);
}

describe("sim/autoscaling termination policy", () => {
    it("invokes the Lambda with the documented payload and terminates what it names", async () => {
        let chosen: string[] = [];
        const s = await withPolicy((payload) => {
            const instances = payload.Instances as { InstanceId: string; AvailabilityZone: string }[];
            chosen = [
                instances.find((i) => i.AvailabilityZone === "us-east-1a")!.InstanceId,
                instances.find((i) => i.AvailabilityZone === "us-east-1b")!.InstanceId,
            ];
            return { InstanceIDs: chosen };
        });
        await s.region.run(60);
        assert.equal(s.payloads.length, 1);
        const group = s.region.autoscaling.groups.get(s.deployed.groupName)!;
        const payload = s.payloads[0];
        assert.deepEqual(Object.keys(payload), [
            "AutoScalingGroupARN",
            "AutoScalingGroupName",
            "CapacityToTerminate",
            "Instances",
            "Cause",
        ]);
        assert.equal(payload.AutoScalingGroupARN, group.arn);
        assert.equal(payload.Cause, "SCALE_IN");
        assert.deepEqual(payload.CapacityToTerminate, [
            { AvailabilityZone: "us-east-1a", Capacity: 1, InstanceMarketOption: "on-demand" },
            { AvailabilityZone: "us-east-1b", Capacity: 1, InstanceMarketOption: "on-demand" },
        ]);
        assert.equal((payload.Instances as unknown[]).length, 4);
        assert.deepEqual(Object.keys((payload.Instances as object[])[0]), [
            "AvailabilityZone",
            "InstanceId",
            "InstanceType",
            "InstanceMarketOption",
        ]);
        assert.deepEqual(
            instancesLeft(s).filter((id) => chosen.includes(id)),
            [],
        );
        assert.equal(instancesLeft(s).length, 2);
    });

    it("falls back to the next policies when the Lambda fails", async () => {
        const s = await withPolicy(() => {
            throw new Error("boom");
        });
        await s.region.run(60);
        assert.equal(instancesLeft(s).length, 2);
        const failed = s.region.timeline.filter((e) => e.kind === "autoscaling.terminationPolicy.failed");
        assert.equal(failed.length, 1);
        assert.match(String(failed[0].detail.error), /boom/);
    });

    it("falls back when the Lambda runs past the 2-second limit", async () => {
        const s = await withPolicy(async (_payload, region) => {
            // 50 ECS calls at the modelled 50 ms each: 2.5 s of the invocation's time.
            for (let i = 0; i < 50; i++) await region.call("ecs", "ListClusters", {});
            return { InstanceIDs: [] };
        });
        await s.region.run(60);
        assert.equal(instancesLeft(s).length, 2);
        const failed = s.region.timeline.filter((e) => e.kind === "autoscaling.terminationPolicy.failed");
        assert.match(String(failed[0].detail.error), /more than the caller's limit of 2000 ms/);
    });

    it("treats an empty answer as 'not now' and asks again later", async () => {
        let ready: string | undefined;
        const s = await withPolicy((payload) => {
            if (ready === undefined) {
                // First call: not now; name one instance on every later call.
                ready = (payload.Instances as { InstanceId: string }[])[0].InstanceId;
                return { InstanceIDs: [] };
            }
            return { InstanceIDs: [ready] };
        });
        await s.region.run(30);
        assert.equal(instancesLeft(s).length, 4);
        assert.equal(s.payloads.length, 1);
        await s.region.run(120);
        // It terminated the one instance named; every other answer named nothing it could take, so it deferred.
        assert.equal(instancesLeft(s).includes(ready!), false);
        assert.equal(instancesLeft(s).length, 3);
        const deferred = s.region.timeline.filter((e) => e.kind === "autoscaling.scaleIn.deferred").length;
        assert.equal(deferred, s.payloads.length - 1);
    });
});
