/**
 * The capacity decision: how many more worst-case tasks the cluster can place now
 * (ContainerCapacity, drives scale-out) and how many instances it could lose while still holding
 * every current task plus spare room (IdleHostCapacity, drives scale-in). Pure: the adapter in
 * capacityHandler.ts fetches the inputs.
 *
 * Definitions (the book's, corrected as DESIGN.md "Capacity" explains):
 * - Slots of one instance for one task shape = min over the resources the shape uses of
 *   ⌊remaining CPU / task CPU⌋, ⌊remaining MEMORY / task MEMORY⌋, static TCP and UDP host ports
 *   (0 if any port the task needs is taken, else 1: one task per port per instance) and free ENI
 *   slots for awsvpc. Only ACTIVE instances with a connected agent have slots. An instance's ENI
 *   slots follow its own trunk interface (the `ecs.awsvpc-trunk-id` attribute), not the account
 *   setting: the setting reaches only instances launched after it was turned on.
 * - Worst-case task = the shape whose cluster-wide slot total is lowest (ties: a shape that fits
 *   no instance even when empty first, then input order). ContainerCapacity = that total, i.e.
 *   min over shapes of Σ over instances of slots, never a sum of per-resource totals.
 * - IdleHostCapacity = the largest k such that, for every count from 1 to k, after removing that
 *   many least-used instances, the reservations in use on them (and on DRAINING instances, whose
 *   tasks are being re-homed) can be re-packed onto the rest and ContainerCapacity of the rest is
 *   still >= minimumSpareTasks. It is an integer: removing one instance is safe exactly when
 *   IdleHostCapacity >= 1.
 *
 * Approximation in the re-packing: ECS reports what an instance uses only in aggregate
 * (registered − remaining), so each removed instance's usage moves as one indivisible bundle,
 * placed first-fit, largest bundle first. A bundle that fits proves its tasks fit; tasks that
 * could be split across several hosts may be refused, so the figure errs low (never removes an
 * instance whose tasks have nowhere to go; may keep one that could go).
 *
 * Cost: near-linear in the instances for clusters of a few instance types and task sizes, where
 * many instances are alike. Instances with the same free resources are interchangeable, so slots
 * are counted once per distinct free-resource signature; the bundles are kept sorted as runs of
 * identical bundles, one run growing as each count removes one more instance; first-fit places a
 * whole run at once on stretches of identical hosts (each host of a stretch takes as many copies
 * as fit, which is where first-fit puts them one by one), reads the kept hosts only as far as it
 * needs, and stops looking at a host once no bundle still to place can fit it. When every
 * instance differs from every other, each count still re-packs every bundle: the cost is then of
 * the order of the implementation this replaced. test/runtime/capacity.property.test.ts checks
 * every figure against that implementation on random clusters.
 */
import type { Attachment, ContainerInstance, Resource } from "@aws-sdk/client-ecs";
import { INSTANCE_TYPES, awsvpcTaskSlots, type InstanceTypeInfo } from "./instanceTypes";
import type { TaskShape } from "./taskShape";

export type ResourceName = "CPU" | "MEMORY" | "PORTS" | "PORTS_UDP" | "ENI";

/** Tie order when two resources allow the same number of tasks. */
const RESOURCE_ORDER: readonly ResourceName[] = ["CPU", "MEMORY", "PORTS", "PORTS_UDP", "ENI"];

/**
 * ECS adds this attribute to a container instance that has a trunk network interface (ECS
 * developer guide, "Amazon ECS container instance attributes", optional attributes; "Elastic
 * network interface trunking": only instances launched after the `awsvpcTrunking` setting was
 * turned on, of a supported type, get one).
 */
export const TRUNK_ATTRIBUTE = "ecs.awsvpc-trunk-id";

export interface CapacitySettings {
    /** Worst-case tasks that must still fit after a scale-in; default 1 (the scale-out threshold). */
    readonly minimumSpareTasks?: number;
}

