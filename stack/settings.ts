/**
 * The stack's settings: every config key of the `ecs-lifecycle` namespace, read and validated in
 * one place before any resource is declared. `parseSettings` is pure (the program, `npm run plan`
 * and `npm run simulate` all feed it), and reports every bad value at once, each naming its key
 * and the legal value or range.
 */
import {
    lifecycleGlobalTimeoutSeconds,
    requiredMaxReceiveCount,
    SQS_MAX_RECEIVE_COUNT,
    type DrainSettings,
} from "../runtime/drain";
import { MAX_REQUESTS_PER_SECOND, MIN_REQUESTS_PER_SECOND } from "../runtime/ecsLane";
import { INSTANCE_TYPES } from "../runtime/instanceTypes";
import {
    MANAGED_CAPACITY_DEFAULTS,
    MANAGED_CAPACITY_RANGES,
    type ManagedCapacitySettings,
} from "./capacityProvider";
import { cidrContains, cidrsOverlap, formatCidr, parseCidr, subdivide, type Cidr } from "./cidr";

export const CONFIG_NAMESPACE = "ecs-lifecycle";

/**
 * The program reads `ecs-lifecycle:` keys, while Pulumi files the stack's own keys (`pulumi config
 * set minSize 2`, Pulumi.yaml's `config:` block) under the project's name: a project renamed in
 * Pulumi.yaml would set keys the program never reads, and deploy every default. So a mismatch is
 * refused, naming both.
 */
export function checkProjectNamespace(project: string): void {
    if (project === CONFIG_NAMESPACE) return;
    throw new SettingsError([
        `Pulumi.yaml names the project "${project}", but the program reads its settings from the config namespace "${CONFIG_NAMESPACE}" (stack/settings.ts CONFIG_NAMESPACE), so keys set under "${project}:" would be ignored: name the project "${CONFIG_NAMESPACE}" again, or change CONFIG_NAMESPACE and rename the stack files' keys with it`,
    ]);
}

/** The drain Lambda's timeout. */
export const DRAIN_FUNCTION_TIMEOUT_SECONDS = 60;
/** The drain queue's visibility timeout: at least the function timeout (Lambda requires it), and how late a failed poll comes back. */
export const DRAIN_QUEUE_VISIBILITY_SECONDS = 2 * DRAIN_FUNCTION_TIMEOUT_SECONDS;

export type NatGatewayMode = "perAz" | "single";

export interface NetworkSettings {
    /** CIDR of the VPC (the existing VPC's primary CIDR when `vpcId` is set). */
    readonly vpcCidr: string;
    /** Existing VPC to use instead of creating one. */
    readonly existingVpcId?: string;
    /** The existing VPC's public subnets, one per AZ, in the order of `availabilityZones`. */
    readonly existingPublicSubnetIds?: readonly string[];
    /** AZ names, or undefined to take the first `azCount` available AZs at deploy time. */
    readonly availabilityZones?: readonly string[];
    readonly azCount: number;
    readonly natGateways: NatGatewayMode;
    /** Public subnet CIDRs for a new VPC (empty with an existing VPC). */
    readonly publicSubnetCidrs: readonly string[];
    readonly privateSubnetCidrs: readonly string[];
}

export interface ClusterSettings {
    readonly clusterName?: string;
    readonly instanceTypes: readonly string[];
    readonly onDemandBaseCapacity: number;
    readonly onDemandPercentage: number;
    readonly minSize: number;
    readonly maxSize: number;
    readonly desiredCapacity: number;
    readonly amiId?: string;
    readonly instanceWarmupSeconds: number;
    readonly minHealthyPercentage: number;
    readonly maxHealthyPercentage: number;
    readonly containerStopTimeoutSeconds: number;
    /** Declare the account's awsvpcTrunking setting (only the account settings owner may). */
    readonly awsvpcTrunking: boolean;
    readonly rootVolumeSizeGiB: number;
    /**
     * The service-linked role the group uses and the termination policy Lambda admits; undefined:
     * the stack creates its own (AWSServiceRoleForAutoScaling_<suffix>).
     */
    readonly serviceLinkedRoleArn?: string;
}

export interface EgressRule {
    readonly protocol: "tcp" | "udp";
    readonly port: number;
    readonly cidr: string;
}

export interface ServiceSettings {
    readonly name: string;
    readonly image: string;
    /** Task-level CPU units (1024 = 1 vCPU). */
    readonly cpu: number;
    /** Task-level memory, MiB. */
    readonly memory: number;
    readonly containerPort: number;
    readonly desiredCount: number;
    readonly minCount: number;
    readonly maxCount: number;
    readonly healthCheckPath: string;
    /** ALB path pattern routed to this service. */
    readonly pathPattern: string;
    readonly cpuTargetPercent: number;
    readonly extraEgress: readonly EgressRule[];
    readonly environment: Readonly<Record<string, string>>;
}

export interface AlbSettings {
    /** ACM certificate for an HTTPS listener on 443 (HTTP on 80 then redirects); none = HTTP only. */
    readonly certificateArn?: string;
    readonly deregistrationDelaySeconds: number;
}

/** The drain pipeline's settings: the hook, the drain Lambda's decisions, its sweep and its ECS budget. */
export interface DrainHookSettings extends DrainSettings {
    /** How often the sweep looks for instances in Terminating:Wait that no delivery drives. */
    readonly sweepIntervalMinutes: number;
    /** ECS requests the drain Lambda makes within any one second, all its invocations together. */
    readonly ecsRequestsPerSecond: number;
}

export interface CapacitySettings {
    /** Scale out when ContainerCapacity (worst-case tasks that still fit) drops below this. */
    readonly minimumSpareTasks: number;
    /** Scale in when IdleHostCapacity (instances removable with room to spare) is above this. */
    readonly idleHostThreshold: number;
    /** Minutes IdleHostCapacity must stay above the threshold before one instance goes. */
    readonly scaleInEvaluationMinutes: number;
    /** Instance warmup the scale-out policy allows before adding more (step scaling). */
    readonly scaleOutWarmupSeconds: number;
    /** Cooldown after each one-instance scale-in (simple scaling). */
    readonly scaleInCooldownSeconds: number;
}

/** Who scales and drains the group: this stack's Lambdas, or ECS's capacity provider. */
export type CapacityManagementMode = "custom" | "managed";
export const CAPACITY_MANAGEMENT_MODES: readonly CapacityManagementMode[] = ["custom", "managed"];

export interface CapacityManagementSettings {
    /**
     * custom: the drain hook, capacity scaler and termination policy Lambdas; managed: an Auto
     * Scaling group capacity provider with managed scaling, termination protection and draining.
     */
    readonly mode: CapacityManagementMode;
    /** The capacity provider's settings (read in both modes; used in managed). */
    readonly managed: ManagedCapacitySettings;
}

/** Days of the week as config names them, in Date#getUTCDay order (0 = Sunday). */
export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
/** The values ECS accepts for the fargateTaskRetirementWaitPeriod account setting. */
export const RETIREMENT_WAIT_PERIOD_DAYS = [0, 7, 14] as const;
/** fargateTaskRetirementWaitPeriod in an account where nobody set it. */
const AWS_DEFAULT_RETIREMENT_WAIT_DAYS = 7;
/** The ECS notices besides task retirement that the notifier can forward. */
export const RETIREMENT_EXTRA_EVENT_CODES = [
    "AWS_ECS_OPERATIONAL_NOTIFICATION",
    "AWS_ECS_SECURITY_NOTIFICATION",
] as const;

/** The Fargate retirement notifier: the account's wait period, who hears of it, and optional remediation. */
export interface RetirementSettings {
    /** fargateTaskRetirementWaitPeriod: days between the notice and AWS stopping the tasks. */
    readonly waitPeriodDays: (typeof RETIREMENT_WAIT_PERIOD_DAYS)[number];
    readonly emails: readonly string[];
    /** Whether the `retirementSlackWebhook` secret is set; its value is read only as a secret Output. */
    readonly slackWebhookConfigured: boolean;
    /** Event type codes forwarded besides AWS_ECS_TASK_PATCHING_RETIREMENT. */
    readonly extraEventCodes: readonly string[];
    /** Force new deployments of affected services in the maintenance window before the retirement date. */
    readonly remediate: boolean;
    /** The maintenance window (UTC): days as 0 = Sunday … 6 = Saturday. */
    readonly window: {
        readonly days: readonly number[];
        readonly startHourUtc: number;
        readonly hours: number;
    };
    /** Whether services with one task may be redeployed (their only task is replaced). */
    readonly redeploySingleTask: boolean;
    /** How often the follow-up runs: missing pages are waited for this long, and remediation acts at this grain. */
    readonly followUpMinutes: number;
}

