import assert from "node:assert/strict";
import { asPulumiConfig, stackFileValues } from "../scripts/stackFile";
import { named, ofType, settle, startMocks, valueOf, type MockRun } from "../scripts/mockSynthesis";
import { evaluateRules } from "../policy/rules";
import { plannedResources } from "../scripts/planSynthesis";

describe("index.ts under the dev stack (Pulumi.dev.yaml)", () => {
    let run: MockRun;
    let program: typeof import("../index");

    before(async () => {
        run = await startMocks(asPulumiConfig(stackFileValues("dev")), "dev");
        program = await import("../index");
        await settle(run);
    });

    it("exports what an operator needs", async () => {
        assert.equal(await valueOf(program.ecsClusterName), "ecs-lifecycle-dev");
        assert.equal(
            await valueOf(program.ecsClusterArn),
            "arn:aws:ecs:us-east-1:123456789012:cluster/ecs-lifecycle-dev",
        );
        assert.equal(await valueOf(program.vpcId), "network-vpc-id");
        assert.deepEqual(await valueOf(program.publicSubnetIds), [
            "network-public-0-id",
            "network-public-1-id",
            "network-public-2-id",
        ]);
        assert.deepEqual(await valueOf(program.privateSubnetIds), [
            "network-private-0-id",
            "network-private-1-id",
            "network-private-2-id",
        ]);
        assert.deepEqual(
            await valueOf(program.natGatewayIds),
            ["network-nat-0-id"],
            "dev shares one NAT gateway",
        );
        assert.equal(await valueOf(program.autoScalingGroupName), "ecs-asg-physical");
        assert.match(
            await valueOf(program.albDnsName),
            /^alb-alb-physical-\d+\.us-east-1\.elb\.amazonaws\.com$/,
        );
        assert.deepEqual(await valueOf(program.serviceNames), ["web", "api"]);
        assert.equal(
            await valueOf(program.retirementTopicArn),
            "arn:aws:sns:us-east-1:123456789012:retirement-topic-physical",
        );
        assert.equal(
            await valueOf(program.alertsTopicArn),
            "arn:aws:sns:us-east-1:123456789012:alerts-topic-physical",
        );
        assert.equal(await valueOf(program.dashboardName), "ecs-lifecycle-dev");
        assert.equal(program.capacityManagement, "custom");
        assert.equal(program.capacityProviderName, undefined, "no capacity provider in custom mode");
        assert.equal(
            await valueOf(program.autoScalingServiceLinkedRoleArn),
            "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_ecs-lifecycle-dev.us-east-1",
        );
    });

    it("deploys on a new, low-quota account: no reservation, the stack's own Auto Scaling role, no account-wide setting", () => {
        for (const fn of ofType(run, "aws:lambda/function:Function")) {
            assert.equal(fn.inputs.reservedConcurrentExecutions, undefined, fn.name);
        }
        const group = named(run, "aws:autoscaling/group:Group", "ecs-asg");
        const role = named(run, "aws:iam/serviceLinkedRole:ServiceLinkedRole", "autoscaling-role");
        assert.equal(group.inputs.serviceLinkedRoleArn, role.outputs.arn);
        assert.equal(
            named(run, "aws:lambda/permission:Permission", "termination-invoke-by-autoscaling").inputs
                .principal,
            role.outputs.arn,
        );
        assert.deepEqual(ofType(run, "aws:ecs/accountSettingDefault:AccountSettingDefault"), []);
    });

    it("tells a person of every alarm that does not scale, on ALARM and OK", () => {
        const topic = named(run, "aws:sns/topic:Topic", "alerts-topic").outputs.arn;
        const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
        const scaling = alarms.filter((a) =>
            ["capacity-capacity-low", "capacity-idle-hosts"].includes(a.name),
        );
        assert.equal(scaling.length, 2);
        for (const alarm of alarms.filter((a) => !scaling.includes(a))) {
            assert.deepEqual(
                [alarm.inputs.alarmActions, alarm.inputs.okActions],
                [[topic], [topic]],
                alarm.name,
            );
        }
        assert.ok(alarms.length >= 17, `${alarms.length} alarms`);
    });

    it("declares the dev stack's group and services as configured", () => {
        const group = named(run, "aws:autoscaling/group:Group", "ecs-asg");
        assert.deepEqual(
            [group.inputs.minSize, group.inputs.maxSize, group.inputs.desiredCapacity],
            [2, 12, 3],
        );
        assert.deepEqual(
            group.inputs.mixedInstancesPolicy.launchTemplate.overrides.map(
                (o: { instanceType: string }) => o.instanceType,
            ),
            ["m5.large", "m6i.large"],
        );
        assert.equal(group.inputs.instanceRefresh.preferences.instanceWarmup, "180");
        assert.deepEqual(
            ofType(run, "aws:ecs/service:Service").map((s) => [s.inputs.name, s.inputs.desiredCount]),
            [
                ["web", 3],
                ["api", 2],
            ],
        );
        assert.deepEqual(
            ofType(run, "aws:lb/listenerRule:ListenerRule")
                .map((r) => [r.name, r.inputs.priority])
                .sort(),
            [
                ["svc-api-route", 20],
                ["svc-web-route", 50000],
            ],
            "the catch-all route is evaluated last",
        );
    });

    it("tags every resource through its provider's default tags, and what the group launches itself", () => {
        const stackTags = { "ecs-lifecycle:stack": "dev", team: "platform", environment: "dev" };
        const [provider, ...others] = ofType(run, "pulumi:providers:aws");
        assert.equal(others.length, 0, "one AWS provider");
        assert.deepEqual(JSON.parse(provider.inputs.defaultTags), { tags: stackTags });
        assert.equal(provider.inputs.region, "us-east-1", "aws:region is passed on");
        const awsResources = run.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
        assert.ok(awsResources.length > 100, `${awsResources.length} resources`);
        for (const r of awsResources) assert.equal(r.provider, `${provider.urn}::${provider.id}`, r.name);

        const group = named(run, "aws:autoscaling/group:Group", "ecs-asg");
        for (const [key, value] of Object.entries(stackTags)) {
            assert.ok(
                group.inputs.tags.some(
                    (t: { key: string; value: string; propagateAtLaunch: boolean }) =>
                        t.key === key && t.value === value && t.propagateAtLaunch,
                ),
                `the group propagates ${key} to its instances`,
            );
        }
        const template = named(run, "aws:ec2/launchTemplate:LaunchTemplate", "ecs-lt");
        for (const specification of template.inputs.tagSpecifications)
            assert.deepEqual(
                Object.fromEntries(Object.keys(stackTags).map((key) => [key, specification.tags[key]])),
                stackTags,
                specification.resourceType,
            );
    });

    it("uses the log retention of the stack everywhere", () => {
        const groups = ofType(run, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepEqual(groups.map((g) => g.name).sort(), [
            "capacity-fn-logs",
            "drain-fn-logs",
            "retirement-fn-logs",
            "svc-api-logs",
            "svc-web-logs",
            "termination-fn-logs",
        ]);
        for (const g of groups) assert.equal(g.inputs.retentionInDays, 14, g.name);
    });
});

describe("index.ts for the account settings owner, with trunking and reserved concurrency", () => {
    let run: MockRun;

    before(async () => {
        run = await startMocks(
            asPulumiConfig({
                ...stackFileValues("dev"),
                accountSettingsOwner: true,
                awsvpcTrunking: true,
                retirementWaitPeriodDays: 14,
                reserveLambdaConcurrency: true,
            }),
            "owner",
        );
        delete require.cache[require.resolve("../index")];
        await import("../index");
        await settle(run);
    });

    it("declares the account-wide settings, kept on destroy, and creates the group after trunking is on", () => {
        const settings = ofType(run, "aws:ecs/accountSettingDefault:AccountSettingDefault");
        assert.deepEqual(
            settings.map((r) => [r.inputs.name, r.inputs.value, r.retainOnDelete]),
            [
                ["awsvpcTrunking", "enabled", true],
                ["fargateTaskRetirementWaitPeriod", "14", true],
            ],
        );
        const group = named(run, "aws:autoscaling/group:Group", "ecs-asg");
        assert.ok(
            group.dependencies.includes(settings[0].urn),
            "instances launched before it get no trunk ENI",
        );
    });

    it("reserves 20 in all, each function tagged with the opt-in, and passes every rule", () => {
        const reserved = ofType(run, "aws:lambda/function:Function").map((fn) => [
            fn.name,
            fn.inputs.reservedConcurrentExecutions,
            fn.inputs.tags["ecs-lifecycle:reserved-concurrency"],
        ]);
        assert.deepEqual(reserved.sort(), [
            ["capacity-fn", 3, "reserveLambdaConcurrency"],
            ["drain-fn", 10, "reserveLambdaConcurrency"],
            ["retirement-fn", 2, "reserveLambdaConcurrency"],
            ["termination-fn", 5, "reserveLambdaConcurrency"],
        ]);
        assert.deepEqual(evaluateRules(plannedResources(run.resources), { archiveSizes: {} }), []);
    });
});
