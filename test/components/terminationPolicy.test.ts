import assert from "node:assert/strict";
import { TerminationPolicy } from "../../components/terminationPolicy";
import { named, settle, startMocks, valueOf, type MockRun } from "../../scripts/mockSynthesis";
import { brokenCollections, serializeHandler } from "../../scripts/lambdaArchive";
import { terminationCallbackFactory } from "../../runtime/terminationHandler";

const CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/c1";
const ROLE_ARN =
    "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_c1.us-east-1";
const ALERTS = "arn:aws:sns:us-east-1:123456789012:alerts";

describe("TerminationPolicy", () => {
    let run: MockRun;
    let policy: TerminationPolicy;
    before(async () => {
        run = await startMocks();
        policy = new TerminationPolicy("termination", {
            clusterName: "c1",
            clusterArn: CLUSTER_ARN,
            daemonTaskFamilies: [],
            autoScalingRoleArn: ROLE_ARN,
            reserveConcurrency: false,
            alertsTopicArn: ALERTS,
            logRetentionDays: 30,
            tags: {},
        });
        await settle(run);
    });

    it("lets the group's service-linked role invoke the unqualified function", async () => {
        const permission = named(
            run,
            "aws:lambda/permission:Permission",
            "termination-invoke-by-autoscaling",
        );
        assert.deepEqual(
            [permission.inputs.action, permission.inputs.principal, permission.inputs.function],
            ["lambda:InvokeFunction", ROLE_ARN, "termination-fn-physical"],
        );
        const arn = await valueOf(policy.policyArn);
        assert.doesNotMatch(arn, /:\$LATEST$|:\d+$/, "an unqualified ARN");
    });

    it("answers inside Auto Scaling's 2 s limit and only describes this cluster", () => {
        const fn = named(run, "aws:lambda/function:Function", "termination-fn");
        assert.equal(fn.inputs.timeout, 3);
        assert.equal(fn.inputs.deadLetterConfig, undefined, "invoked synchronously: no failure queue");
        assert.equal(
            fn.inputs.reservedConcurrentExecutions,
            undefined,
            "no reservation unless the stack opts in",
        );
        const errors = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "termination-fn-errors");
        assert.deepEqual([errors.inputs.alarmActions, errors.inputs.okActions], [[ALERTS], [ALERTS]]);
        const statements = JSON.parse(
            named(run, "aws:iam/rolePolicy:RolePolicy", "termination-fn-policy").inputs.policy,
        ).Statement;
        assert.deepEqual(
            statements.map((s: { Sid: string; Resource: string }) => [s.Sid, s.Resource]),
            [
                [
                    "WriteOwnLogs",
                    "arn:aws:logs:us-east-1:123456789012:log-group:termination-fn-logs-physical:log-stream:*",
                ],
                ["FindCandidatesInThisCluster", CLUSTER_ARN],
                ["DescribeCandidates", "arn:aws:ecs:us-east-1:123456789012:container-instance/c1/*"],
            ],
        );
    });

    it("serializes a handler that answers a bad payload with no instances", async () => {
        const handler = await serializeHandler(
            terminationCallbackFactory({ daemonTaskFamilies: [], budgetMs: 1500 }),
        );
        assert.ok(handler.zipBytes < 50_000, `termination archive is ${handler.zipBytes} bytes`);
        assert.deepEqual(brokenCollections(handler.text), []);
        process.env.CLUSTER_NAME = "c1";
        process.env.AWS_REGION = "us-east-1";
        const log = console.log;
        console.log = () => undefined;
        try {
            assert.deepEqual(await handler.load()({ AutoScalingGroupName: "asg" }), { InstanceIDs: [] });
        } finally {
            console.log = log;
        }
    });
});