/** Where alarms and operator events go. */
export interface AlertSettings {
    /** Subscribed to the stack's own alerts topic. */
    readonly emails: readonly string[];
    /** An existing topic to publish to instead of creating one. */
    readonly existingTopicArn?: string;
}

export interface StackSettings {
    readonly stack: string;
    /**
     * This stack declares the account-wide ECS settings of its region (awsvpcTrunking,
     * fargateTaskRetirementWaitPeriod): exactly one stack per account and region may.
     */
    readonly accountSettingsOwner: boolean;
    /** Reserve concurrency for each Lambda; off, no function holds any of the account's pool. */
    readonly reserveLambdaConcurrency: boolean;
    readonly alerts: AlertSettings;
    readonly network: NetworkSettings;
    readonly cluster: ClusterSettings;
    readonly services: readonly ServiceSettings[];
    readonly alb: AlbSettings;
    readonly drain: DrainHookSettings;
    readonly capacity: CapacitySettings;
    readonly capacityManagement: CapacityManagementSettings;
    readonly retirement: RetirementSettings;
    readonly logRetentionDays: number;
    readonly tags: Readonly<Record<string, string>>;
}

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export type ConfigType = "string" | "integer" | "boolean" | "array" | "object";

/** A config key as declared in Pulumi.yaml and documented in README. */
export interface ConfigKeySpec {
    readonly key: string;
    readonly type: ConfigType;
    readonly description: string;
    /**
     * The default. Pulumi treats a declared key without one as required, so optional keys default
     * to "" or [] and those mean "unset"; only `object` keys have none (they cannot be declared).
     */
    readonly default?: string | number | boolean | readonly string[];
    /** The legal values, as the README and the error messages say them. */
    readonly range: string;
    /**
     * Set with `pulumi config set --secret`; read only with `Config.getSecret`. Left out of
     * Pulumi.yaml's declarations (a declared key without a default is required, and a default is
     * no place for a secret), documented in README like the object keys.
     */
    readonly secret?: boolean;
}

/** A capacity provider setting's range as AWS accepts it, e.g. "1–100". */
function rangeText(field: keyof typeof MANAGED_CAPACITY_RANGES): string {
    const [min, max] = MANAGED_CAPACITY_RANGES[field];
    return `${min}–${max}`;
}

/**
 * Every key, in README order. `object` keys (and arrays of objects) cannot be typed in Pulumi.yaml
 * (its schema knows string, integer, boolean and arrays of those), so they are documented here and
 * validated below instead.
 */
