/**
 * The near-linear evaluateCapacity against the quadratic implementation it replaced
 * (capacityOracle.ts), on seeded random clusters: mixed and unknown instance types, instances
 * with and without a trunk interface, static TCP/UDP host ports, awsvpc ENIs (some attachments
 * ended), DRAINING, INACTIVE and disconnected instances, several task shapes, and many copies
 * of a few instance states (what real clusters look like, and what the fast path groups). Every
 * field of the result must be identical.
 */
import assert from "node:assert/strict";
import type { Attachment, ContainerInstance } from "@aws-sdk/client-ecs";
import { TRUNK_ATTRIBUTE, evaluateCapacity } from "../../runtime/capacity";
import { INSTANCE_TYPES } from "../../runtime/instanceTypes";
import type { TaskShape } from "../../runtime/taskShape";
import { evaluateCapacity as oracle } from "./capacityOracle";

const AGENT_PORTS = ["22", "2375", "2376", "51678", "51679"];
const KNOWN_TYPES = ["t3.micro", "t3.medium", "c5.large", "c5.xlarge", "m5.large", "m5.xlarge", "r5.large"];
/** Unknown types: ENI slots are not counted; the registered figures are made up. */
const UNKNOWN_TYPES = ["x9.huge", undefined];
const TCP_PORTS = ["80", "443", "8080", "22"];
const UDP_PORTS = ["53", "514"];

/** mulberry32: a small seeded generator, so a failing seed can be replayed. */
function generator(seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (low: number, high: number): number => low + Math.floor(next() * (high - low + 1));
    const chance = (p: number): boolean => next() < p;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const subset = <T>(items: readonly T[], p: number): T[] => items.filter(() => chance(p));
    return { int, chance, pick, subset };
}

type Random = ReturnType<typeof generator>;
type TrunkMode = "none" | "all" | "mixed";

function randomShape(random: Random, index: number): TaskShape {
    const awsvpc = random.chance(0.4);
    return {
        name: `shape-${index}`,
        cpu: random.pick([0, 128, 256, 512, 1024, 2048]),
        memory: random.pick([128, 256, 512, 1024, 2048, 4096, 20000]),
        tcpPorts: !awsvpc || random.chance(0.1) ? random.subset(TCP_PORTS, 0.15).sort() : [],
        udpPorts: random.subset(UDP_PORTS, 0.08).sort(),
        awsvpc,
    };
}

interface Usage {
    cpu: number;
    memory: number;
    tcp: string[];
    udp: string[];
    enis: number;
}

/** One instance state (not yet an instance): a type, what it registered and what its tasks use. */
function randomState(random: Random, shapes: readonly TaskShape[], trunkMode: TrunkMode) {
    const type = random.chance(0.9) ? random.pick(KNOWN_TYPES) : random.pick(UNKNOWN_TYPES);
    const info = type === undefined ? undefined : INSTANCE_TYPES[type];
    const registered = info
        ? { cpu: info.vcpus * 1024, memory: info.registeredMemoryMiB }
        : { cpu: random.pick([1024, 2048, 4096]), memory: random.pick([2000, 4000, 8000]) };
    const trunk =
        trunkMode === "all"
            ? (info?.trunkEnis ?? 0) > 0 || random.chance(0.1)
            : trunkMode === "mixed" && random.chance(0.5);
    const used: Usage = { cpu: 0, memory: 0, tcp: [], udp: [], enis: 0 };
    const tasks = random.pick([0, 0, 0, 1, 1, 2, 3, 5, 8]);
    for (let task = 0; task < tasks; task++) {
        const shape = random.chance(0.8) ? random.pick(shapes) : randomShape(random, -1);
        if (used.cpu + shape.cpu > registered.cpu || used.memory + shape.memory > registered.memory) break;
        if (shape.tcpPorts.some((port) => used.tcp.includes(port) || AGENT_PORTS.includes(port))) continue;
        if (shape.udpPorts.some((port) => used.udp.includes(port))) continue;
        used.cpu += shape.cpu;
        used.memory += shape.memory;
        used.tcp.push(...shape.tcpPorts);
        used.udp.push(...shape.udpPorts);
        if (shape.awsvpc) used.enis++;
    }
    // Now and then a figure ECS would not report, to exercise the clamps.
    const remainingCpu = random.chance(0.03) ? -50 : registered.cpu - used.cpu;
    return {
        type,
        registered,
        remaining: { cpu: remainingCpu, memory: registered.memory - used.memory },
        used,
        trunk,
        endedAttachments: random.chance(0.1) ? 1 : 0,
        status: random.pick([
            "ACTIVE",
            "ACTIVE",
            "ACTIVE",
            "ACTIVE",
            "ACTIVE",
            "ACTIVE",
            "DRAINING",
            "INACTIVE",
        ]),
        agentConnected: !random.chance(0.05),
    };
}

