import assert from "node:assert/strict";
import { DRAIN_ATTRIBUTES, DrainSettings, requiredMaxReceiveCount } from "../../runtime/drain";
import {
    DRAIN_METRIC_NAMESPACE,
    SqsBatchResult,
    SweepResult,
    THROTTLED_REDELIVERY_SECONDS,
    createDrainHandler,
} from "../../runtime/drainHandler";
import { sweepMessageBody } from "../../runtime/drainMessage";
import { CommandSender } from "../../runtime/lambdaRuntime";

/*
 * A small fake of the three services, answering by command class name and recording every call
 * in order, so tests assert exact call sequences. It models only what the handler depends on:
 * container instances with attributes, tasks with desired/last status, services' scheduling
 * strategy, lifecycle actions with their heartbeat timeout, and throttling on demand.
 */

const START = 1_800_000_000;
const CLUSTER = "prod";
const GROUP = "ecs-asg";
const HOOK = "drain-hook";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/drain";
const INSTANCE = "i-0000000000000000a";

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
    pendingTasksCount: number;
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
    service: "ecs" | "autoscaling" | "sqs";
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
    readonly daemonServices = new Set<string>();
    readonly actions = new Map<string, LifecycleAction>();
    readonly groupStates = new Map<string, string>();
    /** Instances of other Auto Scaling groups: instance id → group name. */
    readonly otherGroups = new Map<string, string>();
    readonly sentMessages: string[] = [];
    /** Command name → how many of its next calls fail with this error name. */
    readonly failures = new Map<string, { remaining: number; name: string }>();

    constructor(readonly heartbeatTimeoutSeconds: number) {}

    addInstance(ec2InstanceId: string, overrides: Partial<FakeInstance> = {}): FakeInstance {
        const instance = {
            containerInstanceArn: `arn:aws:ecs:us-east-1:123456789012:container-instance/${CLUSTER}/${ec2InstanceId}`,
            ec2InstanceId,
            status: "ACTIVE",
            agentConnected: true,
            pendingTasksCount: 0,
            attributes: { "ecs.instance-type": "c5.large" },
            ...overrides,
        };
        this.instances.push(instance);
        this.groupStates.set(ec2InstanceId, "InService");
        return instance;
    }

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
        for (const action of this.actions.values()) {
            if (
                action.result === undefined &&
                seconds > action.lastHeartbeat + this.heartbeatTimeoutSeconds
            ) {
                action.result = "TIMEOUT";
                action.completedAt = action.lastHeartbeat + this.heartbeatTimeoutSeconds;
            }
        }
    }

    commands(): string[] {
        return this.calls.map((call) => call.command);
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

    private answer(name: string, input: Record<string, unknown>): unknown {
        const instanceByArn = (arn: unknown) =>
            this.instances.find((each) => each.containerInstanceArn === arn);
        switch (name) {
            case "ListContainerInstances": {
                const match = /^ec2InstanceId == (i-[0-9a-f]+)$/.exec(String(input.filter));
                assert.ok(
                    match,
                    `ListContainerInstances must be filtered on ec2InstanceId, got ${String(input.filter)}`,
                );
                return {
                    containerInstanceArns: this.instances
                        .filter((each) => each.ec2InstanceId === match[1] && each.status !== "INACTIVE")
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
                            const onIt = this.tasks.filter(
                                (task) => task.containerInstanceArn === each.containerInstanceArn,
                            );
                            return {
                                containerInstanceArn: each.containerInstanceArn,
                                ec2InstanceId: each.ec2InstanceId,
                                status: each.status,
                                agentConnected: each.agentConnected,
                                runningTasksCount: onIt.filter((task) => task.lastStatus === "RUNNING")
                                    .length,
                                pendingTasksCount: each.pendingTasksCount,
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
            case "DescribeServices": {
                const services = input.services as string[];
                assert.ok(services.length <= 10);
                return {
                    services: services.map((serviceName) => ({
                        serviceName,
                        schedulingStrategy: this.daemonServices.has(serviceName) ? "DAEMON" : "REPLICA",
                    })),
                };
            }
            case "UpdateContainerInstancesState": {
                for (const arn of input.containerInstances as string[]) {
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
                for (const attribute of input.attributes as {
                    name: string;
                    value: string;
                    targetId: string;
                    targetType: string;
                }[]) {
                    assert.equal(attribute.targetType, "container-instance");
                    const instance = instanceByArn(attribute.targetId);
                    assert.ok(instance);
                    instance.attributes[attribute.name] = attribute.value;
                }
                return { attributes: input.attributes };
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
                return {};
            }
            case "DescribeAutoScalingGroups":
                return {
                    AutoScalingGroups: [
                        {
                            AutoScalingGroupName: GROUP,
                            Instances: [...this.groupStates.entries()].map(
                                ([InstanceId, LifecycleState]) => ({ InstanceId, LifecycleState }),
                            ),
                        },
                    ],
                };
            case "DescribeAutoScalingInstances": {
                const ids = input.InstanceIds as string[];
                return {
                    AutoScalingInstances: ids.flatMap((InstanceId) => {
                        const owner = this.groupStates.has(InstanceId)
                            ? GROUP
                            : this.otherGroups.get(InstanceId);
                        return owner === undefined ? [] : [{ InstanceId, AutoScalingGroupName: owner }];
                    }),
                };
            }
            case "ChangeMessageVisibility":
                return {};
            case "SendMessage":
                this.sentMessages.push(input.MessageBody as string);
                return { MessageId: `m${this.sentMessages.length}` };
            default:
                throw new Error(`the fake does not serve ${name}`);
        }
    }
}

const SETTINGS: DrainSettings = {
    heartbeatTimeoutSeconds: 900,
    drainDeadlineSeconds: 3600,
    pollIntervalSeconds: 60,
    standaloneTaskPolicy: "wait",
    standaloneGraceSeconds: 600,
};

function harness(settings: DrainSettings = SETTINGS) {
    const aws = new FakeAws(settings.heartbeatTimeoutSeconds);
    const logs: string[] = [];
    const slept: number[] = [];
    const handler = createDrainHandler(
        {
            ecs: aws.client("ecs"),
            autoscaling: aws.client("autoscaling"),
            sqs: aws.client("sqs"),
            log: (line) => logs.push(line),
            now: () => aws.now * 1000,
            sleep: async (ms) => void slept.push(ms),
            random: () => 0.5,
        },
        {
            clusterName: CLUSTER,
            autoScalingGroupName: GROUP,
            lifecycleHookName: HOOK,
            queueUrl: QUEUE_URL,
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
    const deliver = async (body: string, messageId = "m-1") =>
        (await handler({
            Records: [{ messageId, receiptHandle: `rh-${messageId}`, body, attributes: {} }],
        })) as SqsBatchResult;
    return { aws, logs, slept, handler, metricTotals, deliver };
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
        const result = await h.deliver(body);
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

const CI_ARN = `arn:aws:ecs:us-east-1:123456789012:container-instance/${CLUSTER}/${INSTANCE}`;

describe("createDrainHandler", () => {
    it("rejects invalid settings when the handler is created", () => {
        assert.throws(() => harness({ ...SETTINGS, heartbeatTimeoutSeconds: 10 }), {
            message: "heartbeatTimeoutSeconds: expected an integer from 30 to 7200, got 10",
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

    it("completes an instance not registered with ECS with CONTINUE", async () => {
        const h = harness();
        h.aws.startLifecycleAction(INSTANCE);
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [] });
        assert.deepEqual(h.aws.calls, [
            {
                service: "ecs",
                command: "ListContainerInstances",
                input: { cluster: CLUSTER, filter: `ec2InstanceId == ${INSTANCE}` },
            },
            {
                service: "autoscaling",
                command: "CompleteLifecycleAction",
                input: {
                    AutoScalingGroupName: GROUP,
                    LifecycleHookName: HOOK,
                    InstanceId: INSTANCE,
                    LifecycleActionToken: `token-${INSTANCE}`,
                    LifecycleActionResult: "CONTINUE",
                },
            },
        ]);
        assert.equal(h.aws.actions.get(INSTANCE)?.result, "CONTINUE");
        assert.deepEqual(h.metricTotals(), { DrainPolls: 1, DrainDurationSeconds: 0, DrainsContinued: 1 });
    });

    it("completes an empty DRAINING instance with CONTINUE", async () => {
        const h = harness();
        h.aws.addInstance(INSTANCE, { status: "DRAINING" });
        h.aws.startLifecycleAction(INSTANCE);
        h.aws.advanceTo(START + 5);
        await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(h.aws.commands(), [
            "ListContainerInstances",
            "DescribeContainerInstances",
            "ListTasks",
            "ListTasks",
            "CompleteLifecycleAction",
        ]);
        assert.deepEqual(
            h.aws.calls.filter((call) => call.command === "ListTasks").map((call) => call.input),
            [
                {
                    cluster: CLUSTER,
                    containerInstance: CI_ARN,
                    desiredStatus: "RUNNING",
                    maxResults: 100,
                    nextToken: undefined,
                },
                {
                    cluster: CLUSTER,
                    containerInstance: CI_ARN,
                    desiredStatus: "STOPPED",
                    maxResults: 100,
                    nextToken: undefined,
                },
            ],
        );
        assert.equal(h.aws.actions.get(INSTANCE)?.result, "CONTINUE");
        assert.deepEqual(h.metricTotals(), { DrainPolls: 1, DrainDurationSeconds: 5, DrainsContinued: 1 });
    });

    it("sets a busy instance DRAINING, stamps it and asks for redelivery one poll interval later", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE);
        h.aws.addTask(instance, "web-1");
        h.aws.startLifecycleAction(INSTANCE);
        const result = await h.deliver(lifecycleBody(INSTANCE), "msg-7");
        assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "msg-7" }] });
        assert.deepEqual(h.aws.commands(), [
            "ListContainerInstances",
            "DescribeContainerInstances",
            "ListTasks",
            "ListTasks",
            "DescribeTasks",
            "DescribeServices",
            "RecordLifecycleActionHeartbeat",
            "UpdateContainerInstancesState",
            "PutAttributes",
            "ChangeMessageVisibility",
        ]);
        const input = (command: string) => h.aws.calls.find((call) => call.command === command)?.input;
        assert.deepEqual(input("UpdateContainerInstancesState"), {
            cluster: CLUSTER,
            containerInstances: [CI_ARN],
            status: "DRAINING",
        });
        assert.deepEqual(input("PutAttributes"), {
            cluster: CLUSTER,
            attributes: [
                {
                    name: DRAIN_ATTRIBUTES.startedAt,
                    value: String(START),
                    targetType: "container-instance",
                    targetId: CI_ARN,
                },
                {
                    name: DRAIN_ATTRIBUTES.polledAt,
                    value: String(START),
                    targetType: "container-instance",
                    targetId: CI_ARN,
                },
                {
                    name: DRAIN_ATTRIBUTES.heartbeatAt,
                    value: String(START),
                    targetType: "container-instance",
                    targetId: CI_ARN,
                },
            ],
        });
        assert.deepEqual(input("ChangeMessageVisibility"), {
            QueueUrl: QUEUE_URL,
            ReceiptHandle: "rh-msg-7",
            VisibilityTimeout: 60,
        });
        assert.equal(instance.status, "DRAINING");
        assert.deepEqual(h.metricTotals(), { DrainPolls: 1, DrainsStarted: 1 });
    });

    it("keeps a 2 h drain alive past a 900 s heartbeat timeout with heartbeats every 450 s, then CONTINUEs", async () => {
        const settings = { ...SETTINGS, pollIntervalSeconds: 70, drainDeadlineSeconds: 3 * 3600 };
        const h = harness(settings);
        const instance = h.aws.addInstance(INSTANCE);
        const task = h.aws.addTask(instance, "web-1");
        h.aws.daemonServices.add("logs");
        h.aws.addTask(instance, "logs-1", { group: "service:logs" });
        task.stopsAt = START + 2 * 3600 - 200;
        const daemon = h.aws.tasks[1];
        daemon.stopsAt = START + 2 * 3600;
        // Tasks only stop once asked; the fake stops them on schedule, as ECS would while DRAINING.
        task.desiredStatus = daemon.desiredStatus = "STOPPED";
        const action = h.aws.startLifecycleAction(INSTANCE);
        const { polls, pollTimes } = await driveToEnd(h, lifecycleBody(INSTANCE));

        assert.deepEqual(
            action.heartbeats.map((at) => at - START),
            [0, 450, 900, 1350, 1800, 2250, 2700, 3150, 3600, 4050, 4500, 4950, 5400, 5850, 6300, 6750],
        );
        assert.equal(action.result, "CONTINUE");
        assert.equal(action.completedAt, START + 7200);
        // The first poll, then 16 heartbeat periods of 7 polls (6 × 70 s, then 30 s to land on the heartbeat).
        assert.equal(polls, 1 + 16 * 7);
        assert.ok(polls <= requiredMaxReceiveCount(settings));
        const gaps = pollTimes.slice(1).map((at, index) => at - pollTimes[index]);
        assert.equal(Math.max(...gaps), 70);
        assert.deepEqual(h.metricTotals(), {
            DrainPolls: polls,
            DrainDurationSeconds: 7200,
            DrainsStarted: 1,
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
        // The first poll, then 8 heartbeat periods of 8 polls (7 × 60 s, then 30 s to land on the heartbeat).
        assert.equal(polls, 1 + 8 * 8);
        assert.deepEqual(h.metricTotals(), {
            DrainPolls: polls,
            DrainDurationSeconds: 3600,
            DrainsStarted: 1,
            DrainsAbandoned: 1,
        });
    });

    it("under the stop policy stops the standalone task after the grace period, waits for it, then CONTINUEs", async () => {
        const h = harness({ ...SETTINGS, standaloneTaskPolicy: "stop", standaloneGraceSeconds: 600 });
        const instance = h.aws.addInstance(INSTANCE);
        const job = h.aws.addTask(instance, "job-1", { group: "family:batch" });
        const action = h.aws.startLifecycleAction(INSTANCE);
        await driveToEnd(h, lifecycleBody(INSTANCE));
        const stops = h.aws.calls.filter((call) => call.command === "StopTask");
        assert.deepEqual(
            stops.map((call) => call.input),
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

    it("keeps the first-seen time across redeliveries and duplicates of an external drain", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE);
        h.aws.addTask(instance, "job-1", { group: "family:batch" });
        const manual = JSON.stringify({ action: "drain", instanceId: INSTANCE });
        await h.deliver(manual, "first");
        assert.equal(instance.attributes[DRAIN_ATTRIBUTES.startedAt], String(START));
        h.aws.advanceTo(START + 1200);
        const duplicate = await h.deliver(manual, "duplicate");
        assert.deepEqual(duplicate, { batchItemFailures: [{ itemIdentifier: "duplicate" }] });
        assert.equal(instance.attributes[DRAIN_ATTRIBUTES.startedAt], String(START));
        // External drains never stamp a poll: that stamp tells the sweep a lifecycle delivery is alive.
        assert.equal(instance.attributes[DRAIN_ATTRIBUTES.polledAt], undefined);
        h.aws.advanceTo(START + 3600);
        const last = await h.deliver(manual, "duplicate");
        assert.deepEqual(last, { batchItemFailures: [] });
        assert.deepEqual(h.metricTotals(), {
            DrainPolls: 3,
            DrainDurationSeconds: 3600,
            DrainsEnded: 1,
            DrainsStarted: 1,
        });
        assert.equal(
            h.aws.commands().filter((command) => command === "UpdateContainerInstancesState").length,
            1,
        );
    });

    it("treats a duplicate completion's 'No active Lifecycle Action found' as already done", async () => {
        const h = harness();
        h.aws.addInstance(INSTANCE, { status: "DRAINING" });
        h.aws.startLifecycleAction(INSTANCE);
        const result = (await h.handler({
            Records: [
                { messageId: "a", receiptHandle: "rh-a", body: lifecycleBody(INSTANCE) },
                { messageId: "b", receiptHandle: "rh-b", body: lifecycleBody(INSTANCE) },
            ],
        })) as SqsBatchResult;
        assert.deepEqual(result, { batchItemFailures: [] });
        assert.equal(h.aws.commands().filter((command) => command === "CompleteLifecycleAction").length, 2);
        assert.equal(h.aws.actions.get(INSTANCE)?.result, "CONTINUE");
        assert.deepEqual(h.metricTotals(), {
            DrainPolls: 2,
            DrainDurationSeconds: 0,
            DrainsContinued: 1,
            DrainsIgnored: 1,
        });
    });

    it("ends the drain when the heartbeat finds the action no longer active", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
        h.aws.addTask(instance, "web-1");
        const action = h.aws.startLifecycleAction(INSTANCE);
        action.result = "ABANDON";
        h.aws.advanceTo(START + 840);
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [] });
        assert.deepEqual(h.aws.commands().slice(-1), ["RecordLifecycleActionHeartbeat"]);
        assert.deepEqual(h.metricTotals(), { DrainsIgnored: 1 });
    });

    it("drains nothing for a stale delivery of a finished action on a reactivated instance", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE);
        h.aws.addTask(instance, "web-1");
        const action = h.aws.startLifecycleAction(INSTANCE);
        action.result = "ABANDON";
        h.aws.advanceTo(START + 7200);
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [] });
        assert.equal(h.aws.commands().includes("UpdateContainerInstancesState"), false);
        assert.equal(instance.status, "ACTIVE");
        assert.deepEqual(h.metricTotals(), { DrainsIgnored: 1 });
    });

    it("retries throttled calls with jitter and carries on", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE);
        h.aws.addTask(instance, "web-1");
        h.aws.startLifecycleAction(INSTANCE);
        h.aws.failures.set("ListTasks", { remaining: 2, name: "ThrottlingException" });
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "m-1" }] });
        assert.deepEqual(h.slept, [50, 100]);
        assert.equal(h.aws.commands().filter((command) => command === "ListTasks").length, 4);
        assert.equal(h.aws.calls.at(-1)?.input.VisibilityTimeout, 60);
    });

    it("leaves a message throttled past its retries for a short redelivery, never a crash", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE);
        h.aws.addTask(instance, "web-1");
        h.aws.startLifecycleAction(INSTANCE);
        h.aws.failures.set("DescribeContainerInstances", { remaining: 4, name: "ThrottlingException" });
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "m-1" }] });
        assert.deepEqual(h.aws.commands(), [
            "ListContainerInstances",
            ...Array(4).fill("DescribeContainerInstances"),
            "ChangeMessageVisibility",
        ]);
        assert.equal(h.aws.calls.at(-1)?.input.VisibilityTimeout, THROTTLED_REDELIVERY_SECONDS);
        assert.deepEqual(h.slept, [50, 100, 200]);
        assert.equal(instance.status, "ACTIVE");
    });

    it("leaves a message that failed otherwise to the queue's own visibility timeout and DLQ", async () => {
        const h = harness();
        h.aws.addInstance(INSTANCE);
        h.aws.startLifecycleAction(INSTANCE);
        h.aws.failures.set("ListContainerInstances", { remaining: 1, name: "AccessDeniedException" });
        const result = await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: "m-1" }] });
        assert.deepEqual(h.aws.commands(), ["ListContainerInstances"]);
        assert.equal(JSON.parse(h.logs[0]).message, "drain poll failed; left for redelivery");
    });

    it("logs, counts and lets go a malformed message", async () => {
        const h = harness();
        const result = await h.deliver(JSON.stringify({ action: "drain", instanceId: "web-1" }));
        assert.deepEqual(result, { batchItemFailures: [] });
        assert.deepEqual(h.aws.calls, []);
        const logged = JSON.parse(h.logs[0]);
        assert.equal(
            logged.reason,
            'instanceId: expected an EC2 instance id like "i-0123456789abcdef0", got "web-1"',
        );
        assert.deepEqual(h.metricTotals(), { MalformedMessages: 1 });
    });

    it("polls every instance of a Health event and redelivers after the shortest wait", async () => {
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
        assert.deepEqual(h.metricTotals(), {
            DrainPolls: 2,
            DrainDurationSeconds: 0,
            DrainsEnded: 1,
            DrainsStarted: 1,
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
        assert.deepEqual(h.metricTotals(), { DrainPolls: 1, DrainsStarted: 1 });
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
            const ignored = h.logs.map((line) => JSON.parse(line)).find((line) => line.message);
            assert.deepEqual(ignored, {
                level: "info",
                message: "drain request ignored",
                reason,
                kind: "external",
                source: "spot-interruption",
                instanceId: INSTANCE,
            });
            assert.deepEqual(h.metricTotals(), { DrainsIgnored: 1 });
        });
    }

    it("makes the same calls for one poll in a 10- and a 1,000-instance cluster", async () => {
        const sequences: Call[][] = [];
        for (const size of [10, 1000]) {
            const h = harness();
            for (let index = 0; index < size; index++) {
                const instance = h.aws.addInstance(`i-${index.toString(16).padStart(17, "0")}`, {
                    status: "DRAINING",
                });
                for (let taskIndex = 0; taskIndex < 3; taskIndex++)
                    h.aws.addTask(instance, `t-${index}-${taskIndex}`);
            }
            const target = h.aws.instances[7].ec2InstanceId;
            h.aws.startLifecycleAction(target);
            await h.deliver(lifecycleBody(target));
            sequences.push(h.aws.calls);
        }
        assert.deepEqual(
            sequences[0].map((call) => call.command),
            [
                "ListContainerInstances",
                "DescribeContainerInstances",
                "ListTasks",
                "ListTasks",
                "DescribeTasks",
                "DescribeServices",
                "PutAttributes",
                "ChangeMessageVisibility",
            ],
        );
        assert.deepEqual(sequences[1], sequences[0]);
    });

    it("pages ListTasks and DescribeTasks 100 at a time", async () => {
        const h = harness();
        const instance = h.aws.addInstance(INSTANCE, { status: "DRAINING" });
        for (let index = 0; index < 150; index++) h.aws.addTask(instance, `web-${index}`);
        for (let index = 0; index < 60; index++)
            h.aws.addTask(instance, `old-${index}`, {
                desiredStatus: "STOPPED",
                lastStatus: index < 50 ? "STOPPED" : "DEPROVISIONING",
            });
        h.aws.startLifecycleAction(INSTANCE);
        await h.deliver(lifecycleBody(INSTANCE));
        assert.deepEqual(h.aws.commands().slice(0, 8), [
            "ListContainerInstances",
            "DescribeContainerInstances",
            "ListTasks",
            "ListTasks",
            "ListTasks",
            "DescribeTasks",
            "DescribeTasks",
            "DescribeTasks",
        ]);
        assert.deepEqual(
            h.aws.calls
                .filter((call) => call.command === "DescribeTasks")
                .map((call) => (call.input.tasks as string[]).length),
            [100, 100, 10],
        );
        const waiting = h.logs
            .map((line) => JSON.parse(line))
            .find((entry) => entry.message === "drain waiting");
        assert.equal(
            waiting.reason,
            "waiting for 160 service tasks, 0 daemon tasks, 0 standalone tasks, 0 pending tasks",
        );
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

        it("completes unregistered instances, re-drives stale drains and leaves driven ones alone", async () => {
            const h = harness();
            h.aws.advanceTo(START + 1000);
            h.aws.addInstance("i-0000000000000000a");
            const driven = h.aws.addInstance("i-0000000000000000b", {
                status: "DRAINING",
                attributes: {
                    [DRAIN_ATTRIBUTES.startedAt]: String(START),
                    [DRAIN_ATTRIBUTES.polledAt]: String(START + 1000 - 179),
                },
            });
            const stale = h.aws.addInstance("i-0000000000000000c", {
                status: "DRAINING",
                attributes: {
                    [DRAIN_ATTRIBUTES.startedAt]: String(START + 100),
                    [DRAIN_ATTRIBUTES.polledAt]: String(START + 1000 - 180),
                },
            });
            h.aws.addTask(stale, "web-1");
            h.aws.startLifecycleAction(driven.ec2InstanceId);
            h.aws.startLifecycleAction(stale.ec2InstanceId);
            h.aws.startLifecycleAction("i-0000000000000000d");
            h.aws.groupStates.set("i-0000000000000000d", "Terminating:Wait");

            const result = (await h.handler(scheduled)) as SweepResult;
            assert.deepEqual(result, {
                redriven: ["i-0000000000000000c"],
                completed: ["i-0000000000000000d"],
            });
            assert.deepEqual(h.aws.commands(), [
                "DescribeAutoScalingGroups",
                "ListContainerInstances",
                "ListContainerInstances",
                "ListContainerInstances",
                "CompleteLifecycleAction",
                "DescribeContainerInstances",
                "SendMessage",
            ]);
            assert.deepEqual(h.aws.calls.find((call) => call.command === "CompleteLifecycleAction")?.input, {
                AutoScalingGroupName: GROUP,
                LifecycleHookName: HOOK,
                InstanceId: "i-0000000000000000d",
                LifecycleActionResult: "CONTINUE",
            });
            assert.deepEqual(h.aws.sentMessages, [
                sweepMessageBody({
                    autoScalingGroupName: GROUP,
                    lifecycleHookName: HOOK,
                    instanceId: "i-0000000000000000c",
                    startedAt: START + 100,
                }),
            ]);
            assert.deepEqual(h.metricTotals(), { SweepRedrives: 1, SweepCompletions: 1 });

            // The re-driven message drives the drain: it heartbeats at once (its Time is not the action's start).
            const calls = h.aws.calls.length;
            await h.deliver(h.aws.sentMessages[0], "redrive");
            assert.deepEqual(h.aws.commands().slice(calls), [
                "ListContainerInstances",
                "DescribeContainerInstances",
                "ListTasks",
                "ListTasks",
                "DescribeTasks",
                "DescribeServices",
                "RecordLifecycleActionHeartbeat",
                "PutAttributes",
                "ChangeMessageVisibility",
            ]);
            assert.deepEqual(
                h.aws.calls.find((call) => call.command === "RecordLifecycleActionHeartbeat")?.input,
                {
                    AutoScalingGroupName: GROUP,
                    LifecycleHookName: HOOK,
                    InstanceId: "i-0000000000000000c",
                },
            );
            assert.equal(stale.attributes[DRAIN_ATTRIBUTES.polledAt], String(START + 1000));
        });

        it("re-drives an ACTIVE instance in Terminating:Wait whose message was lost before its first poll", async () => {
            const h = harness();
            h.aws.addInstance(INSTANCE);
            h.aws.startLifecycleAction(INSTANCE);
            const result = (await h.handler(scheduled)) as SweepResult;
            assert.deepEqual(result, { redriven: [INSTANCE], completed: [] });
            assert.deepEqual(JSON.parse(h.aws.sentMessages[0]).Time, new Date(START * 1000).toISOString());
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