export const CONFIG_KEYS: readonly ConfigKeySpec[] = [
    {
        key: "vpcCidr",
        type: "string",
        default: "10.0.0.0/16",
        range: "IPv4 CIDR /16–/28; /16–/21 when subnet CIDRs are derived",
        description: "CIDR of the new VPC, or the primary CIDR of the existing one (vpcId).",
    },
    {
        key: "vpcId",
        type: "string",
        default: "",
        range: "vpc-… id",
        description:
            "Use this existing VPC instead of creating one; requires publicSubnetIds and availabilityZones.",
    },
    {
        key: "publicSubnetIds",
        type: "array",
        default: [],
        range: "subnet ids, one per AZ, in availabilityZones order",
        description: "Public subnets of the existing VPC (NAT gateways and the ALB go there).",
    },
    {
        key: "availabilityZones",
        type: "array",
        default: [],
        range: "2–6 AZ names of the stack's region",
        description: "AZs to use; unset = the first azCount available AZs, resolved at deploy time.",
    },
    {
        key: "azCount",
        type: "integer",
        default: 3,
        range: "2–6",
        description: "How many AZs to use; ignored when availabilityZones is set.",
    },
    {
        key: "natGateways",
        type: "string",
        default: "perAz",
        range: "perAz | single",
        description: "One NAT gateway per AZ (survives an AZ outage) or one shared (cheaper).",
    },
    {
        key: "publicSubnetCidrs",
        type: "array",
        default: [],
        range: "one CIDR per AZ inside vpcCidr, non-overlapping",
        description:
            "Public subnet CIDRs of a new VPC; default: the first /(p+6) blocks of vpcCidr (p = its prefix).",
    },
    {
        key: "privateSubnetCidrs",
        type: "array",
        default: [],
        range: "one CIDR per AZ inside vpcCidr, non-overlapping",
        description:
            "Private (task and instance) subnet CIDRs; default: /(p+4) blocks from the middle of vpcCidr up.",
    },
    {
        key: "clusterName",
        type: "string",
        default: "",
        range: "1–255 letters, digits, - and _",
        description: "ECS cluster name; unset = <project>-<stack>.",
    },
    {
        key: "instanceTypes",
        type: "array",
        default: ["m5.large"],
        range: "types from runtime/instanceTypes.ts",
        description: "Container instance types; more than one makes a mixed instances policy.",
    },
    {
        key: "onDemandBaseCapacity",
        type: "integer",
        default: 0,
        range: "0–maxSize",
        description: "Instances always On-Demand before onDemandPercentage applies (mixed instances only).",
    },
    {
        key: "onDemandPercentage",
        type: "integer",
        default: 100,
        range: "0–100",
        description:
            "Share of capacity above the base that is On-Demand; the rest is Spot (mixed instances only).",
    },
    {
        key: "minSize",
        type: "integer",
        default: 1,
        range: "0–1000, <= desiredCapacity",
        description: "Auto Scaling group minimum size.",
    },
    {
        key: "maxSize",
        type: "integer",
        default: 10,
        range: "1–1000, >= desiredCapacity",
        description: "Auto Scaling group maximum size.",
    },
    {
        key: "desiredCapacity",
        type: "integer",
        default: 2,
        range: "minSize–maxSize; 0 with capacityManagement managed",
        description:
            "Initial desired capacity; ignored after creation (the capacity scaler, or ECS's managed scaling, owns it).",
    },
    {
        key: "amiId",
        type: "string",
        default: "",
        range: "ami-… id",
        description:
            "Pin the container instance AMI; unset = the ECS-optimized AL2023 AMI from SSM at deploy time. Changing it rolls the group.",
    },
    {
        key: "instanceWarmupSeconds",
        type: "integer",
        default: 300,
        range: "0–3600",
        description: "Instance refresh warmup before a new instance counts as healthy.",
    },
    {
        key: "minHealthyPercentage",
        type: "integer",
        default: 100,
        range: "0–100",
        description:
            "Instance refresh: capacity kept in service during a roll (100 = launch before terminate).",
    },
    {
        key: "maxHealthyPercentage",
        type: "integer",
        default: 200,
        range: "100–200, at most minHealthyPercentage + 100",
        description: "Instance refresh: capacity allowed above desired during a roll.",
    },
    {
        key: "containerStopTimeoutSeconds",
        type: "integer",
        default: 30,
        range: "2–120",
        description: "ECS_CONTAINER_STOP_TIMEOUT: SIGTERM to SIGKILL grace for containers.",
    },
    {
        key: "awsvpcTrunking",
        type: "boolean",
        default: false,
        range: "true | false; true needs accountSettingsOwner",
        description:
            "Turn on the account's awsvpcTrunking setting for the region (only in the accountSettingsOwner stack): instances launched afterwards run more awsvpc tasks; the group is created after it, and capacity counts each instance's own trunk interface.",
    },
    {
        key: "accountSettingsOwner",
        type: "boolean",
        default: false,
        range: "true in at most one stack per account and region",
        description:
            "This stack declares the account-wide ECS settings of its region (awsvpcTrunking, fargateTaskRetirementWaitPeriod from retirementWaitPeriodDays) and keeps them on destroy; other stacks leave them alone.",
    },
    {
        key: "autoScalingServiceLinkedRoleArn",
        type: "string",
        default: "",
        range: "arn:aws:iam::<account>:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling[_suffix]",
        description:
            "Service-linked role of the group, which the termination policy Lambda admits; unset = the stack creates its own AWSServiceRoleForAutoScaling_<suffix> (works in a new account, never touches the default role).",
    },
    {
        key: "reserveLambdaConcurrency",
        type: "boolean",
        default: false,
        range: "true | false; true needs 20 above the account's 100 unreserved",
        description:
            "Reserve concurrency per Lambda (drain 10, termination 5, retirement 2, capacity 3). Off, none is reserved: the drain queue's event source still runs at most 10 batches at once.",
    },
    {
        key: "rootVolumeSizeGiB",
        type: "integer",
        default: 30,
        range: "30–16384",
        description: "Container instance root volume (gp3, encrypted).",
    },
    {
        key: "services",
        type: "object",
        range: "list of service objects (see below)",
        description:
            "The app services: name, image, cpu, memory, containerPort, desiredCount, minCount, maxCount, healthCheckPath, pathPattern, cpuTargetPercent, extraEgress, environment.",
    },
    {
        key: "serviceCpuTargetPercent",
        type: "integer",
        default: 60,
        range: "10–90",
        description: "Default target of each service's ECSServiceAverageCPUUtilization tracking policy.",
    },
    {
        key: "certificateArn",
        type: "string",
        default: "",
        range: "arn:aws:acm:… certificate",
        description: "Serve HTTPS on 443 with this certificate and redirect 80 to it; unset = HTTP on 80.",
    },
    {
        key: "deregistrationDelaySeconds",
        type: "integer",
        default: 30,
        range: "0–3600",
        description: "Target group deregistration delay (connection draining) per service.",
    },
    {
        key: "drainHeartbeatTimeoutSeconds",
        type: "integer",
        default: 900,
        range: "30–7200, at least 2 × drainPollIntervalSeconds",
        description:
            "Heartbeat timeout of the TERMINATING lifecycle hook; the drain Lambda heartbeats before it runs out.",
    },
    {
        key: "drainDeadlineSeconds",
        type: "integer",
        default: 3600,
        range: "drainPollIntervalSeconds – min(48 h, 100 × drainHeartbeatTimeoutSeconds) − drainPollIntervalSeconds",
        description:
            "How long a drain may run; then standalone tasks get the standaloneTaskPolicy and the hook is completed (CONTINUE if empty, else ABANDON and the instance is retained).",
    },
    {
        key: "drainPollIntervalSeconds",
        type: "integer",
        default: 60,
        range: "1–drainHeartbeatTimeoutSeconds/2; the polls of a whole drain must fit SQS's 1000 receives",
        description:
            "Delay between two looks at a draining instance (an SQS visibility delay, never a sleep).",
    },
    {
        key: "standaloneTaskPolicy",
        type: "string",
        default: "wait",
        range: "wait | stop",
        description:
            "Standalone tasks never leave a draining instance: wait for them until the deadline, or stop them after standaloneGraceSeconds.",
    },
    {
        key: "standaloneGraceSeconds",
        type: "integer",
        default: 600,
        range: "0–drainDeadlineSeconds",
        description: "With standaloneTaskPolicy stop: how long standalone tasks may finish on their own.",
    },
    {
        key: "drainSweepMinutes",
        type: "integer",
        default: 2,
        range: "1–60; sweep + 3 polls within half the heartbeat timeout",
        description:
            "How often the sweep re-drives instances in Terminating:Wait whose drain message was lost.",
    },
    {
        key: "ecsRequestsPerSecond",
        type: "integer",
        default: 8,
        range: `${MIN_REQUESTS_PER_SECOND}–${MAX_REQUESTS_PER_SECOND}`,
        description:
            "ECS API requests the drain Lambda makes within any one second, all its invocations together (held in a DynamoDB item). ECS throttles an account's reads at about 20 per second, shared with the console, the capacity scaler's once-a-minute read of the cluster and every other tool.",
    },
    {
        key: "minimumSpareTasks",
        type: "integer",
        default: 1,
        range: "1–100",
        description: "Scale out when fewer worst-case tasks than this still fit (ContainerCapacity alarm).",
    },
    {
        key: "idleHostThreshold",
        type: "integer",
        default: 1,
        range: "0–100",
        description:
            "Scale in when more instances than this could be removed with room to spare (IdleHostCapacity alarm).",
    },
    {
        key: "scaleInEvaluationMinutes",
        type: "integer",
        default: 10,
        range: "2–60",
        description:
            "Minutes IdleHostCapacity must stay above idleHostThreshold before one instance is removed.",
    },
    {
        key: "scaleOutWarmupSeconds",
        type: "integer",
        default: 300,
        range: "0–3600",
        description: "Estimated instance warmup of the step scale-out policy.",
    },
    {
        key: "scaleInCooldownSeconds",
        type: "integer",
        default: 600,
        range: "60–3600",
        description: "Cooldown after each one-instance scale-in.",
    },
    {
        key: "capacityManagement",
        type: "string",
        default: "custom",
        range: "custom | managed; managed needs desiredCapacity 0",
        description:
            "Who scales and drains the group: custom = this stack's drain hook, capacity scaler and termination policy Lambdas; managed = an ECS capacity provider (managed scaling, termination protection and draining), no Lambdas of those three. README: Which mode.",
    },
    {
        key: "managedTargetCapacity",
        type: "integer",
        default: MANAGED_CAPACITY_DEFAULTS.targetCapacity,
        range: rangeText("targetCapacity"),
        description:
            "managed: the CapacityProviderReservation ECS's scaling tracks, in percent of the group's instances in use; below 100 keeps spare instances.",
    },
    {
        key: "managedMinimumScalingStepSize",
        type: "integer",
        default: MANAGED_CAPACITY_DEFAULTS.minimumScalingStepSize,
        range: rangeText("minimumScalingStepSize"),
        description: "managed: fewest instances one scale-out adds.",
    },
    {
        key: "managedMaximumScalingStepSize",
        type: "integer",
        default: MANAGED_CAPACITY_DEFAULTS.maximumScalingStepSize,
        range: `${rangeText("maximumScalingStepSize")}, at least managedMinimumScalingStepSize`,
        description: "managed: most instances one scale-out adds.",
    },
    {
        key: "managedInstanceWarmupSeconds",
        type: "integer",
        default: MANAGED_CAPACITY_DEFAULTS.instanceWarmupPeriod,
        range: rangeText("instanceWarmupPeriod"),
        description:
            "managed: seconds after launch during which an instance blocks further scale-out; cover the boot and the ECS agent's registration, or ECS adds instances for tasks that are about to be placed.",
    },
    {
        key: "managedTerminationProtection",
        type: "boolean",
        default: MANAGED_CAPACITY_DEFAULTS.managedTerminationProtection,
        range: "true | false",
        description:
            "managed: ECS keeps scale-in protection on instances running tasks, so scale-in takes only empty ones (the group protects new instances, and instance refresh replaces protected ones).",
    },
    {
        key: "retirementWaitPeriodDays",
        type: "integer",
        default: 7,
        range: "0, 7 or 14; other than 7 (AWS's default) needs accountSettingsOwner",
        description:
            "The account's fargateTaskRetirementWaitPeriod for the region, declared by the account settings owner: days between a Fargate retirement notice and AWS stopping the tasks.",
    },
    {
        key: "retirementEmails",
        type: "array",
        default: [],
        range: "e-mail addresses",
        description:
            "Subscribed to the retirement topic (each confirms by mail); the topic is the stack output retirementTopicArn.",
    },
    {
        key: "retirementSlackWebhook",
        type: "string",
        secret: true,
        range: "a Slack incoming webhook URL, set with pulumi config set --secret",
        description:
            "Post retirement notices to Slack too; stored as an SSM SecureString and read by the Lambda at run time.",
    },
    {
        key: "retirementExtraEventCodes",
        type: "array",
        default: [],
        range: RETIREMENT_EXTRA_EVENT_CODES.join(", "),
        description: "ECS notices forwarded besides AWS_ECS_TASK_PATCHING_RETIREMENT.",
    },
    {
        key: "retirementRemediate",
        type: "boolean",
        default: false,
        range: "true or false; true needs retirementWindowDays",
        description:
            "Force a new deployment of each affected service in the next maintenance window before the retirement date (never below minimumHealthyPercent).",
    },
    {
        key: "retirementWindowDays",
        type: "array",
        default: [],
        range: WEEKDAYS.join(", "),
        description: "Days of the maintenance window (UTC).",
    },
    {
        key: "retirementWindowStartHourUtc",
        type: "integer",
        default: 2,
        range: "0–23",
        description: "Hour (UTC) the maintenance window opens on each of its days.",
    },
    {
        key: "retirementWindowHours",
        type: "integer",
        default: 4,
        range: "1–24, at least 2 follow-up intervals",
        description: "Length of the maintenance window.",
    },
    {
        key: "retirementRedeploySingleTask",
        type: "boolean",
        default: false,
        range: "true or false",
        description:
            "Let remediation redeploy services that run one task (it is replaced, start before stop when maximumPercent allows).",
    },
    {
        key: "retirementFollowUpMinutes",
        type: "integer",
        default: 15,
        range: "5–60",
        description:
            "How often the notifier's follow-up runs: it sends events whose pages stopped arriving after this long, and redeploys inside the window.",
    },
    {
        key: "alertEmails",
        type: "array",
        default: [],
        range: "e-mail addresses; not with alertsTopicArn",
        description:
            "Subscribed to the stack's alerts topic (each confirms by mail): every alarm that does not scale, failed or cancelled instance refreshes. The topic is the stack output alertsTopicArn.",
    },
    {
        key: "alertsTopicArn",
        type: "string",
        default: "",
        range: "arn:aws:sns:… of the stack's region",
        description:
            "Publish alerts to this existing topic instead of creating one; its policy (and its KMS key's, if encrypted) must let cloudwatch.amazonaws.com and events.amazonaws.com publish.",
    },
    {
        key: "logRetentionDays",
        type: "integer",
        default: 30,
        range: LOG_RETENTION_DAYS.join(", "),
        description: "Retention of every log group the stack creates.",
    },
    {
        key: "tags",
        type: "object",
        range: "map of string to string",
        description: "Tags added to every resource that takes tags.",
    },
];

