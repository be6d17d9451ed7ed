import assert from "node:assert/strict";
import {
    createManagedService,
    desiredCapacity,
    entries,
    reservations,
    runningCount,
    serviceTasks,
    startManagedRun,
    type ManagedRun,
} from "./managedScenario";

describe("sim: tasks wait in PROVISIONING for a capacity provider's managed scale-out", () => {
    let run: ManagedRun;
    afterEach(async () => run?.harness.stop());

    it("keeps unplaceable tasks PROVISIONING (no placement failure), scales out from zero and places them", async () => {
        run = await startManagedRun({});
        const { region } = run;
        const web = createManagedService(run, "web", { desiredCount: 3 });
        await region.run(5);
        const waiting = serviceTasks(region, web);
        assert.equal(waiting.length, 3);
        for (const task of waiting) {
            assert.equal(task.lastStatus, "PROVISIONING");
            assert.equal(task.containerInstanceArn, "");
            assert.equal(task.capacityProviderName, run.managed.capacityProviderName);
        }
        const { tasks } = region.admin("ecs", "DescribeTasks", {
            cluster: "managed",
            tasks: waiting.map((t) => t.arn),
        }) as { tasks: Record<string, unknown>[] };
        assert.deepEqual(
            tasks.map((t) => [t.lastStatus, t.containerInstanceArn, t.capacityProviderName]),
            waiting.map(() => ["PROVISIONING", undefined, run.managed.capacityProviderName]),
        );
        const events = entries(region, "ecs.service.event").map((e) => String(e.message));
        assert.ok(!events.some((m) => m.includes("unable to place")), events.join("\n"));

        // No instance and tasks waiting: 200 %, so the group goes from 0 to 2 instances.
        await region.run(130);
        assert.equal(reservations(region)[0], 200);
        assert.equal(desiredCapacity(run), 2);

        // Two m5.large (2 vCPU each) take the three 1-vCPU tasks once they register.
        const placed = await region.runUntil(() => runningCount(region, web) === 3, 300);
        assert.ok(placed, "the waiting tasks were not placed on the new instances");
        const hosts = new Set(serviceTasks(region, web).map((t) => t.ec2InstanceId));
        assert.equal(hosts.size, 2);
        assert.equal(region.invariants().tasksKilledByTermination, 0);
    });

    it("adds what the waiting tasks need beyond the running instances, after the warm-up", async () => {
        run = await startManagedRun({ settings: { instanceWarmupPeriod: 120 } });
        const { region } = run;
        const web = createManagedService(run, "web", { desiredCount: 4 });
        assert.ok(await region.runUntil(() => runningCount(region, web) === 4, 600));
        assert.equal(desiredCapacity(run), 2);

        region.admin("ecs", "UpdateService", { cluster: "managed", service: "web", desiredCount: 7 });
        // Three more 1-vCPU tasks on full 2-vCPU instances: 2 instances needed, M = 4, N = 2.
        assert.ok(await region.runUntil(() => reservations(region).at(-1) === 200, 180));
        assert.ok(await region.runUntil(() => runningCount(region, web) === 7, 900));
        assert.equal(desiredCapacity(run), 4);
    });

    it("caps each scale-out at maximumScalingStepSize", async () => {
        run = await startManagedRun({ settings: { maximumScalingStepSize: 1 } });
        const { region } = run;
        const web = createManagedService(run, "web", { desiredCount: 2 });
        assert.ok(await region.runUntil(() => runningCount(region, web) === 2, 600));
        region.admin("ecs", "UpdateService", { cluster: "managed", service: "web", desiredCount: 8 });
        // Six 1-vCPU tasks need 3 more instances; one step adds at most 1: M = 2 + 1 on N = 2.
        assert.ok(await region.runUntil(() => reservations(region).at(-1) === 150, 180));
        assert.ok(await region.runUntil(() => runningCount(region, web) === 8, 1800));
        assert.ok(
            entries(region, "autoscaling.scaling")
                .filter((e) => e.direction === "out")
                .every((e) => Number(e.to) - Number(e.from) <= 1 || Number(e.from) === 0),
            "a scale-out added more than one instance",
        );
    });

    it("fails placement at once when the provider has no managed scaling", async () => {
        run = await startManagedRun({
            settings: { managedTerminationProtection: false },
        });
        const { region } = run;
        region.admin("ecs", "CreateCapacityProvider", {
            name: "unmanaged",
            autoScalingGroupProvider: {
                autoScalingGroupArn: createEmptyGroup(run, "unmanaged-asg"),
                managedScaling: { status: "DISABLED" },
            },
        });
        region.admin("ecs", "PutClusterCapacityProviders", {
            cluster: "managed",
            capacityProviders: [run.managed.capacityProviderName, "unmanaged"],
            defaultCapacityProviderStrategy: [{ capacityProvider: "unmanaged", weight: 1 }],
        });
        const web = createManagedService(run, "web", { desiredCount: 1 });
        await region.run(5);
        assert.equal(serviceTasks(region, web).length, 0);
        const events = entries(region, "ecs.service.event").map((e) => String(e.message));
        assert.ok(
            events.some((m) => m.includes("No Container Instances were found in your capacity provider.")),
            events.join("\n"),
        );
        const out = region.admin("ecs", "RunTask", {
            cluster: "managed",
            taskDefinition: "web",
            capacityProviderStrategy: [{ capacityProvider: "unmanaged", weight: 1 }],
        }) as { tasks: unknown[]; failures: { reason: string }[] };
        assert.equal(out.tasks.length, 0);
        assert.deepEqual(out.failures, [
            { reason: "No Container Instances were found in your capacity provider." },
        ]);
    });

    it("stops a task that waited 10 to 30 minutes for capacity that never came", async () => {
        run = await startManagedRun({ maxSize: 0 });
        const { region } = run;
        const out = region.admin("ecs", "RunTask", {
            cluster: "managed",
            taskDefinition: registerSmall(run),
        }) as {
            tasks: { taskArn: string; lastStatus: string }[];
            failures: unknown[];
        };
        assert.deepEqual(out.failures, []);
        assert.equal(out.tasks[0].lastStatus, "PROVISIONING");
        const task = region.ecs.state.tasks.get(out.tasks[0].taskArn)!;
        await region.run(9 * 60);
        assert.equal(task.lastStatus, "PROVISIONING");
        await region.run(22 * 60);
        assert.equal(task.lastStatus, "STOPPED");
        assert.equal(task.stopCode, "TaskFailedToStart");
        const waitedMinutes = (task.stoppedAt! - task.createdAt) / 60_000;
        assert.ok(waitedMinutes >= 10 && waitedMinutes <= 30, `waited ${waitedMinutes} min`);
    });
});

function createEmptyGroup(run: ManagedRun, name: string): string {
    const { region } = run;
    region.admin("autoscaling", "CreateAutoScalingGroup", {
        AutoScalingGroupName: name,
        MinSize: 0,
        MaxSize: 2,
        DesiredCapacity: 0,
        AvailabilityZones: ["us-east-1a"],
        LaunchTemplate: { LaunchTemplateId: run.deployed.launchTemplateId, Version: "1" },
    });
    return region.autoscaling.groups.get(name)!.arn;
}

function registerSmall(run: ManagedRun): string {
    const { taskDefinition } = run.region.admin("ecs", "RegisterTaskDefinition", {
        family: "job",
        containerDefinitions: [{ name: "job", image: "x", cpu: 256, memory: 256 }],
    }) as { taskDefinition: { taskDefinitionArn: string } };
    return taskDefinition.taskDefinitionArn;
}
