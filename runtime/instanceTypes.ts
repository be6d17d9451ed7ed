/**
 * EC2 instance types this project knows how to pack tasks onto. Pure data, shared by the stack
 * settings (validation), the capacity runtime (ENI slots) and the simulated region (what an
 * instance registers with ECS).
 *
 * `registeredMemoryMiB` is what the ECS agent registers (physical memory less what the OS and the
 * agent keep; the book's t2.micro registers 993 MiB). `maxEnis` is the EC2 limit of network
 * interfaces: without trunking an instance runs `maxEnis - 1` awsvpc tasks, because the primary
 * ENI is the instance's own. `trunkEnis` is the awsvpc task limit with the `awsvpcTrunking`
 * account setting, or 0 where the type does not support trunking.
 */
export interface InstanceTypeInfo {
    readonly vcpus: number;
    readonly memoryMiB: number;
    readonly registeredMemoryMiB: number;
    readonly maxEnis: number;
    readonly trunkEnis: number;
    /** On-demand USD per hour in us-east-1; used to rank instances by cost. */
    readonly hourlyUsd: number;
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeInfo>> = {
    "t2.micro": {
        vcpus: 1,
        memoryMiB: 1024,
        registeredMemoryMiB: 993,
        maxEnis: 2,
        trunkEnis: 0,
        hourlyUsd: 0.0116,
    },
    "t3.micro": {
        vcpus: 2,
        memoryMiB: 1024,
        registeredMemoryMiB: 944,
        maxEnis: 2,
        trunkEnis: 0,
        hourlyUsd: 0.0104,
    },
    "t3.small": {
        vcpus: 2,
        memoryMiB: 2048,
        registeredMemoryMiB: 1939,
        maxEnis: 3,
        trunkEnis: 0,
        hourlyUsd: 0.0208,
    },
    "t3.medium": {
        vcpus: 2,
        memoryMiB: 4096,
        registeredMemoryMiB: 3892,
        maxEnis: 3,
        trunkEnis: 0,
        hourlyUsd: 0.0416,
    },
    "t3.large": {
        vcpus: 2,
        memoryMiB: 8192,
        registeredMemoryMiB: 7850,
        maxEnis: 3,
        trunkEnis: 0,
        hourlyUsd: 0.0832,
    },
    "c5.large": {
        vcpus: 2,
        memoryMiB: 4096,
        registeredMemoryMiB: 3711,
        maxEnis: 3,
        trunkEnis: 10,
        hourlyUsd: 0.085,
    },
    "c5.xlarge": {
        vcpus: 4,
        memoryMiB: 8192,
        registeredMemoryMiB: 7469,
        maxEnis: 4,
        trunkEnis: 20,
        hourlyUsd: 0.17,
    },
    "c5.2xlarge": {
        vcpus: 8,
        memoryMiB: 16384,
        registeredMemoryMiB: 15215,
        maxEnis: 4,
        trunkEnis: 40,
        hourlyUsd: 0.34,
    },
    "c6i.large": {
        vcpus: 2,
        memoryMiB: 4096,
        registeredMemoryMiB: 3711,
        maxEnis: 3,
        trunkEnis: 10,
        hourlyUsd: 0.085,
    },
    "c6i.xlarge": {
        vcpus: 4,
        memoryMiB: 8192,
        registeredMemoryMiB: 7469,
        maxEnis: 4,
        trunkEnis: 20,
        hourlyUsd: 0.17,
    },
    "m5.large": {
        vcpus: 2,
        memoryMiB: 8192,
        registeredMemoryMiB: 7681,
        maxEnis: 3,
        trunkEnis: 10,
        hourlyUsd: 0.096,
    },
    "m5.xlarge": {
        vcpus: 4,
        memoryMiB: 16384,
        registeredMemoryMiB: 15577,
        maxEnis: 4,
        trunkEnis: 20,
        hourlyUsd: 0.192,
    },
    "m5.2xlarge": {
        vcpus: 8,
        memoryMiB: 32768,
        registeredMemoryMiB: 31602,
        maxEnis: 4,
        trunkEnis: 40,
        hourlyUsd: 0.384,
    },
    "m5.4xlarge": {
        vcpus: 16,
        memoryMiB: 65536,
        registeredMemoryMiB: 63625,
        maxEnis: 8,
        trunkEnis: 60,
        hourlyUsd: 0.768,
    },
    "m6i.large": {
        vcpus: 2,
        memoryMiB: 8192,
        registeredMemoryMiB: 7681,
        maxEnis: 3,
        trunkEnis: 10,
        hourlyUsd: 0.096,
    },
    "m6i.xlarge": {
        vcpus: 4,
        memoryMiB: 16384,
        registeredMemoryMiB: 15577,
        maxEnis: 4,
        trunkEnis: 20,
        hourlyUsd: 0.192,
    },
    "r5.large": {
        vcpus: 2,
        memoryMiB: 16384,
        registeredMemoryMiB: 15698,
        maxEnis: 3,
        trunkEnis: 10,
        hourlyUsd: 0.126,
    },
    "r5.xlarge": {
        vcpus: 4,
        memoryMiB: 32768,
        registeredMemoryMiB: 31727,
        maxEnis: 4,
        trunkEnis: 20,
        hourlyUsd: 0.252,
    },
};

/** awsvpc tasks one instance of `type` can run, with or without ENI trunking. */
export function awsvpcTaskSlots(info: InstanceTypeInfo, trunking: boolean): number {
    return trunking && info.trunkEnis > 0 ? info.trunkEnis : info.maxEnis - 1;
}