/** What ECS accepts as a cluster name. */
const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CLUSTER_NAME_RULE = "1–255 letters, digits, hyphens and underscores";
/** ECS's limit on a task definition family (`<cluster>-<service>`). */
const MAX_FAMILY_LENGTH = 255;
/**
 * The longest service name: its target group is auto-named `svc-<name>-tg-` plus 7 random
 * characters, and ELB allows 32.
 */
export const MAX_SERVICE_NAME_LENGTH = 32 - "svc-".length - "-tg".length - "-xxxxxxx".length;

/**
 * The ECS cluster name: `clusterName`, or `<project>-<stack>`; fixed before anything is created, so
 * Lambdas and IAM conditions can use it. A derived name ECS would reject (a stack name with ".")
 * is a SettingsError naming the stack and the rule.
 */
export function clusterNameOf(settings: StackSettings, project: string = CONFIG_NAMESPACE): string {
    if (settings.cluster.clusterName !== undefined) return settings.cluster.clusterName;
    const problem = derivedClusterNameProblem(project, settings.stack);
    if (problem) throw new SettingsError([problem]);
    return `${project}-${settings.stack}`;
}

function derivedClusterNameProblem(project: string, stack: string): string | undefined {
    const derived = `${project}-${stack}`;
    if (CLUSTER_NAME.test(derived)) return undefined;
    return `stack ${stack} gives the ECS cluster name ${derived} (<project>-<stack>), which ECS rejects: a cluster name is ${CLUSTER_NAME_RULE}; set ${CONFIG_NAMESPACE}:clusterName, or use a stack name of only those characters`;
}

/** Thrown with every problem found; `problems` holds one line per bad value. */
export class SettingsError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`invalid stack configuration:\n  ${problems.join("\n  ")}`);
        this.name = "SettingsError";
    }
}

const OPTIONAL_LIST_KEYS = new Set(
    CONFIG_KEYS.filter((k) => Array.isArray(k.default) && k.default.length === 0).map((k) => k.key),
);

const SERVICE_FIELDS = new Set([
    "name",
    "image",
    "cpu",
    "memory",
    "containerPort",
    "desiredCount",
    "minCount",
    "maxCount",
    "healthCheckPath",
    "pathPattern",
    "cpuTargetPercent",
    "extraEgress",
    "environment",
]);

/**
 * Reads raw config values (strings as `pulumi config` stores them, or typed values as a stack
 * YAML file holds them) into validated settings. Throws SettingsError listing every problem.
 */
