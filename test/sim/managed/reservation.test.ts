import assert from "node:assert/strict";
import {
    MANAGED_SCALING_NAMESPACE,
    RESERVATION_METRIC,
    capacityProviderReservation,
    tasksPerInstance,
    type ReservationInput,
} from "../../../sim/ecs/managedScaling";
import type { TaskRequirements } from "../../../sim/ecs/resources";
import { MANAGED_SCALING_DEFAULTS } from "../../../sim/ecs/capacityProviders";
import { SIM_EPOCH_MS } from "../../../sim/clock";
import { createManagedService, runningCount, startManagedRun, type ManagedRun } from "./managedScenario";

const ONE_VCPU: TaskRequirements = { cpu: 1024, memory: 1024, tcpPorts: [], udpPorts: [], needsEni: false };

function input(overrides: Partial<ReservationInput>): ReservationInput {
    return {
        running: 0,
        notEmpty: 0,
        provisioning: [],
        instanceTypes: ["m5.large"],
        trunking: false,
        settings: { status: "ENABLED", ...MANAGED_SCALING_DEFAULTS },
        ...overrides,
    };
}

describe("sim: CapacityProviderReservation", () => {
    it("is 100 with no instance and nothing to run, 200 with no instance and tasks waiting", () => {
        assert.equal(capacityProviderReservation(input({})).value, 100);
        assert.equal(capacityProviderReservation(input({ provisioning: [ONE_VCPU] })).value, 200);
    });

    it("is the share of running instances that are not empty when nothing waits", () => {
        assert.equal(capacityProviderReservation(input({ running: 4, notEmpty: 4 })).value, 100);
        assert.equal(capacityProviderReservation(input({ running: 4, notEmpty: 1 })).value, 25);
        assert.equal(capacityProviderReservation(input({ running: 4, notEmpty: 0 })).value, 0);
    });

    it("adds the instances a binpack of the waiting tasks needs, between the step sizes", () => {
        const three = [ONE_VCPU, ONE_VCPU, ONE_VCPU];
        // Two 1-vCPU tasks per m5.large: three waiting need 2 more instances, M = 4 on N = 2.
        assert.equal(
            capacityProviderReservation(input({ running: 2, notEmpty: 2, provisioning: three })).value,
            200,
        );
        const capped = { status: "ENABLED" as const, ...MANAGED_SCALING_DEFAULTS, maximumScalingStepSize: 1 };
        assert.equal(
            capacityProviderReservation(
                input({ running: 2, notEmpty: 2, provisioning: three, settings: capped }),
            ).value,
            150,
        );
        const raised = { status: "ENABLED" as const, ...MANAGED_SCALING_DEFAULTS, minimumScalingStepSize: 3 };
        assert.equal(
            capacityProviderReservation(
                input({ running: 2, notEmpty: 2, provisioning: [ONE_VCPU], settings: raised }),
            ).value,
            250,
        );
    });

    it("counts each group of identical tasks apart and takes the largest", () => {
        const small: TaskRequirements = { ...ONE_VCPU, cpu: 256, memory: 256 };
        // 8 small tasks fit one m5.large; 3 one-vCPU tasks need 2: M = 1 + 2.
        const provisioning = [...Array(8).fill(small), ONE_VCPU, ONE_VCPU, ONE_VCPU];
        assert.equal(
            capacityProviderReservation(input({ running: 1, notEmpty: 1, provisioning })).value,
            300,
        );
    });

    it("leaves out tasks no instance of the group can run, and stays at the target when that is all", () => {
        const tooBig: TaskRequirements = { ...ONE_VCPU, cpu: 4096 };
        const settings = { status: "ENABLED" as const, ...MANAGED_SCALING_DEFAULTS, targetCapacity: 90 };
        const onlyTooBig = capacityProviderReservation(
            input({ running: 2, notEmpty: 2, provisioning: [tooBig], settings }),
        );
        assert.deepEqual(onlyTooBig, { value: 90, incompatibleTasks: 1 });
        const mixed = capacityProviderReservation(
            input({ running: 2, notEmpty: 2, provisioning: [tooBig, ONE_VCPU], settings }),
        );
        assert.deepEqual(mixed, { value: 150, instancesNeeded: 3, incompatibleTasks: 1 });
    });

    it("packs by CPU, memory, static ports and ENIs, on the smallest type for fit and the largest for count", () => {
        assert.equal(tasksPerInstance(ONE_VCPU, "m5.large", false), 2);
        assert.equal(tasksPerInstance({ ...ONE_VCPU, cpu: 0, memory: 2000 }, "m5.large", false), 3);
        assert.equal(tasksPerInstance({ ...ONE_VCPU, cpu: 128, tcpPorts: [8080] }, "m5.large", false), 1);
        assert.equal(tasksPerInstance({ ...ONE_VCPU, cpu: 128, tcpPorts: [22] }, "m5.large", false), 0);
        assert.equal(tasksPerInstance({ ...ONE_VCPU, cpu: 128, needsEni: true }, "m5.large", false), 2);
        assert.equal(tasksPerInstance({ ...ONE_VCPU, cpu: 128, needsEni: true }, "m5.large", true), 7);
        // A 3-vCPU task fits an m5.xlarge but not an m5.large: a group of both cannot run it.
        const threeVcpu = { ...ONE_VCPU, cpu: 3072 };
        assert.equal(
            capacityProviderReservation(
                input({
                    running: 1,
                    notEmpty: 1,
                    provisioning: [threeVcpu],
                    instanceTypes: ["m5.large", "m5.xlarge"],
                }),
            ).incompatibleTasks,
            1,
        );
        // One-vCPU tasks counted on the m5.xlarge (4 per instance): 4 waiting need 1 more instance.
        const four = [ONE_VCPU, ONE_VCPU, ONE_VCPU, ONE_VCPU];
        assert.equal(
            capacityProviderReservation(
                input({
                    running: 1,
                    notEmpty: 1,
                    provisioning: four,
                    instanceTypes: ["m5.large", "m5.xlarge"],
                }),
            ).value,
            200,
        );
    });

    describe("as ECS publishes it", () => {
        let run: ManagedRun;
        afterEach(async () => run?.harness.stop());

        it("goes to AWS/ECS/ManagedScaling each minute, and an instance running only a daemon counts as empty", async () => {
            run = await startManagedRun({});
            const { region } = run;
            const web = createManagedService(run, "web", { desiredCount: 3 });
            assert.ok(await region.runUntil(() => runningCount(region, web) === 3, 600));
            createManagedService(run, "agent", { desiredCount: 0, daemon: true, cpu: 128, memory: 128 });
            region.admin("ecs", "UpdateService", { cluster: "managed", service: "web", desiredCount: 1 });
            await region.run(180);
            const start = new Date(region.clock.now() - 120_000);
            const { Datapoints } = region.admin("monitoring", "GetMetricStatistics", {
                Namespace: MANAGED_SCALING_NAMESPACE,
                MetricName: RESERVATION_METRIC,
                Dimensions: [
                    { Name: "ClusterName", Value: "managed" },
                    { Name: "CapacityProviderName", Value: run.managed.capacityProviderName },
                ],
                StartTime: start,
                EndTime: new Date(region.clock.now()),
                Period: 60,
                Statistics: ["Average", "SampleCount"],
            }) as { Datapoints: { Timestamp: Date; Average: number; SampleCount: number }[] };
            // Two instances, each with a daemon task, one also with the one web task left: 1 / 2.
            assert.deepEqual(
                Datapoints.map((d) => [
                    (d.Timestamp.getTime() - SIM_EPOCH_MS) % 60_000,
                    d.Average,
                    d.SampleCount,
                ]),
                [
                    [0, 50, 1],
                    [0, 50, 1],
                ],
            );
        });
    });
});