export interface InstanceCapacity {
    readonly containerInstanceArn: string;
    readonly ec2InstanceId?: string;
    readonly instanceType?: string;
    /** Worst-case tasks this instance can place now. */
    readonly schedulableTasks: number;
    readonly limitingResource: ResourceName | "NOT_ACTIVE" | "AGENT_DISCONNECTED";
    /** Per resource the worst-case task uses, the tasks that resource alone allows. */
    readonly slotsByResource: Readonly<Partial<Record<ResourceName, number>>>;
    /** The instance type is not in INSTANCE_TYPES, so its ENI slots were not counted as a limit. */
    readonly eniSlotsUnknown: boolean;
}

export interface CapacityResult {
    readonly containerCapacity: number;
    readonly idleHostCapacity: number;
    readonly perInstance: readonly InstanceCapacity[];
    readonly worstCaseTask: TaskShape;
    /** The resource that limits the most ACTIVE instances for the worst-case task. */
    readonly limitingResource: ResourceName | "NO_ACTIVE_INSTANCES";
    /** Set when the worst-case task fits no ACTIVE instance even empty: adding instances of these types cannot help. */
    readonly unplaceable?: string;
    /** Types (or "unknown" for a missing attribute) whose ENI slots are not known; awsvpc capacity on them is not ENI-limited. */
    readonly unknownInstanceTypes: readonly string[];
}

/** What an instance has free (remaining) or in use (registered − remaining). */
interface Reservation {
    cpu: number;
    memory: number;
    /** Host ports taken (free side) or bound by tasks (used side). */
    readonly tcpPorts: Set<string>;
    readonly udpPorts: Set<string>;
    /** Free side: ENI slots left, undefined when the type is unknown. Used side: ENIs attached. */
    enis: number | undefined;
}

/** An instance as the evaluation sees it, read from its description once. */
interface Parsed {
    readonly instance: ContainerInstance;
    readonly type: string | undefined;
    readonly schedulable: boolean;
    readonly free: Reservation;
    readonly used: Reservation;
    /** max(used/registered) over CPU and MEMORY, to remove the emptiest instances first. */
    readonly utilisation: number;
    /** Instances with the same id have the same free resources: interchangeable for placement. */
    readonly freeId: number;
}

interface ShapeSlots {
    readonly slots: number;
    readonly limiting: ResourceName;
    readonly byResource: Partial<Record<ResourceName, number>>;
}

// An array, not a Set: a module-level Set does not survive Lambda closure serialization.
const ENDED_ATTACHMENT_STATUSES: readonly string[] = ["DETACHED", "DELETED", "FAILED"];

export function evaluateCapacity(
    instances: readonly ContainerInstance[],
    taskShapes: readonly TaskShape[],
    settings: CapacitySettings = {},
): CapacityResult {
    validateShapes(taskShapes);
    const minimumSpareTasks = settings.minimumSpareTasks ?? 1;
    if (!Number.isInteger(minimumSpareTasks) || minimumSpareTasks < 0) {
        throw new Error(`minimumSpareTasks: expected an integer >= 0, got ${settings.minimumSpareTasks}`);
    }
    const signatures = new SignatureTable();
    const parsed = instances.map((instance) => parseInstance(instance, signatures));
    const hosts = parsed.filter((p) => p.schedulable);
    const drainingUsage = parsed.filter((p) => p.instance.status === "DRAINING").map((p) => p.used);
    const slots = new SlotTable(signatures, taskShapes);
    const hostsPerSignature = countBy(hosts, (host) => host.freeId);

    const totals = taskShapes.map((_, shape) => {
        let sum = 0;
        for (const [freeId, count] of hostsPerSignature) sum += count * slots.of(freeId, shape).slots;
        return sum;
    });
    const placeable = taskShapes.map((shape) => anyFitsWhenEmpty(hosts, shape));
    let worst = 0;
    for (let index = 1; index < taskShapes.length; index++) {
        const lower = totals[index] < totals[worst];
        const tieButUnplaceable = totals[index] === totals[worst] && placeable[worst] && !placeable[index];
        if (lower || tieButUnplaceable) worst = index;
    }
    const worstCaseTask = taskShapes[worst];

    return {
        containerCapacity: totals[worst],
        idleHostCapacity: idleHosts(hosts, drainingUsage, slots, minimumSpareTasks),
        perInstance: parsed.map((p) => instanceCapacity(p, slots, worst)),
        worstCaseTask,
        limitingResource: mostCommonLimit(hostsPerSignature, slots, worst),
        unplaceable:
            hosts.length > 0 && !placeable[worst] ? unplaceableReason(hosts, worstCaseTask) : undefined,
        unknownInstanceTypes: [
            ...new Set(
                hosts
                    .filter((host) => host.type === undefined || INSTANCE_TYPES[host.type] === undefined)
                    .map((host) => host.type ?? "unknown"),
            ),
        ].sort(),
    };
}

