/**
 * What `npm run plan` shows, made: the program synthesized under mocks with a stack's config, its
 * resource tree, IAM statements, Lambda archive sizes, stack outputs and the policy rules'
 * verdicts. Loads the Pulumi SDK; scripts/plan.ts imports it only once its arguments are good.
 */
import * as pulumi from "@pulumi/pulumi";
import { evaluateRules, RULES, type PlannedResource, type RuleViolation } from "../policy/rules";
import { serializeHandler } from "./lambdaArchive";
import { ACCOUNT_ID, REGION, settle, startMocks, type DeclaredResource } from "./mockSynthesis";
import { asPulumiConfig, secretKeysOf } from "./stackFile";

/** The inputs a reviewer reads first, per resource type; everything else is in --json. */
const KEY_INPUTS: Record<string, readonly string[]> = {
    "aws:ec2/vpc:Vpc": ["cidrBlock"],
    "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone", "mapPublicIpOnLaunch"],
    "aws:ec2/natGateway:NatGateway": ["subnetId"],
    "aws:ec2/route:Route": ["destinationCidrBlock", "gatewayId", "natGatewayId"],
    "aws:ec2/launchTemplate:LaunchTemplate": ["imageId", "instanceType", "metadataOptions"],
    "aws:autoscaling/group:Group": [
        "minSize",
        "maxSize",
        "desiredCapacity",
        "launchTemplate",
        "instanceRefresh",
        "instanceLifecyclePolicy",
        "terminationPolicies",
        "protectFromScaleIn",
    ],
    "aws:ecs/capacityProvider:CapacityProvider": ["name", "autoScalingGroupProvider"],
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": [
        "capacityProviders",
        "defaultCapacityProviderStrategies",
    ],
    "aws:autoscaling/lifecycleHook:LifecycleHook": [
        "lifecycleTransition",
        "heartbeatTimeout",
        "defaultResult",
    ],
    "aws:autoscaling/policy:Policy": [
        "policyType",
        "scalingAdjustment",
        "cooldown",
        "estimatedInstanceWarmup",
    ],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [
        "ipProtocol",
        "fromPort",
        "toPort",
        "cidrIpv4",
        "referencedSecurityGroupId",
    ],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": [
        "ipProtocol",
        "fromPort",
        "toPort",
        "cidrIpv4",
        "referencedSecurityGroupId",
    ],
    "aws:ecs/service:Service": [
        "desiredCount",
        "launchType",
        "capacityProviderStrategies",
        "networkConfiguration",
    ],
    "aws:ecs/taskDefinition:TaskDefinition": ["networkMode", "cpu", "memory"],
    "aws:lb/targetGroup:TargetGroup": ["targetType", "port", "deregistrationDelay"],
    "aws:lambda/function:Function": ["runtime", "timeout", "memorySize", "reservedConcurrentExecutions"],
    "aws:lambda/permission:Permission": ["principal", "sourceArn"],
    "aws:lambda/eventSourceMapping:EventSourceMapping": ["batchSize", "functionResponseTypes"],
    "aws:sqs/queue:Queue": ["visibilityTimeoutSeconds", "redrivePolicy", "sqsManagedSseEnabled"],
    "aws:sns/topic:Topic": ["kmsMasterKeyId"],
    "aws:cloudwatch/logGroup:LogGroup": ["retentionInDays"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": [
        "metricName",
        "comparisonOperator",
        "threshold",
        "evaluationPeriods",
        "treatMissingData",
    ],
    "aws:cloudwatch/eventRule:EventRule": ["scheduleExpression", "eventPattern"],
    "aws:appautoscaling/target:Target": ["minCapacity", "maxCapacity"],
};

/** Inputs holding IAM policy documents, per resource type. */
const POLICY_INPUTS: Record<string, string> = {
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
};

export interface IamStatement {
    readonly resource: string;
    readonly sid?: string;
    readonly effect: string;
    readonly principal?: unknown;
    readonly action: unknown;
    readonly on?: unknown;
    readonly condition?: unknown;
}

export interface PlanNode {
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    readonly inputs: Record<string, unknown>;
    /** The logical names of what it is created after (explicit dependsOn and its inputs' sources). */
    readonly dependsOn: string[];
}

