import assert from "node:assert/strict";
import { DRAIN_ATTRIBUTE, requiredMaxReceiveCount } from "../../runtime/drain";
import {
    DRAIN_METRIC_NAMESPACE,
    DrainHandlerSettings,
    SqsBatchResult,
    SweepResult,
    THROTTLED_REDELIVERY_SECONDS,
    createDrainHandler,
} from "../../runtime/drainHandler";
import { redriveMessageBody, sweepCheckBody } from "../../runtime/drainMessage";
import { CommandSender } from "../../runtime/lambdaRuntime";

/*
 * A small fake of the four services, answering by command class name and recording every call
 * in order, so tests assert exact call sequences. It models only what the handler depends on:
 * container instances whose tasks hold CPU and memory until they are STOPPED, attributes, tasks
 * with desired/last status, lifecycle actions with their heartbeat timeout and the group's view of
 * each instance, the budget's DynamoDB item with conditional writes, and failures on demand.
 */

const START = 1_800_000_000;
const CLUSTER = "prod";
const CLUSTER_ARN = `arn:aws:ecs:us-east-1:123456789012:cluster/${CLUSTER}`;
const GROUP = "ecs-asg";
const HOOK = "drain-hook";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/drain";
const TABLE = "drain-ecs-budget";
const INSTANCE = "i-0000000000000000a";
const REGISTERED = { cpu: 2048, memory: 7680 };

interface FakeTask {
    taskArn: string;
    containerInstanceArn: string;
    lastStatus: string;
    desiredStatus: string;
    group?: string;
    /** Virtual epoch seconds at which a task asked to stop reaches STOPPED. */
    stopsAt?: number;
}

interface FakeInstance {
    containerInstanceArn: string;
    ec2InstanceId: string;
    status: string;
    agentConnected: boolean;
    attributes: Record<string, string>;
}

interface LifecycleAction {
    token: string;
    lastHeartbeat: number;
    heartbeats: number[];
    result?: "CONTINUE" | "ABANDON" | "TIMEOUT";
    completedAt?: number;
}

interface Call {
    service: "ecs" | "autoscaling" | "sqs" | "dynamodb";
    command: string;
    input: Record<string, unknown>;
}

function awsError(name: string, message: string): Error {
    const error = new Error(message);
    error.name = name;
    return error;
}

class FakeAws {
    now = START;
    readonly calls: Call[] = [];
    readonly instances: FakeInstance[] = [];
    readonly tasks: FakeTask[] = [];
    readonly actions = new Map<string, LifecycleAction>();
    /** Instances of the group: instance id → lifecycle state. */
    readonly groupStates = new Map<string, string>();
    /** Instances of other Auto Scaling groups: instance id → group name. */
    readonly otherGroups = new Map<string, string>();
    readonly sentMessages: string[] = [];
    /** The budget's lane item: its theoretical arrival time (epoch ms). */
    tat: number | undefined;
    /** Command name → how many of its next calls fail with this error name. */
    readonly failures = new Map<string, { remaining: number; name: string }>();

    constructor(readonly heartbeatTimeoutSeconds: number) {}

    addInstance(ec2InstanceId: string, overrides: Partial<FakeInstance> = {}): FakeInstance {
        const instance = {
            containerInstanceArn: `arn:aws:ecs:us-east-1:123456789012:container-instance/${CLUSTER}/${ec2InstanceId}`,
            ec2InstanceId,
            status: "ACTIVE",
            agentConnected: true,
            attributes: { "ecs.instance-type": "m5.large" },
            ...overrides,
        };
        this.instances.push(instance);
        this.groupStates.set(ec2InstanceId, "InService");
        return instance;
    }

    /** A task of 256 CPU units and 512 MiB. */
    addTask(instance: FakeInstance, name: string, overrides: Partial<FakeTask> = {}): FakeTask {
        const task = {
            taskArn: `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/${name}`,
            containerInstanceArn: instance.containerInstanceArn,
            lastStatus: "RUNNING",
            desiredStatus: "RUNNING",
            group: "service:web",
            ...overrides,
        };
        this.tasks.push(task);
        return task;
    }

    startLifecycleAction(ec2InstanceId: string): LifecycleAction {
        const action = { token: `token-${ec2InstanceId}`, lastHeartbeat: this.now, heartbeats: [] };
        this.actions.set(ec2InstanceId, action);
        this.groupStates.set(ec2InstanceId, "Terminating:Wait");
        return action;
    }

    /** Moves virtual time: tasks asked to stop reach STOPPED, lifecycle actions past their heartbeat timeout end. */
    advanceTo(seconds: number): void {
        this.now = seconds;
        for (const task of this.tasks)
            if (task.stopsAt !== undefined && task.stopsAt <= seconds) task.lastStatus = "STOPPED";
        for (const [instanceId, action] of this.actions) {
            if (
                action.result === undefined &&
                seconds > action.lastHeartbeat + this.heartbeatTimeoutSeconds
            ) {
                action.result = "TIMEOUT";
                action.completedAt = action.lastHeartbeat + this.heartbeatTimeoutSeconds;
                this.groupStates.set(instanceId, "Terminating:Proceed");
            }
        }
    }

    commands(service?: Call["service"]): string[] {
        return this.calls
            .filter((call) => service === undefined || call.service === service)
            .map((call) => call.command);
    }

    input(command: string): Record<string, unknown> | undefined {
        return this.calls.find((call) => call.command === command)?.input;
    }

    client(service: Call["service"]): CommandSender {
        return {
            send: async (command: object) => {
                const name = command.constructor.name.replace(/Command$/, "");
                const input = (command as { input: Record<string, unknown> }).input;
                this.calls.push({ service, command: name, input });
                const failure = this.failures.get(name);
                if (failure && failure.remaining > 0) {
                    failure.remaining--;
                    throw awsError(failure.name, `${failure.name} on ${name}`);
                }
                return this.answer(name, input);
            },
        };
    }

    private activeAction(input: Record<string, unknown>): LifecycleAction {
        const instanceId = input.InstanceId as string;
        const action = this.actions.get(instanceId);
        const tokenMatches =
            input.LifecycleActionToken === undefined || input.LifecycleActionToken === action?.token;
        if (action === undefined || action.result !== undefined || !tokenMatches) {
            throw awsError(
                "ValidationError",
                `No active Lifecycle Action found with instance ID ${instanceId}`,
            );
        }
        return action;
    }

    private tasksOn(instance: FakeInstance): FakeTask[] {
        return this.tasks.filter(
            (task) =>
                task.containerInstanceArn === instance.containerInstanceArn && task.lastStatus !== "STOPPED",
        );
    }

