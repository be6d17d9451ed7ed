/**
 * The in-process clients answer as the SDK clients do over the wire: the same outputs, the same
 * errors, the same retries; and a whole scenario gives the same figures both ways, so the two
 * paths cannot drift apart.
 */
import assert from "node:assert/strict";
import {
    CompleteLifecycleActionCommand,
    DescribeAutoScalingGroupsCommand,
    DescribeAutoScalingInstancesCommand,
} from "@aws-sdk/client-auto-scaling";
import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import {
    DescribeContainerInstancesCommand,
    DescribeServicesCommand,
    DescribeTasksCommand,
    ListClustersCommand,
    ListContainerInstancesCommand,
    ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { PublishCommand } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { awsLambdaRuntime, type CommandSender, type ServiceClientName } from "../../runtime/lambdaRuntime";
import { SimHarness, type DeployedCluster } from "../../sim/harness";
import { operationOf, regionLambdaRuntime, wireCopy } from "../../sim/inProcessClients";
import { LAMBDA_RUNTIME_OVERHEAD_MS } from "../../sim/lambda";
import { DEFAULT_API_LATENCY_MS } from "../../sim/region";
import { rollingUpdate } from "../../sim/scenarios/rollingUpdate";
import { testStack } from "./scenarios/testStack";

/** What a caller can observe of an answer: the output without `$metadata`, or the error's fields. */
async function observe(client: CommandSender, command: object): Promise<unknown> {
    try {
        const output = (await client.send(command)) as Record<string, unknown>;
        const { $metadata, ...rest } = output;
        assert.equal((($metadata ?? {}) as { httpStatusCode?: number }).httpStatusCode, 200);
        return { output: wireCopy(rest) };
    } catch (error) {
        const e = error as Error & { $fault?: string; $metadata?: { httpStatusCode?: number } };
        return { error: e.name, message: e.message, fault: e.$fault, status: e.$metadata?.httpStatusCode };
    }
}

describe("sim/inProcessClients: the same answers as the SDK clients over the wire", () => {
    let harness: SimHarness;
    let deployed: DeployedCluster;
    const both = (service: ServiceClientName) => ({
        wire: awsLambdaRuntime().client(service),
        inProcess: regionLambdaRuntime(harness.region).client(service),
    });

    before(async () => {
        harness = await SimHarness.start({ seed: 5 });
        deployed = await harness.deploySteady({
            clusterName: "c1",
            instanceType: "m5.large",
            instanceCount: 3,
            hook: { heartbeatTimeout: 300 },
            services: [
                { name: "web", desiredCount: 4, networkMode: "awsvpc", cpu: 256, memory: 512 },
                { name: "agent", daemon: true, cpu: 128, memory: 128 },
            ],
        });
    });
    after(() => harness.stop());

    it("names each command's operation, and refuses anything that is not a command", () => {
        assert.equal(operationOf(new ListTasksCommand({})), "ListTasks");
        assert.throws(() => operationOf({}), /expected an SDK v3 command \(…Command\), got Object/);
    });

    it("returns the same outputs: ECS, Auto Scaling, SQS reads, timestamps as Dates", async () => {
        const ecs = both("ecs");
        const { containerInstanceArns } = (await ecs.inProcess.send(
            new ListContainerInstancesCommand({ cluster: "c1" }),
        )) as { containerInstanceArns: string[] };
        const { taskArns } = (await ecs.inProcess.send(new ListTasksCommand({ cluster: "c1" }))) as {
            taskArns: string[];
        };
        const commands: [ServiceClientName, object][] = [
            ["ecs", new ListContainerInstancesCommand({ cluster: "c1", maxResults: 2 })],
            [
                "ecs",
                new DescribeContainerInstancesCommand({
                    cluster: "c1",
                    containerInstances: containerInstanceArns,
                }),
            ],
            ["ecs", new DescribeTasksCommand({ cluster: "c1", tasks: taskArns })],
            ["ecs", new DescribeServicesCommand({ cluster: "c1", services: [...deployed.serviceArns] })],
            [
                "autoscaling",
                new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [deployed.groupName] }),
            ],
            ["autoscaling", new DescribeAutoScalingInstancesCommand({})],
        ];
        for (const [service, command] of commands) {
            const clients = both(service);
            const wire = await observe(clients.wire, command);
            assert.deepEqual(await observe(clients.inProcess, command), wire, operationOf(command));
        }
        const tasks = (await observe(
            ecs.inProcess,
            new DescribeTasksCommand({ cluster: "c1", tasks: taskArns }),
        )) as {
            output: { tasks: { createdAt: unknown }[] };
        };
        assert.ok(tasks.output.tasks[0].createdAt instanceof Date);
    });

    it("raises the same errors: names, messages, faults and HTTP statuses of each protocol", async () => {
        const cases: [ServiceClientName, object][] = [
            ["ecs", new ListTasksCommand({ cluster: "no-such-cluster" })],
            ["sqs", new ReceiveMessageCommand({ QueueUrl: `${harness.endpoint}/123456789012/nope` })],
            ["sqs", new GetQueueAttributesCommand({ QueueUrl: `${harness.endpoint}/123456789012/nope` })],
            [
                "autoscaling",
                new CompleteLifecycleActionCommand({
                    AutoScalingGroupName: deployed.groupName,
                    LifecycleHookName: deployed.hookName,
                    InstanceId: "i-0000000000000000f",
                    LifecycleActionResult: "CONTINUE",
                }),
            ],
            [
                "sns",
                new PublishCommand({ TopicArn: "arn:aws:sns:us-east-1:123456789012:nope", Message: "x" }),
            ],
            [
                "cloudwatch",
                new PutMetricAlarmCommand({
                    AlarmName: "a",
                    Namespace: "N",
                    MetricName: "M",
                    Statistic: "Minimum",
                    Period: 7,
                    EvaluationPeriods: 1,
                    Threshold: 1,
                    ComparisonOperator: "LessThanThreshold",
                }),
            ],
        ];
        for (const [service, command] of cases) {
            const clients = both(service);
            const wire = (await observe(clients.wire, command)) as { error?: string };
            assert.ok(wire.error, `${operationOf(command)} should fail`);
            assert.deepEqual(await observe(clients.inProcess, command), wire, operationOf(command));
        }
    });
});