/** What the stack does outside its own resources, said plainly: the account settings and who hears alerts. */
export interface PlanNotes {
    readonly accountSettings: string;
    readonly alerts: string;
    /** Who scales and drains the group: the capacity management mode and what it deploys. */
    readonly capacityManagement: string;
}

/** The values only mocks give, as the plan reports them, so nobody takes them for AWS's. */
export interface MockValues {
    readonly accountId: string;
    readonly region: string;
    /** How ids and auto-generated names read; every ARN has AWS's shape around them. */
    readonly note: string;
}

export interface Plan {
    readonly stack: string;
    readonly mockValues: MockValues;
    readonly notes: PlanNotes;
    readonly resources: PlanNode[];
    readonly components: number;
    readonly iamStatements: IamStatement[];
    readonly archiveBytes: Record<string, number>;
    /** The program's stack outputs (index.ts exports) as the mocks resolve them; secrets as "[secret]". */
    readonly outputs: Record<string, unknown>;
    readonly violations: RuleViolation[];
    readonly rules: number;
    readonly seconds: number;
}

/**
 * The parent of each resource. Mocks do not see resource options, so the tree follows the
 * naming convention every component keeps (children are `${component}-<role>`): a resource's
 * parent is the component with the longest name that is its own or a dash-prefix of it.
 */
export function inferParents(
    declared: readonly DeclaredResource[],
): Map<DeclaredResource, string | undefined> {
    const components = declared.filter((r) => !r.custom);
    const parents = new Map<DeclaredResource, string | undefined>();
    for (const resource of declared) {
        const candidates = components.filter(
            (c) => c !== resource && (resource.name === c.name || resource.name.startsWith(`${c.name}-`)),
        );
        const parent = candidates.sort((a, b) => b.name.length - a.name.length)[0];
        parents.set(resource, parent?.name);
    }
    return parents;
}

export function iamStatementsOf(declared: readonly DeclaredResource[]): IamStatement[] {
    const statements: IamStatement[] = [];
    for (const resource of declared) {
        const input = POLICY_INPUTS[resource.type];
        if (input && typeof resource.inputs[input] === "string") {
            const document = JSON.parse(resource.inputs[input]) as { Statement: Record<string, unknown>[] };
            for (const s of document.Statement) {
                statements.push({
                    resource: resource.name,
                    sid: s.Sid as string | undefined,
                    effect: String(s.Effect),
                    principal: s.Principal,
                    action: s.Action,
                    on: s.Resource,
                    condition: s.Condition,
                });
            }
        }
        if (resource.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
            statements.push({ resource: resource.name, effect: "Attach", action: resource.inputs.policyArn });
        }
        if (resource.type === "aws:lambda/permission:Permission") {
            statements.push({
                resource: resource.name,
                effect: "Allow",
                principal: resource.inputs.principal,
                action: resource.inputs.action,
                on: resource.inputs.function,
                condition: resource.inputs.sourceArn
                    ? { ArnEquals: { "aws:SourceArn": resource.inputs.sourceArn } }
                    : undefined,
            });
        }
    }
    return statements;
}

export const MOCK_VALUES: MockValues = {
    accountId: ACCOUNT_ID,
    region: REGION,
    note: "ids are <name>-id and generated names <name>-physical (AWS and Pulumi make up their own at deploy), inside ARNs of the shape AWS gives each type",
};

/** The custom resources of a mock run as the policy rules read them (as `pulumi preview` hands them to the pack). */
export function plannedResources(
    resources: readonly DeclaredResource[],
    parents = inferParents(resources),
): PlannedResource[] {
    return resources
        .filter((r) => r.custom)
        .map((r) => ({
            type: r.type,
            name: r.name,
            urn: r.urn,
            id: r.id,
            props: r.inputs,
            outputs: r.outputs,
            parent: parents.get(r),
            dependencies: [...r.dependencies],
        }));
}

/**
 * Synthesizes the program with a stack file's values (as `stackFileValues` read them) under mocks
 * that run as `project`. Call once per process: the program declares its resources on import.
 */
