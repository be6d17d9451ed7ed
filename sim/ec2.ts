/**
 * EC2 as the rest of the simulated region sees it: launch templates (an AMI, an instance type and
 * the cluster the user data joins) and instances that boot, register their ECS agent, can be
 * interrupted when Spot, and terminate. Not a wire service: the ASG launches and terminates
 * instances, ECS learns about them through `ctx.ecs`.
 */
import { INSTANCE_TYPES } from "../runtime/instanceTypes";
import { AwsError } from "./errors";
import type { RegionContext } from "./types";

export type MarketOption = "on-demand" | "spot";
export type Ec2State = "pending" | "running" | "shutting-down" | "terminated";

export interface LaunchTemplateVersion {
    readonly versionNumber: number;
    readonly imageId: string;
    readonly instanceType: string;
    /** ECS_CLUSTER from the user data's /etc/ecs/ecs.config. */
    readonly clusterName: string;
}

export interface LaunchTemplate {
    readonly id: string;
    readonly name: string;
    readonly versions: LaunchTemplateVersion[];
}

export interface Ec2Instance {
    readonly instanceId: string;
    readonly instanceType: string;
    readonly availabilityZone: string;
    readonly imageId: string;
    readonly launchTemplateId: string;
    readonly launchTemplateVersion: number;
    readonly market: MarketOption;
    readonly clusterName: string;
    readonly launchedAt: number;
    state: Ec2State;
    runningAt?: number;
    terminatedAt?: number;
    /** The agent never registers (the neverRegisterRate fault). */
    readonly neverRegisters: boolean;
}

export interface LaunchRequest {
    readonly launchTemplateId: string;
    /** A version number, "$Latest" or "$Default" (the first version). */
    readonly launchTemplateVersion: string;
    readonly availabilityZone: string;
    readonly market: MarketOption;
    /** Overrides the launch template's type (mixed instances policy). */
    readonly instanceType?: string;
}

/** What the owner of an instance (its Auto Scaling group) hears from EC2. */
export interface Ec2Listener {
    instanceRunning(instance: Ec2Instance): void;
    instanceTerminated(instance: Ec2Instance): void;
}

export interface Ec2Timings {
    /** Launch to ECS agent registration, uniformly drawn in [min, max] ms. */
    readonly bootMs: readonly [number, number];
    /** shutting-down to terminated. */
    readonly shutdownMs: number;
    /** Spot interruption warning to termination (AWS gives 2 minutes). */
    readonly spotNoticeMs: number;
}

export const DEFAULT_EC2_TIMINGS: Ec2Timings = {
    bootMs: [60_000, 90_000],
    shutdownMs: 30_000,
    spotNoticeMs: 120_000,
};

export class Ec2Fleet {
    private readonly instances = new Map<string, Ec2Instance>();
    private readonly launchTemplates = new Map<string, LaunchTemplate>();
    private readonly listeners = new Map<string, Ec2Listener>();

    constructor(
        private readonly ctx: RegionContext,
        private readonly timings: Ec2Timings = DEFAULT_EC2_TIMINGS,
    ) {}

    createLaunchTemplate(
        name: string,
        imageId: string,
        instanceType: string,
        clusterName: string,
    ): LaunchTemplate {
        requireInstanceType(instanceType);
        if ([...this.launchTemplates.values()].some((t) => t.name === name)) {
            throw new AwsError(
                "InvalidLaunchTemplateName.AlreadyExistsException",
                `Launch template name already in use: ${name}`,
            );
        }
        const template: LaunchTemplate = {
            id: `lt-${this.ctx.random.hex(17)}`,
            name,
            versions: [{ versionNumber: 1, imageId, instanceType, clusterName }],
        };
        this.launchTemplates.set(template.id, template);
        return template;
    }

    /** A new version based on the latest one; how a user rolls a new AMI. Returns the version number. */
    createLaunchTemplateVersion(
        launchTemplateId: string,
        changes: { imageId?: string; instanceType?: string },
    ): number {
        const template = this.launchTemplate(launchTemplateId);
        const latest = template.versions[template.versions.length - 1];
        if (changes.instanceType !== undefined) requireInstanceType(changes.instanceType);
        const version: LaunchTemplateVersion = {
            versionNumber: latest.versionNumber + 1,
            imageId: changes.imageId ?? latest.imageId,
            instanceType: changes.instanceType ?? latest.instanceType,
            clusterName: latest.clusterName,
        };
        template.versions.push(version);
        return version.versionNumber;
    }

    launchTemplate(idOrName: string): LaunchTemplate {
        const template =
            this.launchTemplates.get(idOrName) ??
            [...this.launchTemplates.values()].find((t) => t.name === idOrName);
        if (!template) {
            throw new AwsError(
                "InvalidLaunchTemplateId.NotFound",
                `The specified launch template, with template ID ${idOrName}, does not exist.`,
            );
        }
        return template;
    }