    private answer(name: string, input: Record<string, unknown>): unknown {
        const instanceByArn = (arn: unknown) =>
            this.instances.find((each) => each.containerInstanceArn === arn);
        switch (name) {
            case "ListContainerInstances": {
                const match = /^ec2InstanceId in \[(.*)\]$/.exec(String(input.filter));
                assert.ok(
                    match,
                    `ListContainerInstances must be filtered on ec2InstanceId, got ${String(input.filter)}`,
                );
                const ids = match[1].split(", ");
                assert.ok(ids.length <= 50);
                return {
                    containerInstanceArns: this.instances
                        .filter((each) => ids.includes(each.ec2InstanceId) && each.status !== "INACTIVE")
                        .map((each) => each.containerInstanceArn),
                };
            }
            case "DescribeContainerInstances": {
                const arns = input.containerInstances as string[];
                assert.ok(arns.length <= 100);
                return {
                    containerInstances: arns
                        .map(instanceByArn)
                        .filter((each) => each !== undefined)
                        .map((each) => {
                            const onIt = this.tasksOn(each);
                            const resource = (resourceName: string, integerValue: number) => ({
                                name: resourceName,
                                type: "INTEGER",
                                integerValue,
                            });
                            return {
                                containerInstanceArn: each.containerInstanceArn,
                                ec2InstanceId: each.ec2InstanceId,
                                status: each.status,
                                agentConnected: each.agentConnected,
                                // As the API reference defines them: by desired status, and PENDING.
                                runningTasksCount: onIt.filter((task) => task.desiredStatus === "RUNNING")
                                    .length,
                                pendingTasksCount: onIt.filter((task) => task.lastStatus === "PENDING")
                                    .length,
                                registeredResources: [
                                    resource("CPU", REGISTERED.cpu),
                                    resource("MEMORY", REGISTERED.memory),
                                ],
                                remainingResources: [
                                    resource("CPU", REGISTERED.cpu - 256 * onIt.length),
                                    resource("MEMORY", REGISTERED.memory - 512 * onIt.length),
                                ],
                                attributes: Object.entries(each.attributes).map(([attributeName, value]) => ({
                                    name: attributeName,
                                    value,
                                })),
                            };
                        }),
                    failures: [],
                };
            }
            case "ListTasks": {
                const pageSize = input.maxResults as number;
                assert.ok(pageSize <= 100);
                const matching = this.tasks
                    .filter(
                        (task) =>
                            task.containerInstanceArn === input.containerInstance &&
                            task.desiredStatus === input.desiredStatus,
                    )
                    .map((task) => task.taskArn);
                const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
                const end = start + pageSize;
                return {
                    taskArns: matching.slice(start, end),
                    nextToken: end < matching.length ? String(end) : undefined,
                };
            }
            case "DescribeTasks": {
                const arns = input.tasks as string[];
                assert.ok(arns.length <= 100);
                return {
                    tasks: this.tasks
                        .filter((task) => arns.includes(task.taskArn))
                        .map((task) => ({ ...task })),
                    failures: [],
                };
            }
            case "UpdateContainerInstancesState": {
                const arns = input.containerInstances as string[];
                assert.ok(arns.length <= 10);
                for (const arn of arns) {
                    const instance = instanceByArn(arn);
                    if (instance) instance.status = input.status as string;
                }
                return { containerInstances: [], failures: [] };
            }
            case "StopTask": {
                const task = this.tasks.find((each) => each.taskArn === input.task);
                assert.ok(task);
                task.desiredStatus = "STOPPED";
                task.lastStatus = "STOPPING";
                task.stopsAt = this.now + 30;
                return { task };
            }
            case "PutAttributes": {
                const attributes = input.attributes as {
                    name: string;
                    value: string;
                    targetId: string;
                    targetType: string;
                }[];
                assert.ok(attributes.length <= 10);
                for (const attribute of attributes) {
                    assert.equal(attribute.targetType, "container-instance");
                    const instance = instanceByArn(attribute.targetId);
                    assert.ok(instance);
                    instance.attributes[attribute.name] = attribute.value;
                }
                return { attributes };
            }
            case "RecordLifecycleActionHeartbeat": {
                const action = this.activeAction(input);
                action.lastHeartbeat = this.now;
                action.heartbeats.push(this.now);
                return {};
            }
            case "CompleteLifecycleAction": {
                const action = this.activeAction(input);
                action.result = input.LifecycleActionResult as "CONTINUE" | "ABANDON";
                action.completedAt = this.now;
                this.groupStates.set(input.InstanceId as string, "Terminating:Proceed");
                return {};
            }
            case "DescribeAutoScalingGroups":
                return {
                    AutoScalingGroups: [
                        {
                            AutoScalingGroupName: GROUP,
                            Instances: [...this.groupStates.entries()].map(
                                ([InstanceId, LifecycleState]) => ({
                                    InstanceId,
                                    LifecycleState,
                                }),
                            ),
                        },
                    ],
                };
            case "DescribeAutoScalingInstances": {
                const ids = input.InstanceIds as string[];
                assert.ok(ids.length <= 50);
                return {
                    AutoScalingInstances: ids.flatMap((InstanceId) => {
                        const state = this.groupStates.get(InstanceId);
                        if (state !== undefined)
                            return [{ InstanceId, AutoScalingGroupName: GROUP, LifecycleState: state }];
                        const other = this.otherGroups.get(InstanceId);
                        return other === undefined
                            ? []
                            : [{ InstanceId, AutoScalingGroupName: other, LifecycleState: "InService" }];
                    }),
                };
            }
            case "ChangeMessageVisibility":
                return {};
            case "SendMessage":
                this.sentMessages.push(input.MessageBody as string);
                return { MessageId: `m${this.sentMessages.length}` };
            case "GetItem":
                return this.tat === undefined ? {} : { Item: { tat: { N: String(this.tat) } } };
            case "UpdateItem":
                return this.updateLane(input);
            default:
                throw new Error(`the fake does not serve ${name}`);
        }
    }

    private updateLane(input: Record<string, unknown>): unknown {
        assert.equal(input.TableName, TABLE);
        assert.deepEqual(input.Key, { lane: { S: CLUSTER } });
        const values = input.ExpressionAttributeValues as Record<string, { N: string }>;
        const n = (key: string) => Number(values[key].N);
        const holds = {
            "attribute_not_exists(tat) OR tat <= :now": () => this.tat === undefined || this.tat <= n(":now"),
            "attribute_not_exists(tat)": () => this.tat === undefined,
            "tat = :seen": () => this.tat === n(":seen"),
        }[String(input.ConditionExpression)];
        assert.ok(holds, `unexpected condition ${String(input.ConditionExpression)}`);
        if (!holds()) throw awsError("ConditionalCheckFailedException", "The conditional request failed");
        this.tat = n(String(input.UpdateExpression).endsWith(":back") ? ":back" : ":next");
        return {};
    }
}

const SETTINGS: DrainHandlerSettings = {
    heartbeatTimeoutSeconds: 900,
    drainDeadlineSeconds: 3600,
    pollIntervalSeconds: 60,
    standaloneTaskPolicy: "wait",
    standaloneGraceSeconds: 600,
    ecsRequestsPerSecond: 8,
};

