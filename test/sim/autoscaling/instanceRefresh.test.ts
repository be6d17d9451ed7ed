import assert from "node:assert/strict";
import { deployCluster, isSteady, refreshStatus, rollAmi, type DeployedCluster } from "../../../sim/harness";
import { Region } from "../../../sim/region";
import { fixedRegion } from "../coreScenario";

/** The lowest and highest number of InService instances seen after `since`. */
function inServiceRange(region: Region, groupName: string, since: number, initial: number): [number, number] {
    let low = initial;
    let high = initial;
    const inService = new Set<string>();
    for (const e of region.timeline) {
        if (e.kind !== "autoscaling.instance.state" || e.detail.groupName !== groupName) continue;
        const id = String(e.detail.instanceId);
        if (e.detail.state === "InService") inService.add(id);
        else if (inService.has(id)) inService.delete(id);
        else continue;
        if (e.at < since) continue;
        low = Math.min(low, inService.size);
        high = Math.max(high, inService.size);
    }
    return [low, high];
}

async function steady(region: Region, instanceCount: number, hook: boolean): Promise<DeployedCluster> {
    const deployed = deployCluster(region, {
        clusterName: "c",
        instanceType: "m5.large",
        instanceCount,
        services: [{ name: "web", desiredCount: instanceCount * 2 }],
        hook: hook ? { heartbeatTimeout: 60, defaultResult: "CONTINUE" } : undefined,
    });
    assert.equal(await region.runUntil(() => isSteady(region, deployed), 900), true);
    return deployed;
}

describe("sim/autoscaling instance refresh", () => {
    it("with 100/200 launches replacements first and never drops below desired InService", async () => {
        const region = fixedRegion();
        const deployed = await steady(region, 6, true);
        const group = region.autoscaling.groups.get(deployed.groupName)!;
        const old = new Set(group.instances.keys());
        const start = region.clock.now();
        const id = rollAmi(region, deployed, "ami-0new", {
            minHealthyPercentage: 100,
            maxHealthyPercentage: 200,
            instanceWarmupSeconds: 60,
        });
        assert.equal(
            await region.runUntil(() => refreshStatus(region, deployed, id) === "Successful", 3600),
            true,
        );
        assert.deepEqual(inServiceRange(region, deployed.groupName, start, 6), [6, 12]);
        const instances = [...group.instances.values()];
        assert.equal(instances.length, 6);
        assert.ok(
            instances.every(
                (i) => !old.has(i.instanceId) && region.ec2.get(i.instanceId)!.imageId === "ami-0new",
            ),
        );
        // Every old instance went through the TERMINATING hook.
        const waited = new Set(
            region.timeline
                .filter(
                    (e) => e.kind === "autoscaling.instance.state" && e.detail.state === "Terminating:Wait",
                )
                .map((e) => e.detail.instanceId),
        );
        assert.deepEqual(
            [...old].filter((i) => !waited.has(i)),
            [],
        );
        const described = region.admin("autoscaling", "DescribeInstanceRefreshes", {
            AutoScalingGroupName: deployed.groupName,
        }) as {
            InstanceRefreshes: { Status: string; PercentageComplete: number; InstancesToUpdate: number }[];
        };
        assert.deepEqual(
            [
                described.InstanceRefreshes[0].Status,
                described.InstanceRefreshes[0].PercentageComplete,
                described.InstanceRefreshes[0].InstancesToUpdate,
            ],
            ["Successful", 100, 0],
        );
        assert.equal(group.launchTemplate.version, "2");
    });

    it("with 90/100 terminates a tenth first, then replaces it", async () => {
        const region = fixedRegion();
        const deployed = await steady(region, 10, false);
        const start = region.clock.now();
        const id = rollAmi(region, deployed, "ami-0new", {
            minHealthyPercentage: 90,
            maxHealthyPercentage: 100,
            instanceWarmupSeconds: 0,
        });
        assert.equal(
            await region.runUntil(() => refreshStatus(region, deployed, id) === "Successful", 7200),
            true,
        );
        assert.deepEqual(inServiceRange(region, deployed.groupName, start, 10), [9, 10]);
    });

    it("skips instances that already match with SkipMatching", async () => {
        const region = fixedRegion();
        const deployed = await steady(region, 3, false);
        const group = region.autoscaling.groups.get(deployed.groupName)!;
        const before = [...group.instances.keys()];
        const refreshId = region.admin("autoscaling", "StartInstanceRefresh", {
            AutoScalingGroupName: deployed.groupName,
            DesiredConfiguration: {
                LaunchTemplate: { LaunchTemplateId: deployed.launchTemplateId, Version: "1" },
            },
            Preferences: { SkipMatching: true, MinHealthyPercentage: 100, MaxHealthyPercentage: 200 },
        }) as { InstanceRefreshId: string };
        await region.run(60);
        assert.equal(refreshStatus(region, deployed, refreshId.InstanceRefreshId), "Successful");
        assert.deepEqual([...group.instances.keys()], before);
    });

    it("refuses a second refresh while one is in progress", async () => {
        const region = fixedRegion();
        const deployed = await steady(region, 2, false);
        rollAmi(region, deployed, "ami-0new");
        assert.throws(() => rollAmi(region, deployed, "ami-0newer"), { name: "InstanceRefreshInProgress" });
    });

    it("a 100-instance rolling AMI update without a lifecycle hook kills running service tasks", async function () {
        this.timeout(120_000);
        const wallStart = Date.now();
        const region = new Region({ seed: 2026 });
        const deployed = deployCluster(region, {
            clusterName: "big",
            instanceType: "m5.large",
            instanceCount: 100,
            services: [
                { name: "web", desiredCount: 300, memory: 512 },
                { name: "agent", daemon: true, memory: 128, cpu: 64 },
            ],
        });
        assert.equal(await region.runUntil(() => isSteady(region, deployed), 1800), true);
        const virtualStart = region.clock.now();
        const id = rollAmi(region, deployed, "ami-0rolled", {
            minHealthyPercentage: 100,
            maxHealthyPercentage: 200,
            instanceWarmupSeconds: 120,
        });
        assert.equal(
            await region.runUntil(() => refreshStatus(region, deployed, id) === "Successful", 4 * 3600, 15),
            true,
        );
        const virtualSeconds = (region.clock.now() - virtualStart) / 1000;
        const report = region.invariants();
        console.log(
            `      100-instance rolling update: ${virtualSeconds} s virtual, ${Date.now() - wallStart} ms wall, ` +
                `${region.clock.eventsProcessed()} events, ${report.tasksKilledByTermination} running service tasks killed, ` +
                `lowest healthy fraction ${report.services["arn:aws:ecs:us-east-1:123456789012:service/big/web"].lowestHealthyFraction}`,
        );
        assert.ok(report.tasksKilledByTermination >= 300, String(report.tasksKilledByTermination));
        assert.equal(report.ok, false);
        assert.ok(
            report.killedTasks.every(
                (t) => t.serviceArn === "arn:aws:ecs:us-east-1:123456789012:service/big/web",
            ),
        );
        assert.ok(
            report.services["arn:aws:ecs:us-east-1:123456789012:service/big/web"].lowestHealthyFraction! < 1,
        );
    });
});
