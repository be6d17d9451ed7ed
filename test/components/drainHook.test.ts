import assert from "node:assert/strict";
import { DrainHook } from "../../components/drainHook";
import { parseSettings } from "../../stack/settings";
import { requiredMaxReceiveCount } from "../../runtime/drain";
import { named, ofType, settle, startMocks, type MockRun } from "../../scripts/mockSynthesis";
import { brokenCollections, serializeHandler, type SerializedHandler } from "../../scripts/lambdaArchive";
import { EC2_SCHEDULED_EVENT_CODES } from "../../stack/drain";
import { drainCallbackFactory } from "../../runtime/drainHandler";

const CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/c1";
const GROUP_ARN = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b1c:autoScalingGroupName/asg";
const ALERTS = "arn:aws:sns:us-east-1:123456789012:alerts";

async function synthesize(raw: Record<string, unknown> = {}, reserveConcurrency = false): Promise<MockRun> {
    const run = await startMocks();
    new DrainHook("drain", {
        settings: parseSettings(raw, "t").drain,
        clusterName: "c1",
        clusterArn: CLUSTER_ARN,
        autoScalingGroupName: "asg",
        autoScalingGroupArn: GROUP_ARN,
        logRetentionDays: 7,
        reserveConcurrency,
        alertsTopicArn: ALERTS,
        tags: { team: "platform" },
    });
    await settle(run);
    return run;
}

