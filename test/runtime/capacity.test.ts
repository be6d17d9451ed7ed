import assert from "node:assert/strict";
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { TRUNK_ATTRIBUTE, evaluateCapacity } from "../../runtime/capacity";
import type { TaskShape } from "../../runtime/taskShape";

const AGENT_PORTS = ["22", "2375", "2376", "51678", "51679"];

interface InstanceSpec {
    id: string;
    type?: string;
    registered: { cpu: number; memory: number };
    remaining: { cpu: number; memory: number };
    /** Ports bound by tasks (on top of the agent's reserved ones). */
    tcpInUse?: string[];
    udpInUse?: string[];
    status?: string;
    agentConnected?: boolean;
    enis?: number;
    /** The trunk interface ECS attaches to instances launched with the awsvpcTrunking setting on. */
    trunk?: boolean;
}

function instance(spec: InstanceSpec): ContainerInstance {
    return {
        containerInstanceArn: `arn:aws:ecs:us-east-1:123456789012:container-instance/demo/${spec.id}`,
        ec2InstanceId: `i-${spec.id}`,
        status: spec.status ?? "ACTIVE",
        agentConnected: spec.agentConnected ?? true,
        attributes: [
            ...(spec.type === undefined ? [] : [{ name: "ecs.instance-type", value: spec.type }]),
            ...(spec.trunk ? [{ name: TRUNK_ATTRIBUTE, value: `eni-trunk-${spec.id}` }] : []),
        ],
        registeredResources: [
            { name: "CPU", type: "INTEGER", integerValue: spec.registered.cpu },
            { name: "MEMORY", type: "INTEGER", integerValue: spec.registered.memory },
            { name: "PORTS", type: "STRINGSET", stringSetValue: AGENT_PORTS },
            { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
        ],
        remainingResources: [
            { name: "CPU", type: "INTEGER", integerValue: spec.remaining.cpu },
            { name: "MEMORY", type: "INTEGER", integerValue: spec.remaining.memory },
            { name: "PORTS", type: "STRINGSET", stringSetValue: [...AGENT_PORTS, ...(spec.tcpInUse ?? [])] },
            { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: spec.udpInUse ?? [] },
        ],
        attachments: Array.from({ length: spec.enis ?? 0 }, (_, index) => ({
            id: `eni-attachment-${spec.id}-${index}`,
            type: "ElasticNetworkInterface",
            status: "ATTACHED",
        })),
    };
}

function shape(name: string, cpu: number, memory: number, extra: Partial<TaskShape> = {}): TaskShape {
    return { name, cpu, memory, tcpPorts: [], udpPorts: [], awsvpc: false, ...extra };
}

const T2_MICRO = { cpu: 1024, memory: 993 };
const C5_LARGE = { cpu: 2048, memory: 3711 };
const BOOK_TASK = shape("todobackend", 250, 400);
const DEFAULTS = {};

describe("evaluateCapacity", () => {
    describe("the book's own examples", () => {
        it("an idle t2.micro: CPU 4, memory 2, capacity 2, idle hosts 0 (book: 1.0, not > 1)", () => {
            const result = evaluateCapacity(
                [instance({ id: "a", type: "t2.micro", registered: T2_MICRO, remaining: T2_MICRO })],
                [BOOK_TASK],
                DEFAULTS,
            );
            assert.deepEqual(result.perInstance[0].slotsByResource, { CPU: 4, MEMORY: 2 });
            assert.equal(result.perInstance[0].schedulableTasks, 2);
            assert.equal(result.perInstance[0].limitingResource, "MEMORY");
            assert.equal(result.containerCapacity, 2);
            assert.equal(result.limitingResource, "MEMORY");
            // Removing the only instance leaves no room for even one task, so no scale-in.
            assert.equal(result.idleHostCapacity, 0);
            assert.equal(result.unplaceable, undefined);
        });

        it("the same t2.micro running one task: CPU 3 (774/250), memory 1 (593/400), idle hosts 0 (book: 0.5)", () => {
            const result = evaluateCapacity(
                [
                    instance({
                        id: "a",
                        type: "t2.micro",
                        registered: T2_MICRO,
                        remaining: { cpu: 774, memory: 593 },
                    }),
                ],
                [BOOK_TASK],
                DEFAULTS,
            );
            assert.deepEqual(result.perInstance[0].slotsByResource, { CPU: 3, MEMORY: 1 });
            assert.equal(result.containerCapacity, 1);
            assert.equal(result.idleHostCapacity, 0);
        });

        it("two t2.micros and one task: one instance can go (book: 1.5 > 1, scale in)", () => {
            const result = evaluateCapacity(
                [
                    instance({
                        id: "a",
                        type: "t2.micro",
                        registered: T2_MICRO,
                        remaining: { cpu: 774, memory: 593 },
                    }),
                    instance({ id: "b", type: "t2.micro", registered: T2_MICRO, remaining: T2_MICRO }),
                ],
                [BOOK_TASK],
                DEFAULTS,
            );
            assert.equal(result.containerCapacity, 3);
            assert.equal(result.idleHostCapacity, 1);
        });

        it("the idle-host example (400 CPU / 200 MB task, two 1000/1000 hosts with 600/800 free): 0 (book: 1.0, not > 1)", () => {
            const host = { cpu: 1000, memory: 1000 };
            const result = evaluateCapacity(
                [
                    instance({ id: "a", registered: host, remaining: { cpu: 600, memory: 800 } }),
                    instance({ id: "b", registered: host, remaining: { cpu: 600, memory: 800 } }),
                ],
                [shape("worst", 400, 200)],
                DEFAULTS,
            );
            assert.equal(result.containerCapacity, 2);
            assert.equal(result.limitingResource, "CPU");
            // Re-homing a's 400 CPU onto b leaves b 200 CPU: no room for one more 400-CPU task.
            assert.equal(result.idleHostCapacity, 0);
        });

        it("the chapter's CPU example (400-CPU task, two instances with 600 free) counts per instance: 2, not 1200/400 = 3", () => {
            const host = { cpu: 1024, memory: 2048 };
            const result = evaluateCapacity(
                [
                    instance({ id: "a", registered: host, remaining: { cpu: 600, memory: 2048 } }),
                    instance({ id: "b", registered: host, remaining: { cpu: 600, memory: 2048 } }),
                ],
                [shape("worst", 400, 100)],
                DEFAULTS,
            );
            assert.equal(result.containerCapacity, 2);
        });

        it("the chapter's exercise: 500/500 free on two hosts, 500/500 task on static TCP 80 already bound on both → 0", () => {
            const host = { cpu: 1024, memory: 1024 };
            const result = evaluateCapacity(
                [
                    instance({
                        id: "a",
                        registered: host,
                        remaining: { cpu: 500, memory: 500 },
                        tcpInUse: ["80"],
                    }),
                    instance({
                        id: "b",
                        registered: host,
                        remaining: { cpu: 500, memory: 500 },
                        tcpInUse: ["80"],
                    }),
                ],
                [shape("web", 500, 500, { tcpPorts: ["80"] })],
                DEFAULTS,
            );
            assert.equal(result.containerCapacity, 0);
            assert.equal(result.limitingResource, "PORTS");
            assert.deepEqual(result.perInstance[0].slotsByResource, { CPU: 1, MEMORY: 1, PORTS: 0 });
            assert.equal(
                result.unplaceable,
                undefined,
                "a port bound by a task is not a reason scale-out cannot help",
            );
        });
    });

    describe("where the book is wrong", () => {
        it("spare CPU on one instance and spare memory on another → 0 (the book's sums give 2)", () => {
            const host = { cpu: 1024, memory: 1024 };
            const result = evaluateCapacity(
                [
                    instance({ id: "a", registered: host, remaining: { cpu: 1000, memory: 100 } }),
                    instance({ id: "b", registered: host, remaining: { cpu: 100, memory: 1000 } }),
                ],
                [BOOK_TASK],
                DEFAULTS,
            );
            assert.equal(result.containerCapacity, 0);
            assert.deepEqual(
                result.perInstance.map((entry) => [entry.schedulableTasks, entry.limitingResource]),
                [
                    [0, "MEMORY"],
                    [0, "CPU"],
                ],
            );
        });

        it("a UDP port taken on every instance → 0, while a free one allows one task per instance", () => {
            const host = { cpu: 4096, memory: 8192 };
            const instances = [
                instance({ id: "a", registered: host, remaining: host, udpInUse: ["53"] }),
                instance({ id: "b", registered: host, remaining: host, udpInUse: ["53"] }),
            ];
            const dns = evaluateCapacity(instances, [shape("dns", 128, 128, { udpPorts: ["53"] })], DEFAULTS);
            assert.equal(dns.containerCapacity, 0);
            assert.equal(dns.limitingResource, "PORTS_UDP");
            const syslog = evaluateCapacity(
                instances,
                [shape("syslog", 128, 128, { udpPorts: ["514"] })],
                DEFAULTS,
            );
            assert.equal(syslog.containerCapacity, 2);
        });

        it("awsvpc on c5.large: 2 per instance without a trunk interface, 10 with one, each by its own", () => {
            const untrunked = instance({
                id: "a",
                type: "c5.large",
                registered: C5_LARGE,
                remaining: C5_LARGE,
            });
            const trunked = instance({
                id: "b",
                type: "c5.large",
                registered: C5_LARGE,
                remaining: C5_LARGE,
                trunk: true,
            });
            const small = shape("api", 128, 256, { awsvpc: true });
            const plain = evaluateCapacity([untrunked, untrunked], [small]);
            assert.deepEqual(
                plain.perInstance.map((entry) => entry.schedulableTasks),
                [2, 2],
            );
            assert.equal(plain.containerCapacity, 4);
            assert.equal(plain.limitingResource, "ENI");
            const mixed = evaluateCapacity([untrunked, trunked], [small]);
            assert.deepEqual(mixed.perInstance[0].slotsByResource, { CPU: 16, MEMORY: 14, ENI: 2 });
            assert.deepEqual(mixed.perInstance[1].slotsByResource, { CPU: 16, MEMORY: 14, ENI: 10 });
            assert.equal(mixed.containerCapacity, 12);
        });

        it("a trunk attribute on a type that cannot trunk changes nothing (t3.medium: 2)", () => {
            const host = { cpu: 2048, memory: 3892 };
            const result = evaluateCapacity(
                [instance({ id: "a", type: "t3.medium", registered: host, remaining: host, trunk: true })],
                [shape("api", 128, 256, { awsvpc: true })],
            );
            assert.equal(result.containerCapacity, 2);
        });

        it("re-homing counts the ENI slots each host has, not those of the account setting", () => {
            // A trunked c5.large runs 3 awsvpc tasks; an untrunked one runs a bridge task (no ENI)
            // and is busier, so the trunked one would go first: its 3 ENIs need a host with 3
            // free slots, and the untrunked one has 2.
            const api = shape("api", 128, 256, { awsvpc: true });
            const trunked = instance({
                id: "t",
                type: "c5.large",
                registered: C5_LARGE,
                remaining: { cpu: C5_LARGE.cpu - 3 * 128, memory: C5_LARGE.memory - 3 * 256 },
                enis: 3,
                trunk: true,
            });
            const busy = { cpu: C5_LARGE.cpu - 256, memory: C5_LARGE.memory - 2048 };
            const untrunked = instance({ id: "u", type: "c5.large", registered: C5_LARGE, remaining: busy });
            assert.equal(evaluateCapacity([trunked, untrunked], [api]).idleHostCapacity, 0);
            const alsoTrunked = instance({
                id: "u",
                type: "c5.large",
                registered: C5_LARGE,
                remaining: busy,
                trunk: true,
            });
            assert.equal(evaluateCapacity([trunked, alsoTrunked], [api]).idleHostCapacity, 1);
        });

        it("ENIs already attached use up slots", () => {
            const result = evaluateCapacity(
                [
                    instance({
                        id: "a",
                        type: "c5.large",
                        registered: C5_LARGE,
                        remaining: { cpu: 1920, memory: 3455 },
                        enis: 1,
                    }),
                ],
                [shape("api", 128, 256, { awsvpc: true })],
                DEFAULTS,
            );
            assert.equal(result.containerCapacity, 1);
        });

        it("an unknown instance type: ENI slots are not a limit and the result says so", () => {
            const host = { cpu: 2048, memory: 4096 };
            const result = evaluateCapacity(
                [
                    instance({ id: "a", type: "x9.huge", registered: host, remaining: host }),
                    instance({ id: "b", registered: host, remaining: host }),
                ],
                [shape("api", 512, 1024, { awsvpc: true })],
                DEFAULTS,
            );
            assert.equal(result.containerCapacity, 8);
            assert.deepEqual(result.unknownInstanceTypes, ["unknown", "x9.huge"]);
            assert.deepEqual(
                result.perInstance.map((entry) => entry.eniSlotsUnknown),
                [true, true],
            );
            assert.deepEqual(result.perInstance[0].slotsByResource, { CPU: 4, MEMORY: 4 });
        });

        it("a task that fits no instance even empty → capacity 0 and the reason", () => {
            const result = evaluateCapacity(
                [
                    instance({ id: "a", type: "t2.micro", registered: T2_MICRO, remaining: T2_MICRO }),
                    instance({ id: "b", type: "c5.large", registered: C5_LARGE, remaining: C5_LARGE }),
                ],
                [BOOK_TASK, shape("batch", 1024, 4096)],
                DEFAULTS,
            );
            assert.equal(result.containerCapacity, 0);
            assert.equal(result.worstCaseTask.name, "batch");
            assert.equal(
                result.unplaceable,
                'task "batch" (1024 CPU, 4096 MiB) fits no ACTIVE instance even when empty: ' +
                    "t2.micro MEMORY: needs 4096 MiB, registers 993; c5.large MEMORY: needs 4096 MiB, registers 3711",
            );
            assert.equal(result.idleHostCapacity, 0);
        });

        it("a task that needs a port the agent reserves is unplaceable", () => {
            const result = evaluateCapacity(
                [instance({ id: "a", type: "c5.large", registered: C5_LARGE, remaining: C5_LARGE })],
                [shape("sshd", 128, 128, { tcpPorts: ["22"] })],
                DEFAULTS,
            );
            assert.equal(result.containerCapacity, 0);
            assert.match(result.unplaceable ?? "", /PORTS: TCP 22 is reserved by the agent$/);
        });

        it("a full cluster is not unplaceable: adding an instance helps", () => {
            const result = evaluateCapacity(
                [
                    instance({
                        id: "a",
                        type: "t2.micro",
                        registered: T2_MICRO,
                        remaining: { cpu: 24, memory: 193 },
                    }),
                ],
                [BOOK_TASK],
                DEFAULTS,
            );
            assert.equal(result.containerCapacity, 0);
            assert.equal(result.unplaceable, undefined);
        });
    });

    describe("which instances count", () => {
        it("DRAINING, INACTIVE and agent-disconnected instances contribute 0", () => {
            const host = { cpu: 2048, memory: 4096 };
            const result = evaluateCapacity(
                [
                    instance({ id: "a", registered: host, remaining: host }),
                    instance({ id: "b", registered: host, remaining: host, status: "DRAINING" }),
                    instance({ id: "c", registered: host, remaining: host, status: "INACTIVE" }),
                    instance({ id: "d", registered: host, remaining: host, agentConnected: false }),
                ],
                [shape("svc", 512, 1024)],
                DEFAULTS,
            );
            assert.equal(result.containerCapacity, 4);
            assert.deepEqual(
                result.perInstance.map((entry) => [entry.schedulableTasks, entry.limitingResource]),
                [
                    [4, "CPU"],
                    [0, "NOT_ACTIVE"],
                    [0, "NOT_ACTIVE"],
                    [0, "AGENT_DISCONNECTED"],
                ],
            );
        });

        it("no ACTIVE instance: capacity 0, idle 0, no division by zero, not called unplaceable", () => {
            const result = evaluateCapacity([], [BOOK_TASK], DEFAULTS);
            assert.deepEqual(
                [
                    result.containerCapacity,
                    result.idleHostCapacity,
                    result.limitingResource,
                    result.unplaceable,
                ],
                [0, 0, "NO_ACTIVE_INSTANCES", undefined],
            );
        });

        it("mixed instance types: each instance counted by its own resources", () => {
            const result = evaluateCapacity(
                [
                    instance({ id: "a", type: "t2.micro", registered: T2_MICRO, remaining: T2_MICRO }),
                    instance({ id: "b", type: "c5.large", registered: C5_LARGE, remaining: C5_LARGE }),
                    instance({
                        id: "c",
                        type: "m5.xlarge",
                        registered: { cpu: 4096, memory: 15577 },
                        remaining: { cpu: 3072, memory: 13529 },
                    }),
                ],
                [shape("svc", 512, 1024)],
                DEFAULTS,
            );
            assert.deepEqual(
                result.perInstance.map((entry) => [entry.instanceType, entry.schedulableTasks]),
                [
                    ["t2.micro", 0],
                    ["c5.large", 3],
                    ["m5.xlarge", 6],
                ],
            );
            assert.equal(result.containerCapacity, 9);
        });
    });

    describe("worst case over task shapes", () => {
        it("is the shape with the lowest cluster total, not the largest in any one resource", () => {
            const host = { cpu: 4096, memory: 8192 };
            const instances = [
                instance({ id: "a", registered: host, remaining: host, tcpInUse: ["8080"] }),
                instance({ id: "b", registered: host, remaining: host }),
            ];
            // "big" is the largest task (4 per host, 8 in all); "edge" is small but its static
            // port is free on one host only: 1 in all.
            const result = evaluateCapacity(
                instances,
                [shape("big", 1024, 2048), shape("edge", 64, 64, { tcpPorts: ["8080"] })],
                DEFAULTS,
            );
            assert.equal(result.worstCaseTask.name, "edge");
            assert.equal(result.containerCapacity, 1);
            assert.equal(result.limitingResource, "PORTS");
        });

        it("a tie goes to the shape listed first", () => {
            const host = { cpu: 2048, memory: 2048 };
            const result = evaluateCapacity(
                [instance({ id: "a", registered: host, remaining: host })],
                [shape("first", 1024, 512), shape("second", 512, 1024)],
                DEFAULTS,
            );
            assert.equal(result.worstCaseTask.name, "first");
            assert.equal(result.containerCapacity, 2);
        });

        it("rejects an empty shape list and a shape without memory, naming the field", () => {
            assert.throws(
                () => evaluateCapacity([], [], DEFAULTS),
                /^Error: taskShapes: expected at least one task shape/,
            );
            assert.throws(
                () => evaluateCapacity([], [shape("x", 10, 0)], DEFAULTS),
                /^Error: taskShapes\[0\]\.memory: expected MiB > 0, got 0$/,
            );
            assert.throws(
                () => evaluateCapacity([], [BOOK_TASK], { minimumSpareTasks: 1.5 }),
                /^Error: minimumSpareTasks: expected an integer >= 0, got 1.5$/,
            );
        });
    });

    describe("idle host capacity", () => {
        const host = { cpu: 2048, memory: 4096 };
        const svc = shape("svc", 512, 1024);

        it("counts instances whose tasks can be re-homed with one task to spare, independent of input order", () => {
            // Two full hosts and two with one task each. Both light hosts cannot go (the full ones
            // have no room for their tasks); one can, its task moving to the other light host.
            const specs: InstanceSpec[] = [
                { id: "full1", registered: host, remaining: { cpu: 0, memory: 0 } },
                { id: "light1", registered: host, remaining: { cpu: 1536, memory: 3072 } },
                { id: "full2", registered: host, remaining: { cpu: 0, memory: 0 } },
                { id: "light2", registered: host, remaining: { cpu: 1536, memory: 3072 } },
            ];
            const forward = evaluateCapacity(specs.map(instance), [svc], DEFAULTS);
            const backward = evaluateCapacity([...specs].reverse().map(instance), [svc], DEFAULTS);
            assert.equal(forward.containerCapacity, 6);
            assert.equal(forward.idleHostCapacity, 1);
            assert.equal(backward.idleHostCapacity, 1);
        });

        it("several empty hosts can all go while one spare task remains", () => {
            const result = evaluateCapacity(
                [
                    instance({ id: "busy", registered: host, remaining: { cpu: 1024, memory: 2048 } }),
                    instance({ id: "e1", registered: host, remaining: host }),
                    instance({ id: "e2", registered: host, remaining: host }),
                    instance({ id: "e3", registered: host, remaining: host }),
                ],
                [svc],
                DEFAULTS,
            );
            assert.equal(result.idleHostCapacity, 3);
        });

        it("minimumSpareTasks raises the room that must remain", () => {
            const instances = [
                instance({ id: "busy", registered: host, remaining: { cpu: 1024, memory: 2048 } }),
                instance({ id: "e1", registered: host, remaining: host }),
                instance({ id: "e2", registered: host, remaining: host }),
            ];
            assert.equal(evaluateCapacity(instances, [svc], { minimumSpareTasks: 2 }).idleHostCapacity, 2);
            assert.equal(evaluateCapacity(instances, [svc], { minimumSpareTasks: 3 }).idleHostCapacity, 1);
        });

        it("a static port bound on the removed host must be free where its task goes", () => {
            const edge = shape("edge", 256, 256, { tcpPorts: ["443"] });
            const bothBound = evaluateCapacity(
                [
                    instance({
                        id: "a",
                        registered: host,
                        remaining: { cpu: 1792, memory: 3840 },
                        tcpInUse: ["443"],
                    }),
                    instance({
                        id: "b",
                        registered: host,
                        remaining: { cpu: 1792, memory: 3840 },
                        tcpInUse: ["443"],
                    }),
                    instance({ id: "c", registered: host, remaining: host }),
                ],
                [edge],
                DEFAULTS,
            );
            // Removing c leaves no host with 443 free: no spare. Removing a moves its 443 task to c,
            // leaving no spare either.
            assert.equal(bothBound.containerCapacity, 1);
            assert.equal(bothBound.idleHostCapacity, 0);
        });

        it("tasks on DRAINING instances must find a home before any instance can go", () => {
            const instances = [
                instance({
                    id: "draining",
                    registered: host,
                    remaining: { cpu: 0, memory: 0 },
                    status: "DRAINING",
                }),
                instance({ id: "a", registered: host, remaining: host }),
                instance({ id: "b", registered: host, remaining: host }),
            ];
            // Removing either empty host leaves the other to take the draining host's four tasks
            // with nothing spare; without the drain, one empty host can go.
            assert.equal(evaluateCapacity(instances, [svc], DEFAULTS).idleHostCapacity, 0);
            const withoutDrain = evaluateCapacity(instances.slice(1), [svc], DEFAULTS);
            assert.equal(withoutDrain.idleHostCapacity, 1);
        });

        it("a removed host's usage moves as one bundle, never split (the documented approximation errs low)", () => {
            const busy = { cpu: 512, memory: 1024 };
            const result = evaluateCapacity(
                [
                    instance({ id: "a", registered: host, remaining: { cpu: 1024, memory: 2048 } }),
                    instance({ id: "b", registered: host, remaining: busy }),
                    instance({ id: "c", registered: host, remaining: busy }),
                    instance({ id: "d", registered: host, remaining: busy }),
                ],
                [shape("svc", 256, 512)],
                DEFAULTS,
            );
            // a's four 256/512 tasks could go two to b and two to c, leaving d two spare slots, so
            // exactly one host could go; as a 1024/2048 bundle they fit no single host: 0.
            assert.equal(result.containerCapacity, 10);
            assert.equal(result.idleHostCapacity, 0);
        });

        it("bundles of one size are placed in the order they were added: draining ones, then removed hosts", () => {
            // A (port 443, on a DRAINING host) and B (port 80, on the emptiest host) tie in size.
            // First-fit places A first, on h1; then B fits neither h1 (full) nor h2 (80 taken), so
            // no host can go. B first would have fitted both: the order is part of the figure.
            const big = { cpu: 4000, memory: 4000 };
            const bundle = { cpu: 4000 - 600, memory: 4000 - 600 };
            const busy = { cpu: 1000, memory: 1000 };
            const result = evaluateCapacity(
                [
                    instance({
                        id: "d",
                        registered: big,
                        remaining: bundle,
                        tcpInUse: ["443"],
                        status: "DRAINING",
                    }),
                    instance({ id: "r", registered: big, remaining: bundle, tcpInUse: ["80"] }),
                    instance({ id: "h1", registered: big, remaining: busy }),
                    instance({ id: "h2", registered: big, remaining: busy, tcpInUse: ["80"] }),
                ],
                [shape("small", 100, 100)],
                DEFAULTS,
            );
            assert.equal(result.idleHostCapacity, 0);
        });
    });
});
