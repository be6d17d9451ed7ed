/**
 * What one task of a task definition reserves on a container instance: the figures the ECS
 * scheduler subtracts from `remainingResources` when it places the task.
 */
import type { ContainerDefinition, TaskDefinition } from "@aws-sdk/client-ecs";

export interface TaskShape {
    /** The task definition family (or the override's name); names the shape in logs. */
    readonly name: string;
    /** CPU units (1024 per vCPU). */
    readonly cpu: number;
    /** MiB. */
    readonly memory: number;
    /** Static host ports; each can be bound by one task per instance. */
    readonly tcpPorts: readonly string[];
    readonly udpPorts: readonly string[];
    /** awsvpc network mode: each task takes one ENI slot of the instance. */
    readonly awsvpc: boolean;
}

/** A shape given in stack config: added to the services' shapes, or replacing the one of the same name. */
export interface TaskShapeOverride {
    readonly name: string;
    readonly cpu: number;
    readonly memory: number;
    readonly tcpPorts?: readonly number[];
    readonly udpPorts?: readonly number[];
    readonly awsvpc?: boolean;
}

/**
 * The reservation of one task of `taskDefinition`. Task-level cpu/memory win when set (the API
 * returns them as strings; "1 vCPU" / "2 GB" are accepted too); otherwise the sum over containers,
 * with memoryReservation before memory and a missing cpu counting 0.
 */
export function taskShapeOf(taskDefinition: TaskDefinition): TaskShape {
    const name = taskDefinition.family ?? taskDefinition.taskDefinitionArn ?? "unnamed";
    const containers = taskDefinition.containerDefinitions ?? [];
    const cpu =
        taskDefinition.cpu != null
            ? parseTaskLevel(taskDefinition.cpu, "vcpu", 1024, `${name}.cpu`)
            : containers.reduce((sum, container) => sum + (container.cpu ?? 0), 0);
    const memory =
        taskDefinition.memory != null
            ? parseTaskLevel(taskDefinition.memory, "gb", 1024, `${name}.memory`)
            : containers.reduce((sum, container) => sum + containerMemory(container), 0);
    if (!(memory > 0)) {
        throw new Error(
            `${name}.memory: expected task-level memory or a memory/memoryReservation on some container, got none`,
        );
    }
    const awsvpc = taskDefinition.networkMode === "awsvpc";
    const tcpPorts = new Set<string>();
    const udpPorts = new Set<string>();
    // awsvpc tasks bind ports on their own ENI, never on the instance, so they hold no host port.
    if (!awsvpc) {
        for (const container of containers) {
            for (const mapping of container.portMappings ?? []) {
                // In host mode the container binds the instance's port itself (hostPort, if given, must equal it).
                const hostPort =
                    taskDefinition.networkMode === "host" ? mapping.containerPort : mapping.hostPort;
                // hostPort 0 or absent in bridge mode is a dynamic port: no constraint on placement.
                if (hostPort == null || hostPort === 0) continue;
                (mapping.protocol === "udp" ? udpPorts : tcpPorts).add(String(hostPort));
            }
        }
    }
    return { name, cpu, memory, tcpPorts: [...tcpPorts].sort(), udpPorts: [...udpPorts].sort(), awsvpc };
}

/** Validates a configured shape and converts it to a TaskShape; errors name the field. */
export function taskShapeFromOverride(override: TaskShapeOverride, field: string): TaskShape {
    if (typeof override.name !== "string" || override.name.length === 0) {
        throw new Error(`${field}.name: expected a non-empty string`);
    }
    if (!Number.isInteger(override.cpu) || override.cpu < 0) {
        throw new Error(`${field}.cpu: expected an integer number of CPU units >= 0, got ${override.cpu}`);
    }
    if (!Number.isInteger(override.memory) || override.memory <= 0) {
        throw new Error(`${field}.memory: expected an integer number of MiB > 0, got ${override.memory}`);
    }
    const ports = (list: readonly number[] | undefined, key: string): string[] =>
        (list ?? []).map((port, index) => {
            if (!Number.isInteger(port) || port < 1 || port > 65535) {
                throw new Error(`${field}.${key}[${index}]: expected a port 1-65535, got ${port}`);
            }
            return String(port);
        });
    return {
        name: override.name,
        cpu: override.cpu,
        memory: override.memory,
        tcpPorts: ports(override.tcpPorts, "tcpPorts"),
        udpPorts: ports(override.udpPorts, "udpPorts"),
        awsvpc: override.awsvpc ?? false,
    };
}

/**
 * The services' shapes with the configured ones merged in: an override replaces every shape of
 * that name (all revisions of a family), one with a new name is added.
 */
export function mergeTaskShapes(
    fromServices: readonly TaskShape[],
    overrides: readonly TaskShapeOverride[],
): TaskShape[] {
    const configured = overrides.map((override, index) =>
        taskShapeFromOverride(override, `extraTaskShapes[${index}]`),
    );
    const replaced = new Set(configured.map((shape) => shape.name));
    return [...fromServices.filter((shape) => !replaced.has(shape.name)), ...configured];
}

function containerMemory(container: ContainerDefinition): number {
    return container.memoryReservation ?? container.memory ?? 0;
}

function parseTaskLevel(value: string, unitWord: "vcpu" | "gb", unitsPerWord: number, field: string): number {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
    const unit = match?.[2].toLowerCase();
    if (match && (unit === "" || unit === unitWord)) {
        const amount = Number(match[1]) * (unit === "" ? 1 : unitsPerWord);
        if (Number.isInteger(amount) && amount >= 0) return amount;
    }
    const example = unitWord === "vcpu" ? `"1024" or "1 vCPU"` : `"2048" or "2 GB"`;
    throw new Error(`${field}: expected ${example}, got ${JSON.stringify(value)}`);
}