describe("sim/inProcessClients: retries and time as the SDK's standard strategy", () => {
    it("retries a throttled call twice with backoff in virtual time, then raises the throttle", async () => {
        const harness = await SimHarness.start({ seed: 9, faults: { throttleRate: 1 } });
        try {
            const durations: number[] = [];
            let failure: (Error & { $metadata?: { attempts: number; totalRetryDelay: number } }) | undefined;
            const functionArn = harness.deployFunction({
                name: "throttled",
                handler: async () => {
                    const ecs = harness.lambdaRuntime().client("ecs");
                    await ecs.send(new ListClustersCommand({})).catch((error: Error) => (failure = error));
                },
                timeoutSeconds: 30,
                memoryMb: 128,
            });
            await harness.region.lambda.invokeSync(functionArn, {}, 30_000);
            durations.push(
                ...harness.region.timeline
                    .filter((entry) => entry.kind === "lambda.invoked")
                    .map((entry) => Number(entry.detail.durationMs)),
            );
            assert.equal(failure?.name, "ThrottlingException");
            assert.equal(failure?.$metadata?.attempts, 3);
            assert.deepEqual(harness.region.throttledCalls(), { ecs: { ListClusters: 3 } });
            const retryDelay = failure!.$metadata!.totalRetryDelay;
            // Full jitter under 1 s then 2 s (throttling base 1,000 ms).
            assert.ok(retryDelay >= 0 && retryDelay < 3000, String(retryDelay));
            assert.deepEqual(durations, [
                LAMBDA_RUNTIME_OVERHEAD_MS + 3 * DEFAULT_API_LATENCY_MS.ecs + retryDelay,
            ]);
        } finally {
            await harness.stop();
        }
    });

    it("passes a handler's own waits in virtual time", async () => {
        const harness = await SimHarness.start({ seed: 9 });
        try {
            const functionArn = harness.deployFunction({
                name: "waits",
                handler: async () => {
                    const runtime = harness.lambdaRuntime();
                    await runtime.client("ecs").send(new ListClustersCommand({}));
                    await runtime.sleep(700);
                    await runtime.client("ecs").send(new ListClustersCommand({}));
                },
                timeoutSeconds: 30,
                memoryMb: 128,
            });
            await harness.region.lambda.invokeSync(functionArn, {}, 30_000);
            const invoked = harness.region.timeline.find((entry) => entry.kind === "lambda.invoked")!;
            assert.equal(
                invoked.detail.durationMs,
                LAMBDA_RUNTIME_OVERHEAD_MS + 2 * DEFAULT_API_LATENCY_MS.ecs + 700,
            );
        } finally {
            await harness.stop();
        }
    });
});

describe("sim/inProcessClients: a scenario over the wire end to end gives the in-process figures", () => {
    it("rolling-update of the test stack: the same drains, API calls, invocations and invariants", async () => {
        const inProcess = await rollingUpdate.run(testStack(), { seed: 1 });
        const wire = await rollingUpdate.run(testStack(), { seed: 1, transport: "wire" });
        assert.equal(wire.passed, true);
        const figures = (r: typeof wire) => ({
            invariants: r.invariants,
            drains: r.drains,
            ecsApiCalls: r.ecsApiCalls,
            invocations: r.lambda.invocations,
            simulatedSeconds: r.simulatedSeconds,
        });
        assert.deepEqual(figures(inProcess), figures(wire));
        // In-process the handlers' own CPU is billed too; over the wire only the calls are.
        assert.ok(inProcess.lambda.billedSeconds >= wire.lambda.billedSeconds);
    });
});