function validateShapes(taskShapes: readonly TaskShape[]): void {
    if (taskShapes.length === 0) throw new Error("taskShapes: expected at least one task shape, got none");
    taskShapes.forEach((shape, index) => {
        if (!Number.isFinite(shape.cpu) || shape.cpu < 0) {
            throw new Error(`taskShapes[${index}].cpu: expected CPU units >= 0, got ${shape.cpu}`);
        }
        if (!Number.isFinite(shape.memory) || shape.memory <= 0) {
            throw new Error(`taskShapes[${index}].memory: expected MiB > 0, got ${shape.memory}`);
        }
    });
}

function countBy<T>(items: readonly T[], key: (item: T) => number): Map<number, number> {
    const counts = new Map<number, number>();
    for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
    return counts;
}

// ---- reading an instance -----------------------------------------------------------------

/** DRAINING and INACTIVE instances take no new tasks; nor does one whose agent is disconnected. */
function isSchedulable(instance: ContainerInstance): boolean {
    return instance.status === "ACTIVE" && instance.agentConnected !== false;
}

function attributeOf(instance: ContainerInstance, name: string): string | undefined {
    return instance.attributes?.find((attribute) => attribute.name === name)?.value;
}

function hasTrunkInterface(instance: ContainerInstance): boolean {
    return instance.attributes?.some((attribute) => attribute.name === TRUNK_ATTRIBUTE) ?? false;
}

function integerResource(resources: Resource[] | undefined, name: string): number {
    return resources?.find((resource) => resource.name === name)?.integerValue ?? 0;
}

function portResource(resources: Resource[] | undefined, name: string): Set<string> {
    return new Set(resources?.find((resource) => resource.name === name)?.stringSetValue ?? []);
}

function attachedEnis(attachments: Attachment[] | undefined): number {
    return (attachments ?? []).filter(
        (attachment) =>
            attachment.type === "ElasticNetworkInterface" &&
            !ENDED_ATTACHMENT_STATUSES.includes(attachment.status ?? ""),
    ).length;
}

/**
 * registered − remaining. ECS lists in remaining PORTS the ports that are taken (the agent's
 * reserved ones, which are also the registered set, plus those bound by tasks).
 */
function usedReservation(instance: ContainerInstance): Reservation {
    const registered = instance.registeredResources;
    const remaining = instance.remainingResources;
    const difference = (name: string): Set<string> => {
        const reserved = portResource(registered, name);
        return new Set([...portResource(remaining, name)].filter((port) => !reserved.has(port)));
    };
    return {
        cpu: Math.max(0, integerResource(registered, "CPU") - integerResource(remaining, "CPU")),
        memory: Math.max(0, integerResource(registered, "MEMORY") - integerResource(remaining, "MEMORY")),
        tcpPorts: difference("PORTS"),
        udpPorts: difference("PORTS_UDP"),
        enis: attachedEnis(instance.attachments),
    };
}

