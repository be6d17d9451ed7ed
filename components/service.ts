import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { defaultStrategyDeclaration } from "../stack/capacityProvider";
import type { ServiceSettings } from "../stack/settings";
import { alertingAlarm } from "./alarms";
import { assumeRolePolicyFor } from "./iam";

export interface AppServiceArgs {
    /** Validated settings of this service (one entry of config `services`). */
    readonly settings: ServiceSettings;
    readonly clusterArn: pulumi.Input<string>;
    readonly clusterName: pulumi.Input<string>;
    /**
     * Place tasks through this capacity provider (capacityManagement managed) instead of the EC2
     * launch type; pass ManagedCapacity's output, so the service waits for the cluster's association.
     */
    readonly capacityProviderName?: pulumi.Input<string>;
    readonly vpcId: pulumi.Input<string>;
    /** The VPC's CIDR: DNS queries go to the VPC resolver inside it. */
    readonly vpcCidr: string;
    /** Private subnets the tasks' ENIs go in. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** The shared ALB's security group and the listener this service's path rule attaches to. */
    readonly albSecurityGroupId: pulumi.Input<string>;
    readonly listenerArn: pulumi.Input<string>;
    /** The ALB's ARN suffix: with the target group's, it names this service's ALB metrics. */
    readonly loadBalancerArnSuffix: pulumi.Input<string>;
    /** Listener rule priority, unique per listener (1–50000). */
    readonly listenerPriority: number;
    readonly deregistrationDelaySeconds: number;
    readonly logRetentionDays: number;
    /** Where the service's alarms (5xx, unhealthy targets, below desired count) notify a person. */
    readonly alertsTopicArn: pulumi.Input<string>;
    /** Tags beyond its provider's default tags (index.ts gives the provider the stack's tags). */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Share of the service's requests answered 5xx by its tasks, per minute, that pages (3 minutes of 5). */
export const TARGET_5XX_PERCENT = 5;
/** Minutes a target may stay unhealthy, or the service stay below its desired count, before it pages. */
export const UNHEALTHY_MINUTES = 5;
export const BELOW_DESIRED_MINUTES = 10;

/**
 * One app service: an awsvpc task definition, an ECS service in the private subnets with its own
 * security group (in: only the ALB on the container port; out: DNS, HTTPS and what config adds),
 * an `ip` target group behind the shared ALB, CPU target tracking between min and max count, and
 * alarms that page when its tasks answer 5xx, a target stays unhealthy, or fewer tasks run than
 * desired for minutes on end (Container Insights' RunningTaskCount against DesiredTaskCount).
 */
export class AppService extends pulumi.ComponentResource {
    readonly serviceName: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly targetGroupArn: pulumi.Output<string>;
    readonly taskDefinitionArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:service:AppService", name, {}, opts);
        const s = args.settings;
        const parent = { parent: this };
        const tags = (role: string) => ({
            ...args.tags,
            Name: `${name}-${role}`,
            "ecs-lifecycle:service": s.name,
        });

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: `${s.name} tasks: ALB in, DNS and HTTPS out`,
                tags: tags("sg"),
            },
            parent,
        );
        this.securityGroupId = securityGroup.id;
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-from-alb`,
            {
                securityGroupId: securityGroup.id,
                referencedSecurityGroupId: args.albSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: s.containerPort,
                toPort: s.containerPort,
                description: "traffic and health checks from the ALB",
            },
            parent,
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-alb-to-tasks`,
            {
                securityGroupId: args.albSecurityGroupId,
                referencedSecurityGroupId: securityGroup.id,
                ipProtocol: "tcp",
                fromPort: s.containerPort,
                toPort: s.containerPort,
                description: `ALB to ${s.name} tasks`,
            },
            parent,
        );
        const egress: { id: string; protocol: string; port: number; cidr: string; description: string }[] = [
            {
                id: "dns-udp",
                protocol: "udp",
                port: 53,
                cidr: args.vpcCidr,
                description: "DNS to the VPC resolver",
            },
            {
                id: "dns-tcp",
                protocol: "tcp",
                port: 53,
                cidr: args.vpcCidr,
                description: "DNS to the VPC resolver",
            },
            {
                id: "https",
                protocol: "tcp",
                port: 443,
                cidr: "0.0.0.0/0",
                description: "HTTPS: AWS APIs, ECR, registries",
            },
            ...s.extraEgress.map((rule) => ({
                id: `${rule.protocol}-${rule.port}-${rule.cidr.replace(/[./]/g, "-")}`,
                protocol: rule.protocol,
                port: rule.port,
                cidr: rule.cidr,
                description: "from config extraEgress",
            })),
        ];
        for (const rule of egress) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-out-${rule.id}`,
                {
                    securityGroupId: securityGroup.id,
                    ipProtocol: rule.protocol,
                    fromPort: rule.port,
                    toPort: rule.port,
                    cidrIpv4: rule.cidr,
                    description: rule.description,
                },
                parent,
            );
        }

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            {
                name: pulumi.interpolate`/ecs/${args.clusterName}/${s.name}`,
                retentionInDays: args.logRetentionDays,
                tags: tags("logs"),
            },
            parent,
        );
        this.logGroupName = logGroup.name;

        const assumedByTasks = assumeRolePolicyFor("ecs-tasks.amazonaws.com");
        const executionRole = new aws.iam.Role(
            `${name}-execution-role`,
            { assumeRolePolicy: assumedByTasks, tags: tags("execution-role") },
            parent,
        );
        new aws.iam.RolePolicy(
            `${name}-execution`,
            {
                role: executionRole.id,
                policy: pulumi
                    .all([logGroup.arn, aws.getCallerIdentityOutput({}, parent).accountId])
                    .apply(([logGroupArn, accountId]) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [
                                {
                                    Sid: "PullFromThisAccountsRepositories",
                                    Effect: "Allow",
                                    Action: [
                                        "ecr:BatchCheckLayerAvailability",
                                        "ecr:BatchGetImage",
                                        "ecr:GetDownloadUrlForLayer",
                                    ],
                                    Resource: `arn:aws:ecr:*:${accountId}:repository/*`,
                                },
                                {
                                    // GetAuthorizationToken supports no resource-level permissions.
                                    Sid: "EcrLogin",
                                    Effect: "Allow",
                                    Action: "ecr:GetAuthorizationToken",
                                    Resource: "*",
                                },
                                {
                                    Sid: "WriteThisServicesLogs",
                                    Effect: "Allow",
                                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                                    Resource: `${logGroupArn}:log-stream:*`,
                                },
                            ],
                        }),
                    ),
            },
            parent,
        );
        // The application's own AWS permissions start empty; teams attach what their code needs.
        const taskRole = new aws.iam.Role(
            `${name}-task-role`,
            { assumeRolePolicy: assumedByTasks, tags: tags("task-role") },
            parent,
        );

        const region = aws.getRegionOutput({}, parent).region;
        const taskDefinition = new aws.ecs.TaskDefinition(
            `${name}-task`,
            {
                family: pulumi.interpolate`${args.clusterName}-${s.name}`,
                networkMode: "awsvpc",
                requiresCompatibilities: ["EC2"],
                cpu: String(s.cpu),
                memory: String(s.memory),
                executionRoleArn: executionRole.arn,
                taskRoleArn: taskRole.arn,
                containerDefinitions: pulumi
                    .all([logGroup.name, region])
                    .apply(([logGroupName, regionName]) =>
                        JSON.stringify([
                            {
                                name: s.name,
                                image: s.image,
                                essential: true,
                                portMappings: [{ containerPort: s.containerPort, protocol: "tcp" }],
                                environment: Object.entries(s.environment).map(([envName, value]) => ({
                                    name: envName,
                                    value,
                                })),
                                logConfiguration: {
                                    logDriver: "awslogs",
                                    options: {
                                        "awslogs-group": logGroupName,
                                        "awslogs-region": regionName,
                                        "awslogs-stream-prefix": s.name,
                                    },
                                },
                            },
                        ]),
                    ),
                tags: tags("task"),
            },
            parent,
        );
        this.taskDefinitionArn = taskDefinition.arn;

        const targetGroup = new aws.lb.TargetGroup(
            `${name}-tg`,
            {
                targetType: "ip",
                vpcId: args.vpcId,
                port: s.containerPort,
                protocol: "HTTP",
                deregistrationDelay: args.deregistrationDelaySeconds,
                healthCheck: {
                    path: s.healthCheckPath,
                    matcher: "200-399",
                    interval: 15,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                },
                tags: tags("tg"),
            },
            parent,
        );
        this.targetGroupArn = targetGroup.arn;
        const rule = new aws.lb.ListenerRule(
            `${name}-route`,
            {
                listenerArn: args.listenerArn,
                priority: args.listenerPriority,
                conditions: [{ pathPattern: { values: [s.pathPattern] } }],
                actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
                tags: tags("route"),
            },
            parent,
        );

        const service = new aws.ecs.Service(
            `${name}-service`,
            {
                name: s.name,
                cluster: args.clusterArn,
                taskDefinition: taskDefinition.arn,
                desiredCount: s.desiredCount,
                // A strategy and a launch type exclude each other (ECS API reference, CreateService).
                ...(args.capacityProviderName === undefined
                    ? { launchType: "EC2" }
                    : {
                          capacityProviderStrategies: pulumi
                              .output(args.capacityProviderName)
                              .apply((provider) =>
                                  defaultStrategyDeclaration(provider).map((item) => ({ ...item })),
                              ),
                      }),
                schedulingStrategy: "REPLICA",
                networkConfiguration: {
                    subnets: args.privateSubnetIds,
                    securityGroups: [securityGroup.id],
                    assignPublicIp: false,
                },
                loadBalancers: [
                    {
                        targetGroupArn: targetGroup.arn,
                        containerName: s.name,
                        containerPort: s.containerPort,
                    },
                ],
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                deploymentCircuitBreaker: { enable: true, rollback: true },
                healthCheckGracePeriodSeconds: 60,
                orderedPlacementStrategies: [
                    { type: "spread", field: "attribute:ecs.availability-zone" },
                    { type: "binpack", field: "memory" },
                ],
                enableEcsManagedTags: true,
                propagateTags: "SERVICE",
                waitForSteadyState: false,
                tags: tags("service"),
            },
            {
                parent: this,
                // ECS rejects a target group that no listener uses yet.
                dependsOn: [rule],
                // Service auto scaling owns desiredCount after creation.
                ignoreChanges: ["desiredCount"],
            },
        );
        this.serviceName = service.name;

        const scalingTarget = new aws.appautoscaling.Target(
            `${name}-scaling-target`,
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${args.clusterName}/${service.name}`,
                minCapacity: s.minCount,
                maxCapacity: s.maxCount,
                tags: tags("scaling-target"),
            },
            parent,
        );
        new aws.appautoscaling.Policy(
            `${name}-cpu-tracking`,
            {
                policyType: "TargetTrackingScaling",
                serviceNamespace: scalingTarget.serviceNamespace,
                scalableDimension: scalingTarget.scalableDimension,
                resourceId: scalingTarget.resourceId,
                targetTrackingScalingPolicyConfiguration: {
                    predefinedMetricSpecification: {
                        predefinedMetricType: "ECSServiceAverageCPUUtilization",
                    },
                    targetValue: s.cpuTargetPercent,
                    scaleOutCooldown: 60,
                    scaleInCooldown: 300,
                },
            },
            parent,
        );

        this.alarms(name, args, targetGroup.arnSuffix, tags("alarm"));

        this.registerOutputs({ serviceName: this.serviceName, targetGroupArn: this.targetGroupArn });
    }

    private alarms(
        name: string,
        args: AppServiceArgs,
        targetGroupArnSuffix: pulumi.Output<string>,
        tags: Record<string, string>,
    ): void {
        const parent = { parent: this };
        const s = args.settings;
        const alb = { LoadBalancer: args.loadBalancerArnSuffix, TargetGroup: targetGroupArnSuffix };
        const albMetric = (metricName: string, stat: string) => ({
            namespace: "AWS/ApplicationELB",
            metricName,
            dimensions: alb,
            period: 60,
            stat,
        });
        alertingAlarm(
            `${name}-5xx`,
            {
                alarmDescription: `${s.name}: more than ${TARGET_5XX_PERCENT} % of requests answered 5xx by its tasks in 3 of 5 minutes: read the service's logs`,
                metricQueries: [
                    {
                        id: "errors",
                        metric: albMetric("HTTPCode_Target_5XX_Count", "Sum"),
                        returnData: false,
                    },
                    { id: "requests", metric: albMetric("RequestCount", "Sum"), returnData: false },
                    {
                        id: "errorPercent",
                        expression: "100 * FILL(errors, 0) / requests",
                        label: "5xx % of requests",
                        returnData: true,
                    },
                ],
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
                threshold: TARGET_5XX_PERCENT,
                comparisonOperator: "GreaterThanThreshold",
                // No requests, no data: nothing failed.
                treatMissingData: "notBreaching",
                tags,
            },
            args.alertsTopicArn,
            parent,
        );
        alertingAlarm(
            `${name}-unhealthy`,
            {
                alarmDescription: `${s.name}: a target failed the ALB health check (${s.healthCheckPath}) for ${UNHEALTHY_MINUTES} minutes`,
                namespace: "AWS/ApplicationELB",
                metricName: "UnHealthyHostCount",
                dimensions: alb,
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: UNHEALTHY_MINUTES,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                tags,
            },
            args.alertsTopicArn,
            parent,
        );
        const insights = (metricName: string) => ({
            namespace: "ECS/ContainerInsights",
            metricName,
            dimensions: { ClusterName: args.clusterName, ServiceName: s.name },
            period: 60,
            stat: "Maximum",
        });
        alertingAlarm(
            `${name}-below-desired`,
            {
                alarmDescription: `${s.name}: fewer tasks running than desired for ${BELOW_DESIRED_MINUTES} minutes (tasks cannot be placed, or fail to start): README runbook`,
                metricQueries: [
                    { id: "desired", metric: insights("DesiredTaskCount"), returnData: false },
                    { id: "running", metric: insights("RunningTaskCount"), returnData: false },
                    {
                        id: "missing",
                        expression: "desired - running",
                        label: "tasks missing",
                        returnData: true,
                    },
                ],
                evaluationPeriods: BELOW_DESIRED_MINUTES,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                tags,
            },
            args.alertsTopicArn,
            parent,
        );
    }
}
