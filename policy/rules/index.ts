import { checkAbandonRetention } from "./abandonRetention";
import { checkAlarmActions } from "./alarmActions";
import { checkAutoRollbackWithSsmAmi } from "./autoRollbackWithSsmAmi";
import { checkAutoScalingServiceRole } from "./autoScalingServiceRole";
import { checkCapacityProviderGroup } from "./capacityProviderGroup";
import { checkDeliveryOrder } from "./deliveryOrder";
import { checkEncryptedMessaging } from "./encryptedMessaging";
import { checkIamWildcardActions } from "./iamWildcardActions";
import { checkIamWildcardResources } from "./iamWildcardResources";
import { checkInstanceRefreshPercentages } from "./instanceRefreshPercentages";
import { checkLambdaArchiveSize } from "./lambdaArchiveSize";
import { checkLambdaConcurrency } from "./lambdaConcurrency";
import { checkLambdaRole } from "./lambdaRole";
import { checkLaunchTemplatePublicIp } from "./launchTemplatePublicIp";
import { checkLaunchTemplateVersion } from "./launchTemplateVersion";
import { checkLifecycleHookHeartbeat } from "./lifecycleHookHeartbeat";
import { checkLogGroupRetention, checkLogGroupRetentionValue } from "./logGroupRetention";
import { checkNameLimits } from "./nameLimits";
import { checkPrivateTasks } from "./privateTasks";
import { checkPublicIngress } from "./publicIngress";
import { checkSubnetCidrs } from "./subnetCidrs";
import { checkTerminationPolicyLambda } from "./terminationPolicyLambda";
import { PlannedResource, RuleDefinition, StackFacts, StackViolation, Tier } from "./types";

export * from "./types";

/**
 * Every check AWS (or this project's safety rules) would make, each with its tier (types.ts, Tier);
 * the plan and the pack both run this list.
 */