function parseInstance(instance: ContainerInstance, signatures: SignatureTable): Parsed {
    const remaining = instance.remainingResources;
    const registered = instance.registeredResources;
    const type = attributeOf(instance, "ecs.instance-type");
    const info: InstanceTypeInfo | undefined = type === undefined ? undefined : INSTANCE_TYPES[type];
    const used = usedReservation(instance);
    const free: Reservation = {
        cpu: Math.max(0, integerResource(remaining, "CPU")),
        memory: Math.max(0, integerResource(remaining, "MEMORY")),
        tcpPorts: portResource(remaining, "PORTS"),
        udpPorts: portResource(remaining, "PORTS_UDP"),
        enis:
            info === undefined
                ? undefined
                : Math.max(0, awsvpcTaskSlots(info, hasTrunkInterface(instance)) - (used.enis ?? 0)),
    };
    const share = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);
    return {
        instance,
        type,
        schedulable: isSchedulable(instance),
        free,
        used,
        utilisation: Math.max(
            share(used.cpu, integerResource(registered, "CPU")),
            share(used.memory, integerResource(registered, "MEMORY")),
        ),
        freeId: signatures.idOf(free),
    };
}

/** Interns reservations by value: equal free resources get one id and one slot count per shape. */
class SignatureTable {
    readonly reservations: Reservation[];
    private readonly ids: Map<string, number>;

    // Fields are set here, not by initializers: Pulumi's closure serialization drops those.
    constructor() {
        this.reservations = [];
        this.ids = new Map();
    }

    idOf(reservation: Reservation): number {
        const key = [
            reservation.cpu,
            reservation.memory,
            reservation.enis ?? "-",
            [...reservation.tcpPorts].sort().join(","),
            [...reservation.udpPorts].sort().join(","),
        ].join("/");
        let id = this.ids.get(key);
        if (id === undefined) {
            id = this.reservations.length;
            this.reservations.push(reservation);
            this.ids.set(key, id);
        }
        return id;
    }
}

// ---- slots -------------------------------------------------------------------------------

function slotsFor(free: Reservation, shape: TaskShape): ShapeSlots {
    const byResource: Partial<Record<ResourceName, number>> = {};
    if (shape.cpu > 0) byResource.CPU = Math.floor(free.cpu / shape.cpu);
    const memorySlots = Math.floor(free.memory / shape.memory);
    byResource.MEMORY = memorySlots;
    if (shape.tcpPorts.length > 0)
        byResource.PORTS = shape.tcpPorts.some((port) => free.tcpPorts.has(port)) ? 0 : 1;
    if (shape.udpPorts.length > 0) {
        byResource.PORTS_UDP = shape.udpPorts.some((port) => free.udpPorts.has(port)) ? 0 : 1;
    }
    if (shape.awsvpc && free.enis !== undefined) byResource.ENI = free.enis;
    // MEMORY is always defined (every shape reserves memory); a tie names the earlier resource.
    let limiting: ResourceName = "MEMORY";
    let slots = memorySlots;
    for (const resource of RESOURCE_ORDER) {
        const allowed = byResource[resource];
        if (allowed !== undefined && (allowed < slots || (allowed === slots && resource === "CPU"))) {
            limiting = resource;
            slots = allowed;
        }
    }
    return { slots, limiting, byResource };
}

/** Slots of each interned free-resource signature for each shape, computed once. */
class SlotTable {
    private readonly cache: (ShapeSlots | undefined)[][];

    constructor(
        private readonly signatures: SignatureTable,
        readonly shapes: readonly TaskShape[],
    ) {
        this.cache = shapes.map(() => []);
    }

    of(freeId: number, shape: number): ShapeSlots {
        const cached = this.cache[shape][freeId];
        if (cached !== undefined) return cached;
        const computed = slotsFor(this.signatures.reservations[freeId], this.shapes[shape]);
        this.cache[shape][freeId] = computed;
        return computed;
    }
}