export async function buildPlan(
    stack: string,
    values: Record<string, unknown>,
    project: string,
): Promise<Plan> {
    const started = process.hrtime.bigint();
    const run = await startMocks(asPulumiConfig(values), stack, secretKeysOf(values), project);
    const program: Record<string, unknown> = await import("../index");
    await settle(run);
    const { declaredFunctions } = await import("../components/managedFunction");

    const archiveBytes: Record<string, number> = {};
    for (const fn of declaredFunctions) archiveBytes[fn.name] = (await serializeHandler(fn.factory)).zipBytes;

    const parents = inferParents(run.resources);
    const violations = evaluateRules(plannedResources(run.resources, parents), {
        archiveSizes: archiveBytes,
    });

    return {
        stack,
        mockValues: MOCK_VALUES,
        notes: notesOf(run.resources),
        resources: run.resources.map((r) => ({
            type: r.type,
            name: r.name,
            parent: parents.get(r),
            dependsOn: r.dependencies.map(subjectOf),
            inputs: Object.fromEntries(
                (KEY_INPUTS[r.type] ?? [])
                    .filter((k) => r.inputs[k] !== undefined)
                    .map((k) => [k, r.inputs[k]]),
            ),
        })),
        components: run.resources.filter((r) => !r.custom).length,
        iamStatements: iamStatementsOf(run.resources),
        archiveBytes,
        outputs: await stackOutputs(program),
        violations,
        rules: RULES.length,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
}

/** The program module's exports, resolved; `default` is the module itself (esModuleInterop), not an output. */
async function stackOutputs(program: Record<string, unknown>): Promise<Record<string, unknown>> {
    const outputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(program).filter(([key]) => key !== "default")) {
        const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>);
        const resolved = await new Promise((resolve) => output.apply(resolve));
        outputs[name] = (await pulumi.isSecret(output)) ? "[secret]" : resolved;
    }
    return outputs;
}

const ACCOUNT_SETTING_TYPE = "aws:ecs/accountSettingDefault:AccountSettingDefault";

export function notesOf(declared: readonly DeclaredResource[]): PlanNotes {
    const settings = declared.filter((r) => r.type === ACCOUNT_SETTING_TYPE);
    const accountSettings =
        settings.length === 0
            ? "not declared: this stack is not the account settings owner (accountSettingsOwner false), so the region's awsvpcTrunking and fargateTaskRetirementWaitPeriod stay as the owner stack (or AWS's default) set them"
            : `declared by this stack, the owner for its account and region (accountSettingsOwner true), kept on destroy: ${settings
                  .map((r) => `${r.inputs.name}=${r.inputs.value}`)
                  .join(", ")}; no other stack in the account and region may set accountSettingsOwner`;
    const topic = declared.find((r) => r.type === "aws:sns/topic:Topic" && r.name === "alerts-topic");
    const emails = declared.filter(
        (r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && r.name.startsWith("alerts-email-"),
    );
    const alerts =
        topic === undefined
            ? "sent to the existing topic alertsTopicArn (its policies must admit cloudwatch.amazonaws.com and events.amazonaws.com)"
            : emails.length === 0
              ? "topic alerts-topic has NO subscription: nobody is told; set alertEmails or subscribe the topic (stack output alertsTopicArn)"
              : `topic alerts-topic, e-mailed to ${emails.map((r) => r.inputs.endpoint).join(", ")} (each confirms by mail)`;
    return { accountSettings, alerts, capacityManagement: capacityManagementNote(declared) };
}

/** The capacity management mode, read from what the program declared. */
function capacityManagementNote(declared: readonly DeclaredResource[]): string {
    const provider = declared.find((r) => r.type === "aws:ecs/capacityProvider:CapacityProvider");
    if (provider === undefined)
        return "custom: the stack's drain hook, capacity scaler and termination policy Lambdas scale and drain the group";
    const p = provider.inputs.autoScalingGroupProvider ?? {};
    const scaling = p.managedScaling ?? {};
    return `managed: ECS capacity provider ${provider.inputs.name} scales the group (target ${scaling.targetCapacity} %, steps ${scaling.minimumScalingStepSize}–${scaling.maximumScalingStepSize}, warm-up ${scaling.instanceWarmupPeriod} s), termination protection ${p.managedTerminationProtection}, draining ${p.managedDraining}; no drain hook, capacity scaler or termination policy Lambda`;
}

/** A violation's subject as a reviewer reads it: the logical name at the end of a URN. */
export function subjectOf(resource: string): string {
    return resource.slice(resource.lastIndexOf("::") + 2);
}
