import assert from "node:assert/strict";
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import type { TerminationPayload } from "../../runtime/termination";
import {
    MAX_FILTER_LENGTH,
    createTerminationHandler,
    filterExpressions,
    type EcsTerminationCommand,
} from "../../runtime/terminationHandler";

const CLUSTER = "demo";
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

interface Call {
    readonly name: string;
    readonly input: Record<string, unknown>;
}

const FILTER = /^ec2InstanceId in \[(i-[0-9a-f]+(?:, i-[0-9a-f]+)*)\]$/;

/** A fake ECS that evaluates `ec2InstanceId in [...]` filters and counts calls in flight at once. */
class FakeEcs {
    readonly calls: Call[] = [];
    inFlight = 0;
    maxInFlight = 0;
    failure: Error | undefined;

    constructor(
        readonly instances: Map<string, ContainerInstance>,
        /** Real delay per call, only for the budget test. */
        readonly delayMs = 0,
    ) {}

    async send(command: EcsTerminationCommand): Promise<unknown> {
        const name = command.constructor.name;
        const input = command.input as Record<string, unknown>;
        this.calls.push({ name, input });
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
            await new Promise((resolve) => setTimeout(resolve, this.delayMs));
            if (this.failure !== undefined) throw this.failure;
            assert.equal(input.cluster, CLUSTER);
            if (name === "ListContainerInstancesCommand") {
                const filter = input.filter as string;
                assert.ok(filter.length <= MAX_FILTER_LENGTH, `filter of ${filter.length} characters`);
                const match = FILTER.exec(filter);
                assert.ok(match, `unparsable filter ${filter}`);
                const ids = match[1].split(", ");
                assert.ok(ids.length <= (input.maxResults as number), "more ids than one page holds");
                return {
                    containerInstanceArns: ids
                        .map((id) => this.instances.get(id))
                        .filter((ci) => ci !== undefined && ci.status !== "INACTIVE")
                        .map((ci) => ci?.containerInstanceArn),
                };
            }
            if (name === "DescribeContainerInstancesCommand") {
                const arns = input.containerInstances as string[];
                assert.ok(arns.length <= 100, `DescribeContainerInstances got ${arns.length} ARNs`);
                const all = [...this.instances.values()];
                return {
                    containerInstances: arns.map((arn) => all.find((ci) => ci.containerInstanceArn === arn)),
                };
            }
            throw new Error(`unexpected command ${name}`);
        } finally {
            this.inFlight--;
        }
    }

    count(name: string): number {
        return this.calls.filter((call) => call.name === name).length;
    }
}

function instanceId(index: number): string {
    return `i-0${index.toString(16).padStart(16, "0")}`;
}

function registered(
    id: string,
    tasks: { running: number; pending?: number },
    registeredAt: number,
    status = "ACTIVE",
): ContainerInstance {
    return {
        containerInstanceArn: `arn:aws:ecs:us-east-1:123456789012:container-instance/${CLUSTER}/ci-${id}`,
        ec2InstanceId: id,
        status,
        runningTasksCount: tasks.running,
        pendingTasksCount: tasks.pending ?? 0,
        registeredAt: new Date(registeredAt),
    };
}

function payload(
    instances: { id: string; zone: string }[],
    capacity: { zone: string; capacity: number }[],
): TerminationPayload {
    return {
        AutoScalingGroupARN:
            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x:autoScalingGroupName/asg",
        AutoScalingGroupName: "asg",
        CapacityToTerminate: capacity.map((entry) => ({
            AvailabilityZone: entry.zone,
            Capacity: entry.capacity,
            InstanceMarketOption: "on-demand",
        })),
        Instances: instances.map((instance) => ({
            AvailabilityZone: instance.zone,
            InstanceId: instance.id,
            InstanceType: "c5.large",
            InstanceMarketOption: "on-demand",
        })),
        Cause: "SCALE_IN",
    };
}

function setup(
    ecs: FakeEcs,
    config: { daemonTaskFamilies?: string[]; budgetMs?: number } = {},
    processStartedAt?: number,
) {
    const lines: string[] = [];
    let clock = 0;
    const handler = createTerminationHandler(
        {
            ecs,
            log: (line) => lines.push(line),
            now: () => (clock += 5),
            sleep: async () => {},
            random: () => 0,
            processStartedAt,
        },
        { clusterName: CLUSTER, ...config },
    );
    return { handler, lines };
}

