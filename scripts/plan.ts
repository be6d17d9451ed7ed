/**
 * `npm run plan -- [--stack dev] [--json]`: the offline preview. Synthesizes the program under
 * mocks with the stack's real config, prints the resource tree with the inputs that matter and
 * every IAM statement, measures each Lambda archive, and runs the policy pack's rules. Exits
 * non-zero on a violation or a bad stack file.
 */
import { evaluateRules, RULES, type PlannedResource, type RuleViolation } from "../policy/rules";
import { serializeHandler } from "./lambdaArchive";
import { settle, startMocks, type DeclaredResource } from "./mockSynthesis";
import { asPulumiConfig, secretKeysOf, stackFileValues } from "./stackFile";

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

export interface Plan {
    readonly stack: string;
    readonly notes: PlanNotes;
    readonly resources: PlanNode[];
    readonly components: number;
    readonly iamStatements: IamStatement[];
    readonly archiveBytes: Record<string, number>;
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

export async function buildPlan(stack: string): Promise<Plan> {
    const started = process.hrtime.bigint();
    const values = stackFileValues(stack);
    const run = await startMocks(asPulumiConfig(values), stack, secretKeysOf(values));
    await import("../index");
    await settle(run);
    const { declaredFunctions } = await import("../components/managedFunction");

    const archiveBytes: Record<string, number> = {};
    for (const fn of declaredFunctions) archiveBytes[fn.name] = (await serializeHandler(fn.factory)).zipBytes;

    const parents = inferParents(run.resources);
    const planned: PlannedResource[] = run.resources
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
    const violations = evaluateRules(planned, { archiveSizes: archiveBytes });

    return {
        stack,
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
        violations,
        rules: RULES.length,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
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
function subjectOf(resource: string): string {
    return resource.slice(resource.lastIndexOf("::") + 2);
}

function renderText(plan: Plan): string {
    const lines: string[] = [
        `Offline plan of stack ${plan.stack} (Pulumi.${plan.stack}.yaml, synthesized under mocks)`,
        "",
    ];
    const children = (parent: string | undefined) => plan.resources.filter((r) => r.parent === parent);
    const walk = (parent: string | undefined, depth: number) => {
        for (const node of children(parent)) {
            const inputs = Object.entries(node.inputs)
                .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
                .join(" ");
            lines.push(`${"  ".repeat(depth)}${node.type}  ${node.name}${inputs ? `  ${inputs}` : ""}`);
            if (plan.resources.some((r) => r.parent === node.name) && node.type.startsWith("ecs-lifecycle:"))
                walk(node.name, depth + 1);
        }
    };
    walk(undefined, 0);

    lines.push("", "IAM statements:");
    for (const s of plan.iamStatements) {
        const parts = [
            `${s.resource}${s.sid ? ` [${s.sid}]` : ""}: ${s.effect}`,
            s.principal ? `principal ${JSON.stringify(s.principal)}` : "",
            JSON.stringify(s.action),
            s.on ? `on ${JSON.stringify(s.on)}` : "",
            s.condition ? `if ${JSON.stringify(s.condition)}` : "",
        ];
        lines.push(`  ${parts.filter(Boolean).join(" ")}`);
    }

    lines.push("", "Lambda archives:");
    for (const [name, bytes] of Object.entries(plan.archiveBytes)) lines.push(`  ${name}: ${bytes} bytes`);

    lines.push("", `Account-wide ECS settings: ${plan.notes.accountSettings}`);
    lines.push(`Alerts: ${plan.notes.alerts}`);
    lines.push(`Capacity management: ${plan.notes.capacityManagement}`);

    lines.push("", `Policy checks: ${plan.rules} mandatory rules`);
    for (const v of plan.violations)
        lines.push(`  VIOLATION ${v.rule}${v.resource ? ` (${subjectOf(v.resource)})` : ""}: ${v.message}`);
    const custom = plan.resources.length - plan.components;
    lines.push(`${custom} resources, ${plan.violations.length} violations`);
    lines.push(`(${plan.components} components; planned in ${plan.seconds.toFixed(1)} s)`);
    return lines.join("\n");
}

/** 0 when every rule passes, 1 on a violation (2 is kept for a plan that could not be made). */
export function exitCodeFor(plan: Pick<Plan, "violations">): number {
    return plan.violations.length > 0 ? 1 : 0;
}

export function parsePlanArgs(argv: readonly string[]): { stack: string; json: boolean } {
    let stack = "dev";
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json") json = true;
        else if (arg === "--stack" && argv[i + 1] && !argv[i + 1].startsWith("--")) stack = argv[++i];
        else if (arg.startsWith("--stack=")) stack = arg.slice("--stack=".length);
        else throw new Error(`unknown argument ${arg}: usage: npm run plan -- [--stack NAME] [--json]`);
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(stack))
        throw new Error(`--stack ${stack}: expected a stack name (letters, digits, . _ -)`);
    return { stack, json };
}

async function main(): Promise<void> {
    try {
        const args = parsePlanArgs(process.argv.slice(2));
        // The program's own log lines (e.g. a Lambda closure warning) would corrupt --json.
        const log = console.log;
        if (args.json) console.log = console.error;
        const plan = await buildPlan(args.stack);
        console.log = log;
        console.log(args.json ? JSON.stringify(plan, null, 2) : renderText(plan));
        process.exitCode = exitCodeFor(plan);
    } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 2;
    }
}

if (require.main === module) void main();