function toInstance(state: ReturnType<typeof randomState>, id: number): ContainerInstance {
    const attachments: Attachment[] = [
        ...Array.from({ length: state.used.enis }, (_, index) => ({
            id: `att-${id}-${index}`,
            type: "ElasticNetworkInterface",
            status: "ATTACHED",
        })),
        ...Array.from({ length: state.endedAttachments }, (_, index) => ({
            id: `att-${id}-ended-${index}`,
            type: "ElasticNetworkInterface",
            status: "DETACHED",
        })),
    ];
    return {
        // Now and then two instances share an ARN or have none: the removal order's tie-break must still agree.
        containerInstanceArn:
            id % 37 === 36 ? undefined : `arn:aws:ecs:us-east-1:123456789012:container-instance/c/${id % 53}`,
        ec2InstanceId: `i-${id}`,
        status: state.status,
        agentConnected: state.agentConnected,
        attributes: [
            ...(state.type === undefined ? [] : [{ name: "ecs.instance-type", value: state.type }]),
            ...(state.trunk ? [{ name: TRUNK_ATTRIBUTE, value: `trunk-${id}` }] : []),
        ],
        registeredResources: [
            { name: "CPU", type: "INTEGER", integerValue: state.registered.cpu },
            { name: "MEMORY", type: "INTEGER", integerValue: state.registered.memory },
            { name: "PORTS", type: "STRINGSET", stringSetValue: AGENT_PORTS },
            { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
        ],
        remainingResources: [
            { name: "CPU", type: "INTEGER", integerValue: state.remaining.cpu },
            { name: "MEMORY", type: "INTEGER", integerValue: state.remaining.memory },
            { name: "PORTS", type: "STRINGSET", stringSetValue: [...AGENT_PORTS, ...state.used.tcp] },
            { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: state.used.udp },
        ],
        attachments,
    };
}

/** A cluster of `size` instances drawn from a few states (copies) and some one-offs. */
function randomCluster(seed: number, size: number) {
    const random = generator(seed);
    const trunkMode = random.pick<TrunkMode>(["none", "all", "mixed"]);
    const shapes = Array.from({ length: random.int(1, 4) }, (_, index) => randomShape(random, index));
    // Twins alike in size but bound to other ports: bundles that tie in the placement order.
    if (random.chance(0.5)) {
        const [first] = shapes;
        shapes.push({
            ...first,
            name: "twin",
            tcpPorts: [random.pick(TCP_PORTS.slice(0, 3))],
            awsvpc: false,
        });
    }
    const states = Array.from({ length: random.int(1, 6) }, () => randomState(random, shapes, trunkMode));
    const instances = Array.from({ length: size }, (_, id) =>
        toInstance(random.chance(0.75) ? random.pick(states) : randomState(random, shapes, trunkMode), id),
    );
    return { instances, shapes, minimumSpareTasks: random.int(0, 3) };
}

function hasTrunk(instance: ContainerInstance): boolean {
    return instance.attributes?.some((attribute) => attribute.name === TRUNK_ATTRIBUTE) ?? false;
}

function assertSameAsOracle(seed: number, size: number): void {
    const { instances, shapes, minimumSpareTasks } = randomCluster(seed, size);
    const expected = oracle(instances, shapes, { trunking: hasTrunk, minimumSpareTasks });
    const actual = evaluateCapacity(instances, shapes, { minimumSpareTasks });
    assert.deepEqual(actual, expected, `seed ${seed}, ${size} instances`);
}

describe("evaluateCapacity agrees with the implementation it replaced (random clusters)", () => {
    it("small clusters: 600 seeds of 0–24 instances", () => {
        for (let seed = 1; seed <= 600; seed++) assertSameAsOracle(seed, seed % 25);
    });

    it("medium clusters: 60 seeds of 60–120 instances", () => {
        for (let seed = 1001; seed <= 1060; seed++) assertSameAsOracle(seed, 60 + (seed % 61));
    });

    it("the random clusters reach every branch the figures depend on", () => {
        const seen = { idleAboveTen: false, unplaceable: false, portLimited: false, eniLimited: false };
        for (let seed = 1; seed <= 600; seed++) {
            const { instances, shapes, minimumSpareTasks } = randomCluster(seed, seed % 25);
            const result = evaluateCapacity(instances, shapes, { minimumSpareTasks });
            seen.idleAboveTen ||= result.idleHostCapacity > 10;
            seen.unplaceable ||= result.unplaceable !== undefined;
            seen.portLimited ||= result.limitingResource === "PORTS";
            seen.eniLimited ||= result.limitingResource === "ENI";
        }
        assert.deepEqual(seen, {
            idleAboveTen: true,
            unplaceable: true,
            portLimited: true,
            eniLimited: true,
        });
    });
});