function instanceCapacity(p: Parsed, slots: SlotTable, worst: number): InstanceCapacity {
    const common = {
        containerInstanceArn: p.instance.containerInstanceArn ?? "",
        ec2InstanceId: p.instance.ec2InstanceId,
        instanceType: p.type,
        eniSlotsUnknown: p.type === undefined || INSTANCE_TYPES[p.type] === undefined,
    };
    if (!p.schedulable) {
        return {
            ...common,
            schedulableTasks: 0,
            limitingResource: p.instance.status === "ACTIVE" ? "AGENT_DISCONNECTED" : "NOT_ACTIVE",
            slotsByResource: {},
        };
    }
    const own = slots.of(p.freeId, worst);
    return {
        ...common,
        schedulableTasks: own.slots,
        limitingResource: own.limiting,
        slotsByResource: { ...own.byResource },
    };
}

function mostCommonLimit(
    hostsPerSignature: ReadonlyMap<number, number>,
    slots: SlotTable,
    shape: number,
): ResourceName | "NO_ACTIVE_INSTANCES" {
    if (hostsPerSignature.size === 0) return "NO_ACTIVE_INSTANCES";
    const counts = new Map<ResourceName, number>();
    for (const [freeId, hosts] of hostsPerSignature) {
        const { limiting } = slots.of(freeId, shape);
        counts.set(limiting, (counts.get(limiting) ?? 0) + hosts);
    }
    let best: ResourceName = RESOURCE_ORDER[0];
    for (const resource of RESOURCE_ORDER) {
        if ((counts.get(resource) ?? 0) > (counts.get(best) ?? 0)) best = resource;
    }
    return best;
}

// ---- unplaceable shapes ------------------------------------------------------------------

/** The resource that stops `shape` on this instance even with no task running, if any. */
function blockerWhenEmpty(host: Parsed, shape: TaskShape): string | undefined {
    const registeredCpu = host.free.cpu + host.used.cpu;
    const registeredMemory = host.free.memory + host.used.memory;
    if (shape.cpu > registeredCpu) return `CPU: needs ${shape.cpu}, registers ${registeredCpu}`;
    if (shape.memory > registeredMemory)
        return `MEMORY: needs ${shape.memory} MiB, registers ${registeredMemory}`;
    const reserved = (taken: Set<string>, used: Set<string>): string[] =>
        [...taken].filter((port) => !used.has(port));
    const tcpReserved = reserved(host.free.tcpPorts, host.used.tcpPorts);
    const tcpClash = shape.tcpPorts.find((port) => tcpReserved.includes(port));
    if (tcpClash !== undefined) return `PORTS: TCP ${tcpClash} is reserved by the agent`;
    const udpReserved = reserved(host.free.udpPorts, host.used.udpPorts);
    const udpClash = shape.udpPorts.find((port) => udpReserved.includes(port));
    if (udpClash !== undefined) return `PORTS_UDP: UDP ${udpClash} is reserved by the agent`;
    if (shape.awsvpc && host.free.enis !== undefined && host.free.enis + (host.used.enis ?? 0) === 0) {
        return "ENI: the type has no ENI slot for awsvpc tasks";
    }
    return undefined;
}

/** Whether the shape fits some host when empty; hosts alike in free and used resources are tried once. */
function anyFitsWhenEmpty(hosts: readonly Parsed[], shape: TaskShape): boolean {
    const tried = new Set<string>();
    for (const host of hosts) {
        const key = `${host.freeId}/${host.used.cpu}/${host.used.memory}/${host.used.enis}/${[...host.used.tcpPorts].join(",")}/${[...host.used.udpPorts].join(",")}`;
        if (tried.has(key)) continue;
        tried.add(key);
        if (blockerWhenEmpty(host, shape) === undefined) return true;
    }
    return false;
}