function harness(settings: DrainHandlerSettings = SETTINGS) {
    const aws = new FakeAws(settings.heartbeatTimeoutSeconds);
    const logs: string[] = [];
    const slept: number[] = [];
    const handler = createDrainHandler(
        {
            ecs: aws.client("ecs"),
            autoscaling: aws.client("autoscaling"),
            sqs: aws.client("sqs"),
            dynamodb: aws.client("dynamodb"),
            log: (line) => logs.push(line),
            now: () => aws.now * 1000,
            sleep: async (ms) => void slept.push(ms),
            random: () => 0.5,
        },
        {
            clusterName: CLUSTER,
            clusterArn: CLUSTER_ARN,
            autoScalingGroupName: GROUP,
            lifecycleHookName: HOOK,
            queueUrl: QUEUE_URL,
            budgetTableName: TABLE,
            settings,
        },
    );
    /** Metric name → the sum of its values over every EMF line logged. */
    const metricTotals = () => {
        const totals: Record<string, number> = {};
        for (const line of logs) {
            const parsed = JSON.parse(line);
            if (parsed._aws === undefined) continue;
            assert.equal(parsed._aws.CloudWatchMetrics[0].Namespace, DRAIN_METRIC_NAMESPACE);
            assert.equal(parsed.AutoScalingGroupName, GROUP);
            for (const metric of parsed._aws.CloudWatchMetrics[0].Metrics)
                totals[metric.Name] = (totals[metric.Name] ?? 0) + parsed[metric.Name];
        }
        return totals;
    };
    const record = (body: string, messageId: string, receives = 1) => ({
        messageId,
        receiptHandle: `rh-${messageId}`,
        body,
        attributes: { ApproximateReceiveCount: String(receives), SentTimestamp: String(aws.now * 1000) },
    });
    const deliverAll = async (bodies: string[]) =>
        (await handler({ Records: bodies.map((body, i) => record(body, `m-${i + 1}`)) })) as SqsBatchResult;
    const deliver = async (body: string, messageId = "m-1", receives = 1) =>
        (await handler({ Records: [record(body, messageId, receives)] })) as SqsBatchResult;
    const logLines = () => logs.map((line) => JSON.parse(line)).filter((line) => line._aws === undefined);
    return { aws, logs, slept, handler, metricTotals, deliver, deliverAll, logLines };
}

function lifecycleBody(instanceId: string, time = START, token = `token-${instanceId}`): string {
    const message = {
        Origin: "AutoScalingGroup",
        Destination: "EC2",
        LifecycleHookName: HOOK,
        AccountId: "123456789012",
        RequestId: "r-1",
        LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
        AutoScalingGroupName: GROUP,
        Service: "AWS Auto Scaling",
        Time: new Date(time * 1000).toISOString(),
        EC2InstanceId: instanceId,
        LifecycleActionToken: token,
    };
    return JSON.stringify({
        Type: "Notification",
        MessageId: "sns-1",
        TopicArn: "arn:aws:sns:us-east-1:123456789012:drain",
        Message: JSON.stringify(message),
    });
}

/** Delivers the same message again after each delay the handler asks for, until it is let go. */
async function driveToEnd(
    h: ReturnType<typeof harness>,
    body: string,
    maxPolls = 2000,
): Promise<{ polls: number; pollTimes: number[] }> {
    const pollTimes: number[] = [];
    for (let polls = 1; polls <= maxPolls; polls++) {
        const before = h.aws.calls.length;
        pollTimes.push(h.aws.now);
        const result = await h.deliver(body, "m-1", polls);
        if (result.batchItemFailures.length === 0) return { polls, pollTimes };
        const visibility = h.aws.calls
            .slice(before)
            .filter((call) => call.command === "ChangeMessageVisibility");
        assert.equal(visibility.length, 1);
        h.aws.advanceTo(h.aws.now + (visibility[0].input.VisibilityTimeout as number));
    }
    throw new Error(`no end after ${maxPolls} polls`);
}

function spotWarning(instanceId: string): string {
    return JSON.stringify({
        version: "0",
        id: "e-1",
        "detail-type": "EC2 Spot Instance Interruption Warning",
        source: "aws.ec2",
        account: "123456789012",
        time: new Date(START * 1000).toISOString(),
        region: "us-east-1",
        resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
        detail: { "instance-id": instanceId, "instance-action": "terminate" },
    });
}

/** ECS's event for a change of `instance`, holding what its tasks not yet STOPPED hold. */
function instanceEvent(aws: FakeAws, instance: FakeInstance, version: number): string {
    const held = aws.tasks.filter(
        (task) =>
            task.containerInstanceArn === instance.containerInstanceArn && task.lastStatus !== "STOPPED",
    ).length;
    const resource = (name: string, integerValue: number) => ({ name, type: "INTEGER", integerValue });
    return JSON.stringify({
        version: "0",
        "detail-type": "ECS Container Instance State Change",
        source: "aws.ecs",
        time: new Date(aws.now * 1000).toISOString(),
        resources: [instance.containerInstanceArn],
        detail: {
            clusterArn: CLUSTER_ARN,
            containerInstanceArn: instance.containerInstanceArn,
            ec2InstanceId: instance.ec2InstanceId,
            status: instance.status,
            version,
            registeredResources: [resource("CPU", REGISTERED.cpu), resource("MEMORY", REGISTERED.memory)],
            remainingResources: [
                resource("CPU", REGISTERED.cpu - 256 * held),
                resource("MEMORY", REGISTERED.memory - 512 * held),
            ],
            updatedAt: new Date(aws.now * 1000).toISOString(),
        },
    });
}

function taskStoppedEvent(aws: FakeAws, task: FakeTask): string {
    return JSON.stringify({
        version: "0",
        "detail-type": "ECS Task State Change",
        source: "aws.ecs",
        time: new Date(aws.now * 1000).toISOString(),
        resources: [task.taskArn],
        detail: {
            clusterArn: CLUSTER_ARN,
            containerInstanceArn: task.containerInstanceArn,
            taskArn: task.taskArn,
            lastStatus: "STOPPED",
            desiredStatus: "STOPPED",
            launchType: "EC2",
            updatedAt: new Date(aws.now * 1000).toISOString(),
        },
    });
}

const CI_ARN = `arn:aws:ecs:us-east-1:123456789012:container-instance/${CLUSTER}/${INSTANCE}`;