export function parseSettings(
    raw: Readonly<Record<string, unknown>>,
    stack: string,
    options: ParseOptions = {},
): StackSettings {
    const r = new Reader(raw);
    const known = new Set(CONFIG_KEYS.map((k) => k.key));
    for (const key of Object.keys(raw)) {
        if (!known.has(key)) r.problem(unknownKeyProblem(r.name(key), key, [...known]));
    }
    for (const spec of CONFIG_KEYS.filter((k) => k.secret && r.has(k.key))) {
        if (!isSecretValue(raw[spec.key]) && !(options.secretKeys ?? []).includes(spec.key)) {
            r.problem(
                `${r.name(spec.key)} is set in plain text, so Pulumi.${stack}.yaml and the state hold it unencrypted: set it with \`pulumi config set --secret ${r.name(spec.key)} <value>\``,
            );
        }
    }

    const network = readNetwork(r);
    const cluster = readCluster(r);
    const serviceCpuTarget = r.integer("serviceCpuTargetPercent", 60, 10, 90);
    const services = readServices(r, cluster, serviceCpuTarget);
    const alb: AlbSettings = {
        certificateArn: r.optionalString(
            "certificateArn",
            /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/.+$/,
            "an ACM certificate ARN",
        ),
        deregistrationDelaySeconds: r.integer("deregistrationDelaySeconds", 30, 0, 3600),
    };
    const drain = readDrain(r);
    const capacity: CapacitySettings = {
        minimumSpareTasks: r.integer("minimumSpareTasks", 1, 1, 100),
        idleHostThreshold: r.integer("idleHostThreshold", 1, 0, 100),
        scaleInEvaluationMinutes: r.integer("scaleInEvaluationMinutes", 10, 2, 60),
        scaleOutWarmupSeconds: r.integer("scaleOutWarmupSeconds", 300, 0, 3600),
        scaleInCooldownSeconds: r.integer("scaleInCooldownSeconds", 600, 60, 3600),
    };
    const capacityManagement = readCapacityManagement(r, cluster, capacity, drain);
    const logRetentionDays = r.integer("logRetentionDays", 30, 1, 3653);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
        r.problem(
            `${r.name("logRetentionDays")} (${logRetentionDays}) must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
        );
    }
    const retirement = readRetirement(r);
    const accountSettingsOwner = r.boolean("accountSettingsOwner", false);
    checkAccountSettings(r, accountSettingsOwner, cluster, retirement);
    const alerts = readAlerts(r);
    const tags = r.stringMap("tags");
    checkDerivedNames(r, stack, cluster, services);

    if (r.problems.length > 0) throw new SettingsError(r.problems);
    return {
        stack,
        accountSettingsOwner,
        reserveLambdaConcurrency: r.boolean("reserveLambdaConcurrency", false),
        alerts,
        network,
        cluster,
        services,
        alb,
        drain,
        capacity,
        capacityManagement,
        retirement,
        logRetentionDays,
        tags,
    };
}

export interface ParseOptions {
    /** Keys Pulumi holds as secrets (`pulumi config set --secret`); a stack file marks them `secure:`. */
    readonly secretKeys?: readonly string[];
}

/** A stack file holds a secret as `{secure: "v1:…"}`. */
function isSecretValue(value: unknown): boolean {
    return isPlainObject(value) && typeof value.secure === "string";
}

/**
 * Account-wide settings are one per account and region: a stack that is not their owner must not
 * ask for a value, or two stacks would overwrite each other (and destroying one would reset both).
 */
function checkAccountSettings(
    r: Reader,
    owner: boolean,
    cluster: ClusterSettings,
    retirement: RetirementSettings,
): void {
    if (owner) return;
    const ownerOnly = `only the stack with ${r.name("accountSettingsOwner")} true (one per account and region) declares it`;
    if (cluster.awsvpcTrunking)
        r.problem(`${r.name("awsvpcTrunking")} true sets an account-wide ECS setting: ${ownerOnly}`);
    const legal = (RETIREMENT_WAIT_PERIOD_DAYS as readonly number[]).includes(retirement.waitPeriodDays);
    if (legal && retirement.waitPeriodDays !== AWS_DEFAULT_RETIREMENT_WAIT_DAYS)
        r.problem(
            `${r.name("retirementWaitPeriodDays")} (${retirement.waitPeriodDays}) sets the account-wide fargateTaskRetirementWaitPeriod: ${ownerOnly}; leave it at ${AWS_DEFAULT_RETIREMENT_WAIT_DAYS} elsewhere`,
        );
}

/** Keys that tune only the custom mode's Lambdas (drain hook, capacity scaler), with their values. */
function customOnlyValues(capacity: CapacitySettings, drain: DrainHookSettings): Record<string, unknown> {
    return {
        minimumSpareTasks: capacity.minimumSpareTasks,
        idleHostThreshold: capacity.idleHostThreshold,
        scaleInEvaluationMinutes: capacity.scaleInEvaluationMinutes,
        scaleOutWarmupSeconds: capacity.scaleOutWarmupSeconds,
        scaleInCooldownSeconds: capacity.scaleInCooldownSeconds,
        drainHeartbeatTimeoutSeconds: drain.heartbeatTimeoutSeconds,
        drainDeadlineSeconds: drain.drainDeadlineSeconds,
        drainPollIntervalSeconds: drain.pollIntervalSeconds,
        standaloneTaskPolicy: drain.standaloneTaskPolicy,
        standaloneGraceSeconds: drain.standaloneGraceSeconds,
        drainSweepMinutes: drain.sweepIntervalMinutes,
    };
}

/** Keys that configure only the managed mode's capacity provider, with their values. */
function managedOnlyValues(managed: ManagedCapacitySettings): Record<string, unknown> {
    return {
        managedTargetCapacity: managed.targetCapacity,
        managedMinimumScalingStepSize: managed.minimumScalingStepSize,
        managedMaximumScalingStepSize: managed.maximumScalingStepSize,
        managedInstanceWarmupSeconds: managed.instanceWarmupPeriod,
        managedTerminationProtection: managed.managedTerminationProtection,
    };
}

/** The keys among `values` whose value is not their declared default (set, and meaning something). */
function changedFromDefault(values: Record<string, unknown>): string[] {
    return Object.entries(values)
        .filter(([key, value]) => CONFIG_KEYS.find((k) => k.key === key)?.default !== value)
        .map(([key]) => key);
}

/**
 * The capacity management mode and the capacity provider's settings. A key the chosen mode does
 * not read is refused when set to anything but its default (it would silently do nothing), and so
 * are the combinations that cannot work.
 */
function readCapacityManagement(
    r: Reader,
    cluster: ClusterSettings,
    capacity: CapacitySettings,
    drain: DrainHookSettings,
): CapacityManagementSettings {
    const mode = r.oneOf("capacityManagement", "custom", CAPACITY_MANAGEMENT_MODES);
    const numeric = (key: string, field: keyof typeof MANAGED_CAPACITY_RANGES) =>
        r.integer(key, MANAGED_CAPACITY_DEFAULTS[field], ...MANAGED_CAPACITY_RANGES[field]);
    const managed: ManagedCapacitySettings = {
        targetCapacity: numeric("managedTargetCapacity", "targetCapacity"),
        minimumScalingStepSize: numeric("managedMinimumScalingStepSize", "minimumScalingStepSize"),
        maximumScalingStepSize: numeric("managedMaximumScalingStepSize", "maximumScalingStepSize"),
        instanceWarmupPeriod: numeric("managedInstanceWarmupSeconds", "instanceWarmupPeriod"),
        managedTerminationProtection: r.boolean(
            "managedTerminationProtection",
            MANAGED_CAPACITY_DEFAULTS.managedTerminationProtection,
        ),
        // Always on: in managed mode nothing else drains an instance before it leaves the group.
        managedDraining: true,
    };
    if (managed.minimumScalingStepSize > managed.maximumScalingStepSize) {
        r.problem(
            `${r.name("managedMinimumScalingStepSize")} (${managed.minimumScalingStepSize}) must be at most ${r.name("managedMaximumScalingStepSize")} (${managed.maximumScalingStepSize})`,
        );
    }
    const names = (keys: readonly string[]) => keys.map((k) => r.name(k)).join(", ");
    if (mode === "managed") {
        const unused = changedFromDefault(customOnlyValues(capacity, drain));
        if (unused.length > 0)
            r.problem(
                `${names(unused)} tune the drain hook and capacity scaler Lambdas, which ${r.name("capacityManagement")} managed does not deploy (ECS's managed scaling and draining replace them): remove them, or set capacityManagement custom`,
            );
        if (cluster.desiredCapacity !== 0)
            r.problem(
                `${r.name("desiredCapacity")} (${cluster.desiredCapacity}) must be 0 with ${r.name("capacityManagement")} managed, and ${r.name("minSize")} 0 with it: the group is created before its capacity provider, and instances that register with ECS before the provider exists stay outside it for their life (ECS places no task of the provider's strategy on them, never protects or counts them; AWS recommends an empty group). ECS launches the first instances as soon as tasks wait for them`,
            );
    } else {
        const unused = changedFromDefault(managedOnlyValues(managed));
        if (unused.length > 0)
            r.problem(
                `${names(unused)} configure the ECS capacity provider, which only ${r.name("capacityManagement")} managed deploys: remove them, or set capacityManagement managed`,
            );
    }
    return { mode, managed };
}

function readAlerts(r: Reader): AlertSettings {
    const emails =
        r.optionalStringList("alertEmails", /^[^@\s]+@[^@\s]+\.[^@\s]+$/, "e-mail addresses") ?? [];
    if (new Set(emails).size !== emails.length) r.problem(`${r.name("alertEmails")} lists an address twice`);
    const existingTopicArn = r.optionalString(
        "alertsTopicArn",
        /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
        "an SNS topic ARN",
    );
    if (existingTopicArn && emails.length > 0)
        r.problem(
            `${r.name("alertEmails")} subscribes to the stack's own topic, which ${r.name("alertsTopicArn")} replaces: subscribe the addresses to ${existingTopicArn} instead`,
        );
    return { emails, existingTopicArn };
}

/** Names derived from settings that AWS limits: the cluster name and each task definition family. */
function checkDerivedNames(
    r: Reader,
    stack: string,
    cluster: ClusterSettings,
    services: readonly ServiceSettings[],
): void {
    const derivedProblem =
        cluster.clusterName === undefined ? derivedClusterNameProblem(CONFIG_NAMESPACE, stack) : undefined;
    if (derivedProblem) {
        r.problem(derivedProblem);
        return;
    }
    const clusterName = cluster.clusterName ?? `${CONFIG_NAMESPACE}-${stack}`;
    services.forEach((service, i) => {
        const family = `${clusterName}-${service.name}`;
        if (family.length > MAX_FAMILY_LENGTH)
            r.problem(
                `${r.name("services")}[${i}].name (${service.name}) makes the task definition family <cluster>-<service> ${family.length} characters, over ECS's ${MAX_FAMILY_LENGTH}: shorten ${r.name("clusterName")} or the service name`,
            );
    });
}

function readRetirement(r: Reader): RetirementSettings {
    const waitPeriodDays = r.integer("retirementWaitPeriodDays", 7, 0, 14);
    if (!(RETIREMENT_WAIT_PERIOD_DAYS as readonly number[]).includes(waitPeriodDays)) {
        r.problem(
            `${r.name("retirementWaitPeriodDays")} (${waitPeriodDays}) must be one of ${RETIREMENT_WAIT_PERIOD_DAYS.join(", ")}, the values ECS accepts for fargateTaskRetirementWaitPeriod`,
        );
    }
    const emails =
        r.optionalStringList("retirementEmails", /^[^@\s]+@[^@\s]+\.[^@\s]+$/, "e-mail addresses") ?? [];
    if (new Set(emails).size !== emails.length)
        r.problem(`${r.name("retirementEmails")} lists an address twice`);
    const extraEventCodes =
        r.optionalStringList(
            "retirementExtraEventCodes",
            new RegExp(`^(${RETIREMENT_EXTRA_EVENT_CODES.join("|")})$`),
            `event type codes among ${RETIREMENT_EXTRA_EVENT_CODES.join(", ")}`,
        ) ?? [];
    const dayNames =
        r.optionalStringList(
            "retirementWindowDays",
            new RegExp(`^(${WEEKDAYS.join("|")})$`),
            `days among ${WEEKDAYS.join(", ")}`,
        ) ?? [];
    if (new Set(dayNames).size !== dayNames.length)
        r.problem(`${r.name("retirementWindowDays")} lists a day twice`);
    const remediate = r.boolean("retirementRemediate", false);
    if (remediate && dayNames.length === 0) {
        r.problem(
            `${r.name("retirementWindowDays")} is required with ${r.name("retirementRemediate")} true: name the days of the maintenance window (${WEEKDAYS.join(", ")})`,
        );
    }
    const followUpMinutes = r.integer("retirementFollowUpMinutes", 15, 5, 60);
    const hours = r.integer("retirementWindowHours", 4, 1, 24);
    if (hours * 60 < 2 * followUpMinutes) {
        r.problem(
            `${r.name("retirementWindowHours")} (${hours}) must cover at least two follow-up runs (2 × retirementFollowUpMinutes = ${2 * followUpMinutes} minutes), so one always lands inside the window`,
        );
    }
    return {
        waitPeriodDays: waitPeriodDays as RetirementSettings["waitPeriodDays"],
        emails,
        // Only whether it is set: the value stays a secret Output, read by the component.
        slackWebhookConfigured: r.has("retirementSlackWebhook"),
        extraEventCodes,
        remediate,
        window: {
            days: dayNames.map((d) => (WEEKDAYS as readonly string[]).indexOf(d)),
            startHourUtc: r.integer("retirementWindowStartHourUtc", 2, 0, 23),
            hours,
        },
        redeploySingleTask: r.boolean("retirementRedeploySingleTask", false),
        followUpMinutes,
    };
}