function unplaceableReason(hosts: readonly Parsed[], shape: TaskShape): string {
    const blockers = new Set<string>();
    for (const host of hosts) blockers.add(`${host.type ?? "unknown type"} ${blockerWhenEmpty(host, shape)}`);
    return `task "${shape.name}" (${shape.cpu} CPU, ${shape.memory} MiB) fits no ACTIVE instance even when empty: ${[
        ...blockers,
    ].join("; ")}`;
}

// ---- idle hosts --------------------------------------------------------------------------

function isEmptyUsage(usage: Reservation): boolean {
    return (
        usage.cpu === 0 &&
        usage.memory === 0 &&
        usage.tcpPorts.size === 0 &&
        usage.udpPorts.size === 0 &&
        !usage.enis
    );
}

/** Largest bundle first: memory is the scarcer resource on ECS hosts, then CPU, then ports. */
function largestFirst(a: Reservation, b: Reservation): number {
    return (
        b.memory - a.memory ||
        b.cpu - a.cpu ||
        b.tcpPorts.size + b.udpPorts.size - (a.tcpPorts.size + a.udpPorts.size) ||
        (b.enis ?? 0) - (a.enis ?? 0)
    );
}

/**
 * The bundles to re-home, in placement order (largest first, ties in the order they were added:
 * a stable sort of draining usage, then removed hosts in removal order), as runs of identical
 * bundles.
 */
class BundleRuns {
    readonly runs: { readonly bundle: Reservation; readonly id: number; count: number }[];
    total: number;
    private readonly signatures: SignatureTable;

    // Fields are set here, not by initializers: Pulumi's closure serialization drops those.
    constructor() {
        this.runs = [];
        this.total = 0;
        this.signatures = new SignatureTable();
    }

    add(bundle: Reservation): void {
        const id = this.signatures.idOf(bundle);
        // After every run that sorts before the bundle or ties with it: the newest comes last among equals.
        let low = 0;
        let high = this.runs.length;
        while (low < high) {
            const middle = (low + high) >> 1;
            if (largestFirst(this.runs[middle].bundle, bundle) <= 0) low = middle + 1;
            else high = middle;
        }
        const previous = this.runs[low - 1];
        if (previous !== undefined && previous.id === id) previous.count++;
        else this.runs.splice(low, 0, { bundle, id, count: 1 });
        this.total++;
    }
}

/** How many copies of `bundle` still fit on `free` (Infinity when nothing bounds it). */
function copiesThatFit(bundle: Reservation, free: Reservation): number {
    // Most hosts a scan passes do not fit at all: the cheap comparisons first.
    if (bundle.cpu > free.cpu || bundle.memory > free.memory) return 0;
    if (free.enis !== undefined && (bundle.enis ?? 0) > free.enis) return 0;
    let copies = Infinity;
    if (bundle.tcpPorts.size + bundle.udpPorts.size > 0) {
        for (const port of bundle.tcpPorts) if (free.tcpPorts.has(port)) return 0;
        for (const port of bundle.udpPorts) if (free.udpPorts.has(port)) return 0;
        // Once placed, a bundle's ports are taken: a second copy cannot bind them again.
        copies = 1;
    }
    if (bundle.cpu > 0) copies = Math.min(copies, Math.floor(free.cpu / bundle.cpu));
    if (bundle.memory > 0) copies = Math.min(copies, Math.floor(free.memory / bundle.memory));
    if (free.enis !== undefined && (bundle.enis ?? 0) > 0) {
        copies = Math.min(copies, Math.floor(free.enis / (bundle.enis ?? 0)));
    }
    return copies;
}

function placeCopies(bundle: Reservation, free: Reservation, copies: number): void {
    free.cpu -= copies * bundle.cpu;
    free.memory -= copies * bundle.memory;
    for (const port of bundle.tcpPorts) free.tcpPorts.add(port);
    for (const port of bundle.udpPorts) free.udpPorts.add(port);
    if (free.enis !== undefined) free.enis -= copies * (bundle.enis ?? 0);
}

