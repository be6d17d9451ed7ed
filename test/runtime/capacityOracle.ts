/**
 * The capacity evaluation as it shipped before the near-linear rewrite (runtime/capacity.ts), kept
 * as the oracle of the property test (capacity.property.test.ts); it is not part of any Lambda.
 * It re-packs from scratch for every candidate count of removed hosts and clones each kept host
 * per count: O(n²) slot counts and more. Three changes from the shipped text, and only these: the
 * imports point at runtime/; its result types are runtime/capacity.ts's, so the two cannot drift
 * apart; and `trunking` may be a function of the instance, so that clusters where some instances
 * have a trunk interface and others not can be compared too (the shipped version took one
 * account-wide boolean).
 *
 * Its original description follows.
 *
 * The capacity decision: how many more worst-case tasks the cluster can place now
 * (ContainerCapacity, drives scale-out) and how many instances it could lose while still holding
 * every current task plus spare room (IdleHostCapacity, drives scale-in). Pure: the adapter in
 * capacityHandler.ts fetches the inputs.
 *
 * Definitions (the book's, corrected as DESIGN.md "Capacity" explains):
 * - Slots of one instance for one task shape = min over the resources the shape uses of
 *   ⌊remaining CPU / task CPU⌋, ⌊remaining MEMORY / task MEMORY⌋, static TCP and UDP host ports
 *   (0 if any port the task needs is taken, else 1: one task per port per instance) and free ENI
 *   slots for awsvpc. Only ACTIVE instances with a connected agent have slots.
 * - Worst-case task = the shape whose cluster-wide slot total is lowest (ties: a shape that fits
 *   no instance even when empty first, then input order). ContainerCapacity = that total, i.e.
 *   min over shapes of Σ over instances of slots, never a sum of per-resource totals.
 * - IdleHostCapacity = the largest k such that, after removing the k least-used instances, the
 *   reservations in use on them (and on DRAINING instances, whose tasks are being re-homed) can
 *   be re-packed onto the rest and ContainerCapacity of the rest is still >= minimumSpareTasks.
 *   It is an integer: removing one instance is safe exactly when IdleHostCapacity >= 1.
 *
 * Approximation in the re-packing: ECS reports what an instance uses only in aggregate
 * (registered − remaining), so each removed instance's usage moves as one indivisible bundle,
 * placed first-fit, largest bundle first. A bundle that fits proves its tasks fit; tasks that
 * could be split across several hosts may be refused, so the figure errs low (never removes an
 * instance whose tasks have nowhere to go; may keep one that could go).
 */
import type { Attachment, ContainerInstance, Resource } from "@aws-sdk/client-ecs";
import { INSTANCE_TYPES, awsvpcTaskSlots } from "../../runtime/instanceTypes";
import type { CapacityResult, InstanceCapacity, ResourceName } from "../../runtime/capacity";
import type { TaskShape } from "../../runtime/taskShape";

/** Tie order when two resources allow the same number of tasks. */
const RESOURCE_ORDER: readonly ResourceName[] = ["CPU", "MEMORY", "PORTS", "PORTS_UDP", "ENI"];