function readDrain(r: Reader): DrainHookSettings {
    const heartbeatTimeoutSeconds = r.integer("drainHeartbeatTimeoutSeconds", 900, 30, 7200);
    const pollIntervalSeconds = r.integer("drainPollIntervalSeconds", 60, 1, 3600);
    const drainDeadlineSeconds = r.integer("drainDeadlineSeconds", 3600, 1, 48 * 3600);
    const standaloneGraceSeconds = r.integer("standaloneGraceSeconds", 600, 0, 48 * 3600);
    if (pollIntervalSeconds * 2 > heartbeatTimeoutSeconds) {
        r.problem(
            `${r.name("drainPollIntervalSeconds")} (${pollIntervalSeconds}) must be at most half of drainHeartbeatTimeoutSeconds (${heartbeatTimeoutSeconds}), so a heartbeat always has a poll to spare`,
        );
    }
    if (drainDeadlineSeconds < pollIntervalSeconds) {
        r.problem(
            `${r.name("drainDeadlineSeconds")} (${drainDeadlineSeconds}) must be at least drainPollIntervalSeconds (${pollIntervalSeconds})`,
        );
    }
    // Auto Scaling ends the lifecycle action at its global timeout, whatever the drain does; the
    // drain's last poll (stopping standalone tasks, ABANDON with retention) must come before.
    const globalTimeout = lifecycleGlobalTimeoutSeconds(heartbeatTimeoutSeconds);
    const latestDeadline = globalTimeout - pollIntervalSeconds;
    if (drainDeadlineSeconds > latestDeadline) {
        r.problem(
            `${r.name("drainDeadlineSeconds")} (${drainDeadlineSeconds}) must be at most ${latestDeadline} s: Auto Scaling ends a lifecycle action at min(48 h, 100 × drainHeartbeatTimeoutSeconds) = ${globalTimeout} s, and the drain's last poll (standaloneTaskPolicy, ABANDON with retention) needs one drainPollIntervalSeconds (${pollIntervalSeconds}) before that`,
        );
    }
    if (standaloneGraceSeconds > drainDeadlineSeconds) {
        r.problem(
            `${r.name("standaloneGraceSeconds")} (${standaloneGraceSeconds}) must be at most drainDeadlineSeconds (${drainDeadlineSeconds})`,
        );
    }
    const drain: DrainHookSettings = {
        heartbeatTimeoutSeconds,
        drainDeadlineSeconds,
        pollIntervalSeconds,
        standaloneTaskPolicy: r.oneOf("standaloneTaskPolicy", "wait", ["wait", "stop"] as const),
        standaloneGraceSeconds,
        sweepIntervalMinutes: r.integer("drainSweepMinutes", 2, 1, 60),
        ecsRequestsPerSecond: r.integer(
            "ecsRequestsPerSecond",
            8,
            MIN_REQUESTS_PER_SECOND,
            MAX_REQUESTS_PER_SECOND,
        ),
    };
    const budget = Math.floor(heartbeatTimeoutSeconds / 2);
    if (drain.sweepIntervalMinutes * 60 + 3 * pollIntervalSeconds >= budget) {
        r.problem(
            `${r.name("drainSweepMinutes")} (${drain.sweepIntervalMinutes}) is too slow: a lost drain message must be re-driven (sweep interval + 3 polls = ${drain.sweepIntervalMinutes * 60 + 3 * pollIntervalSeconds} s) within half of drainHeartbeatTimeoutSeconds (${budget} s)`,
        );
    }
    if (DRAIN_QUEUE_VISIBILITY_SECONDS + pollIntervalSeconds > budget) {
        r.problem(
            `${r.name("drainPollIntervalSeconds")} (${pollIntervalSeconds}) plus the ${DRAIN_QUEUE_VISIBILITY_SECONDS} s redelivery of a failed poll must fit in half of drainHeartbeatTimeoutSeconds (${budget} s)`,
        );
    }
    const receives = requiredMaxReceiveCount(drain);
    if (pollIntervalSeconds * 2 <= heartbeatTimeoutSeconds && receives > SQS_MAX_RECEIVE_COUNT) {
        r.problem(
            `${r.name("drainPollIntervalSeconds")} (${pollIntervalSeconds}) is too short for drainDeadlineSeconds (${drainDeadlineSeconds}): a drain would need ${receives} deliveries of its message, over SQS's limit of ${SQS_MAX_RECEIVE_COUNT}; poll less often or shorten the deadline`,
        );
    }
    return drain;
}

function readNetwork(r: Reader): NetworkSettings {
    const vpcCidrText = r.string("vpcCidr", "10.0.0.0/16");
    const vpcCidr = parseCidr(vpcCidrText);
    if (!vpcCidr)
        r.problem(
            `${r.name("vpcCidr")} (${vpcCidrText}) must be an aligned IPv4 CIDR block such as 10.0.0.0/16`,
        );
    else if (vpcCidr.prefix < 16 || vpcCidr.prefix > 28) {
        r.problem(
            `${r.name("vpcCidr")} (${vpcCidrText}) must have a prefix between /16 and /28, as AWS allows for VPCs`,
        );
    }

    const existingVpcId = r.optionalString(
        "vpcId",
        /^vpc-[0-9a-f]{8,17}$/,
        "a VPC id such as vpc-0123456789abcdef0",
    );
    const existingPublicSubnetIds = r.optionalStringList(
        "publicSubnetIds",
        /^subnet-[0-9a-f]{8,17}$/,
        "subnet ids such as subnet-0123456789abcdef0",
    );
    const availabilityZones = r.optionalStringList(
        "availabilityZones",
        /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/,
        "AZ names such as us-east-1a",
    );
    const azCount = availabilityZones ? availabilityZones.length : r.integer("azCount", 3, 2, 6);
    if (availabilityZones) {
        if (availabilityZones.length < 2 || availabilityZones.length > 6) {
            r.problem(`${r.name("availabilityZones")} must list 2–6 AZs, got ${availabilityZones.length}`);
        }
        if (new Set(availabilityZones).size !== availabilityZones.length) {
            r.problem(`${r.name("availabilityZones")} lists an AZ twice`);
        }
    }
    const natGateways = r.oneOf("natGateways", "perAz", ["perAz", "single"] as const);

    if (existingVpcId) {
        if (!existingPublicSubnetIds)
            r.problem(
                `${r.name("publicSubnetIds")} is required with ${r.name("vpcId")} (the NAT gateways and the ALB go in them)`,
            );
        if (!availabilityZones)
            r.problem(
                `${r.name("availabilityZones")} is required with ${r.name("vpcId")}, in the order of ${r.name("publicSubnetIds")}`,
            );
        if (
            existingPublicSubnetIds &&
            availabilityZones &&
            existingPublicSubnetIds.length !== availabilityZones.length
        ) {
            r.problem(
                `${r.name("publicSubnetIds")} has ${existingPublicSubnetIds.length} subnets but ${r.name("availabilityZones")} has ${availabilityZones.length} AZs; give one public subnet per AZ`,
            );
        }
        if (r.has("publicSubnetCidrs"))
            r.problem(`${r.name("publicSubnetCidrs")} has no effect with ${r.name("vpcId")}; remove it`);
    } else if (existingPublicSubnetIds) {
        r.problem(
            `${r.name("publicSubnetIds")} needs ${r.name("vpcId")}; without it the stack creates its own VPC and public subnets`,
        );
    }

    const publicSubnetCidrs = existingVpcId
        ? []
        : subnetCidrs(r, "publicSubnetCidrs", vpcCidr, azCount, 6, 0);
    const privateSubnetCidrs = subnetCidrs(r, "privateSubnetCidrs", vpcCidr, azCount, 4, 8);
    if (vpcCidr) {
        const all = [...publicSubnetCidrs, ...privateSubnetCidrs];
        for (let i = 0; i < all.length; i++) {
            for (let j = i + 1; j < all.length; j++) {
                const a = parseCidr(all[i]);
                const b = parseCidr(all[j]);
                if (a && b && cidrsOverlap(a, b)) r.problem(`subnet CIDRs ${all[i]} and ${all[j]} overlap`);
            }
        }
    }
    return {
        vpcCidr: vpcCidrText,
        existingVpcId,
        existingPublicSubnetIds,
        availabilityZones,
        azCount,
        natGateways,
        publicSubnetCidrs,
        privateSubnetCidrs,
    };
}