function cloneReservation(reservation: Reservation): Reservation {
    return {
        cpu: reservation.cpu,
        memory: reservation.memory,
        tcpPorts: new Set(reservation.tcpPorts),
        udpPorts: new Set(reservation.udpPorts),
        enis: reservation.enis,
    };
}

/** Identical kept hosts, consecutive in first-fit order: `hosts` of them in state `free`. */
interface Segment {
    hosts: number;
    readonly free: Reservation;
    /** Set while the hosts are as the cluster reported them (their slots are in the SlotTable). */
    readonly freeId: number | undefined;
    /** The next segment that may still take a bundle. */
    next: Segment | undefined;
}

/**
 * The kept hosts of one count as first-fit sees them: stretches of identical hosts in removal
 * order, read lazily, split as bundles land on their first hosts, and dropped from the scan once
 * no bundle still to place could fit them.
 */
class KeptHosts {
    /** Every segment read so far, for the slot count; those not read are as reported. */
    readonly read: Segment[];
    private head: Segment | undefined;
    private tail: Segment | undefined;

    constructor(
        private readonly order: readonly Parsed[],
        private readonly stretchEnd: Int32Array,
        /** The first host not read yet. */
        public cursor: number,
    ) {
        // Set here, not by an initializer: Pulumi's closure serialization drops those.
        this.read = [];
    }

    /**
     * Places `copies` copies of `bundle` first-fit; false when some do not fit. `cannotFitRest`
     * says a host can take none of the bundles from here on, so later scans can skip it.
     */
    place(bundle: Reservation, copies: number, cannotFitRest: (free: Reservation) => boolean): boolean {
        let previous: Segment | undefined;
        let segment = this.head ?? this.readStretch();
        while (copies > 0) {
            if (segment === undefined) return false;
            if (cannotFitRest(segment.free)) {
                segment = this.unlink(previous, segment);
                continue;
            }
            const each = Math.min(copies, copiesThatFit(bundle, segment.free));
            if (each === 0) {
                previous = segment;
                segment = segment.next ?? this.readStretch();
                continue;
            }
            // Whole hosts of the segment take `each` copies; a last one may take the remainder.
            const full = Math.min(segment.hosts, Math.floor(copies / each));
            previous = this.split(previous, segment, full, bundle, each);
            copies -= full * each;
            if (copies > 0 && segment.hosts > 0) {
                previous = this.split(previous, segment, 1, bundle, copies);
                copies = 0;
            }
            segment = segment.hosts > 0 ? segment : this.unlink(previous, segment);
            segment ??= this.readStretch();
        }
        return true;
    }

    /** The next stretch of identical hosts, appended to the scan. */
    private readStretch(): Segment | undefined {
        if (this.cursor >= this.order.length) return undefined;
        const first = this.order[this.cursor];
        const end = this.stretchEnd[this.cursor];
        const segment: Segment = {
            hosts: end - this.cursor,
            free: first.free,
            freeId: first.freeId,
            next: undefined,
        };
        this.cursor = end;
        this.read.push(segment);
        if (this.tail === undefined) this.head = segment;
        else this.tail.next = segment;
        this.tail = segment;
        return segment;
    }

    /** Moves `hosts` hosts of `segment` with `copies` copies of `bundle` on each into a new segment before it. */
    private split(
        previous: Segment | undefined,
        segment: Segment,
        hosts: number,
        bundle: Reservation,
        copies: number,
    ): Segment | undefined {
        if (hosts === 0) return previous;
        const free = cloneReservation(segment.free);
        placeCopies(bundle, free, copies);
        const taken: Segment = { hosts, free, freeId: undefined, next: segment };
        segment.hosts -= hosts;
        this.read.push(taken);
        if (previous === undefined) this.head = taken;
        else previous.next = taken;
        return taken;
    }