export interface CapacitySettings {
    /** The account's `awsvpcTrunking` setting: many more awsvpc tasks per supported instance (per instance when a function). */
    readonly trunking: boolean | ((instance: ContainerInstance) => boolean);
    /** Worst-case tasks that must still fit after a scale-in; default 1 (the scale-out threshold). */
    readonly minimumSpareTasks?: number;
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

interface Host {
    readonly arn: string;
    readonly free: Reservation;
    readonly used: Reservation;
    /** max(used/registered) over CPU and MEMORY, to remove the emptiest instances first. */
    readonly utilisation: number;
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
    settings: CapacitySettings,
): CapacityResult {
    validateShapes(taskShapes);
    const minimumSpareTasks = settings.minimumSpareTasks ?? 1;
    if (!Number.isInteger(minimumSpareTasks) || minimumSpareTasks < 0) {
        throw new Error(`minimumSpareTasks: expected an integer >= 0, got ${settings.minimumSpareTasks}`);
    }
    const hosts: Host[] = [];
    const drainingUsage: Reservation[] = [];
    const unknownTypes = new Set<string>();
    for (const instance of instances) {
        if (instance.status === "DRAINING") drainingUsage.push(usedReservation(instance));
        if (!isSchedulable(instance)) continue;
        const type = instanceTypeOf(instance);
        if (type === undefined || INSTANCE_TYPES[type] === undefined) unknownTypes.add(type ?? "unknown");
        hosts.push(toHost(instance, settings.trunking));
    }

    const totals = taskShapes.map((shape) =>
        sumSlots(
            hosts.map((host) => host.free),
            shape,
        ),
    );
    const placeable = taskShapes.map((shape) => hosts.some((host) => fitsWhenEmpty(host, shape)));
    let worst = 0;
    for (let index = 1; index < taskShapes.length; index++) {
        const lower = totals[index] < totals[worst];
        const tieButUnplaceable = totals[index] === totals[worst] && placeable[worst] && !placeable[index];
        if (lower || tieButUnplaceable) worst = index;
    }
    const worstCaseTask = taskShapes[worst];

    const perInstance = instances.map((instance): InstanceCapacity => {
        const type = instanceTypeOf(instance);
        const common = {
            containerInstanceArn: instance.containerInstanceArn ?? "",
            ec2InstanceId: instance.ec2InstanceId,
            instanceType: type,
            eniSlotsUnknown: type === undefined || INSTANCE_TYPES[type] === undefined,
        };
        if (!isSchedulable(instance)) {
            return {
                ...common,
                schedulableTasks: 0,
                limitingResource: instance.status === "ACTIVE" ? "AGENT_DISCONNECTED" : "NOT_ACTIVE",
                slotsByResource: {},
            };
        }
        const slots = slotsFor(toHost(instance, settings.trunking).free, worstCaseTask);
        return {
            ...common,
            schedulableTasks: slots.slots,
            limitingResource: slots.limiting,
            slotsByResource: slots.byResource,
        };
    });

    return {
        containerCapacity: totals[worst],
        idleHostCapacity: idleHosts(hosts, drainingUsage, taskShapes, minimumSpareTasks),
        perInstance,
        worstCaseTask,
        limitingResource: mostCommonLimit(hosts, worstCaseTask),
        unplaceable:
            hosts.length > 0 && !placeable[worst]
                ? unplaceableReason(instances, worstCaseTask, settings)
                : undefined,
        unknownInstanceTypes: [...unknownTypes].sort(),
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

/** DRAINING and INACTIVE instances take no new tasks; nor does one whose agent is disconnected. */
function isSchedulable(instance: ContainerInstance): boolean {
    return instance.status === "ACTIVE" && instance.agentConnected !== false;
}

function instanceTypeOf(instance: ContainerInstance): string | undefined {
    return instance.attributes?.find((attribute) => attribute.name === "ecs.instance-type")?.value;
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

function toHost(instance: ContainerInstance, trunkingSetting: CapacitySettings["trunking"]): Host {
    const trunking = typeof trunkingSetting === "function" ? trunkingSetting(instance) : trunkingSetting;
    const remaining = instance.remainingResources;
    const type = instanceTypeOf(instance);
    const info = type === undefined ? undefined : INSTANCE_TYPES[type];
    const used = usedReservation(instance);
    const free: Reservation = {
        cpu: Math.max(0, integerResource(remaining, "CPU")),
        memory: Math.max(0, integerResource(remaining, "MEMORY")),
        tcpPorts: portResource(remaining, "PORTS"),
        udpPorts: portResource(remaining, "PORTS_UDP"),
        enis:
            info === undefined ? undefined : Math.max(0, awsvpcTaskSlots(info, trunking) - (used.enis ?? 0)),
    };
    const share = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);
    const registered = instance.registeredResources;
    return {
        arn: instance.containerInstanceArn ?? "",
        free,
        used,
        utilisation: Math.max(
            share(used.cpu, integerResource(registered, "CPU")),
            share(used.memory, integerResource(registered, "MEMORY")),
        ),
    };
}

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

function sumSlots(frees: readonly Reservation[], shape: TaskShape): number {
    return frees.reduce((sum, free) => sum + slotsFor(free, shape).slots, 0);
}

function mostCommonLimit(hosts: readonly Host[], shape: TaskShape): ResourceName | "NO_ACTIVE_INSTANCES" {
    if (hosts.length === 0) return "NO_ACTIVE_INSTANCES";
    const counts = new Map<ResourceName, number>();
    for (const host of hosts) {
        const { limiting } = slotsFor(host.free, shape);
        counts.set(limiting, (counts.get(limiting) ?? 0) + 1);
    }
    let best: ResourceName = RESOURCE_ORDER[0];
    for (const resource of RESOURCE_ORDER) {
        if ((counts.get(resource) ?? 0) > (counts.get(best) ?? 0)) best = resource;
    }
    return best;
}

/** The resource that stops `shape` on this instance even with no task running, if any. */
function blockerWhenEmpty(host: Host, shape: TaskShape): string | undefined {
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

function fitsWhenEmpty(host: Host, shape: TaskShape): boolean {
    return blockerWhenEmpty(host, shape) === undefined;
}

function unplaceableReason(
    instances: readonly ContainerInstance[],
    shape: TaskShape,
    settings: CapacitySettings,
): string {
    const blockers = new Set<string>();
    for (const instance of instances) {
        if (!isSchedulable(instance)) continue;
        const blocker = blockerWhenEmpty(toHost(instance, settings.trunking), shape);
        blockers.add(`${instanceTypeOf(instance) ?? "unknown type"} ${blocker}`);
    }
    return `task "${shape.name}" (${shape.cpu} CPU, ${shape.memory} MiB) fits no ACTIVE instance even when empty: ${[
        ...blockers,
    ].join("; ")}`;
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

function isEmptyUsage(usage: Reservation): boolean {
    return (
        usage.cpu === 0 &&
        usage.memory === 0 &&
        usage.tcpPorts.size === 0 &&
        usage.udpPorts.size === 0 &&
        !usage.enis
    );
}

function fits(usage: Reservation, free: Reservation): boolean {
    return (
        usage.cpu <= free.cpu &&
        usage.memory <= free.memory &&
        ![...usage.tcpPorts].some((port) => free.tcpPorts.has(port)) &&
        ![...usage.udpPorts].some((port) => free.udpPorts.has(port)) &&
        (free.enis === undefined || (usage.enis ?? 0) <= free.enis)
    );
}

function place(usage: Reservation, free: Reservation): void {
    free.cpu -= usage.cpu;
    free.memory -= usage.memory;
    for (const port of usage.tcpPorts) free.tcpPorts.add(port);
    for (const port of usage.udpPorts) free.udpPorts.add(port);
    if (free.enis !== undefined) free.enis -= usage.enis ?? 0;
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

function idleHosts(
    hosts: readonly Host[],
    drainingUsage: readonly Reservation[],
    taskShapes: readonly TaskShape[],
    minimumSpareTasks: number,
): number {
    const removalOrder = [...hosts].sort((a, b) => a.utilisation - b.utilisation || (a.arn < b.arn ? -1 : 1));
    let removable = 0;
    for (let count = 1; count <= removalOrder.length; count++) {
        const keptFree = removalOrder.slice(count).map((host) => cloneReservation(host.free));
        const bundles = [...drainingUsage, ...removalOrder.slice(0, count).map((host) => host.used)]
            .filter((usage) => !isEmptyUsage(usage))
            .sort(largestFirst);
        const allPlaced = bundles.every((bundle) => {
            const target = keptFree.find((free) => fits(bundle, free));
            if (target !== undefined) place(bundle, target);
            return target !== undefined;
        });
        if (!allPlaced) break;
        if (taskShapes.some((shape) => sumSlots(keptFree, shape) < minimumSpareTasks)) break;
        removable = count;
    }
    return removable;
}
