/**
 * What a task reserves on a container instance and whether it fits, as ECS accounts for it:
 * task-level cpu/memory when set, else the sum over containers (memoryReservation when set, else
 * memory; a missing cpu counts 0); static host ports; one ENI per awsvpc task.
 */
import type { Resource } from "@aws-sdk/client-ecs";
import type { ContainerDefinitionState, ContainerInstanceState, NetworkMode } from "./state";

/** Ports the ECS agent reserves on every instance (SSH, the Docker daemon, the agent's introspection). */
export const AGENT_RESERVED_TCP_PORTS: readonly number[] = [22, 2376, 2375, 51678, 51679];

export interface TaskRequirements {
    readonly cpu: number;
    readonly memory: number;
    readonly tcpPorts: readonly number[];
    readonly udpPorts: readonly number[];
    readonly needsEni: boolean;
}

/** Why a task does not fit an instance; the order is the order ECS reports them in. */
export type PlacementShortfall = "CPU" | "MEMORY" | "PORTS" | "ENI";

export function taskRequirements(
    networkMode: NetworkMode,
    taskCpu: string | undefined,
    taskMemory: string | undefined,
    containers: readonly ContainerDefinitionState[],
): TaskRequirements {
    const cpu = taskCpu !== undefined ? Number(taskCpu) : containers.reduce((sum, c) => sum + c.cpu, 0);
    const memory =
        taskMemory !== undefined
            ? Number(taskMemory)
            : containers.reduce((sum, c) => sum + (c.memoryReservation ?? c.memory ?? 0), 0);
    const tcpPorts: number[] = [];
    const udpPorts: number[] = [];
    if (networkMode === "bridge" || networkMode === "host") {
        for (const container of containers) {
            for (const mapping of container.portMappings) {
                // hostPort 0 in bridge mode is a dynamic port from the ephemeral range, not reserved.
                const hostPort = networkMode === "host" ? mapping.containerPort : mapping.hostPort;
                if (hostPort === 0) continue;
                (mapping.protocol === "udp" ? udpPorts : tcpPorts).push(hostPort);
            }
        }
    }
    return { cpu, memory, tcpPorts, udpPorts, needsEni: networkMode === "awsvpc" };
}

export function remainingCpu(instance: ContainerInstanceState): number {
    return instance.registeredCpu - instance.usedCpu;
}

export function remainingMemory(instance: ContainerInstanceState): number {
    return instance.registeredMemory - instance.usedMemory;
}

/** Every way the task does not fit, in ECS's order; empty when it fits. */
export function shortfalls(instance: ContainerInstanceState, req: TaskRequirements): PlacementShortfall[] {
    const out: PlacementShortfall[] = [];
    if (req.cpu > remainingCpu(instance)) out.push("CPU");
    if (req.memory > remainingMemory(instance)) out.push("MEMORY");
    const portTaken =
        req.tcpPorts.some((p) => instance.usedTcpPorts.has(p) || AGENT_RESERVED_TCP_PORTS.includes(p)) ||
        req.udpPorts.some((p) => instance.usedUdpPorts.has(p));
    if (portTaken) out.push("PORTS");
    if (req.needsEni && instance.attachments.length >= instance.eniSlots) out.push("ENI");
    return out;
}

export function reserve(instance: ContainerInstanceState, req: TaskRequirements): void {
    instance.usedCpu += req.cpu;
    instance.usedMemory += req.memory;
    for (const p of req.tcpPorts) instance.usedTcpPorts.add(p);
    for (const p of req.udpPorts) instance.usedUdpPorts.add(p);
}

export function release(instance: ContainerInstanceState, req: TaskRequirements): void {
    instance.usedCpu -= req.cpu;
    instance.usedMemory -= req.memory;
    for (const p of req.tcpPorts) instance.usedTcpPorts.delete(p);
    for (const p of req.udpPorts) instance.usedUdpPorts.delete(p);
}

function integerResource(name: string, value: number): Resource {
    return { name, type: "INTEGER", doubleValue: 0, longValue: 0, integerValue: value };
}

function portsResource(name: string, ports: readonly number[]): Resource {
    return {
        name,
        type: "STRINGSET",
        doubleValue: 0,
        longValue: 0,
        integerValue: 0,
        stringSetValue: ports.map(String),
    };
}

export function registeredResources(instance: ContainerInstanceState): Resource[] {
    return [
        integerResource("CPU", instance.registeredCpu),
        integerResource("MEMORY", instance.registeredMemory),
        portsResource("PORTS", AGENT_RESERVED_TCP_PORTS),
        portsResource("PORTS_UDP", []),
    ];
}

/** As the API reports them: remaining CPU and MEMORY, and the PORTS sets of ports in use (reserved ones included). */
export function remainingResources(instance: ContainerInstanceState): Resource[] {
    return [
        integerResource("CPU", remainingCpu(instance)),
        integerResource("MEMORY", remainingMemory(instance)),
        portsResource("PORTS", [...AGENT_RESERVED_TCP_PORTS, ...instance.usedTcpPorts]),
        portsResource("PORTS_UDP", [...instance.usedUdpPorts]),
    ];
}
