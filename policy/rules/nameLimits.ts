import { isUnknown, knownString } from "./known";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

/** What Pulumi appends to a logical name it auto-names a resource from: "-" and 7 random characters. */
export const AUTO_NAME_SUFFIX_LENGTH = 8;
/** What the provider appends to a namePrefix (a timestamp and counter, 26 characters). */
export const NAME_PREFIX_SUFFIX_LENGTH = 26;

/** AWS's limit on a name of one resource type, and whether Pulumi auto-names it when unset. */
export interface NameLimit {
    readonly type: string;
    readonly property: string;
    readonly max: number;
    readonly autoNamed: boolean;
    /** The characters AWS accepts, when narrower than what Pulumi generates. */
    readonly allowed?: { readonly pattern: RegExp; readonly rule: string };
}

const ECS_NAME = { pattern: /^[A-Za-z0-9_-]+$/, rule: "letters, digits, hyphens and underscores" };

/** The limits this stack's resources meet, from each service's API reference (CreateX, Name). */
export const NAME_LIMITS: readonly NameLimit[] = [
    { type: "aws:lb/targetGroup:TargetGroup", property: "name", max: 32, autoNamed: true },
    { type: "aws:lb/loadBalancer:LoadBalancer", property: "name", max: 32, autoNamed: true },
    { type: "aws:lambda/function:Function", property: "name", max: 64, autoNamed: true },
    { type: "aws:iam/role:Role", property: "name", max: 64, autoNamed: true },
    { type: "aws:iam/rolePolicy:RolePolicy", property: "name", max: 128, autoNamed: true },
    { type: "aws:iam/instanceProfile:InstanceProfile", property: "name", max: 128, autoNamed: true },
    { type: "aws:sqs/queue:Queue", property: "name", max: 80, autoNamed: true },
    { type: "aws:sns/topic:Topic", property: "name", max: 256, autoNamed: true },
    { type: "aws:cloudwatch/logGroup:LogGroup", property: "name", max: 512, autoNamed: true },
    { type: "aws:cloudwatch/metricAlarm:MetricAlarm", property: "name", max: 255, autoNamed: true },
    { type: "aws:cloudwatch/eventRule:EventRule", property: "name", max: 64, autoNamed: true },
    {
        type: "aws:cloudwatch/dashboard:Dashboard",
        property: "dashboardName",
        max: 255,
        autoNamed: false,
        allowed: ECS_NAME,
    },
    { type: "aws:ecs/cluster:Cluster", property: "name", max: 255, autoNamed: true, allowed: ECS_NAME },
    { type: "aws:ecs/service:Service", property: "name", max: 255, autoNamed: true, allowed: ECS_NAME },
    {
        type: "aws:ecs/taskDefinition:TaskDefinition",
        property: "family",
        max: 255,
        autoNamed: false,
        allowed: ECS_NAME,
    },
    { type: "aws:autoscaling/group:Group", property: "name", max: 255, autoNamed: true },
    { type: "aws:ec2/launchTemplate:LaunchTemplate", property: "name", max: 128, autoNamed: true },
    { type: "aws:dynamodb/table:Table", property: "name", max: 255, autoNamed: true },
];

const SERVICE_LINKED_ROLE = "aws:iam/serviceLinkedRole:ServiceLinkedRole";
const AUTO_SCALING_ROLE = "AWSServiceRoleForAutoScaling_";
const MAX_ROLE_NAME = 64;

/** The name the resource will have, or how long it will be: set, from a prefix, or auto-named. */
function plannedName(
    resource: PlannedResource,
    limit: NameLimit,
): { name?: string; length: number } | undefined {
    const value = resource.props[limit.property];
    if (isUnknown(value)) return undefined;
    const name = knownString(value);
    if (name !== undefined && name !== "") return { name, length: name.length };
    const prefix = knownString(resource.props.namePrefix);
    if (prefix !== undefined) return { length: prefix.length + NAME_PREFIX_SUFFIX_LENGTH };
    if (limit.autoNamed) return { length: resource.name.length + AUTO_NAME_SUFFIX_LENGTH };
    return undefined;
}

function limitViolations(resource: PlannedResource, limit: NameLimit): string[] {
    const planned = plannedName(resource, limit);
    if (planned === undefined) return [];
    const problems: string[] = [];
    const shown = planned.name ?? `${resource.name}-xxxxxxx (auto-named)`;
    if (planned.length > limit.max) {
        problems.push(
            `${limit.property} ${shown} is ${planned.length} characters; AWS allows ${limit.max}: shorten the logical name or the setting it comes from`,
        );
    }
    if (planned.name !== undefined && limit.allowed && !limit.allowed.pattern.test(planned.name)) {
        problems.push(`${limit.property} ${planned.name} may only hold ${limit.allowed.rule}`);
    }
    return problems;
}

/**
 * Every auto-named or derived name fits AWS's limit for its type: Pulumi appends "-" and 7
 * characters to an auto-named resource's logical name, so a logical name that grows with a
 * setting (a service's target group `svc-<name>-tg`) can pass every test and fail in AWS.
 */
export function checkNameLimits(resources: PlannedResource[]): StackViolation[] {
    const violations: StackViolation[] = [];
    for (const resource of resources) {
        for (const limit of NAME_LIMITS.filter((entry) => entry.type === resource.type)) {
            for (const problem of limitViolations(resource, limit))
                violations.push(violationOf(resource, problem));
        }
        if (
            resource.type === SERVICE_LINKED_ROLE &&
            knownString(resource.props.awsServiceName) === "autoscaling.amazonaws.com"
        ) {
            const suffix = knownString(resource.props.customSuffix);
            const roleName = `${AUTO_SCALING_ROLE}${suffix}`;
            if (suffix !== undefined && roleName.length > MAX_ROLE_NAME) {
                violations.push(
                    violationOf(
                        resource,
                        `role name ${roleName} is ${roleName.length} characters; IAM allows ${MAX_ROLE_NAME}`,
                    ),
                );
            }
        }
    }
    return violations;
}