/**
 * Subnet CIDRs from config, or derived: block `firstBlock + i` of prefix `vpc.prefix + extraBits`.
 * For a /16 that is public /22s from 10.0.0.0 (room for NAT gateways and ALB nodes) and private
 * /20s from 10.0.128.0 (room for one IP per awsvpc task); the two ranges never meet.
 */
function subnetCidrs(
    r: Reader,
    key: string,
    vpc: Cidr | undefined,
    count: number,
    extraBits: number,
    firstBlock: number,
): string[] {
    const given = r.optionalStringList(key, /.*/, "CIDR blocks");
    if (given) {
        if (given.length !== count)
            r.problem(
                `${r.name(key)} has ${given.length} CIDRs but the stack uses ${count} AZs; give one per AZ`,
            );
        for (const text of given) {
            const cidr = parseCidr(text);
            if (!cidr) r.problem(`${r.name(key)} entry ${text} must be an aligned IPv4 CIDR block`);
            else if (cidr.prefix > 28)
                r.problem(`${r.name(key)} entry ${text} must be /28 or larger, as AWS allows for subnets`);
            else if (vpc && !cidrContains(vpc, cidr))
                r.problem(`${r.name(key)} entry ${text} is outside ${r.name("vpcCidr")} ${formatCidr(vpc)}`);
        }
        return [...given];
    }
    if (!vpc) return [];
    if (vpc.prefix + extraBits > 27) {
        r.problem(
            `${r.name("vpcCidr")} ${formatCidr(vpc)} is too small to derive ${key}; use /21 or larger, or set ${r.name(key)}`,
        );
        return [];
    }
    return Array.from({ length: count }, (_, i) =>
        formatCidr(subdivide(vpc, vpc.prefix + extraBits, firstBlock + i)),
    );
}

function readCluster(r: Reader): ClusterSettings {
    const clusterName = r.optionalString("clusterName", CLUSTER_NAME, CLUSTER_NAME_RULE);
    const instanceTypes = r.optionalStringList("instanceTypes", /.*/, "instance types") ?? ["m5.large"];
    if (instanceTypes.length === 0)
        r.problem(`${r.name("instanceTypes")} must list at least one instance type`);
    for (const type of instanceTypes) {
        if (!INSTANCE_TYPES[type]) {
            r.problem(
                `${r.name("instanceTypes")} entry ${type} is not in the ENI table (runtime/instanceTypes.ts); known: ${Object.keys(INSTANCE_TYPES).join(", ")}`,
            );
        }
    }
    if (new Set(instanceTypes).size !== instanceTypes.length)
        r.problem(`${r.name("instanceTypes")} lists a type twice`);

    const minSize = r.integer("minSize", 1, 0, 1000);
    const maxSize = r.integer("maxSize", 10, 1, 1000);
    const desiredCapacity = r.integer("desiredCapacity", 2, 0, 1000);
    if (maxSize < desiredCapacity)
        r.problem(`${r.name("maxSize")} (${maxSize}) must be >= desiredCapacity (${desiredCapacity})`);
    if (minSize > desiredCapacity)
        r.problem(`${r.name("minSize")} (${minSize}) must be <= desiredCapacity (${desiredCapacity})`);
    if (minSize > maxSize) r.problem(`${r.name("minSize")} (${minSize}) must be <= maxSize (${maxSize})`);

    const minHealthyPercentage = r.integer("minHealthyPercentage", 100, 0, 100);
    const maxHealthyPercentage = r.integer("maxHealthyPercentage", 200, 100, 200);
    if (maxHealthyPercentage - minHealthyPercentage > 100) {
        r.problem(
            `${r.name("maxHealthyPercentage")} (${maxHealthyPercentage}) must be at most minHealthyPercentage + 100 (${minHealthyPercentage + 100}), as instance refresh requires`,
        );
    }
    return {
        clusterName,
        instanceTypes,
        onDemandBaseCapacity: r.integer("onDemandBaseCapacity", 0, 0, maxSize),
        onDemandPercentage: r.integer("onDemandPercentage", 100, 0, 100),
        minSize,
        maxSize,
        desiredCapacity,
        amiId: r.optionalString("amiId", /^ami-[0-9a-f]{8,17}$/, "an AMI id such as ami-0123456789abcdef0"),
        instanceWarmupSeconds: r.integer("instanceWarmupSeconds", 300, 0, 3600),
        minHealthyPercentage,
        maxHealthyPercentage,
        containerStopTimeoutSeconds: r.integer("containerStopTimeoutSeconds", 30, 2, 120),
        awsvpcTrunking: r.boolean("awsvpcTrunking", false),
        rootVolumeSizeGiB: r.integer("rootVolumeSizeGiB", 30, 30, 16384),
        serviceLinkedRoleArn: r.optionalString(
            "autoScalingServiceLinkedRoleArn",
            /^arn:aws[a-z-]*:iam::\d{12}:role\/aws-service-role\/autoscaling\.amazonaws\.com\/AWSServiceRoleForAutoScaling(_[\w+=,.@-]{1,35})?$/,
            "the ARN of an Auto Scaling service-linked role (…:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling[_suffix])",
        ),
    };
}

function readServices(r: Reader, cluster: ClusterSettings, defaultCpuTarget: number): ServiceSettings[] {
    const list = r.objectList("services");
    const known = cluster.instanceTypes.map((t) => INSTANCE_TYPES[t]).filter((t) => t !== undefined);
    const largestCpu = Math.max(0, ...known.map((t) => t.vcpus * 1024));
    const largestMemory = Math.max(0, ...known.map((t) => t.registeredMemoryMiB));
    const names = new Set<string>();
    const services: ServiceSettings[] = [];
    list.forEach((entry, i) => {
        const at = `${r.name("services")}[${i}]`;
        const field = new FieldReader(r, at, entry);
        for (const key of Object.keys(entry)) {
            if (!SERVICE_FIELDS.has(key))
                r.problem(`${at}.${key} is not a service field (known: ${[...SERVICE_FIELDS].join(", ")})`);
        }
        const name = field.string(
            "name",
            undefined,
            new RegExp(`^[a-z][a-z0-9-]{0,${MAX_SERVICE_NAME_LENGTH - 1}}$`),
            `1–${MAX_SERVICE_NAME_LENGTH} lowercase letters, digits and hyphens, starting with a letter (the target group is auto-named svc-<name>-tg-xxxxxxx, and ELB allows 32 characters)`,
        );
        if (names.has(name))
            r.problem(`${at}.name (${name}) is used by another service; names must be unique`);
        names.add(name);
        const cpu = field.integer("cpu", 256, 128, 10240);
        const memory = field.integer("memory", 512, 128, 120000);
        if (largestCpu > 0 && cpu > largestCpu)
            r.problem(
                `${at}.cpu (${cpu}) does not fit any instance type in instanceTypes (largest has ${largestCpu} CPU units)`,
            );
        if (largestMemory > 0 && memory > largestMemory)
            r.problem(
                `${at}.memory (${memory}) does not fit any instance type in instanceTypes (largest registers ${largestMemory} MiB)`,
            );
        const minCount = field.integer("minCount", 1, 0, 1000);
        const maxCount = field.integer("maxCount", 4, 1, 1000);
        const desiredCount = field.integer("desiredCount", 2, 0, 1000);
        if (desiredCount < minCount || desiredCount > maxCount)
            r.problem(
                `${at}.desiredCount (${desiredCount}) must be within minCount–maxCount (${minCount}–${maxCount})`,
            );
        const healthCheckPath = field.string(
            "healthCheckPath",
            "/",
            /^\/[\x21-\x7e]{0,1023}$/,
            "a URL path starting with /",
        );
        services.push({
            name,
            image: field.string("image", undefined, /^\S+$/, "a container image reference"),
            cpu,
            memory,
            containerPort: field.integer("containerPort", 8080, 1, 65535),
            desiredCount,
            minCount,
            maxCount,
            healthCheckPath,
            pathPattern: field.string(
                "pathPattern",
                i === 0 ? "/*" : `/${name}/*`,
                /^\/\S*$/,
                "an ALB path pattern starting with /",
            ),
            cpuTargetPercent: field.integer("cpuTargetPercent", defaultCpuTarget, 10, 90),
            extraEgress: field.egress("extraEgress"),
            environment: field.stringMap("environment"),
        });
    });
    const patterns = services.map((s) => s.pathPattern);
    patterns.forEach((p, i) => {
        if (patterns.indexOf(p) !== i)
            r.problem(`${r.name("services")}[${i}].pathPattern (${p}) is routed to another service already`);
    });
    return services;
}

