import assert from "node:assert/strict";
import { ECSClient, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { serveDemoRegion, type ServedRegion } from "../../sim/serve";
import { findAwsCli, runAwsCli } from "./protocol/awsCli";

describe("sim/serve (npm run simulate -- --serve)", () => {
    let served: ServedRegion;
    const printed: string[] = [];

    before(async () => {
        served = await serveDemoRegion({ seed: 7, print: (line) => printed.push(line) });
    });

    after(async () => {
        await served?.stop();
    });

    it("prints its loopback endpoint and a CLI command that works against it", () => {
        assert.match(served.server.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(printed[0], `Simulated region (seed 7) serving on ${served.server.endpoint}`);
        assert.ok(
            printed.includes(
                `  aws --endpoint-url ${served.server.endpoint} ecs list-container-instances --cluster demo`,
            ),
        );
    });

    it("serves the settled demo cluster to the SDK: three ACTIVE container instances", async () => {
        const expected = served.region.ecs.state
            .instancesOf(served.deployed.clusterArn)
            .filter((instance) => instance.status === "ACTIVE")
            .map((instance) => instance.arn)
            .sort();
        assert.equal(expected.length, 3);
        const ecs = new ECSClient({
            endpoint: served.server.endpoint,
            region: "us-east-1",
            credentials: { accessKeyId: "AKIDSIMULATED", secretAccessKey: "simulated-secret" },
        });
        const listed = await ecs.send(new ListContainerInstancesCommand({ cluster: "demo" }));
        assert.deepEqual([...(listed.containerInstanceArns ?? [])].sort(), expected);
    });

    it("answers the printed AWS CLI commands", async function () {
        const cli = findAwsCli();
        if (cli === undefined) {
            this.skip();
        }
        const [instances, groups, services] = await Promise.all([
            runAwsCli(cli, served.server.endpoint, ["ecs", "list-container-instances", "--cluster", "demo"]),
            runAwsCli(cli, served.server.endpoint, [
                "autoscaling",
                "describe-auto-scaling-groups",
                "--auto-scaling-group-names",
                "demo-asg",
            ]),
            runAwsCli(cli, served.server.endpoint, [
                "ecs",
                "describe-services",
                "--cluster",
                "demo",
                "--services",
                "web",
            ]),
        ]);
        for (const result of [instances, groups, services]) {
            assert.equal(result.exitCode, 0, result.stderr);
        }
        assert.equal(JSON.parse(instances.stdout).containerInstanceArns.length, 3);
        const [group] = JSON.parse(groups.stdout).AutoScalingGroups;
        assert.equal(group.DesiredCapacity, 3);
        assert.deepEqual(
            group.Instances.map((instance: { LifecycleState: string }) => instance.LifecycleState),
            ["InService", "InService", "InService"],
        );
        const [service] = JSON.parse(services.stdout).services;
        assert.deepEqual([service.serviceName, service.desiredCount, service.runningCount], ["web", 3, 3]);
    });

    it("lets virtual time follow real time while it serves", async () => {
        const before = served.region.clock.now();
        const deadline = Date.now() + 5000;
        while (served.region.clock.now() === before && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.ok(served.region.clock.now() > before, "the virtual clock never moved");
    });

    it("reads the machine's time from the moment it serves, and keeps following it", async () => {
        let machineNow = Date.UTC(2027, 5, 15, 12, 0, 0);
        const region = await serveDemoRegion({ seed: 7, print: () => {}, now: () => machineNow });
        try {
            assert.equal(region.region.clock.now(), machineNow);
            machineNow += 60_000;
            const deadline = Date.now() + 5000;
            while (region.region.clock.now() < machineNow && Date.now() < deadline) {
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            assert.equal(region.region.clock.now(), machineNow);
        } finally {
            await region.stop();
        }
    });
});