export const RULES: readonly RuleDefinition[] = [
    {
        kind: "resource",
        name: "lifecycle-hook-heartbeat",
        description: "Lifecycle hook heartbeatTimeout is 30–7200 seconds.",
        enforcementLevel: "mandatory",
        check: checkLifecycleHookHeartbeat,
    },
    {
        kind: "stack",
        name: "terminating-hook-abandon-retained",
        description:
            'A TERMINATING lifecycle hook that defaults to ABANDON is paired with instanceLifecyclePolicy.retentionTriggers.terminateHookAbandon "retain" on its group.',
        enforcementLevel: "mandatory",
        check: checkAbandonRetention,
    },
    {
        kind: "resource",
        name: "instance-refresh-percentages",
        description:
            "Instance refresh min healthy 0–100, max healthy 100–200, max − min ≤ 100, and launch-before-terminate (min 100, max > 100).",
        enforcementLevel: "mandatory",
        check: checkInstanceRefreshPercentages,
    },
    {
        kind: "resource",
        name: "launch-template-version-pinned",
        description: "Auto Scaling groups pin a launch template version, never $Latest or $Default.",
        enforcementLevel: "mandatory",
        check: checkLaunchTemplateVersion,
    },
    {
        kind: "stack",
        name: "no-auto-rollback-with-ssm-ami",
        description:
            "Instance refresh autoRollback is off when the launch template resolves its AMI from SSM.",
        enforcementLevel: "mandatory",
        check: checkAutoRollbackWithSsmAmi,
    },
    {
        kind: "resource",
        name: "termination-policy-lambda-first",
        description: "A Lambda termination policy is first in terminationPolicies and not $LATEST-qualified.",
        enforcementLevel: "mandatory",
        check: checkTerminationPolicyLambda,
    },
    {
        kind: "stack",
        name: "lambda-explicit-role",
        description:
            "Every Lambda has an explicit role, and no Lambda's role holds a *FullAccess managed policy.",
        enforcementLevel: "mandatory",
        check: checkLambdaRole,
    },
    {
        kind: "resource",
        name: "iam-no-wildcard-actions",
        description: 'No IAM Allow statement grants Action "*" or "service:*" (or uses NotAction).',
        enforcementLevel: "mandatory",
        check: checkIamWildcardActions,
    },
    {
        kind: "resource",
        name: "iam-wildcard-resource-allow-list",
        description:
            'Resource "*" only for actions that support no resource-level permissions (a listed set).',
        enforcementLevel: "mandatory",
        check: checkIamWildcardResources,
    },
    {
        kind: "stack",
        name: "no-public-ingress",
        description: "No security group ingress from 0.0.0.0/0 or ::/0 except tcp 80/443 on the ALB's group.",
        enforcementLevel: "mandatory",
        check: checkPublicIngress,
    },
    {
        kind: "stack",
        name: "tasks-in-private-subnets",
        description: "ECS services assign no public IP and use only private subnets.",
        enforcementLevel: "mandatory",
        check: checkPrivateTasks,
    },
    {
        kind: "resource",
        name: "launch-template-no-public-ip",
        description: "Launch template network interfaces do not associate a public IP.",
        enforcementLevel: "mandatory",
        check: checkLaunchTemplatePublicIp,
    },
    {
        kind: "stack",
        name: "subnet-cidrs-valid",
        description: "Subnet CIDRs are valid /16–/28 blocks inside their VPC's CIDR and do not overlap.",
        enforcementLevel: "mandatory",
        check: checkSubnetCidrs,
    },
    {
        kind: "resource",
        name: "log-group-retention-valid",
        description: "A log group's retentionInDays is a value CloudWatch accepts.",
        enforcementLevel: "mandatory",
        check: checkLogGroupRetentionValue,
    },
    {
        kind: "resource",
        name: "log-group-retention",
        description: "Every log group expires its events (retentionInDays set, not 0).",
        enforcementLevel: "advisory",
        check: checkLogGroupRetention,
    },
    {
        kind: "resource",
        name: "messaging-encrypted",
        description: "SNS topics set kmsMasterKeyId; SQS queues set kmsMasterKeyId or sqsManagedSseEnabled.",
        enforcementLevel: "advisory",
        check: checkEncryptedMessaging,
    },
    {
        kind: "stack",
        name: "lambda-archive-size",
        description: "Each Lambda deployment archive is under 50 KiB.",
        enforcementLevel: "mandatory",
        check: checkLambdaArchiveSize,
        readsArchiveSizes: true,
    },
    {
        kind: "stack",
        name: "lambda-concurrency",
        description:
            "A Lambda reserves concurrency only through the stack's reserveLambdaConcurrency opt-in; SQS event sources bound their function with maximumConcurrency.",
        enforcementLevel: "mandatory",
        check: checkLambdaConcurrency,
    },
    {
        kind: "stack",
        name: "autoscaling-service-linked-role",
        description:
            "A group with a termination policy Lambda names its service-linked role, the Lambda admits that role, and a declared Auto Scaling service-linked role has a custom suffix.",
        enforcementLevel: "mandatory",
        check: checkAutoScalingServiceRole,
    },
    {
        kind: "stack",
        name: "name-limits",
        description:
            "Every auto-named or derived name (Pulumi appends 8 characters) fits AWS's length limit and character set for its type.",
        enforcementLevel: "mandatory",
        check: checkNameLimits,
    },
    {
        kind: "stack",
        name: "delivery-order",
        description:
            "EventBridge targets and lifecycle hooks are created after the queue or topic policy that admits them; the group after the awsvpcTrunking account setting.",
        enforcementLevel: "mandatory",
        check: checkDeliveryOrder,
    },
    {
        kind: "stack",
        name: "alarm-actions",
        description:
            "Every alarm drives a scaling policy or notifies an SNS topic on ALARM and OK, and no alarm's topic uses the AWS-managed SNS key.",
        enforcementLevel: "mandatory",
        check: checkAlarmActions,
    },
    {
        kind: "stack",
        name: "capacity-provider-group",
        description:
            "A capacity provider with managed termination protection has managed scaling, and its group protects new instances from scale-in, refreshes protected instances and has no Lambda termination policy.",
        enforcementLevel: "mandatory",
        check: checkCapacityProviderGroup,
    },
];

/** One violation found by evaluateRules, tagged with the rule that found it and its tier. */
export interface RuleViolation extends StackViolation {
    rule: string;
    tier: Tier;
}

/** Runs every rule over a planned stack: what `npm run plan` calls. */
export function evaluateRules(resources: PlannedResource[], facts?: StackFacts): RuleViolation[] {
    return RULES.flatMap((rule) => {
        const found = { rule: rule.name, tier: rule.enforcementLevel };
        if (rule.kind === "stack") {
            return rule.check(resources, facts).map((violation) => ({ ...found, ...violation }));
        }
        return resources.flatMap((resource) =>
            rule
                .check(resource)
                .map((message) => ({ ...found, resource: resource.urn ?? resource.name, message })),
        );
    });
}