/** A stray key, with the known key it was most likely meant to be (a typo is one or two edits away). */
function unknownKeyProblem(fullName: string, key: string, known: readonly string[]): string {
    const [closest] = known
        .map((candidate) => ({
            candidate,
            distance: editDistance(key.toLowerCase(), candidate.toLowerCase()),
        }))
        .sort((a, b) => a.distance - b.distance);
    if (closest && closest.distance <= Math.max(2, Math.floor(key.length / 5)))
        return `${fullName} is not a known key: did you mean "${closest.candidate}"?`;
    return `${fullName} is not a known key (known: ${known.join(", ")})`;
}

/** Levenshtein distance, a swap of two neighbours counting as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
                d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/** Coerces and range-checks raw values, recording a problem instead of throwing. */
class Reader {
    readonly problems: string[];

    constructor(private readonly raw: Readonly<Record<string, unknown>>) {
        this.problems = [];
    }

    name(key: string): string {
        return `${CONFIG_NAMESPACE}:${key}`;
    }

    problem(message: string): void {
        if (!this.problems.includes(message)) this.problems.push(message);
    }

    /** False for "" and, for keys whose default is [], an empty list: the declared "unset" defaults. */
    has(key: string): boolean {
        const value = this.raw[key];
        if (value === undefined || value === null || value === "") return false;
        const isEmptyList = (Array.isArray(value) && value.length === 0) || value === "[]";
        return !(isEmptyList && OPTIONAL_LIST_KEYS.has(key));
    }

    string(key: string, fallback: string): string {
        return this.optionalString(key, /.*/, "a string") ?? fallback;
    }

    optionalString(key: string, pattern: RegExp, expected: string): string | undefined {
        if (!this.has(key)) return undefined;
        const value = this.raw[key];
        if (typeof value !== "string" || !pattern.test(value)) {
            this.problem(`${this.name(key)} (${show(value)}) must be ${expected}`);
            return undefined;
        }
        return value;
    }

    oneOf<T extends string>(key: string, fallback: T, legal: readonly T[]): T {
        if (!this.has(key)) return fallback;
        const value = this.raw[key];
        if (typeof value === "string" && (legal as readonly string[]).includes(value)) return value as T;
        this.problem(`${this.name(key)} (${show(value)}) must be one of ${legal.join(" | ")}`);
        return fallback;
    }

    integer(key: string, fallback: number, min: number, max: number): number {
        if (!this.has(key)) return fallback;
        return checkInteger(this, this.name(key), this.raw[key], fallback, min, max);
    }

    boolean(key: string, fallback: boolean): boolean {
        if (!this.has(key)) return fallback;
        const value = this.raw[key];
        if (value === true || value === "true") return true;
        if (value === false || value === "false") return false;
        this.problem(`${this.name(key)} (${show(value)}) must be true or false`);
        return fallback;
    }

    optionalStringList(key: string, pattern: RegExp, expected: string): string[] | undefined {
        if (!this.has(key)) return undefined;
        const value = structured(this.raw[key]);
        if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
            this.problem(`${this.name(key)} (${show(this.raw[key])}) must be a list of ${expected}`);
            return undefined;
        }
        const bad = value.filter((v: string) => !pattern.test(v));
        if (bad.length > 0) this.problem(`${this.name(key)} entries ${bad.join(", ")} must be ${expected}`);
        return value as string[];
    }

    objectList(key: string): Record<string, unknown>[] {
        if (!this.has(key)) return [];
        const value = structured(this.raw[key]);
        if (!Array.isArray(value) || value.some((v) => !isPlainObject(v))) {
            this.problem(`${this.name(key)} must be a list of objects`);
            return [];
        }
        return value as Record<string, unknown>[];
    }

    stringMap(key: string): Record<string, string> {
        if (!this.has(key)) return {};
        return checkStringMap(this, this.name(key), structured(this.raw[key]));
    }
}

/** Reads the fields of one object entry (a service), naming each as `services[i].field`. */
class FieldReader {
    constructor(
        private readonly r: Reader,
        private readonly at: string,
        private readonly entry: Record<string, unknown>,
    ) {}

    string(field: string, fallback: string | undefined, pattern: RegExp, expected: string): string {
        const value = this.entry[field];
        if (value === undefined) {
            if (fallback === undefined) this.r.problem(`${this.at}.${field} is required (${expected})`);
            return fallback ?? "";
        }
        if (typeof value !== "string" || !pattern.test(value)) {
            this.r.problem(`${this.at}.${field} (${show(value)}) must be ${expected}`);
            return fallback ?? "";
        }
        return value;
    }

    integer(field: string, fallback: number, min: number, max: number): number {
        const value = this.entry[field];
        if (value === undefined) return fallback;
        return checkInteger(this.r, `${this.at}.${field}`, value, fallback, min, max);
    }

    stringMap(field: string): Record<string, string> {
        const value = this.entry[field];
        return value === undefined ? {} : checkStringMap(this.r, `${this.at}.${field}`, value);
    }

    egress(field: string): EgressRule[] {
        const value = this.entry[field];
        if (value === undefined) return [];
        if (!Array.isArray(value)) {
            this.r.problem(`${this.at}.${field} must be a list of {protocol, port, cidr}`);
            return [];
        }
        return value.flatMap((rule: unknown, j: number): EgressRule[] => {
            const where = `${this.at}.${field}[${j}]`;
            if (!isPlainObject(rule)) {
                this.r.problem(`${where} must be an object {protocol, port, cidr}`);
                return [];
            }
            const protocol = rule.protocol;
            const port = checkInteger(this.r, `${where}.port`, rule.port, 0, 1, 65535);
            const cidr = typeof rule.cidr === "string" ? parseCidr(rule.cidr) : undefined;
            if (protocol !== "tcp" && protocol !== "udp")
                this.r.problem(`${where}.protocol (${show(protocol)}) must be tcp or udp`);
            if (!cidr)
                this.r.problem(`${where}.cidr (${show(rule.cidr)}) must be an aligned IPv4 CIDR block`);
            return protocol === "tcp" || protocol === "udp"
                ? [{ protocol, port, cidr: String(rule.cidr) }]
                : [];
        });
    }
}

function checkInteger(
    r: Reader,
    name: string,
    value: unknown,
    fallback: number,
    min: number,
    max: number,
): number {
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n)) {
        r.problem(`${name} (${show(value)}) must be an integer in ${min}–${max}`);
        return fallback;
    }
    if (n < min || n > max) {
        r.problem(`${name} (${n}) must be in ${min}–${max}`);
        return fallback;
    }
    return n;
}

function checkStringMap(r: Reader, name: string, value: unknown): Record<string, string> {
    if (!isPlainObject(value) || Object.values(value).some((v) => typeof v !== "string")) {
        r.problem(`${name} must be a map of string to string`);
        return {};
    }
    return value as Record<string, string>;
}

/** `pulumi config` stores structured values as JSON text; a stack YAML file holds them parsed. */
function structured(value: unknown): unknown {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}