/** 2,000 registered candidates over three zones, the busiest first in Auto Scaling's order. */
function bigGroup(): { ecs: FakeEcs; request: TerminationPayload } {
    const ids = Array.from({ length: 2000 }, (_, index) => instanceId(index));
    const instances = new Map(
        ids.map((id, index) => [id, registered(id, { running: 2000 - index }, 1_000_000 + index)] as const),
    );
    const request = payload(
        ids.map((id, index) => ({ id, zone: ZONES[index % 3] })),
        ZONES.map((zone) => ({ zone, capacity: 2 })),
    );
    return { ecs: new FakeEcs(instances), request };
}

describe("createTerminationHandler", () => {
    it("2,000 candidates: 22 filtered lists and 20 describes cold, issued in parallel; 20 describes warm", async () => {
        const { ecs, request } = bigGroup();
        const { handler } = setup(ecs);
        const first = await handler(request);
        assert.equal(ecs.count("ListContainerInstancesCommand"), 22);
        assert.equal(ecs.count("DescribeContainerInstancesCommand"), 20);
        // Each phase goes out at once: 22 lists in flight together, then 20 describes.
        assert.equal(ecs.maxInFlight, 22);
        const listed = ecs.calls
            .filter((call) => call.name === "ListContainerInstancesCommand")
            .flatMap((call) => FILTER.exec(call.input.filter as string)?.[1].split(", ") ?? []);
        assert.deepEqual(listed.sort(), request.Instances.map((instance) => instance.InstanceId).sort());
        // The least busy are last in Auto Scaling's order: per zone, the last two.
        assert.deepEqual(first.InstanceIDs, [
            instanceId(1998),
            instanceId(1995),
            instanceId(1999),
            instanceId(1996),
            instanceId(1997),
            instanceId(1994),
        ]);

        ecs.calls.length = 0;
        const second = await handler(request);
        assert.deepEqual(second, first);
        assert.equal(ecs.count("ListContainerInstancesCommand"), 0);
        assert.equal(ecs.count("DescribeContainerInstancesCommand"), 20);
    });

    it("ranks by ECS's view: unregistered and DRAINING first, then fewest non-daemon tasks, then oldest", async () => {
        const ids = Array.from({ length: 8 }, (_, index) => instanceId(index + 1));
        const ecs = new FakeEcs(
            new Map([
                // Two daemon families: 2 of each count is daemon tasks.
                [ids[0], registered(ids[0], { running: 6 }, 100)],
                [ids[1], registered(ids[1], { running: 3, pending: 1 }, 300)],
                [ids[2], registered(ids[2], { running: 4 }, 200)],
                [ids[3], registered(ids[3], { running: 9 }, 900, "DRAINING")],
                [ids[4], registered(ids[4], { running: 1 }, 100)],
                [ids[5], registered(ids[5], { running: 0 }, 100, "INACTIVE")],
                [ids[6], registered(ids[6], { running: 2 }, 500)],
                // ids[7] never registered.
            ]),
        );
        const { handler, lines } = setup(ecs, {
            daemonTaskFamilies: ["log-router", "node-exporter", "log-router"],
        });
        const request = payload(
            [
                { id: ids[0], zone: "us-east-1a" },
                { id: ids[1], zone: "us-east-1a" },
                { id: ids[2], zone: "us-east-1a" },
                { id: ids[3], zone: "us-east-1a" },
                { id: ids[4], zone: "us-east-1b" },
                { id: ids[5], zone: "us-east-1b" },
                { id: ids[6], zone: "us-east-1b" },
                { id: ids[7], zone: "us-east-1c" },
            ],
            [
                { zone: "us-east-1a", capacity: 3 },
                { zone: "us-east-1b", capacity: 2 },
            ],
        );
        const result = await handler(request);
        // 1a: DRAINING, then 2 non-daemon tasks (200, older) before 2 (300), never the one with 4.
        // 1b: the INACTIVE (deregistered) one, then of two with 0 non-daemon tasks (1 and 2
        //     tasks, clamped) the older. 1c has no capacity asked: not even looked up.
        assert.deepEqual(result, { InstanceIDs: [ids[3], ids[2], ids[1], ids[5], ids[4]] });
        const filters = ecs.calls.filter((call) => call.name === "ListContainerInstancesCommand");
        assert.deepEqual(
            filters.map((call) => call.input),
            [
                {
                    cluster: CLUSTER,
                    filter: `ec2InstanceId in [${ids.slice(0, 7).join(", ")}]`,
                    maxResults: 100,
                },
            ],
        );
        assert.deepEqual(lines, [
            `termination policy (SCALE_IN, 7 candidates, 5 ms): ${ids[3]}[DRAINING, 7 tasks],${ids[2]}[ACTIVE, 2 tasks],` +
                `${ids[1]}[ACTIVE, 2 tasks],${ids[5]}[not registered],${ids[4]}[ACTIVE, 0 tasks]`,
        ]);
    });

    it("reads runningTasksCount either way (by desired status, as the API reference says, or by last status) without taking a busy instance for an idle one", async () => {
        // The same cluster under each reading: a has 2 RUNNING tasks, b 1 RUNNING and 1 starting,
        // c none, d 3 RUNNING. The API reference counts b's starting task in runningTasksCount too.
        const [a, b, c, d] = [1, 2, 3, 4].map(instanceId);
        const readings = {
            byDesiredStatus: {
                a: { running: 2 },
                b: { running: 2, pending: 1 },
                c: { running: 0 },
                d: { running: 3 },
            },
            byLastStatus: {
                a: { running: 2 },
                b: { running: 1, pending: 1 },
                c: { running: 0 },
                d: { running: 3 },
            },
        };
        for (const [reading, counts] of Object.entries(readings)) {
            const ecs = new FakeEcs(
                new Map(
                    ([a, b, c, d] as const).map(
                        (id, index) =>
                            [id, registered(id, Object.values(counts)[index], 100 + index)] as const,
                    ),
                ),
            );
            const { handler } = setup(ecs);
            const request = payload(
                [a, b, c, d].map((id) => ({ id, zone: "us-east-1a" })),
                [{ zone: "us-east-1a", capacity: 1 }],
            );
            // The idle instance first, whichever reading ECS follows.
            assert.deepEqual(await handler(request), { InstanceIDs: [c] }, reading);
            const two = await handler(
                payload(
                    [a, b, d].map((id) => ({ id, zone: "us-east-1a" })),
                    [{ zone: "us-east-1a", capacity: 1 }],
                ),
            );
            // Then one with two tasks to move (a; b's starting task counts at least once), never d's three.
            assert.notDeepEqual(two, { InstanceIDs: [d] }, reading);
        }
    });

    it("answers with Auto Scaling's suggestion when ECS does not answer within the budget", async () => {
        const ids = Array.from({ length: 4 }, (_, index) => instanceId(index));
        const ecs = new FakeEcs(
            new Map(ids.map((id, index) => [id, registered(id, { running: 10 - index }, 0)])),
            50,
        );
        const { handler, lines } = setup(ecs, { budgetMs: 20 });
        const result = await handler(
            payload(
                ids.map((id) => ({ id, zone: "us-east-1a" })),
                [{ zone: "us-east-1a", capacity: 2 }],
            ),
        );
        assert.deepEqual(result, { InstanceIDs: [ids[0], ids[1]] });
        assert.deepEqual(lines, [
            `termination policy: ECS did not answer within 20 ms; Auto Scaling's suggestion: ${ids[0]},${ids[1]}`,
        ]);
    });

    it("with the same slow ECS and a budget that allows it, ranks by ECS's answer", async () => {
        const ids = Array.from({ length: 4 }, (_, index) => instanceId(index));
        const ecs = new FakeEcs(
            new Map(ids.map((id, index) => [id, registered(id, { running: 10 - index }, 0)])),
            5,
        );
        const { handler } = setup(ecs, { budgetMs: 1500 });
        const result = await handler(
            payload(
                ids.map((id) => ({ id, zone: "us-east-1a" })),
                [{ zone: "us-east-1a", capacity: 2 }],
            ),
        );
        assert.deepEqual(result, { InstanceIDs: [ids[3], ids[2]] });
    });

    it("counts a cold start's module load against the first invocation's budget, and only the first's", async () => {
        const ids = Array.from({ length: 4 }, (_, index) => instanceId(index));
        const ecs = new FakeEcs(
            new Map(ids.map((id, index) => [id, registered(id, { running: 10 - index }, 0)])),
            30,
        );
        // The handler starts at 5 (the fake clock's first reading); the process started 1,450 ms before.
        const { handler, lines } = setup(ecs, { budgetMs: 1500 }, 5 - 1450);
        const request = payload(
            ids.map((id) => ({ id, zone: "us-east-1a" })),
            [{ zone: "us-east-1a", capacity: 2 }],
        );
        assert.deepEqual(
            await handler(request),
            { InstanceIDs: [ids[0], ids[1]] },
            "two 30 ms phases miss 50 ms",
        );
        assert.deepEqual(await handler(request), { InstanceIDs: [ids[3], ids[2]] }, "warm: the whole budget");
        assert.equal(
            lines[0],
            `termination policy: ECS did not answer within 50 ms (1500 ms less a 1450 ms cold start); Auto Scaling's suggestion: ${ids[0]},${ids[1]}`,
        );
    });

    it("answers a cold start that already used the budget with Auto Scaling's suggestion, asking ECS nothing", async () => {
        const id = instanceId(1);
        const ecs = new FakeEcs(new Map([[id, registered(id, { running: 1 }, 0)]]));
        const { handler, lines } = setup(ecs, { budgetMs: 1500 }, 5 - 1600);
        assert.deepEqual(
            await handler(payload([{ id, zone: "us-east-1a" }], [{ zone: "us-east-1a", capacity: 1 }])),
            { InstanceIDs: [id] },
        );
        assert.equal(ecs.calls.length, 0);
        assert.equal(
            lines[0],
            `termination policy: a 1600 ms cold start used the 1500 ms budget; Auto Scaling's suggestion: ${id}`,
        );
    });

    it("answers with Auto Scaling's suggestion when ECS fails", async () => {
        const id = instanceId(1);
        const ecs = new FakeEcs(new Map([[id, registered(id, { running: 1 }, 0)]]));
        const denied = new Error("not authorized to perform ecs:ListContainerInstances");
        denied.name = "AccessDeniedException";
        ecs.failure = denied;
        const { handler, lines } = setup(ecs);
        const result = await handler(
            payload([{ id, zone: "us-east-1a" }], [{ zone: "us-east-1a", capacity: 1 }]),
        );
        assert.deepEqual(result, { InstanceIDs: [id] });
        assert.deepEqual(lines, [
            `termination policy: ECS failed (AccessDeniedException: not authorized to perform ecs:ListContainerInstances); Auto Scaling's suggestion: ${id}`,
        ]);
    });

    it("rejects a bad payload with no instance and a logged reason, without calling ECS", async () => {
        const ecs = new FakeEcs(new Map());
        const { handler, lines } = setup(ecs);
        const bad = {
            ...payload([], []),
            CapacityToTerminate: [{ AvailabilityZone: "us-east-1a", Capacity: "2" }],
        };
        assert.deepEqual(await handler(bad), { InstanceIDs: [] });
        assert.deepEqual(lines, [
            'termination policy: payload rejected, terminating none: CapacityToTerminate[0].Capacity: expected an integer >= 0, got "2"',
        ]);
        assert.equal(ecs.calls.length, 0);
    });

    it("forgets an instance that deregistered and looks it up again next time", async () => {
        const id = instanceId(7);
        const ecs = new FakeEcs(new Map([[id, registered(id, { running: 3 }, 0)]]));
        const { handler } = setup(ecs);
        const request = payload(
            [
                { id, zone: "us-east-1a" },
                { id: instanceId(8), zone: "us-east-1a" },
            ],
            [{ zone: "us-east-1a", capacity: 1 }],
        );
        assert.deepEqual(await handler(request), { InstanceIDs: [instanceId(8)] });
        ecs.instances.set(id, registered(id, { running: 0 }, 0, "INACTIVE"));
        ecs.instances.set(instanceId(8), registered(instanceId(8), { running: 5 }, 0));
        ecs.calls.length = 0;
        // The remembered ARN now describes as INACTIVE: not registered, so cheapest.
        assert.deepEqual(await handler(request), { InstanceIDs: [id] });
        assert.deepEqual(
            ecs.calls.map((call) => call.name),
            ["ListContainerInstancesCommand", "DescribeContainerInstancesCommand"],
        );
        ecs.calls.length = 0;
        await handler(request);
        assert.equal(ecs.calls[0].input.filter, `ec2InstanceId in [${id}]`);
    });

    it("rejects a budget that would not leave room under Auto Scaling's 2 s limit", () => {
        assert.throws(
            () => setup(new FakeEcs(new Map()), { budgetMs: 2000 }),
            /^Error: budgetMs: expected a number of ms in \(0, 2000\), got 2000$/,
        );
    });
});

describe("filterExpressions", () => {
    it("packs 19-character ids 94 to an expression within the 2000-character limit", () => {
        const ids = Array.from({ length: 2000 }, (_, index) => instanceId(index));
        const expressions = filterExpressions(ids);
        assert.equal(expressions.length, 22);
        assert.equal(expressions[0].length, 18 + 94 * 19 + 93 * 2 + 1);
        assert.ok(expressions.every((expression) => expression.length <= 2000));
        assert.deepEqual(
            expressions.flatMap((expression) => FILTER.exec(expression)?.[1].split(", ")),
            ids,
        );
    });

    it("packs short ids at most 100 to an expression (one page of ListContainerInstances)", () => {
        const ids = Array.from({ length: 250 }, (_, index) => `i-${index.toString(16).padStart(8, "0")}`);
        assert.deepEqual(
            filterExpressions(ids).map((expression) => expression.split(", ").length),
            [100, 100, 50],
        );
        assert.deepEqual(filterExpressions([]), []);
    });
});
