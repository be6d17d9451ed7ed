import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { AppLoadBalancer } from "../../components/loadBalancer";
import { AppService } from "../../components/service";
import { parseSettings } from "../../stack/settings";
import {
    named,
    ofType,
    recordOptions,
    settle,
    startMocks,
    valueOf,
    type DeclaredResource,
    type MockRun,
    type OptionsRecorder,
} from "../../scripts/mockSynthesis";

const api = {
    name: "api",
    image: "public.ecr.aws/docker/library/httpd:2.4",
    cpu: 512,
    memory: 1024,
    containerPort: 8080,
    desiredCount: 3,
    minCount: 2,
    maxCount: 6,
    healthCheckPath: "/healthz",
    pathPattern: "/api/*",
    cpuTargetPercent: 55,
    extraEgress: [{ protocol: "tcp", port: 5432, cidr: "10.0.128.0/17" }],
    environment: { LOG_LEVEL: "info" },
};

const ALERTS = "arn:aws:sns:us-east-1:123456789012:alerts";

async function synthesize(
    raw: Record<string, unknown>,
    recorder?: OptionsRecorder,
    capacityProviderName?: string,
): Promise<MockRun> {
    const run = await startMocks();
    const settings = parseSettings(raw, "test");
    const alb = new AppLoadBalancer("alb", {
        settings: settings.alb,
        vpcId: "vpc-1",
        publicSubnetIds: ["pub-a", "pub-b"],
        tags: {},
    });
    new AppService(
        "svc-api",
        {
            settings: settings.services[0],
            clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/c1",
            clusterName: "c1",
            capacityProviderName,
            vpcId: "vpc-1",
            vpcCidr: settings.network.vpcCidr,
            privateSubnetIds: ["priv-a", "priv-b"],
            albSecurityGroupId: alb.securityGroupId,
            listenerArn: alb.listenerArn,
            loadBalancerArnSuffix: alb.arnSuffix,
            listenerPriority: 10,
            deregistrationDelaySeconds: settings.alb.deregistrationDelaySeconds,
            logRetentionDays: settings.logRetentionDays,
            alertsTopicArn: ALERTS,
            tags: { team: "platform" },
        },
        recorder ? { transformations: [recorder.transformation] } : undefined,
    );
    await settle(run);
    return run;
}

function rule(r: DeclaredResource): string {
    const i = r.inputs;
    const peer = i.referencedSecurityGroupId ?? i.cidrIpv4;
    return `${i.securityGroupId} ${i.ipProtocol} ${i.fromPort}-${i.toPort} ${peer}`;
}

