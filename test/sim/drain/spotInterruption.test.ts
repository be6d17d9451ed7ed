import assert from "node:assert/strict";
import { drainLogs, groupInstances, startDrainRun, timelineOf, type DrainRun } from "./drainScenario";

const SPOT_NOTICE_MS = 120_000;

describe("drain pipeline: a Spot interruption warning in a 10-instance cluster", () => {
    let run: DrainRun;
    let instanceId: string;
    let warnedAt: number;
    /** Per service: RUNNING tasks, and those of them on the interrupted instance, just before the 2-minute mark. */
    let beforeTermination: { running: number; onInterrupted: number; desired: number }[];
    before(async () => {
        run = await startDrainRun({
            seed: 43,
            spot: true,
            scenario: {
                clusterName: "spot10",
                instanceType: "m5.large",
                instanceCount: 10,
                services: [
                    { name: "web", desiredCount: 20, minimumHealthyPercent: 100, maximumPercent: 200 },
                    { name: "api", desiredCount: 10, minimumHealthyPercent: 50, maximumPercent: 200 },
                ],
            },
        });
        const region = run.harness.region;
        // Without the agent's own Spot draining, so what happens is the pipeline's doing.
        region.ecs.agentSpotDraining = false;
        instanceId = groupInstances(run)[4];
        warnedAt = region.clock.now();
        region.ec2.interruptSpot(instanceId);
        await region.run(SPOT_NOTICE_MS / 1000 - 1);
        const state = region.ecs.state;
        beforeTermination = run.deployed.serviceArns.map((arn) => {
            const service = state.services.get(arn)!;
            const running = state.serviceTasks(service).filter((t) => t.lastStatus === "RUNNING");
            return {
                running: running.length,
                onInterrupted: running.filter((t) => t.ec2InstanceId === instanceId).length,
                desired: service.desiredCount,
            };
        });
        await region.run(600);
    });
    after(() => run.harness.stop());

    it("was a Spot instance of the group", () => {
        assert.equal(run.harness.region.ec2.get(instanceId)!.market, "spot");
    });

    it("sets the instance DRAINING on the first delivery of the warning, through the interruption rule", () => {
        const [draining] = timelineOf(run, "ecs.instance.status").filter(
            (e) => e.detail.ec2InstanceId === instanceId && e.detail.status === "DRAINING",
        );
        // EventBridge's delivery, then the event source's one-second batching window (stack/drain.ts).
        assert.ok(draining.at - warnedAt < 2000, `DRAINING ${draining.at - warnedAt} ms after the warning`);
        const invocations = timelineOf(run, "lambda.invoked").filter(
            (e) => e.at >= warnedAt && e.at <= draining.at,
        );
        assert.equal(invocations.length, 1);
        const [first] = drainLogs(run).filter((line) => line.instanceId === instanceId);
        assert.deepEqual(
            [first.message, first.source],
            ["container instance set to DRAINING", "spot-interruption"],
        );
    });

    it("has every service task running elsewhere before the 2-minute mark", () => {
        for (const service of beforeTermination) {
            assert.equal(service.onInterrupted, 0);
            assert.ok(service.running >= service.desired, JSON.stringify(service));
        }
    });

    it("kills no running service task when EC2 reclaims the instance", () => {
        assert.equal(timelineOf(run, "instance.terminated", instanceId).length, 1);
        const report = run.harness.region.invariants();
        assert.deepEqual(report.killedTasks, []);
        assert.equal(report.services[run.deployed.serviceArns[0]].lowestHealthyFraction, 1);
    });
});