describe("DrainHook", () => {
    let run: MockRun;
    before(async () => {
        run = await synthesize({
            drainHeartbeatTimeoutSeconds: 600,
            drainDeadlineSeconds: 7200,
            drainPollIntervalSeconds: 30,
        });
    });

    it("hooks TERMINATING with ABANDON by default, notifying the topic through a publish-only role", () => {
        const hook = named(run, "aws:autoscaling/lifecycleHook:LifecycleHook", "drain-hook");
        assert.deepEqual(hook.inputs, {
            name: "drain-terminating",
            autoscalingGroupName: "asg",
            lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
            heartbeatTimeout: 600,
            defaultResult: "ABANDON",
            notificationTargetArn: "arn:aws:sns:us-east-1:123456789012:drain-topic-physical",
            roleArn: "arn:aws:iam::123456789012:role/drain-hook-role-physical",
        });
        const publish = JSON.parse(
            named(run, "aws:iam/rolePolicy:RolePolicy", "drain-hook-publish").inputs.policy,
        );
        assert.deepEqual(publish.Statement, [
            {
                Sid: "NotifyTheDrainTopic",
                Effect: "Allow",
                Action: "sns:Publish",
                Resource: "arn:aws:sns:us-east-1:123456789012:drain-topic-physical",
            },
        ]);
        const trust = JSON.parse(named(run, "aws:iam/role:Role", "drain-hook-role").inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement[0].Principal, { Service: "autoscaling.amazonaws.com" });
    });

    it("creates the hook after the function, its event source, the subscription and the queue policy, so destroy removes it first", () => {
        const hook = named(run, "aws:autoscaling/lifecycleHook:LifecycleHook", "drain-hook");
        for (const [type, name] of [
            ["aws:lambda/function:Function", "drain-fn"],
            ["aws:lambda/eventSourceMapping:EventSourceMapping", "drain-source"],
            ["aws:sns/topicSubscription:TopicSubscription", "drain-to-queue"],
            // The hook's test notification, sent at creation, must find the queue open to the topic.
            ["aws:sqs/queuePolicy:QueuePolicy", "drain-queue-policy"],
        ]) {
            assert.ok(hook.dependencies.includes(named(run, type, name).urn), `the hook waits for ${name}`);
        }
    });

    it("delivers interruption events into the queue only once its policy admits EventBridge", () => {
        const policy = named(run, "aws:sqs/queuePolicy:QueuePolicy", "drain-queue-policy");
        for (const id of ["spot-interruption", "rebalance", "scheduled-event"]) {
            const target = named(run, "aws:cloudwatch/eventTarget:EventTarget", `drain-${id}`);
            assert.ok(target.dependencies.includes(policy.urn), id);
        }
    });

    it("encrypts the topic with the AWS-managed key and both queues with SQS-managed keys", () => {
        assert.equal(named(run, "aws:sns/topic:Topic", "drain-topic").inputs.kmsMasterKeyId, "alias/aws/sns");
        for (const q of ofType(run, "aws:sqs/queue:Queue"))
            assert.equal(q.inputs.sqsManagedSseEnabled, true, q.name);
    });

    it("budgets the queue's receives for a whole drain and redrives to the DLQ after that", () => {
        const queue = named(run, "aws:sqs/queue:Queue", "drain-queue");
        const redrive = JSON.parse(queue.inputs.redrivePolicy);
        const settings = parseSettings(
            { drainHeartbeatTimeoutSeconds: 600, drainDeadlineSeconds: 7200, drainPollIntervalSeconds: 30 },
            "t",
        ).drain;
        assert.equal(redrive.maxReceiveCount, requiredMaxReceiveCount(settings));
        assert.equal(redrive.deadLetterTargetArn, "arn:aws:sqs:us-east-1:123456789012:drain-dlq-physical");
        assert.ok(
            queue.inputs.visibilityTimeoutSeconds >=
                named(run, "aws:lambda/function:Function", "drain-fn").inputs.timeout,
        );
        const policy = JSON.parse(
            named(run, "aws:sqs/queuePolicy:QueuePolicy", "drain-queue-policy").inputs.policy,
        );
        assert.deepEqual(policy.Statement[0].Condition, {
            ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:drain-topic-physical" },
        });
    });

    it("sends Spot warnings, rebalance recommendations and EC2 scheduled events straight to the queue", () => {
        const rules = ["spot-interruption", "rebalance", "scheduled-event"].map((id) => ({
            pattern: JSON.parse(
                named(run, "aws:cloudwatch/eventRule:EventRule", `drain-${id}`).inputs.eventPattern,
            ),
            target: named(run, "aws:cloudwatch/eventTarget:EventTarget", `drain-${id}`).inputs,
        }));
        assert.deepEqual(
            rules.map((rule) => rule.pattern),
            [
                { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
                { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
                {
                    source: ["aws.health"],
                    "detail-type": ["AWS Health Event"],
                    detail: {
                        service: ["EC2"],
                        eventTypeCategory: ["scheduledChange"],
                        eventTypeCode: EC2_SCHEDULED_EVENT_CODES,
                    },
                },
            ],
        );
        assert.ok(EC2_SCHEDULED_EVENT_CODES.includes("AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED"));
        assert.ok(EC2_SCHEDULED_EVENT_CODES.includes("AWS_EC2_INSTANCE_STOP_SCHEDULED"));
        for (const rule of rules) {
            // The queue, never the topic: EventBridge cannot publish to a topic under the AWS-managed key.
            assert.equal(rule.target.arn, "arn:aws:sqs:us-east-1:123456789012:drain-queue-physical");
        }
        assert.deepEqual(
            rules.map((rule) => rule.target.rule),
            [
                "drain-spot-interruption-physical",
                "drain-rebalance-physical",
                "drain-scheduled-event-physical",
            ],
        );
    });

    it("nudges drains with the cluster's ECS events: a DRAINING instance changed, a task on an instance stopped", () => {
        const rules = ["instance-changed", "task-stopped"].map((id) => ({
            pattern: JSON.parse(
                named(run, "aws:cloudwatch/eventRule:EventRule", `drain-${id}`).inputs.eventPattern,
            ),
            target: named(run, "aws:cloudwatch/eventTarget:EventTarget", `drain-${id}`),
        }));
        assert.deepEqual(
            rules.map((rule) => rule.pattern),
            [
                {
                    source: ["aws.ecs"],
                    "detail-type": ["ECS Container Instance State Change"],
                    detail: { clusterArn: [CLUSTER_ARN], status: ["DRAINING"] },
                },
                {
                    source: ["aws.ecs"],
                    "detail-type": ["ECS Task State Change"],
                    detail: { clusterArn: [CLUSTER_ARN], lastStatus: ["STOPPED"], launchType: ["EC2"] },
                },
            ],
        );
        const policy = named(run, "aws:sqs/queuePolicy:QueuePolicy", "drain-queue-policy");
        for (const rule of rules) {
            assert.equal(rule.target.inputs.arn, "arn:aws:sqs:us-east-1:123456789012:drain-queue-physical");
            assert.ok(rule.target.dependencies.includes(policy.urn));
        }
    });

    it("gathers batches of 50 for a second, so one invocation reads them together", () => {
        const source = named(run, "aws:lambda/eventSourceMapping:EventSourceMapping", "drain-source");
        assert.equal(source.inputs.batchSize, 50);
        assert.equal(source.inputs.maximumBatchingWindowInSeconds, 1);
    });

    it("keeps the ECS budget's lane in an encrypted on-demand table keyed by lane", () => {
        const table = named(run, "aws:dynamodb/table:Table", "drain-ecs-budget");
        assert.equal(table.inputs.billingMode, "PAY_PER_REQUEST");
        assert.equal(table.inputs.hashKey, "lane");
        assert.deepEqual(table.inputs.attributes, [{ name: "lane", type: "S" }]);
        assert.deepEqual(table.inputs.serverSideEncryption, { enabled: true });
    });

    it("lets EventBridge send to the queue for exactly its five rules", () => {
        const policy = JSON.parse(
            named(run, "aws:sqs/queuePolicy:QueuePolicy", "drain-queue-policy").inputs.policy,
        );
        assert.deepEqual(policy.Statement[1], {
            Sid: "FromTheDrainRulesOnly",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: "arn:aws:sqs:us-east-1:123456789012:drain-queue-physical",
            Condition: {
                ArnEquals: {
                    "aws:SourceArn": [
                        "arn:aws:events:us-east-1:123456789012:rule/drain-spot-interruption-physical",
                        "arn:aws:events:us-east-1:123456789012:rule/drain-rebalance-physical",
                        "arn:aws:events:us-east-1:123456789012:rule/drain-scheduled-event-physical",
                        "arn:aws:events:us-east-1:123456789012:rule/drain-instance-changed-physical",
                        "arn:aws:events:us-east-1:123456789012:rule/drain-task-stopped-physical",
                    ],
                },
            },
        });
        assert.equal(policy.Statement.length, 2);
    });

    it("reads the queue with partial batch failures, at most 10 batches at once without reserving concurrency", () => {
        const source = named(run, "aws:lambda/eventSourceMapping:EventSourceMapping", "drain-source");
        assert.deepEqual(source.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
        const fn = named(run, "aws:lambda/function:Function", "drain-fn");
        assert.equal(source.inputs.scalingConfig.maximumConcurrency, 10);
        assert.equal(fn.inputs.reservedConcurrentExecutions, undefined);
        assert.equal(fn.inputs.runtime, "nodejs22.x");
        assert.equal(fn.inputs.role, "arn:aws:iam::123456789012:role/drain-fn-role-physical");
        assert.deepEqual(fn.inputs.environment.variables, {
            CLUSTER_NAME: "c1",
            CLUSTER_ARN: CLUSTER_ARN,
            AUTO_SCALING_GROUP_NAME: "asg",
            LIFECYCLE_HOOK_NAME: "drain-terminating",
            QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/drain-queue-physical",
            ECS_BUDGET_TABLE: "drain-ecs-budget-physical",
        });
        assert.equal(fn.inputs.loggingConfig.logGroup, "drain-fn-logs-physical");
        assert.equal(
            named(run, "aws:cloudwatch/logGroup:LogGroup", "drain-fn-logs").inputs.retentionInDays,
            7,
        );
    });

    it("grants the drain Lambda only this cluster, this group, its own queue and its budget's table", () => {
        const policy = JSON.parse(
            named(run, "aws:iam/rolePolicy:RolePolicy", "drain-fn-policy").inputs.policy,
        );
        const bySid = Object.fromEntries(policy.Statement.map((s: { Sid: string }) => [s.Sid, s]));
        assert.deepEqual(Object.keys(bySid), [
            "WriteOwnLogs",
            "ParkFailedInvocations",
            "FindContainerInstanceInThisCluster",
            "DrainThisClustersInstances",
            "CompleteThisGroupsLifecycleActions",
            "FindWaitingInstances",
            "WaitOnAndRedriveOwnQueue",
            "SpendTheEcsBudget",
        ]);
        assert.equal(bySid.FindContainerInstanceInThisCluster.Resource, CLUSTER_ARN);
        assert.deepEqual(bySid.DrainThisClustersInstances.Resource, [
            "arn:aws:ecs:us-east-1:123456789012:container-instance/c1/*",
            "arn:aws:ecs:us-east-1:123456789012:task/c1/*",
        ]);
        assert.deepEqual(bySid.DrainThisClustersInstances.Condition, {
            ArnEquals: { "ecs:cluster": CLUSTER_ARN },
        });
        assert.equal(bySid.CompleteThisGroupsLifecycleActions.Resource, GROUP_ARN);
        assert.equal(
            bySid.WaitOnAndRedriveOwnQueue.Resource,
            "arn:aws:sqs:us-east-1:123456789012:drain-queue-physical",
        );
        assert.deepEqual(bySid.SpendTheEcsBudget, {
            Sid: "SpendTheEcsBudget",
            Effect: "Allow",
            Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/drain-ecs-budget-physical",
        });
        assert.equal(
            ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length,
            0,
            "no managed policy, FullAccess or other",
        );
    });

    it("sweeps on a schedule and alarms on the DLQ, abandoned drains and handler errors", () => {
        assert.equal(
            named(run, "aws:cloudwatch/eventRule:EventRule", "drain-sweep").inputs.scheduleExpression,
            "rate(2 minutes)",
        );
        assert.equal(
            named(run, "aws:lambda/permission:Permission", "drain-sweep").inputs.principal,
            "events.amazonaws.com",
        );
        const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [
            a.name,
            a.inputs.namespace,
            a.inputs.metricName,
        ]);
        assert.deepEqual(alarms.sort(), [
            ["drain-abandoned", "EcsLifecycle/Drain", "DrainsAbandoned"],
            ["drain-dlq-depth", "AWS/SQS", "ApproximateNumberOfMessagesVisible"],
            ["drain-fn-errors", "AWS/Lambda", "Errors"],
            ["drain-fn-failed-events", "AWS/SQS", "ApproximateNumberOfMessagesVisible"],
        ]);
        for (const alarm of ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
            assert.deepEqual(
                [alarm.inputs.alarmActions, alarm.inputs.okActions],
                [[ALERTS], [ALERTS]],
                alarm.name,
            );
        }
    });

    it("reserves the event source's 10 only when the stack opts in, and tags the function so", async () => {
        const reserving = await synthesize({}, true);
        const fn = named(reserving, "aws:lambda/function:Function", "drain-fn");
        assert.equal(fn.inputs.reservedConcurrentExecutions, 10);
        assert.equal(fn.inputs.tags["ecs-lifecycle:reserved-concurrency"], "reserveLambdaConcurrency");
    });

    describe("the serialized drain handler, as Lambda would load it", () => {
        let handler: SerializedHandler;
        before(async () => {
            handler = await serializeHandler(drainCallbackFactory(parseSettings({}, "t").drain));
        });

        it("is a small archive that requires the SDK at run time and carries no Pulumi code", () => {
            assert.ok(handler.zipBytes < 50_000, `drain archive is ${handler.zipBytes} bytes`);
            assert.match(handler.text, /require\("@aws-sdk\/client-ecs"\)/);
            assert.doesNotMatch(handler.text, /@pulumi\//);
            assert.match(handler.text, /pollIntervalSeconds: 60/);
        });

        it("holds no module-level Set or Map, which serialization breaks", () => {
            assert.deepEqual(brokenCollections(handler.text), []);
        });

        it("runs: ignores the hook's test notification and lets a malformed message go", async () => {
            Object.assign(process.env, {
                AWS_REGION: "us-east-1",
                AWS_ACCESS_KEY_ID: "test",
                AWS_SECRET_ACCESS_KEY: "test",
                CLUSTER_NAME: "c1",
                AUTO_SCALING_GROUP_NAME: "asg",
                LIFECYCLE_HOOK_NAME: "drain-terminating",
                QUEUE_URL: "http://127.0.0.1:9/queue",
            });
            const lines: string[] = [];
            const log = console.log;
            console.log = (line: string) => lines.push(line);
            try {
                const result = await handler.load()({
                    Records: [
                        {
                            messageId: "m1",
                            receiptHandle: "r1",
                            body: JSON.stringify({
                                Event: "autoscaling:TEST_NOTIFICATION",
                                AutoScalingGroupName: "asg",
                            }),
                        },
                        { messageId: "m2", receiptHandle: "r2", body: "{not json" },
                    ],
                });
                assert.deepEqual(result, { batchItemFailures: [] });
            } finally {
                console.log = log;
            }
            assert.ok(
                lines.some((l) => l.includes("MalformedMessages")),
                lines.join("\n"),
            );
        });
    });
});