describe("createDrainHandler", () => {
    it("rejects invalid settings when the handler is created", () => {
        assert.throws(() => harness({ ...SETTINGS, heartbeatTimeoutSeconds: 10 }), {
            message: "heartbeatTimeoutSeconds: expected an integer from 30 to 7200, got 10",
        });
        assert.throws(() => harness({ ...SETTINGS, ecsRequestsPerSecond: 30 }), {
            message: "ecsRequestsPerSecond: expected an integer from 5 to 20, got 30",
        });
    });

    it("lets the hook's test notification go without a single AWS call", async () => {
        const h = harness();
        const test = {
            AutoScalingGroupName: GROUP,
            Service: "AWS Auto Scaling",
            Event: "autoscaling:TEST_NOTIFICATION",
            Time: "2026-11-21T22:00:00Z",
        };
        const result = await h.deliver(
            JSON.stringify({ Type: "Notification", TopicArn: "arn:topic", Message: JSON.stringify(test) }),
        );
        assert.deepEqual(result, { batchItemFailures: [] });
        assert.deepEqual(h.aws.calls, []);
        assert.deepEqual(h.metricTotals(), { DrainsIgnored: 1 });
    });

    it("completes an instance not registered with ECS with CONTINUE, after one ECS call", async () => {
        const h = harness();
        h.aws.startLifecycleAction(INSTANCE);
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [] });
        assert.deepEqual(h.aws.commands("ecs"), ["ListContainerInstances"]);
        assert.deepEqual(h.aws.input("ListContainerInstances"), {
            cluster: CLUSTER,
            filter: `ec2InstanceId in [${INSTANCE}]`,
            maxResults: 100,
        });
        assert.deepEqual(h.aws.commands("autoscaling"), [
            "DescribeAutoScalingInstances",
            "CompleteLifecycleAction",
        ]);
        assert.deepEqual(h.aws.input("CompleteLifecycleAction"), {
            AutoScalingGroupName: GROUP,
            LifecycleHookName: HOOK,
            InstanceId: INSTANCE,
            LifecycleActionToken: `token-${INSTANCE}`,
            LifecycleActionResult: "CONTINUE",
        });
        // Two slots taken for the batch's reads, the unused one given back.
        assert.deepEqual(h.aws.commands("dynamodb"), ["UpdateItem", "UpdateItem"]);
        assert.equal(h.aws.tat, START * 1000 + 300);
        assert.equal(h.aws.actions.get(INSTANCE)?.result, "CONTINUE");
        assert.deepEqual(h.metricTotals(), { DrainPolls: 1, DrainDurationSeconds: 0, DrainsContinued: 1 });
    });

    it("completes an empty DRAINING instance with CONTINUE from its description alone, listing no task", async () => {
        const h = harness();
        h.aws.addInstance(INSTANCE, { status: "DRAINING" });
        h.aws.startLifecycleAction(INSTANCE);
        h.aws.advanceTo(START + 5);
        await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(h.aws.commands("ecs"), ["ListContainerInstances", "DescribeContainerInstances"]);
        assert.equal(h.aws.actions.get(INSTANCE)?.result, "CONTINUE");
        assert.deepEqual(h.metricTotals(), { DrainPolls: 1, DrainDurationSeconds: 5, DrainsContinued: 1 });
    });

    it("waits for a task still stopping: desired STOPPED, so not counted, but holding its resources", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
        h.aws.addTask(instance, "web-1", { desiredStatus: "STOPPED", lastStatus: "DEACTIVATING" });
        h.aws.startLifecycleAction(INSTANCE);
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "m-1" }] });
        assert.equal(h.aws.actions.get(INSTANCE)?.result, undefined);
        assert.equal(
            h.logLines().find((line) => line.message === "drain waiting").reason,
            "waiting for 0 tasks to run, 0 pending tasks, 256 CPU units and 512 MiB still held",
        );
    });

    it("sets a busy instance DRAINING and asks for redelivery one poll interval later", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE);
        h.aws.addTask(instance, "web-1");
        h.aws.startLifecycleAction(INSTANCE);
        const result = await h.deliver(lifecycleBody(INSTANCE), "msg-7");
        assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "msg-7" }] });
        assert.deepEqual(h.aws.input("UpdateContainerInstancesState"), {
            cluster: CLUSTER,
            containerInstances: [CI_ARN],
            status: "DRAINING",
        });
        assert.deepEqual(h.aws.input("ChangeMessageVisibility"), {
            QueueUrl: QUEUE_URL,
            ReceiptHandle: "rh-msg-7",
            VisibilityTimeout: 60,
        });
        // The action has just started: no heartbeat is due.
        assert.equal(h.aws.commands().includes("RecordLifecycleActionHeartbeat"), false);
        assert.equal(instance.status, "DRAINING");
        h.aws.advanceTo(START + 60);
        await h.deliver(lifecycleBody(INSTANCE), "msg-7", 2);
        assert.deepEqual(
            h.aws.calls.filter((call) => call.command === "PutAttributes").map((call) => call.input),
            [
                {
                    cluster: CLUSTER,
                    attributes: [
                        {
                            name: DRAIN_ATTRIBUTE,
                            value: `started:${START} heartbeat:${START}`,
                            targetType: "container-instance",
                            targetId: CI_ARN,
                        },
                    ],
                },
            ],
        );
    });

    it("keeps a 2 h drain alive past a 900 s heartbeat timeout with heartbeats every 450 s, writing its record only then", async () => {
        const settings = { ...SETTINGS, pollIntervalSeconds: 70, drainDeadlineSeconds: 3 * 3600 };
        const h = harness(settings);
        const instance = h.aws.addInstance(INSTANCE);
        const web = h.aws.addTask(instance, "web-1", {
            desiredStatus: "STOPPED",
            stopsAt: START + 2 * 3600 - 200,
        });
        h.aws.addTask(instance, "logs-1", {
            group: "service:logs",
            desiredStatus: "STOPPED",
            stopsAt: START + 7200,
        });
        void web;
        const action = h.aws.startLifecycleAction(INSTANCE);
        const { polls, pollTimes } = await driveToEnd(h, lifecycleBody(INSTANCE));

        assert.deepEqual(
            action.heartbeats.map((at) => at - START),
            [450, 900, 1350, 1800, 2250, 2700, 3150, 3600, 4050, 4500, 4950, 5400, 5850, 6300, 6750],
        );
        assert.equal(action.result, "CONTINUE");
        assert.equal(action.completedAt, START + 7200);
        // 16 heartbeat periods of 7 polls (6 × 70 s, then 30 s to land on the heartbeat), then the last.
        assert.equal(polls, 16 * 7 + 1);
        assert.ok(polls <= requiredMaxReceiveCount(settings));
        const gaps = pollTimes.slice(1).map((at, index) => at - pollTimes[index]);
        assert.equal(Math.max(...gaps), 70);
        // The record is written when the drain starts and at each heartbeat, never on a plain poll.
        assert.equal(h.aws.commands().filter((command) => command === "PutAttributes").length, 1 + 15);
        assert.equal(instance.attributes[DRAIN_ATTRIBUTE], `started:${START} heartbeat:${START + 6750}`);
        assert.deepEqual(h.metricTotals(), {
            DrainPolls: polls,
            DrainDurationSeconds: 7200,
            DrainsStarted: 1,
            DrainRecordsPostponed: 1,
            DrainsContinued: 1,
        });
    });

    it("ABANDONs at the deadline under the wait policy, leaving the standalone task running", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE);
        const job = h.aws.addTask(instance, "job-1", { group: "family:batch" });
        const action = h.aws.startLifecycleAction(INSTANCE);
        const { polls } = await driveToEnd(h, lifecycleBody(INSTANCE));
        assert.equal(action.result, "ABANDON");
        assert.equal(action.completedAt, START + 3600);
        assert.equal(job.lastStatus, "RUNNING");
        assert.equal(h.aws.commands().includes("StopTask"), false);
        assert.equal(h.aws.commands().includes("ListTasks"), false);
        // 8 heartbeat periods of 8 polls (7 × 60 s, then 30 s to land on the heartbeat), then the last.
        assert.equal(polls, 8 * 8 + 1);
        assert.deepEqual(h.metricTotals(), {
            DrainPolls: polls,
            DrainDurationSeconds: 3600,
            DrainsStarted: 1,
            DrainRecordsPostponed: 1,
            DrainsAbandoned: 1,
        });
    });

    it("under the stop policy stops the standalone task after the grace period, in a step of its own, then CONTINUEs", async () => {
        const h = harness({ ...SETTINGS, standaloneTaskPolicy: "stop", standaloneGraceSeconds: 600 });
        const instance = h.aws.addInstance(INSTANCE);
        const job = h.aws.addTask(instance, "job-1", { group: "family:batch" });
        h.aws.addTask(instance, "web-1", { desiredStatus: "STOPPED", stopsAt: START + 300 });
        const action = h.aws.startLifecycleAction(INSTANCE);
        const body = lifecycleBody(INSTANCE);
        const pollTimes: number[] = [];
        for (let receives = 1; action.result === undefined; receives++) {
            pollTimes.push(h.aws.now);
            const sent = h.aws.sentMessages.length;
            await h.deliver(body, "m-1", receives);
            const wait = h.aws.calls.at(-1)!.input.VisibilityTimeout as number;
            // A stop request the poll sent is delivered a second later, on its own.
            for (const request of h.aws.sentMessages.slice(sent)) {
                h.aws.advanceTo(h.aws.now + 1);
                assert.deepEqual(await h.deliver(request, "stop"), { batchItemFailures: [] });
                h.aws.advanceTo(h.aws.now - 1);
            }
            h.aws.advanceTo(h.aws.now + wait);
        }
        assert.ok(pollTimes.includes(START + 600), "a poll lands on the end of the grace period");
        const listed = h.aws.calls.filter((call) => call.command === "ListTasks");
        assert.deepEqual(
            listed.map((call) => call.input),
            [
                {
                    cluster: CLUSTER,
                    containerInstance: instance.containerInstanceArn,
                    desiredStatus: "RUNNING",
                    maxResults: 100,
                    nextToken: undefined,
                },
            ],
        );
        assert.deepEqual(
            h.aws.calls.filter((call) => call.command === "StopTask").map((call) => call.input),
            [
                {
                    cluster: CLUSTER,
                    task: job.taskArn,
                    reason: "ecs-lifecycle: instance draining, standalone-task grace period over",
                },
            ],
        );
        assert.equal(job.lastStatus, "STOPPED");
        assert.equal(action.result, "CONTINUE");
        assert.equal(action.completedAt, START + 660);
    });

    it("keeps the first-seen time across redeliveries of an external drain, which no lifecycle delivery drives", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE);
        h.aws.addTask(instance, "job-1", { group: "family:batch" });
        const manual = JSON.stringify({ action: "drain", instanceId: INSTANCE });
        await h.deliver(manual, "first");
        h.aws.advanceTo(START + 1200);
        // The same message again: it dates from when it was sent, and its record says so.
        const again = await h.handler({
            Records: [
                {
                    messageId: "again",
                    receiptHandle: "rh-again",
                    body: manual,
                    attributes: { ApproximateReceiveCount: "2", SentTimestamp: String(START * 1000) },
                },
            ],
        });
        assert.deepEqual(again, { batchItemFailures: [{ itemIdentifier: "again" }] });
        assert.equal(instance.attributes[DRAIN_ATTRIBUTE], `started:${START}`);
        h.aws.advanceTo(START + 3600);
        const last = await h.deliver(manual, "again");
        assert.deepEqual(last, { batchItemFailures: [] });
        assert.deepEqual(h.metricTotals(), {
            DrainPolls: 3,
            DrainDurationSeconds: 3600,
            DrainsEnded: 1,
            DrainsStarted: 1,
            DrainRecordsPostponed: 1,
        });
        assert.equal(
            h.aws.commands().filter((command) => command === "UpdateContainerInstancesState").length,
            1,
        );
    });

    it("polls an instance once for duplicate deliveries in one batch, and lets the duplicate go", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE);
        h.aws.addTask(instance, "web-1");
        h.aws.startLifecycleAction(INSTANCE);
        const result = await h.deliverAll([lifecycleBody(INSTANCE), lifecycleBody(INSTANCE)]);
        assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "m-1" }] });
        assert.equal(
            h.aws.commands().filter((command) => command === "DescribeContainerInstances").length,
            1,
        );
        assert.ok(h.logLines().some((line) => line.message === "duplicate drain request let go"));
    });

    it("lets a delivery of an action that is already over go with no ECS call", async () => {
        for (const state of ["Terminating:Proceed", "Terminating:Retained", undefined]) {
            const h = harness();
            h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            h.aws.startLifecycleAction(INSTANCE);
            if (state === undefined) h.aws.groupStates.delete(INSTANCE);
            else h.aws.groupStates.set(INSTANCE, state);
            const result = await h.deliver(lifecycleBody(INSTANCE));
            assert.deepEqual(result, { batchItemFailures: [] });
            assert.deepEqual(h.aws.commands(), ["DescribeAutoScalingInstances"]);
            assert.equal(h.logLines()[0].message, "lifecycle action already over");
        }
    });

    it("ends the drain when the heartbeat finds the action no longer active, writing nothing", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
        h.aws.addTask(instance, "web-1");
        const action = h.aws.startLifecycleAction(INSTANCE);
        action.result = "ABANDON";
        h.aws.advanceTo(START + 460);
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [] });
        assert.equal(h.aws.commands().at(-1), "RecordLifecycleActionHeartbeat");
        assert.equal(h.aws.commands().includes("PutAttributes"), false);
        assert.deepEqual(h.metricTotals(), { DrainsIgnored: 1 });
    });

    it("does not retry a throttled ECS call (a retry is one more request): the message comes back soon", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE);
        h.aws.addTask(instance, "web-1");
        h.aws.startLifecycleAction(INSTANCE);
        h.aws.failures.set("DescribeContainerInstances", { remaining: 1, name: "ThrottlingException" });
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "m-1" }] });
        assert.deepEqual(h.aws.commands("ecs"), ["ListContainerInstances", "DescribeContainerInstances"]);
        assert.equal(h.aws.calls.at(-1)?.input.VisibilityTimeout, THROTTLED_REDELIVERY_SECONDS);
        assert.deepEqual(h.slept, []);
        assert.equal(instance.status, "ACTIVE");
    });

    it("retries throttled Auto Scaling calls with jitter and carries on", async () => {
        const h = harness();
        h.aws.addInstance(INSTANCE, { status: "DRAINING" });
        h.aws.startLifecycleAction(INSTANCE);
        h.aws.failures.set("CompleteLifecycleAction", { remaining: 2, name: "Throttling" });
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [] });
        assert.deepEqual(h.slept, [50, 100]);
        assert.equal(h.aws.actions.get(INSTANCE)?.result, "CONTINUE");
    });

    it("leaves a message that failed otherwise to the queue's own visibility timeout and DLQ", async () => {
        const h = harness();
        h.aws.addInstance(INSTANCE);
        h.aws.startLifecycleAction(INSTANCE);
        h.aws.failures.set("ListContainerInstances", { remaining: 1, name: "AccessDeniedException" });
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "m-1" }] });
        assert.equal(h.aws.commands().includes("ChangeMessageVisibility"), false);
        assert.equal(h.logLines()[0].message, "drain step failed; left for redelivery");
    });

    it("logs, counts and lets go a malformed message", async () => {
        const h = harness();
        const result = await h.deliver(JSON.stringify({ action: "drain", instanceId: "web-1" }));
        assert.deepEqual(result, { batchItemFailures: [] });
        assert.deepEqual(h.aws.calls, []);
        assert.equal(
            h.logLines()[0].reason,
            'instanceId: expected an EC2 instance id like "i-0123456789abcdef0", got "web-1"',
        );
        assert.deepEqual(h.metricTotals(), { MalformedMessages: 1 });
    });

    it("polls every instance of a Health event with shared reads and redelivers after the shortest wait", async () => {
        const h = harness();
        const busy = h.aws.addInstance("i-0000000000000000b");
        h.aws.addTask(busy, "web-1");
        // In the group but never registered with ECS: its drain ends at once.
        h.aws.groupStates.set("i-0000000000000000c", "InService");
        const health = {
            "detail-type": "AWS Health Event",
            source: "aws.health",
            time: new Date(START * 1000).toISOString(),
            resources: [],
            detail: {
                service: "EC2",
                affectedEntities: [
                    { entityValue: "i-0000000000000000b" },
                    { entityValue: "i-0000000000000000c" },
                ],
            },
        };
        const result = await h.deliver(JSON.stringify(health));
        assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "m-1" }] });
        assert.equal(busy.status, "DRAINING");
        assert.deepEqual(h.aws.commands("ecs"), [
            "ListContainerInstances",
            "DescribeContainerInstances",
            "UpdateContainerInstancesState",
        ]);
        assert.deepEqual(h.metricTotals(), {
            DrainPolls: 2,
            DrainDurationSeconds: 0,
            DrainsEnded: 1,
            DrainsStarted: 1,
            DrainRecordsPostponed: 1,
        });
        assert.equal(h.aws.calls.at(-1)?.input.VisibilityTimeout, 60);
    });

    it("drains a Spot instance of the group on its interruption warning, checking the group first", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE);
        h.aws.addTask(instance, "web-1");
        const result = await h.deliver(spotWarning(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "m-1" }] });
        assert.equal(instance.status, "DRAINING");
        assert.deepEqual(h.aws.calls[0], {
            service: "autoscaling",
            command: "DescribeAutoScalingInstances",
            input: { InstanceIds: [INSTANCE] },
        });
        assert.deepEqual(h.metricTotals(), { DrainPolls: 1, DrainsStarted: 1, DrainRecordsPostponed: 1 });
    });

    for (const [where, place, reason] of [
        [
            "another group",
            (aws: FakeAws) => aws.otherGroups.set(INSTANCE, "batch-asg"),
            `instance ${INSTANCE} is in group batch-asg, not in ${GROUP}`,
        ],
        ["no group", () => undefined, `instance ${INSTANCE} is in no Auto Scaling group, not in ${GROUP}`],
    ] as const) {
        it(`ignores, with a log line and no ECS call, an interruption of an instance in ${where}`, async () => {
            const h = harness();
            // Registered in the same cluster: only the group tells it apart.
            const instance = h.aws.addInstance(INSTANCE);
            h.aws.groupStates.delete(INSTANCE);
            place(h.aws);
            h.aws.addTask(instance, "web-1");
            const result = await h.deliver(spotWarning(INSTANCE));
            assert.deepEqual(result, { batchItemFailures: [] });
            assert.equal(instance.status, "ACTIVE");
            assert.deepEqual(h.aws.commands(), ["DescribeAutoScalingInstances"]);
            assert.deepEqual(h.logLines()[0], {
                level: "info",
                message: "drain request ignored",
                reason,
                instanceId: INSTANCE,
                kind: "external",
                source: "spot-interruption",
            });
            assert.deepEqual(h.metricTotals(), { DrainsIgnored: 1 });
        });
    }

    it("reads a batch of 50 waiting drains with one call of each kind, whatever the cluster's size", async () => {
        const sequences: string[][] = [];
        for (const size of [60, 1000]) {
            const h = harness();
            const ids: string[] = [];
            for (let index = 0; index < size; index++) {
                const id = `i-${index.toString(16).padStart(17, "0")}`;
                const instance = h.aws.addInstance(id, {
                    status: "DRAINING",
                    attributes: { [DRAIN_ATTRIBUTE]: `started:${START} heartbeat:${START}` },
                });
                h.aws.addTask(instance, `t-${index}`);
                ids.push(id);
            }
            for (const id of ids.slice(0, 50)) h.aws.startLifecycleAction(id);
            h.aws.advanceTo(START + 120);
            const result = await h.deliverAll(ids.slice(0, 50).map((id) => lifecycleBody(id)));
            assert.equal(result.batchItemFailures.length, 50);
            sequences.push(h.aws.commands().filter((command) => command !== "ChangeMessageVisibility"));
        }
        assert.deepEqual(sequences[0], [
            "DescribeAutoScalingInstances",
            "UpdateItem",
            "ListContainerInstances",
            "DescribeContainerInstances",
        ]);
        assert.deepEqual(sequences[1], sequences[0]);
    });

    it("starts ten drains per invocation, one write, and sends the other starts back unread", async () => {
        const h = harness();
        const ids = Array.from({ length: 25 }, (_, index) => `i-${index.toString(16).padStart(17, "0")}`);
        for (const id of ids) {
            h.aws.addTask(h.aws.addInstance(id), `t-${id}`);
            h.aws.startLifecycleAction(id);
        }
        const result = await h.deliverAll(ids.map((id) => lifecycleBody(id)));
        assert.equal(result.batchItemFailures.length, 25);
        assert.deepEqual(h.aws.commands("ecs"), [
            "ListContainerInstances",
            "DescribeContainerInstances",
            "UpdateContainerInstancesState",
        ]);
        assert.equal((h.aws.input("ListContainerInstances")!.filter as string).split(",").length, 10);
        assert.equal(h.aws.instances.filter((instance) => instance.status === "DRAINING").length, 10);
        const delays = h.aws.calls
            .filter((call) => call.command === "ChangeMessageVisibility")
            .map((call) => call.input.VisibilityTimeout as number);
        assert.deepEqual(delays.filter((delay) => delay === 60).length, 10);
        assert.ok(
            delays.filter((delay) => delay !== 60).every((delay) => delay >= 1 && delay < 60),
            String(delays),
        );
    });

    describe("nudges", () => {
        it("completes a DRAINING instance the moment ECS says it emptied: one look, by instance id, no list", async () => {
            const h = harness();
            const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            const task = h.aws.addTask(instance, "web-1", { desiredStatus: "STOPPED" });
            h.aws.startLifecycleAction(INSTANCE);
            h.aws.advanceTo(START + 40);
            task.lastStatus = "STOPPED";
            const result = await h.deliverAll([
                taskStoppedEvent(h.aws, task),
                instanceEvent(h.aws, instance, 7),
            ]);
            assert.deepEqual(result, { batchItemFailures: [] });
            assert.deepEqual(h.aws.commands("ecs"), ["DescribeContainerInstances"]);
            assert.deepEqual(h.aws.input("CompleteLifecycleAction"), {
                AutoScalingGroupName: GROUP,
                LifecycleHookName: HOOK,
                InstanceId: INSTANCE,
                LifecycleActionResult: "CONTINUE",
            });
            assert.equal(h.aws.actions.get(INSTANCE)?.result, "CONTINUE");
            assert.deepEqual(h.metricTotals(), { DrainsContinued: 1, DrainsCompletedByEvent: 1 });
        });

        it("costs no call at all for events that show the instance still holding tasks", async () => {
            const h = harness();
            const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            h.aws.addTask(instance, "web-1");
            h.aws.startLifecycleAction(INSTANCE);
            const result = await h.deliverAll([
                instanceEvent(h.aws, instance, 5),
                instanceEvent(h.aws, instance, 6),
            ]);
            assert.deepEqual(result, { batchItemFailures: [] });
            assert.deepEqual(h.aws.calls, []);
        });

        it("never completes when the description disagrees with the event (a task placed since, or not DRAINING)", async () => {
            const h = harness();
            const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            h.aws.startLifecycleAction(INSTANCE);
            const emptyEvent = instanceEvent(h.aws, instance, 5);
            h.aws.addTask(instance, "web-2", { lastStatus: "PENDING" });
            assert.deepEqual(await h.deliver(emptyEvent), { batchItemFailures: [] });
            instance.status = "ACTIVE";
            h.aws.tasks.length = 0;
            h.aws.advanceTo(START + 1);
            assert.deepEqual(await h.deliver(emptyEvent), { batchItemFailures: [] });
            assert.deepEqual(h.aws.commands("ecs"), [
                "DescribeContainerInstances",
                "DescribeContainerInstances",
            ]);
            assert.equal(h.aws.commands().includes("CompleteLifecycleAction"), false);
            assert.equal(h.aws.actions.get(INSTANCE)?.result, undefined);
        });

        it("does not complete an emptied instance Auto Scaling has no lifecycle action waiting for", async () => {
            const h = harness();
            const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            const result = await h.deliver(instanceEvent(h.aws, instance, 9));
            assert.deepEqual(result, { batchItemFailures: [] });
            assert.deepEqual(h.aws.commands(), [
                "UpdateItem",
                "DescribeContainerInstances",
                "DescribeAutoScalingInstances",
            ]);
        });

        it("makes one look for 200 task events of one instance", async () => {
            const h = harness();
            const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            const tasks = Array.from({ length: 200 }, (_, i) =>
                h.aws.addTask(instance, `web-${i}`, { desiredStatus: "STOPPED", lastStatus: "STOPPED" }),
            );
            h.aws.startLifecycleAction(INSTANCE);
            const records = tasks.map((task) => taskStoppedEvent(h.aws, task));
            const first = await h.deliverAll(records.slice(0, 100));
            const second = await h.deliverAll(records.slice(100));
            assert.deepEqual([first, second], [{ batchItemFailures: [] }, { batchItemFailures: [] }]);
            assert.deepEqual(h.aws.commands("ecs"), [
                "DescribeContainerInstances",
                "DescribeContainerInstances",
            ]);
            // The first look completed it; the second found no action waiting.
            assert.equal(
                h.aws.commands().filter((command) => command === "CompleteLifecycleAction").length,
                1,
            );
        });

        it("leaves the decision to a poll of the same instance in the batch", async () => {
            const h = harness();
            const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            h.aws.startLifecycleAction(INSTANCE);
            const result = await h.deliverAll([lifecycleBody(INSTANCE), instanceEvent(h.aws, instance, 3)]);
            assert.deepEqual(result, { batchItemFailures: [] });
            assert.equal(
                h.aws.commands().filter((command) => command === "CompleteLifecycleAction").length,
                1,
            );
            assert.equal(h.aws.input("CompleteLifecycleAction")!.LifecycleActionToken, `token-${INSTANCE}`);
        });
    });

    describe("the ECS budget", () => {
        it("sends a batch's polls back for later, with no ECS call, while another invocation holds the lane", async () => {
            const h = harness();
            const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            h.aws.addTask(instance, "web-1");
            h.aws.startLifecycleAction(INSTANCE);
            h.aws.tat = START * 1000 + 500;
            const result = await h.deliver(lifecycleBody(INSTANCE));
            assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "m-1" }] });
            assert.deepEqual(h.aws.commands("ecs"), []);
            // Back after the lane frees (0.5 s, rounded up), plus one second, plus a spread (random 0.5 of 10 s).
            assert.equal(h.aws.input("ChangeMessageVisibility")!.VisibilityTimeout, 1 + 1 + 5);
            assert.deepEqual(h.metricTotals(), { BudgetDeferrals: 1 });
        });

        it("spreads a drain's start deferred again and again wider, never past a poll interval", async () => {
            const h = harness();
            h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            h.aws.startLifecycleAction(INSTANCE);
            const delays: number[] = [];
            for (const receives of [1, 2, 3, 4, 8]) {
                h.aws.tat = h.aws.now * 1000 + 200;
                await h.deliver(lifecycleBody(INSTANCE), "m-1", receives);
                delays.push(h.aws.calls.at(-1)!.input.VisibilityTimeout as number);
            }
            assert.deepEqual(delays, [7, 12, 22, 42, 42]);
            const short = harness({ ...SETTINGS, pollIntervalSeconds: 30 });
            short.aws.addInstance(INSTANCE, { status: "DRAINING" });
            short.aws.startLifecycleAction(INSTANCE);
            short.aws.tat = START * 1000 + 200;
            await short.deliver(lifecycleBody(INSTANCE), "m-1", 8);
            assert.equal(short.aws.calls.at(-1)!.input.VisibilityTimeout, 30);
        });

        it("does not widen the spread of a message older than a poll interval: its receives were its polls", async () => {
            const h = harness();
            h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            h.aws.startLifecycleAction(INSTANCE);
            h.aws.advanceTo(START + 600);
            h.aws.tat = h.aws.now * 1000 + 200;
            await h.handler({
                Records: [
                    {
                        messageId: "m-1",
                        receiptHandle: "rh-m-1",
                        body: lifecycleBody(INSTANCE),
                        attributes: { ApproximateReceiveCount: "9", SentTimestamp: String(START * 1000) },
                    },
                ],
            });
            assert.equal(h.aws.calls.at(-1)!.input.VisibilityTimeout, 7);
        });

        it("still lets a nudge's look through, queued behind the invocation that holds the lane", async () => {
            const h = harness();
            const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            h.aws.startLifecycleAction(INSTANCE);
            h.aws.tat = START * 1000 + 600;
            const result = await h.deliver(instanceEvent(h.aws, instance, 4));
            assert.deepEqual(result, { batchItemFailures: [] });
            assert.equal(h.aws.actions.get(INSTANCE)?.result, "CONTINUE");
            assert.equal(h.aws.tat, START * 1000 + 900);
        });

        it("lets a nudge go after a few deferrals: the drain's own poll covers it", async () => {
            const h = harness();
            const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
            h.aws.startLifecycleAction(INSTANCE);
            h.aws.tat = START * 1000 + 5000;
            const event = instanceEvent(h.aws, instance, 4);
            assert.deepEqual(await h.deliver(event, "n", 1), {
                batchItemFailures: [{ itemIdentifier: "n" }],
            });
            assert.deepEqual(await h.deliver(event, "n", 5), { batchItemFailures: [] });
            assert.deepEqual(h.metricTotals(), { BudgetDeferrals: 2, NudgesLetGo: 1 });
        });

        it("sets DRAINING right after the reads, and leaves the drain record to the next poll when there is no room", async () => {
            const h = harness();
            const instance = h.aws.addInstance(INSTANCE);
            h.aws.addTask(instance, "web-1");
            h.aws.startLifecycleAction(INSTANCE);
            const first = await h.deliver(lifecycleBody(INSTANCE));
            assert.deepEqual(first, { batchItemFailures: [{ itemIdentifier: "m-1" }] });
            // Two reads and a write: the lane admits a continuation two slots ahead, not three.
            assert.deepEqual(h.aws.commands("ecs"), [
                "ListContainerInstances",
                "DescribeContainerInstances",
                "UpdateContainerInstancesState",
            ]);
            assert.equal(instance.status, "DRAINING");
            assert.equal(instance.attributes[DRAIN_ATTRIBUTE], undefined);
            assert.deepEqual(h.metricTotals(), { DrainsStarted: 1, DrainRecordsPostponed: 1, DrainPolls: 1 });
            h.aws.advanceTo(START + 60);
            await h.deliver(lifecycleBody(INSTANCE), "m-1", 2);
            assert.equal(instance.attributes[DRAIN_ATTRIBUTE], `started:${START} heartbeat:${START}`);
        });
    });

    describe("the sweep", () => {
        const scheduled = {
            version: "0",
            id: "s1",
            "detail-type": "Scheduled Event",
            source: "aws.events",
            time: "2026-11-21T22:00:00Z",
            resources: [],
            detail: {},
        };

        it("sends the group's instances in Terminating:Wait to the queue, 50 to a message, with no ECS call", async () => {
            const h = harness();
            const waiting = Array.from(
                { length: 70 },
                (_, index) => `i-${index.toString(16).padStart(17, "0")}`,
            );
            for (const id of waiting) h.aws.startLifecycleAction(id);
            h.aws.groupStates.set("i-0ffffffffffffffff", "InService");
            const result = (await h.handler(scheduled)) as SweepResult;
            assert.deepEqual(result, { queued: 70 });
            assert.deepEqual(h.aws.commands(), ["DescribeAutoScalingGroups", "SendMessage", "SendMessage"]);
            assert.deepEqual(h.aws.sentMessages, [
                sweepCheckBody(waiting.slice(0, 50), START),
                sweepCheckBody(waiting.slice(50), START),
            ]);
        });

        it("completes unregistered instances, re-drives stale drains and leaves driven ones alone", async () => {
            const h = harness();
            h.aws.advanceTo(START + 1000);
            const active = h.aws.addInstance("i-0000000000000000a");
            const driven = h.aws.addInstance("i-0000000000000000b", {
                status: "DRAINING",
                attributes: { [DRAIN_ATTRIBUTE]: `started:${START} heartbeat:${START + 1000 - 629}` },
            });
            const stale = h.aws.addInstance("i-0000000000000000c", {
                status: "DRAINING",
                attributes: { [DRAIN_ATTRIBUTE]: `started:${START + 100} heartbeat:${START + 1000 - 630}` },
            });
            h.aws.addTask(stale, "web-1");
            const starting = h.aws.addInstance("i-0000000000000000e", { status: "DRAINING" });
            for (const instance of [active, driven, stale, starting])
                h.aws.startLifecycleAction(instance.ec2InstanceId);
            h.aws.startLifecycleAction("i-0000000000000000d");
            h.aws.startLifecycleAction("i-0000000000000000f");
            h.aws.groupStates.set("i-0000000000000000f", "Terminating:Proceed");
            const ids = ["a", "b", "c", "d", "e", "f"].map((last) => `i-0000000000000000${last}`);

            const result = await h.deliver(sweepCheckBody(ids, START + 1000));
            assert.deepEqual(result, { batchItemFailures: [] });
            assert.deepEqual(h.aws.commands("ecs"), ["ListContainerInstances", "DescribeContainerInstances"]);
            // Only the instances still waiting are looked up.
            assert.equal((h.aws.input("ListContainerInstances")!.filter as string).includes("f"), false);
            assert.deepEqual(
                h.aws.calls
                    .filter((call) => call.command === "CompleteLifecycleAction")
                    .map((call) => call.input),
                [
                    {
                        AutoScalingGroupName: GROUP,
                        LifecycleHookName: HOOK,
                        InstanceId: "i-0000000000000000d",
                        LifecycleActionResult: "CONTINUE",
                    },
                ],
            );
            assert.deepEqual(h.aws.sentMessages, [
                redriveMessageBody({
                    autoScalingGroupName: GROUP,
                    lifecycleHookName: HOOK,
                    instanceId: "i-0000000000000000a",
                    startedAt: START + 1000,
                }),
                redriveMessageBody({
                    autoScalingGroupName: GROUP,
                    lifecycleHookName: HOOK,
                    instanceId: "i-0000000000000000c",
                    startedAt: START + 100,
                }),
            ]);
            assert.deepEqual(h.metricTotals(), { SweepRedrives: 2, SweepCompletions: 1 });

            // The re-driven message drives the drain: it heartbeats at once and records it.
            h.aws.advanceTo(START + 1001);
            const calls = h.aws.calls.length;
            await h.deliver(h.aws.sentMessages[1], "redrive");
            assert.deepEqual(
                h.aws.calls
                    .slice(calls)
                    .filter((call) => call.service !== "dynamodb")
                    .map((call) => call.command),
                [
                    "DescribeAutoScalingInstances",
                    "ListContainerInstances",
                    "DescribeContainerInstances",
                    "RecordLifecycleActionHeartbeat",
                    "PutAttributes",
                    "ChangeMessageVisibility",
                ],
            );
            assert.deepEqual(h.aws.input("RecordLifecycleActionHeartbeat"), {
                AutoScalingGroupName: GROUP,
                LifecycleHookName: HOOK,
                InstanceId: "i-0000000000000000c",
            });
            assert.equal(
                stale.attributes[DRAIN_ATTRIBUTE],
                `started:${START + 100} heartbeat:${START + 1001}`,
            );
        });
    });

    it("rejects an event that is neither an SQS batch nor a schedule", async () => {
        const h = harness();
        await assert.rejects(h.handler({ hello: 1 }), {
            message:
                'event: expected an SQS batch (Records) or an EventBridge Scheduled Event, got {"hello":1}',
        });
    });
});