    /** Drops `segment` from the scan (its hosts still count); returns the one after it. */
    private unlink(previous: Segment | undefined, segment: Segment): Segment | undefined {
        if (previous === undefined) this.head = segment.next;
        else previous.next = segment.next;
        if (this.tail === segment) this.tail = previous;
        return segment.next ?? this.readStretch();
    }
}

/**
 * The idle-host count: counts 1, 2, … of removed hosts (least utilised first) are tried in turn
 * until one fails, each by a first-fit re-packing of all bundles onto the kept hosts and a slot
 * count of what is left.
 */
function idleHosts(
    hosts: readonly Parsed[],
    drainingUsage: readonly Reservation[],
    slots: SlotTable,
    minimumSpareTasks: number,
): number {
    const order = [...hosts].sort(
        (a, b) =>
            a.utilisation - b.utilisation ||
            ((a.instance.containerInstanceArn ?? "") < (b.instance.containerInstanceArn ?? "") ? -1 : 1),
    );
    // suffix[shape][i]: slots of hosts order[i…] as they are, for the hosts the re-packing leaves alone.
    const suffix = slots.shapes.map((_, shape) => {
        const sums = new Float64Array(order.length + 1);
        for (let i = order.length - 1; i >= 0; i--)
            sums[i] = sums[i + 1] + slots.of(order[i].freeId, shape).slots;
        return sums;
    });
    // stretchEnd[i]: the first host after i whose free resources differ from host i's.
    const stretchEnd = new Int32Array(order.length);
    for (let i = order.length - 1; i >= 0; i--) {
        stretchEnd[i] =
            i + 1 < order.length && order[i + 1].freeId === order[i].freeId ? stretchEnd[i + 1] : i + 1;
    }
    const bundles = new BundleRuns();
    for (const usage of drainingUsage) if (!isEmptyUsage(usage)) bundles.add(usage);

    const repacks = (firstKept: number): boolean => {
        const runs = bundles.runs;
        // Over runs r…: the least memory, CPU and ENIs a bundle still to place needs. A host with
        // less than one of them takes nothing more, ever, in this pass.
        const least = {
            memory: new Float64Array(runs.length + 1).fill(Infinity),
            cpu: new Float64Array(runs.length + 1).fill(Infinity),
            enis: new Float64Array(runs.length + 1).fill(Infinity),
        };
        for (let run = runs.length - 1; run >= 0; run--) {
            const bundle = runs[run].bundle;
            least.memory[run] = Math.min(least.memory[run + 1], bundle.memory);
            least.cpu[run] = Math.min(least.cpu[run + 1], bundle.cpu);
            least.enis[run] = Math.min(least.enis[run + 1], bundle.enis ?? 0);
        }
        const kept = new KeptHosts(order, stretchEnd, firstKept);
        for (let run = 0; run < runs.length; run++) {
            const cannotFitRest = (free: Reservation): boolean =>
                free.memory < least.memory[run] ||
                free.cpu < least.cpu[run] ||
                (free.enis !== undefined && free.enis < least.enis[run]);
            if (!kept.place(runs[run].bundle, runs[run].count, cannotFitRest)) return false;
        }
        return slots.shapes.every((shape, index) => {
            let total = suffix[index][kept.cursor];
            for (const segment of kept.read) {
                if (segment.hosts === 0) continue;
                const each =
                    segment.freeId === undefined
                        ? slotsFor(segment.free, shape).slots
                        : slots.of(segment.freeId, index).slots;
                total += segment.hosts * each;
            }
            return total >= minimumSpareTasks;
        });
    };

    let removable = 0;
    for (let count = 1; count <= order.length; count++) {
        const removed = order[count - 1].used;
        if (!isEmptyUsage(removed)) bundles.add(removed);
        if (!repacks(count)) break;
        removable = count;
    }
    return removable;
}
