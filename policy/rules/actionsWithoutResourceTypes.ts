/**
 * The actions this project may grant on `Resource: "*"`: those whose row in the AWS Service
 * Authorization Reference has an empty "Resource types" column, so IAM evaluates them against
 * "*" only and a narrower Resource would deny them. Anything not listed here must name ARNs.
 * An entry ending in "*" covers every action with that prefix; a statement may use the pattern
 * itself or any single action it covers.
 */
export const ACTIONS_WITHOUT_RESOURCE_TYPES: ReadonlyArray<{ action: string; why: string }> = [
    {
        action: "autoscaling:Describe*",
        why: "Amazon EC2 Auto Scaling: every Describe* action lists no resource types.",
    },
    {
        action: "application-autoscaling:Describe*",
        why: "Application Auto Scaling: DescribeScalableTargets/ScalingPolicies/ScalingActivities/ScheduledActions list no resource types.",
    },
    {
        action: "ec2:Describe*",
        why: "Amazon EC2: the EC2 User Guide states ec2:Describe* actions do not support resource-level permissions.",
    },
    {
        action: "ecs:ListClusters",
        why: "Amazon ECS: no resource types (it enumerates clusters).",
    },
    {
        action: "ecs:ListServices",
        why: "Amazon ECS: no resource types; scope it with the ecs:cluster condition key instead.",
    },
    {
        action: "ecs:DiscoverPollEndpoint",
        why: "Amazon ECS: no resource types (the agent calls it before it registers a container instance).",
    },
    {
        action: "ecs:DescribeTaskDefinition",
        why: "Amazon ECS: task definitions support no resource-level permissions for Describe.",
    },
    {
        action: "ecs:ListTaskDefinitions",
        why: "Amazon ECS: no resource types.",
    },
    {
        action: "ecs:ListTaskDefinitionFamilies",
        why: "Amazon ECS: no resource types.",
    },
    {
        action: "ecr:GetAuthorizationToken",
        why: "Amazon ECR: the token is account-wide; no resource types.",
    },
    {
        action: "cloudwatch:PutMetricData",
        why: "CloudWatch: no resource types; scope it with the cloudwatch:namespace condition key.",
    },
    {
        action: "cloudwatch:GetMetricData",
        why: "CloudWatch: no resource types.",
    },
    {
        action: "cloudwatch:ListMetrics",
        why: "CloudWatch: no resource types.",
    },
    {
        action: "xray:PutTraceSegments",
        why: "AWS X-Ray: no resource types.",
    },
    {
        action: "xray:PutTelemetryRecords",
        why: "AWS X-Ray: no resource types.",
    },
    {
        action: "ssm:DescribeParameters",
        why: "Systems Manager: no resource types (ssm:GetParameter(s) do take parameter ARNs).",
    },
    {
        action: "sts:GetCallerIdentity",
        why: "AWS STS: no resource types; it is always allowed anyway.",
    },
];

/** Whether `action` (possibly itself a pattern) is covered by the allow-list. */
export function supportsOnlyAllResources(action: string): boolean {
    const wanted = action.toLowerCase();
    return ACTIONS_WITHOUT_RESOURCE_TYPES.some(({ action: allowed }) => {
        const entry = allowed.toLowerCase();
        if (entry === wanted) {
            return true;
        }
        return entry.endsWith("*") && !wanted.includes("*") && wanted.startsWith(entry.slice(0, -1));
    });
}