describe("AppService and AppLoadBalancer", () => {
    it("opens exactly: internet → ALB listener, ALB → tasks on the container port, tasks → DNS/HTTPS/config", async () => {
        const run = await synthesize({ services: [api], deregistrationDelaySeconds: 45 });
        // Sorted: registration order follows when each rule's inputs resolve, which is not the point here.
        assert.deepEqual(
            ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map(rule).sort(),
            ["alb-sg-id tcp 80-80 0.0.0.0/0", "svc-api-sg-id tcp 8080-8080 alb-sg-id"],
        );
        assert.deepEqual(
            ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map(rule).sort(),
            [
                "alb-sg-id tcp 8080-8080 svc-api-sg-id",
                "svc-api-sg-id tcp 443-443 0.0.0.0/0",
                "svc-api-sg-id tcp 53-53 10.0.0.0/16",
                "svc-api-sg-id tcp 5432-5432 10.0.128.0/17",
                "svc-api-sg-id udp 53-53 10.0.0.0/16",
            ],
        );
        for (const sg of ofType(run, "aws:ec2/securityGroup:SecurityGroup")) {
            assert.equal(sg.inputs.ingress, undefined, `${sg.name} has no inline rules`);
            assert.equal(sg.inputs.egress, undefined, `${sg.name} has no inline rules`);
        }
        assert.equal(
            named(run, "aws:ec2/securityGroup:SecurityGroup", "alb-sg").inputs.tags["ecs-lifecycle:role"],
            "alb",
        );
    });

    it("places its tasks through a capacity provider's strategy instead of the EC2 launch type (managed mode)", async () => {
        const run = await synthesize({ services: [api] }, undefined, "cp-c1");
        const service = named(run, "aws:ecs/service:Service", "svc-api-service");
        assert.equal(service.inputs.launchType, undefined, "ECS refuses a launch type next to a strategy");
        assert.deepEqual(service.inputs.capacityProviderStrategies, [
            { capacityProvider: "cp-c1", base: 0, weight: 1 },
        ]);
        assert.deepEqual(
            named(run, "aws:ecs/taskDefinition:TaskDefinition", "svc-api-task").inputs
                .requiresCompatibilities,
            ["EC2"],
        );
    });

    it("runs awsvpc tasks in the private subnets without public IPs", async () => {
        const run = await synthesize({ services: [api] });
        const service = named(run, "aws:ecs/service:Service", "svc-api-service");
        assert.deepEqual(service.inputs.networkConfiguration, {
            subnets: ["priv-a", "priv-b"],
            securityGroups: ["svc-api-sg-id"],
            assignPublicIp: false,
        });
        assert.equal(service.inputs.launchType, "EC2");
        assert.equal(service.inputs.capacityProviderStrategies, undefined);
        assert.equal(service.inputs.desiredCount, 3);
        assert.equal(service.inputs.deploymentMinimumHealthyPercent, 100);
        assert.equal(service.inputs.deploymentMaximumPercent, 200);
        assert.deepEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
        assert.deepEqual(service.inputs.loadBalancers, [
            {
                targetGroupArn: service.inputs.loadBalancers[0].targetGroupArn,
                containerName: "api",
                containerPort: 8080,
            },
        ]);
        const task = named(run, "aws:ecs/taskDefinition:TaskDefinition", "svc-api-task");
        assert.equal(task.inputs.networkMode, "awsvpc");
        assert.deepEqual([task.inputs.cpu, task.inputs.memory], ["512", "1024"]);
        assert.deepEqual(task.inputs.requiresCompatibilities, ["EC2"]);
        const [container] = JSON.parse(task.inputs.containerDefinitions);
        assert.deepEqual(container.portMappings, [{ containerPort: 8080, protocol: "tcp" }]);
        assert.deepEqual(container.environment, [{ name: "LOG_LEVEL", value: "info" }]);
        assert.deepEqual(container.logConfiguration.options, {
            "awslogs-group": "/ecs/c1/api",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "api",
        });
    });

    it("targets task IPs through a path rule, with the configured health check and deregistration delay", async () => {
        const run = await synthesize({ services: [api], deregistrationDelaySeconds: 45 });
        const tg = named(run, "aws:lb/targetGroup:TargetGroup", "svc-api-tg");
        assert.equal(tg.inputs.targetType, "ip");
        assert.equal(tg.inputs.port, 8080);
        assert.equal(tg.inputs.deregistrationDelay, 45);
        assert.equal(tg.inputs.healthCheck.path, "/healthz");
        const route = named(run, "aws:lb/listenerRule:ListenerRule", "svc-api-route");
        assert.deepEqual(route.inputs.conditions, [{ pathPattern: { values: ["/api/*"] } }]);
        assert.equal(route.inputs.priority, 10);
        const alb = named(run, "aws:lb/loadBalancer:LoadBalancer", "alb-alb");
        assert.deepEqual([alb.inputs.internal, alb.inputs.subnets], [false, ["pub-a", "pub-b"]]);
        const listener = named(run, "aws:lb/listener:Listener", "alb-http");
        assert.equal(listener.inputs.defaultActions[0].fixedResponse.statusCode, "404");
    });

    it("leaves desiredCount to service auto scaling and creates the service after its listener rule", async () => {
        const recorder = recordOptions();
        await synthesize({ services: [api] }, recorder);
        const options = recorder.options.get("svc-api-service");
        assert.deepEqual(options?.ignoreChanges, ["desiredCount"]);
        const dependsOn = options?.dependsOn as pulumi.Resource[];
        assert.deepEqual(await Promise.all(dependsOn.map((r) => valueOf(r.urn))), [
            "urn:pulumi:test::ecs-lifecycle::ecs-lifecycle:service:AppService$aws:lb/listenerRule:ListenerRule::svc-api-route",
        ]);
    });

    it("scales the service on CPU between minCount and maxCount", async () => {
        const run = await synthesize({ services: [api] });
        const target = named(run, "aws:appautoscaling/target:Target", "svc-api-scaling-target");
        assert.deepEqual(
            [
                target.inputs.minCapacity,
                target.inputs.maxCapacity,
                target.inputs.resourceId,
                target.inputs.scalableDimension,
            ],
            [2, 6, "service/c1/api", "ecs:service:DesiredCount"],
        );
        const policy = named(run, "aws:appautoscaling/policy:Policy", "svc-api-cpu-tracking");
        assert.equal(policy.inputs.targetTrackingScalingPolicyConfiguration.targetValue, 55);
        assert.equal(
            policy.inputs.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification
                .predefinedMetricType,
            "ECSServiceAverageCPUUtilization",
        );
    });

    it("scopes the execution role to this account's repositories and this service's log group", async () => {
        const run = await synthesize({ services: [api], logRetentionDays: 90 });
        const policy = JSON.parse(
            named(run, "aws:iam/rolePolicy:RolePolicy", "svc-api-execution").inputs.policy,
        );
        assert.deepEqual(
            policy.Statement.map((s: { Resource: string }) => s.Resource),
            [
                "arn:aws:ecr:*:123456789012:repository/*",
                "*",
                "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/c1/api:log-stream:*",
            ],
        );
        assert.equal(policy.Statement[1].Action, "ecr:GetAuthorizationToken");
        assert.equal(
            named(run, "aws:cloudwatch/logGroup:LogGroup", "svc-api-logs").inputs.retentionInDays,
            90,
        );
    });

    it("serves HTTPS with a certificate and redirects HTTP to it", async () => {
        const run = await synthesize({
            services: [api],
            certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        });
        assert.deepEqual(
            ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                .filter((r) => r.inputs.cidrIpv4)
                .map(rule)
                .sort(),
            ["alb-sg-id tcp 443-443 0.0.0.0/0", "alb-sg-id tcp 80-80 0.0.0.0/0"],
        );
        const https = named(run, "aws:lb/listener:Listener", "alb-https");
        assert.deepEqual([https.inputs.port, https.inputs.protocol], [443, "HTTPS"]);
        const redirect = named(run, "aws:lb/listener:Listener", "alb-http-redirect");
        assert.deepEqual(redirect.inputs.defaultActions[0].redirect, {
            protocol: "HTTPS",
            port: "443",
            statusCode: "HTTP_301",
        });
        assert.equal(
            named(run, "aws:lb/listenerRule:ListenerRule", "svc-api-route").inputs.listenerArn,
            https.outputs.arn,
            "routes attach to the HTTPS listener",
        );
    });

    describe("tells a person when the service is unwell", () => {
        let run: MockRun;
        let dims: { LoadBalancer: string; TargetGroup: string };
        before(async () => {
            run = await synthesize({ services: [api] });
            // CloudWatch names each by its ARN's resource part, less "loadbalancer/" for the ALB.
            const resourcePart = (type: string, name: string): string =>
                named(run, type, name).outputs.arn.split(":").slice(5).join(":");
            dims = {
                LoadBalancer: resourcePart("aws:lb/loadBalancer:LoadBalancer", "alb-alb").replace(
                    "loadbalancer/",
                    "",
                ),
                TargetGroup: resourcePart("aws:lb/targetGroup:TargetGroup", "svc-api-tg"),
            };
        });

        it("pages on every alarm, when it fires and when it clears", () => {
            const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
            assert.deepEqual(alarms.map((a) => a.name).sort(), [
                "svc-api-5xx",
                "svc-api-below-desired",
                "svc-api-unhealthy",
            ]);
            for (const alarm of alarms) {
                assert.deepEqual(
                    [alarm.inputs.alarmActions, alarm.inputs.okActions],
                    [[ALERTS], [ALERTS]],
                    alarm.name,
                );
            }
        });

        it("on 5xx from its tasks: more than 5 % of its requests in 3 of 5 minutes", () => {
            const alarm = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "svc-api-5xx");
            assert.deepEqual(
                alarm.inputs.metricQueries.map(
                    (q: {
                        id: string;
                        expression?: string;
                        metric?: { metricName: string; dimensions: unknown };
                    }) => [q.id, q.expression ?? q.metric?.metricName],
                ),
                [
                    ["errors", "HTTPCode_Target_5XX_Count"],
                    ["requests", "RequestCount"],
                    ["errorPercent", "100 * FILL(errors, 0) / requests"],
                ],
            );
            assert.deepEqual(alarm.inputs.metricQueries[0].metric.dimensions, dims);
            assert.deepEqual(
                [alarm.inputs.threshold, alarm.inputs.evaluationPeriods, alarm.inputs.datapointsToAlarm],
                [5, 5, 3],
            );
        });

        it("on a target unhealthy for 5 minutes, and on fewer tasks running than desired for 10", () => {
            const unhealthy = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "svc-api-unhealthy");
            assert.deepEqual(
                [
                    unhealthy.inputs.metricName,
                    unhealthy.inputs.dimensions,
                    unhealthy.inputs.evaluationPeriods,
                ],
                ["UnHealthyHostCount", dims, 5],
            );
            const below = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "svc-api-below-desired");
            assert.deepEqual(
                below.inputs.metricQueries.map(
                    (q: { id: string; expression?: string; metric?: { metricName: string } }) => [
                        q.id,
                        q.expression ?? q.metric?.metricName,
                    ],
                ),
                [
                    ["desired", "DesiredTaskCount"],
                    ["running", "RunningTaskCount"],
                    ["missing", "desired - running"],
                ],
            );
            assert.deepEqual(below.inputs.metricQueries[0].metric.dimensions, {
                ClusterName: "c1",
                ServiceName: "api",
            });
            assert.deepEqual(
                [below.inputs.threshold, below.inputs.comparisonOperator, below.inputs.evaluationPeriods],
                [0, "GreaterThanThreshold", 10],
            );
        });
    });
});