    resolveVersion(launchTemplateId: string, version: string): LaunchTemplateVersion {
        const template = this.launchTemplate(launchTemplateId);
        if (version === "$Latest") return template.versions[template.versions.length - 1];
        if (version === "$Default") return template.versions[0];
        const found = template.versions.find((v) => String(v.versionNumber) === version);
        if (!found) {
            throw new AwsError(
                "InvalidLaunchTemplateId.VersionNotFound",
                `Could not find launch template version ${version} of ${launchTemplateId}`,
            );
        }
        return found;
    }

    launch(request: LaunchRequest, owner: Ec2Listener): Ec2Instance {
        const template = this.launchTemplate(request.launchTemplateId);
        const version = this.resolveVersion(template.id, request.launchTemplateVersion);
        const instanceType = request.instanceType ?? version.instanceType;
        requireInstanceType(instanceType);
        const instance: Ec2Instance = {
            instanceId: `i-${this.ctx.random.hex(17)}`,
            instanceType,
            availabilityZone: request.availabilityZone,
            imageId: version.imageId,
            launchTemplateId: template.id,
            launchTemplateVersion: version.versionNumber,
            market: request.market,
            clusterName: version.clusterName,
            launchedAt: this.ctx.clock.now(),
            state: "pending",
            neverRegisters: this.ctx.faultFires("neverRegisterRate", { imageId: version.imageId }),
        };
        this.instances.set(instance.instanceId, instance);
        this.listeners.set(instance.instanceId, owner);
        this.ctx.record("instance.launched", {
            instanceId: instance.instanceId,
            instanceType,
            availabilityZone: instance.availabilityZone,
            imageId: instance.imageId,
            market: instance.market,
        });
        const [minBoot, maxBoot] = this.timings.bootMs;
        this.ctx.clock.schedule(
            this.ctx.random.int(minBoot, maxBoot),
            `ec2.boot ${instance.instanceId}`,
            () => this.boot(instance),
        );
        return instance;
    }

    get(instanceId: string): Ec2Instance | undefined {
        return this.instances.get(instanceId);
    }

    /** Terminates at once: the ECS agent dies with the host, so every task on it stops now. */
    terminate(instanceId: string): void {
        const instance = this.instances.get(instanceId);
        if (!instance || instance.state === "shutting-down" || instance.state === "terminated") return;
        instance.state = "shutting-down";
        this.ctx.record("instance.terminating", { instanceId });
        this.ctx.ecs.instanceTerminated(instanceId);
        this.ctx.clock.schedule(this.timings.shutdownMs, `ec2.terminated ${instanceId}`, () => {
            instance.state = "terminated";
            instance.terminatedAt = this.ctx.clock.now();
            this.ctx.record("instance.terminated", { instanceId });
            this.listeners.get(instanceId)?.instanceTerminated(instance);
        });
    }

    /** Reclaims a Spot instance: the 2-minute warning, Spot draining by the ECS agent, then termination. */
    interruptSpot(instanceId: string): void {
        const instance = this.instances.get(instanceId);
        if (!instance) throw new Error(`interruptSpot: unknown instance ${instanceId}`);
        if (instance.market !== "spot")
            throw new Error(`interruptSpot: ${instanceId} is not a Spot instance`);
        if (instance.state !== "pending" && instance.state !== "running") return;
        this.ctx.record("instance.spotInterruption", { instanceId });
        this.ctx.events.emit(
            "aws.ec2",
            "EC2 Spot Instance Interruption Warning",
            { "instance-id": instanceId, "instance-action": "terminate" },
            [`arn:aws:ec2:${this.ctx.region}:${this.ctx.accountId}:instance/${instanceId}`],
        );
        this.ctx.ecs.spotInterruption(instanceId);
        this.ctx.clock.schedule(this.timings.spotNoticeMs, `ec2.spotTerminate ${instanceId}`, () =>
            this.terminate(instanceId),
        );
    }

    private boot(instance: Ec2Instance): void {
        if (instance.state !== "pending") return;
        instance.state = "running";
        instance.runningAt = this.ctx.clock.now();
        this.ctx.record("instance.running", { instanceId: instance.instanceId });
        if (!instance.neverRegisters) {
            this.ctx.ecs.registerInstance(
                instance.clusterName,
                instance.instanceId,
                instance.instanceType,
                instance.availabilityZone,
                instance.imageId,
            );
        }
        this.listeners.get(instance.instanceId)?.instanceRunning(instance);
    }
}

function requireInstanceType(instanceType: string): void {
    if (!INSTANCE_TYPES[instanceType]) {
        throw new AwsError(
            "InvalidParameterValue",
            `instanceType: expected one of ${Object.keys(INSTANCE_TYPES).join(", ")}, got ${instanceType}`,
        );
    }
}
