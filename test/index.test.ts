import assert from "node:assert/strict";
import { asPulumiConfig, stackFileValues } from "../scripts/stackFile";
import { named, ofType, settle, startMocks, valueOf, type MockRun } from "../scripts/mockSynthesis";

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
        assert.equal(await valueOf(program.albDnsName), "alb-alb.us-east-1.elb.amazonaws.com");
        assert.deepEqual(await valueOf(program.serviceNames), ["web", "api"]);
        assert.equal(
            await valueOf(program.retirementTopicArn),
            "arn:aws:sns:us-east-1:123456789012:sns/retirement-topic-physical",
        );
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

    it("tags every taggable resource with the stack and the configured tags", () => {
        const taggable = run.resources.filter((r) => r.inputs.tags && !Array.isArray(r.inputs.tags));
        assert.ok(taggable.length > 30, `expected many taggable resources, got ${taggable.length}`);
        for (const r of taggable) {
            assert.equal(r.inputs.tags["ecs-lifecycle:stack"], "dev", r.name);
            assert.equal(r.inputs.tags.team, "platform", r.name);
            assert.equal(r.inputs.tags.environment, "dev", r.name);
        }
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
