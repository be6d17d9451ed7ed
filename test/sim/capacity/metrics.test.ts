import assert from "node:assert/strict";
import {
    bookFigures,
    containerInstances,
    metricValues,
    runUntilTasksRunning,
    startCapacityRun,
    summaryLines,
    type CapacityRun,
} from "./capacityScenario";

/** Long enough for one evaluation: the schedule's next minute, deferred to second 55 of it, and a little more. */
const ONE_EVALUATION_SECONDS = 125;

describe("sim/capacity: the deployed capacity Lambda's metrics", () => {
    let run: CapacityRun | undefined;
    afterEach(async () => {
        await run?.harness.stop();
        run = undefined;
    });

    it("gives the book's figures for its t2.micro and 250/400 task, and an idle host count that answers the real question", async () => {
        run = await startCapacityRun({
            clusterName: "book",
            instanceType: "t2.micro",
            instanceCount: 1,
            services: [{ name: "todobackend", cpu: 250, memory: 400, desiredCount: 0 }],
        });
        const region = run.harness.region;
        await run.harness.run(ONE_EVALUATION_SECONDS);
        // Empty t2.micro (1024 CPU, 993 MiB): CPU 4, memory 2 → 2, as the book says.
        assert.deepEqual(bookFigures(containerInstances(run), { cpu: 250, memory: 400 }), {
            containerCapacity: 2,
            idleHosts: 1,
        });
        assert.equal(metricValues(run, "ContainerCapacity").at(-1), 2);
        // The book calls this instance idle (1.0); removing it would leave no room for any task.
        assert.equal(metricValues(run, "IdleHostCapacity").at(-1), 0);
        assert.match(summaryLines(run).at(-1)!, /limitingResource=MEMORY worstCaseTask=todobackend/);

        region.admin("ecs", "UpdateService", { cluster: "book", service: "todobackend", desiredCount: 1 });
        await runUntilTasksRunning(run);
        const afterTask = region.clock.now();
        await run.harness.run(ONE_EVALUATION_SECONDS);
        // One task running: CPU 774/250 = 3, memory 593/400 = 1 → 1, as the book says; its idle figure is 0.5.
        assert.deepEqual(bookFigures(containerInstances(run), { cpu: 250, memory: 400 }), {
            containerCapacity: 1,
            idleHosts: 0.5,
        });
        assert.deepEqual([...new Set(metricValues(run, "ContainerCapacity", afterTask))], [1]);
        assert.deepEqual([...new Set(metricValues(run, "IdleHostCapacity", afterTask))], [0]);
    });

    it("counts two t2.micros with one task as one removable instance, where the book's 1.5 would remove one and leave no spare room", async () => {
        run = await startCapacityRun({
            clusterName: "pair",
            instanceType: "t2.micro",
            instanceCount: 2,
            services: [{ name: "todobackend", cpu: 250, memory: 400, desiredCount: 1 }],
        });
        await run.harness.run(ONE_EVALUATION_SECONDS);
        assert.deepEqual(bookFigures(containerInstances(run), { cpu: 250, memory: 400 }), {
            containerCapacity: 3,
            idleHosts: 1.5,
        });
        assert.equal(metricValues(run, "ContainerCapacity").at(-1), 3);
        // Without the empty instance, the other still holds its task and one more: exactly one can go.
        assert.equal(metricValues(run, "IdleHostCapacity").at(-1), 1);
    });

    it("reports 0 when one instance has spare CPU only and the other spare memory only", async () => {
        run = await startCapacityRun({
            clusterName: "split",
            instanceType: "t2.micro",
            instanceCount: 2,
            services: [{ name: "web", cpu: 250, memory: 400, desiredCount: 0 }],
        });
        const region = run.harness.region;
        // Standalone fillers: no service of theirs adds a task shape, so "web" stays the only one.
        for (const [family, cpu, memory] of [
            ["memory-hog", 128, 700],
            ["cpu-hog", 900, 128],
        ] as const) {
            region.admin("ecs", "RegisterTaskDefinition", {
                family,
                containerDefinitions: [
                    { name: family, image: `example/${family}:1`, cpu, memory, essential: true },
                ],
            });
            const { tasks } = region.admin("ecs", "RunTask", {
                cluster: "split",
                taskDefinition: family,
            }) as {
                tasks: unknown[];
            };
            assert.equal(tasks.length, 1, `${family} was placed`);
        }
        const placedAt = region.clock.now();
        await run.harness.run(ONE_EVALUATION_SECONDS);
        const instances = containerInstances(run);
        const remaining = instances
            .map((instance) =>
                ["CPU", "MEMORY"].map(
                    (name) =>
                        instance.remainingResources!.find((resource) => resource.name === name)!.integerValue,
                ),
            )
            .sort((a, b) => a[0]! - b[0]!);
        // cpu-hog cannot share the memory-hog's instance (896 CPU left < 900): one of each.
        assert.deepEqual(remaining, [
            [124, 865],
            [896, 293],
        ]);
        // The book: CPU 0 + 3, memory 2 + 0 → min(3, 2) = 2 tasks that fit nowhere.
        assert.equal(bookFigures(instances, { cpu: 250, memory: 400 }).containerCapacity, 2);
        const values = metricValues(run, "ContainerCapacity", placedAt);
        assert.ok(values.length > 0, "an evaluation ran after the fillers were placed");
        assert.deepEqual([...new Set(values)], [0]);
    });

    it("reports 0 when the task's static host port is taken on every instance", async () => {
        run = await startCapacityRun({
            clusterName: "ports",
            instanceType: "t2.micro",
            instanceCount: 2,
            services: [
                { name: "web", cpu: 250, memory: 400, hostPort: 8080, containerPort: 8080, desiredCount: 2 },
            ],
        });
        await run.harness.run(ONE_EVALUATION_SECONDS);
        const instances = containerInstances(run);
        for (const instance of instances) {
            const ports = instance.remainingResources!.find(
                (resource) => resource.name === "PORTS",
            )!.stringSetValue;
            assert.ok(ports!.includes("8080"), `${instance.ec2InstanceId} has 8080 bound`);
        }
        // The book: CPU 3 + 3, memory 1 + 1 → 2, though no instance can bind 8080 again.
        assert.equal(bookFigures(instances, { cpu: 250, memory: 400 }).containerCapacity, 2);
        assert.equal(metricValues(run, "ContainerCapacity").at(-1), 0);
        assert.match(summaryLines(run).at(-1)!, /limitingResource=PORTS worstCaseTask=web/);
    });

    for (const [trunking, perInstance, limit] of [
        [false, 2, "ENI"],
        [true, 7, "MEMORY"],
    ] as const) {
        it(`counts awsvpc tasks on c5.large ${trunking ? "with" : "without"} trunking as ${perInstance} per instance (${limit})`, async () => {
            run = await startCapacityRun(
                {
                    clusterName: "enis",
                    instanceType: "c5.large",
                    instanceCount: 3,
                    services: [
                        { name: "api", networkMode: "awsvpc", cpu: 256, memory: 512, desiredCount: 0 },
                    ],
                },
                { trunking },
            );
            await run.harness.run(ONE_EVALUATION_SECONDS);
            // The book: 2048/256 = 8 CPU and 3711/512 = 7 memory slots each, ENIs ignored → 21.
            assert.equal(
                bookFigures(containerInstances(run), { cpu: 256, memory: 512 }).containerCapacity,
                21,
            );
            assert.equal(metricValues(run, "ContainerCapacity").at(-1), 3 * perInstance);
            assert.match(
                summaryLines(run).at(-1)!,
                new RegExp(`limitingResource=${limit} worstCaseTask=api`),
            );
        });
    }
});
