import assert from "node:assert/strict";
import { capacitySettings, containerInstances, startCapacityRun, type CapacityRun } from "./capacityScenario";

/** Three task sizes on m5.large (2048 CPU, 7681 MiB): CPU-bound, memory-bound and in between. */
const SERVICES = [
    { name: "small", cpu: 256, memory: 512 },
    { name: "wide", cpu: 256, memory: 2048 },
    { name: "large", cpu: 1024, memory: 1536 },
] as const;

/** Desired counts (small, wide, large) for each half hour of the six hours: a day's load compressed. */
const PHASES: readonly (readonly [number, number, number])[] = [
    [4, 2, 1],
    [8, 3, 2],
    [12, 4, 3],
    [16, 6, 4],
    [12, 6, 4],
    [10, 4, 2],
    [6, 2, 1],
    [6, 3, 1],
    [14, 5, 3],
    [18, 6, 5],
    [9, 3, 2],
    [4, 2, 1],
];
const PHASE_SECONDS = 30 * 60;

interface Candidate {
    readonly instanceId: string;
    /** 0: not registered or DRAINING (nothing to move), 1: ACTIVE. */
    readonly tier: number;
    readonly tasks: number;
}

/** At the moment the group records the policy's answer: each named instance's AZ siblings as ECS describes them. */
interface TerminationAnswer {
    readonly named: readonly string[];
    readonly candidatesByZone: Readonly<Record<string, readonly Candidate[]>>;
}

describe("sim/capacity: six hours of changing load with mixed task sizes", () => {
    let run: CapacityRun | undefined;
    after(async () => {
        await run?.harness.stop();
    });

    it("follows the load without oscillating, through the termination policy and the drain hook, killing no task", async () => {
        const settings = capacitySettings();
        run = await startCapacityRun(
            {
                clusterName: "day",
                instanceType: "m5.large",
                instanceCount: 2,
                maxSize: 20,
                services: SERVICES.map((service, index) => ({ ...service, desiredCount: PHASES[0][index] })),
            },
            { withScaleInPath: true, settings },
        );
        const region = run.harness.region;
        const state = region.ecs.state;
        const group = region.autoscaling.groups.get(run.deployed.groupName)!;
        const answers: TerminationAnswer[] = [];
        const record = region.ctx.record.bind(region.ctx);
        region.ctx.record = (kind, detail) => {
            if (kind === "autoscaling.terminationPolicy.answered") {
                answers.push({ named: detail.instanceIds as string[], candidatesByZone: candidatesByZone() });
            }
            record(kind, detail);
        };
        function candidatesByZone(): Record<string, Candidate[]> {
            const described = containerInstances(run!);
            const byZone: Record<string, Candidate[]> = {};
            for (const instance of group.instances.values()) {
                if (instance.lifecycleState !== "InService") continue;
                const registered = described.find(
                    (ci) => ci.ec2InstanceId === instance.instanceId && ci.status !== "INACTIVE",
                );
                (byZone[instance.availabilityZone] ??= []).push({
                    instanceId: instance.instanceId,
                    tier: registered === undefined || registered.status === "DRAINING" ? 0 : 1,
                    tasks: (registered?.runningTasksCount ?? 0) + (registered?.pendingTasksCount ?? 0),
                });
            }
            return byZone;
        }
        const allRunning = () =>
            [...state.services.values()].every(
                (service) =>
                    state
                        .serviceTasks(service)
                        .filter((t) => t.desiredStatus === "RUNNING" && t.lastStatus === "RUNNING").length ===
                    service.desiredCount,
            );

        const phasesShort: number[] = [];
        for (const [phase, counts] of PHASES.entries()) {
            SERVICES.forEach((service, index) =>
                region.admin("ecs", "UpdateService", {
                    cluster: "day",
                    service: service.name,
                    desiredCount: counts[index],
                }),
            );
            await run.harness.run(PHASE_SECONDS);
            if (!allRunning()) phasesShort.push(phase);
        }
        assert.deepEqual(phasesShort, [], "every phase ends with all its tasks running");

        const scalings = region.timeline.filter((entry) => entry.kind === "autoscaling.scaling");
        const outs = scalings.filter((entry) => entry.detail.direction === "out");
        const ins = scalings.filter((entry) => entry.detail.direction === "in");
        assert.ok(outs.length >= 3 && ins.length >= 3, `${outs.length} scale-outs, ${ins.length} scale-ins`);
        for (const [index, entry] of ins.entries()) {
            assert.equal(entry.detail.to, Number(entry.detail.from) - 1, "one instance at a time");
            if (index > 0) assert.ok(entry.at - ins[index - 1].at >= settings.scaleInCooldownSeconds * 1000);
        }

        const report = region.invariants();
        assert.equal(report.scalingOscillations, 0, JSON.stringify(report.oscillations));
        assert.equal(report.tasksKilledByTermination, 0);
        assert.deepEqual(report.terminatingWaitPastDeadline, []);

        // Every removal was the termination policy's pick: in its AZ, nothing cheaper to drain was left.
        assert.equal(answers.length, ins.length);
        for (const answer of answers) {
            assert.equal(answer.named.length, 1);
            const zone = Object.keys(answer.candidatesByZone).find((z) =>
                answer.candidatesByZone[z].some((c) => c.instanceId === answer.named[0]),
            )!;
            const chosen = answer.candidatesByZone[zone].find((c) => c.instanceId === answer.named[0])!;
            for (const other of answer.candidatesByZone[zone]) {
                assert.ok(
                    chosen.tier < other.tier || (chosen.tier === other.tier && chosen.tasks <= other.tasks),
                    `${JSON.stringify(chosen)} chosen over ${JSON.stringify(other)}`,
                );
            }
            const completed = region.timeline.find(
                (entry) =>
                    entry.kind === "autoscaling.hook.completed" &&
                    entry.detail.instanceId === answer.named[0] &&
                    entry.detail.result === "CONTINUE",
            );
            assert.ok(completed, `${answer.named[0]} was drained before it went`);
        }
    });
});
