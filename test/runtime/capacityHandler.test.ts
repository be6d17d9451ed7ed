import assert from "node:assert/strict";
import type { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { ContainerInstance, Service, TaskDefinition } from "@aws-sdk/client-ecs";
import { createCapacityHandler, type EcsCapacityCommand } from "../../runtime/capacityHandler";

const ACCOUNT = "123456789012";
const CLUSTER = "demo";
const NOW = 1_700_000_000_000;
const C5_LARGE = { cpu: 2048, memory: 3711 };

interface Call {
    readonly name: string;
    readonly input: Record<string, unknown>;
}

/** A fake ECS answering by command class name, paginating and limiting batches as ECS does. */
class FakeEcs {
    readonly calls: Call[] = [];
    /** Errors thrown by the next calls of an operation, in order. */
    readonly failures = new Map<string, Error[]>();

    constructor(
        readonly instances: ContainerInstance[],
        readonly services: Service[],
        readonly taskDefinitions: Map<string, TaskDefinition>,
    ) {}

    async send(command: EcsCapacityCommand): Promise<unknown> {
        const name = command.constructor.name;
        const input = command.input as Record<string, unknown>;
        this.calls.push({ name, input });
        const failure = this.failures.get(name)?.shift();
        if (failure !== undefined) throw failure;
        switch (name) {
            case "ListContainerInstancesCommand":
                return this.page(
                    this.instances.filter((ci) => input.status === undefined || ci.status === input.status),
                    input,
                    100,
                    (ci) => ci.containerInstanceArn,
                    "containerInstanceArns",
                );
            case "DescribeContainerInstancesCommand": {
                const arns = input.containerInstances as string[];
                assert.ok(arns.length <= 100, `DescribeContainerInstances got ${arns.length} ARNs`);
                return {
                    containerInstances: this.instances.filter((ci) =>
                        arns.includes(ci.containerInstanceArn ?? ""),
                    ),
                };
            }
            case "ListServicesCommand":
                return this.page(this.services, input, 10, (service) => service.serviceArn, "serviceArns");
            case "DescribeServicesCommand": {
                const arns = input.services as string[];
                assert.ok(arns.length <= 10, `DescribeServices got ${arns.length} services`);
                return {
                    services: this.services.filter((service) => arns.includes(service.serviceArn ?? "")),
                };
            }
            case "DescribeTaskDefinitionCommand":
                return { taskDefinition: this.taskDefinitions.get(input.taskDefinition as string) };
            default:
                throw new Error(`unexpected command ${name}`);
        }
    }

    count(name: string): number {
        return this.calls.filter((call) => call.name === name).length;
    }

    private page<T>(
        items: T[],
        input: Record<string, unknown>,
        defaultSize: number,
        arnOf: (item: T) => string | undefined,
        key: string,
    ): Record<string, unknown> {
        const size = (input.maxResults as number | undefined) ?? defaultSize;
        assert.ok(input.cluster === CLUSTER, `cluster ${String(input.cluster)}`);
        const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
        const end = start + size;
        return {
            [key]: items.slice(start, end).map(arnOf),
            nextToken: end < items.length ? String(end) : undefined,
        };
    }
}

function containerInstance(
    index: number,
    remaining: { cpu: number; memory: number },
    status = "ACTIVE",
): ContainerInstance {
    return {
        containerInstanceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/${CLUSTER}/${String(index).padStart(4, "0")}`,
        ec2InstanceId: `i-${index.toString(16).padStart(17, "0")}`,
        status,
        agentConnected: true,
        attributes: [{ name: "ecs.instance-type", value: "c5.large" }],
        registeredResources: [
            { name: "CPU", type: "INTEGER", integerValue: C5_LARGE.cpu },
            { name: "MEMORY", type: "INTEGER", integerValue: C5_LARGE.memory },
            { name: "PORTS", type: "STRINGSET", stringSetValue: ["22"] },
        ],
        remainingResources: [
            { name: "CPU", type: "INTEGER", integerValue: remaining.cpu },
            { name: "MEMORY", type: "INTEGER", integerValue: remaining.memory },
            { name: "PORTS", type: "STRINGSET", stringSetValue: ["22"] },
        ],
        attachments: [],
    };
}

function taskDefinitionArn(family: string, revision: number): string {
    return `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:${revision}`;
}

function taskDefinition(family: string, revision: number, cpu: number, memory: number): TaskDefinition {
    return {
        taskDefinitionArn: taskDefinitionArn(family, revision),
        family,
        revision,
        networkMode: "bridge",
        containerDefinitions: [
            {
                name: "app",
                cpu,
                memoryReservation: memory,
                portMappings: [{ containerPort: 80, hostPort: 0 }],
            },
        ],
    };
}

function service(index: number, taskDefinition: string, extra: Partial<Service> = {}): Service {
    return {
        serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/${CLUSTER}/svc-${String(index).padStart(2, "0")}`,
        status: "ACTIVE",
        launchType: "EC2",
        schedulingStrategy: "REPLICA",
        taskDefinition,
        deployments: [{ taskDefinition, status: "PRIMARY" }],
        ...extra,
    };
}

/**
 * 250 c5.large instances: 240 running tasks (1024 CPU / 2011 MiB used), 10 empty. 25 services
 * over 5 families; one family mid-deployment from revision 1 to 2, so 6 task definitions.
 */
function bigCluster(): FakeEcs {
    const instances = Array.from({ length: 250 }, (_, index) =>
        containerInstance(index, index < 240 ? { cpu: 1024, memory: 1700 } : C5_LARGE),
    );
    const definitions = [
        taskDefinition("web", 1, 256, 512),
        taskDefinition("web", 2, 512, 1024),
        taskDefinition("api", 3, 256, 256),
        taskDefinition("worker", 1, 128, 512),
        taskDefinition("cron", 7, 64, 128),
        taskDefinition("admin", 2, 256, 512),
    ];
    const families = ["web", "api", "worker", "cron", "admin"];
    const arnFor = (family: string): string =>
        definitions.find((td) => td.family === family)?.taskDefinitionArn ?? "";
    const services = Array.from({ length: 25 }, (_, index) => {
        const family = families[index % families.length];
        if (index === 0) {
            return service(index, taskDefinitionArn("web", 2), {
                deployments: [
                    { taskDefinition: taskDefinitionArn("web", 2), status: "PRIMARY" },
                    { taskDefinition: taskDefinitionArn("web", 1), status: "ACTIVE" },
                ],
            });
        }
        return service(index, arnFor(family));
    });
    return new FakeEcs(
        instances,
        services,
        new Map(definitions.map((td) => [td.taskDefinitionArn ?? "", td])),
    );
}

const SCHEDULED = { version: "0", "detail-type": "Scheduled Event", source: "aws.events", detail: {} };
/** What the evaluation queue's event source mapping delivers. */
const FROM_QUEUE = {
    Records: [{ messageId: "m-1", body: '{"cluster":"demo"}', eventSource: "aws:sqs", attributes: {} }],
};
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/demo-capacity-evaluations";

function throttling(): Error {
    const error = new Error("Rate exceeded");
    error.name = "ThrottlingException";
    return error;
}

function setup(
    ecs: FakeEcs,
    config: Partial<Parameters<typeof createCapacityHandler>[1]> = {},
    now: () => number = () => NOW,
) {
    const lines: string[] = [];
    const sleeps: number[] = [];
    const sent: SendMessageCommand["input"][] = [];
    const handler = createCapacityHandler(
        {
            ecs,
            sqs: {
                send: async (command) => {
                    sent.push(command.input);
                    return {};
                },
            },
            log: (line) => lines.push(line),
            now,
            sleep: async (ms) => {
                sleeps.push(ms);
            },
            random: () => 0.5,
        },
        { clusterName: CLUSTER, evaluationQueueUrl: QUEUE_URL, namespace: "EcsLifecycle", ...config },
    );
    return { handler, lines, sleeps, sent };
}

function emf(metrics: Record<string, number>): string {
    return JSON.stringify({
        _aws: {
            Timestamp: NOW,
            CloudWatchMetrics: [
                {
                    Namespace: "EcsLifecycle",
                    Dimensions: [["ClusterName"]],
                    Metrics: Object.keys(metrics).map((name) => ({ Name: name, Unit: "Count" })),
                },
            ],
        },
        ClusterName: CLUSTER,
        ...metrics,
    });
}

describe("createCapacityHandler", () => {
    it("reads 250 instances and 25 services in 3 + 3 + 1 + 3 calls plus one per task definition", async () => {
        const ecs = bigCluster();
        const { handler } = setup(ecs);
        await handler(FROM_QUEUE);
        assert.deepEqual(
            [
                "ListContainerInstancesCommand",
                "DescribeContainerInstancesCommand",
                "ListServicesCommand",
                "DescribeServicesCommand",
                "DescribeTaskDefinitionCommand",
            ].map((name) => ecs.count(name)),
            [3, 3, 1, 3, 6],
        );
        assert.equal(ecs.calls.length, 16);
        const list = ecs.calls.filter((call) => call.name === "ListContainerInstancesCommand");
        assert.deepEqual(
            list.map((call) => call.input),
            [
                { cluster: CLUSTER, maxResults: 100, nextToken: undefined },
                { cluster: CLUSTER, maxResults: 100, nextToken: "100" },
                { cluster: CLUSTER, maxResults: 100, nextToken: "200" },
            ],
        );
        assert.deepEqual(
            ecs.calls
                .filter((call) => call.name === "DescribeContainerInstancesCommand")
                .map((call) => (call.input.containerInstances as string[]).length),
            [100, 100, 50],
        );
        assert.deepEqual(
            ecs.calls
                .filter((call) => call.name === "DescribeServicesCommand")
                .map((call) => (call.input.services as string[]).length),
            [10, 10, 5],
        );
        assert.deepEqual(
            ecs.calls
                .filter((call) => call.name === "DescribeTaskDefinitionCommand")
                .map((call) => call.input.taskDefinition)
                .sort(),
            [
                taskDefinitionArn("admin", 2),
                taskDefinitionArn("api", 3),
                taskDefinitionArn("cron", 7),
                taskDefinitionArn("web", 1),
                taskDefinitionArn("web", 2),
                taskDefinitionArn("worker", 1),
            ],
        );
    });

    it("publishes the measurement as one exact EMF line and names the limiting resource", async () => {
        const { handler, lines } = setup(bigCluster());
        const result = await handler(FROM_QUEUE);
        // Worst case web:2 (512 CPU / 1024 MiB): 1 per busy instance (1700 MiB free), 3 per empty
        // one (3711 MiB) → 240 + 30. The 10 empty instances can go; an 11th's 1024/2011 in use
        // fits nowhere else.
        assert.deepEqual(result, {
            outcome: "measured",
            containerCapacity: 270,
            idleHostCapacity: 10,
            limitingResource: "MEMORY",
            worstCaseTask: "web",
        });
        assert.deepEqual(lines, [
            emf({ ContainerCapacity: 270, IdleHostCapacity: 10 }),
            "cluster demo (queue, 250 container instances): ContainerCapacity=270 IdleHostCapacity=10 " +
                "limitingResource=MEMORY worstCaseTask=web",
        ]);
    });

    it("reuses task definitions across invocations: the second run describes none", async () => {
        const ecs = bigCluster();
        const { handler } = setup(ecs);
        await handler(FROM_QUEUE);
        const firstRun = ecs.calls.length;
        await handler(FROM_QUEUE);
        const second = ecs.calls.slice(firstRun);
        assert.deepEqual(
            [
                "ListContainerInstancesCommand",
                "DescribeContainerInstancesCommand",
                "ListServicesCommand",
                "DescribeServicesCommand",
                "DescribeTaskDefinitionCommand",
            ].map((name) => second.filter((call) => call.name === name).length),
            [3, 3, 1, 3, 0],
        );
    });

    it("keeps the cache per handler, not per module", async () => {
        const ecs = bigCluster();
        await setup(ecs).handler(FROM_QUEUE);
        await setup(ecs).handler(FROM_QUEUE);
        assert.equal(ecs.count("DescribeTaskDefinitionCommand"), 12);
    });

    it("on its schedule, only defers the evaluation to second 55 of the minute by a delayed message", async () => {
        const ecs = bigCluster();
        // NOW is 20 s into its minute.
        const { handler, sent } = setup(ecs);
        assert.deepEqual(await handler(SCHEDULED), { outcome: "deferred", delaySeconds: 35 });
        assert.deepEqual(sent, [
            {
                QueueUrl: QUEUE_URL,
                MessageBody: JSON.stringify({ cluster: CLUSTER, scheduledAt: new Date(NOW).toISOString() }),
                DelaySeconds: 35,
            },
        ]);
        assert.equal(ecs.calls.length, 0);
        // A schedule that fires after second 55 asks for an evaluation now.
        const late = setup(ecs, {}, () => NOW + 38_000);
        assert.deepEqual(await late.handler(SCHEDULED), { outcome: "deferred", delaySeconds: 0 });
        assert.equal(late.sent[0].DelaySeconds, 0);
    });

    for (const [label, event, reason] of [
        ["null", null, "event: expected an EventBridge event or an SQS batch, got null"],
        [
            "an unknown detail-type",
            { "detail-type": "EC2 Instance State-change Notification", detail: {} },
            'detail-type: expected "Scheduled Event", got "EC2 Instance State-change Notification"',
        ],
        [
            "an ECS event (no ECS event triggers the function)",
            {
                "detail-type": "ECS Container Instance State Change",
                source: "aws.ecs",
                detail: { clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/demo" },
            },
            'detail-type: expected "Scheduled Event", got "ECS Container Instance State Change"',
        ],
        [
            "records that are not from SQS",
            { Records: [{ EventSource: "aws:sns" }] },
            'Records: expected a non-empty list of aws:sqs records, got [{"EventSource":"aws:sns"}]',
        ],
    ] as const) {
        it(`logs and counts a malformed event (${label}) without throwing or calling ECS`, async () => {
            const ecs = bigCluster();
            const { handler, lines, sent } = setup(ecs);
            assert.deepEqual(await handler(event), { outcome: "malformed", reason });
            assert.deepEqual(lines, [`malformed event ignored: ${reason}`, emf({ MalformedEvents: 1 })]);
            assert.equal(ecs.calls.length, 0);
            assert.deepEqual(sent, []);
        });
    }

    it("retries throttled calls with jittered exponential backoff", async () => {
        const ecs = bigCluster();
        ecs.failures.set("ListContainerInstancesCommand", [throttling(), throttling()]);
        ecs.failures.set("DescribeTaskDefinitionCommand", [throttling()]);
        const { handler, sleeps } = setup(ecs);
        const result = await handler(FROM_QUEUE);
        assert.equal(result.outcome, "measured");
        // random() = 0.5 of a ceiling of 100 ms × 2^n: 50, then 100 for the second retry.
        assert.deepEqual(
            [...sleeps].sort((a, b) => a - b),
            [50, 50, 100],
        );
        assert.equal(ecs.count("ListContainerInstancesCommand"), 5);
        assert.equal(ecs.count("DescribeTaskDefinitionCommand"), 7);
    });

    it("gives up after a bounded number of throttled attempts, and never retries other errors", async () => {
        const throttled = bigCluster();
        throttled.failures.set("ListServicesCommand", [
            throttling(),
            throttling(),
            throttling(),
            throttling(),
        ]);
        await assert.rejects(setup(throttled).handler(FROM_QUEUE), { name: "ThrottlingException" });
        assert.equal(throttled.count("ListServicesCommand"), 4);

        const denied = bigCluster();
        const accessDenied = new Error("not authorized");
        accessDenied.name = "AccessDeniedException";
        denied.failures.set("ListServicesCommand", [accessDenied]);
        await assert.rejects(setup(denied).handler(FROM_QUEUE), { name: "AccessDeniedException" });
        assert.equal(denied.count("ListServicesCommand"), 1);
    });

    it("leaves out Fargate, daemon and inactive services; config shapes replace and add", async () => {
        const host = C5_LARGE;
        const ecs = new FakeEcs(
            [containerInstance(0, host), containerInstance(1, host)],
            [
                service(0, taskDefinitionArn("web", 1)),
                service(1, taskDefinitionArn("huge", 1), { launchType: "FARGATE" }),
                service(2, taskDefinitionArn("huge", 1), { schedulingStrategy: "DAEMON" }),
                service(3, taskDefinitionArn("huge", 1), { status: "DRAINING" }),
                service(4, taskDefinitionArn("api", 1)),
            ],
            new Map([
                [taskDefinitionArn("web", 1), taskDefinition("web", 1, 256, 512)],
                [taskDefinitionArn("api", 1), taskDefinition("api", 1, 1024, 1024)],
                [taskDefinitionArn("huge", 1), taskDefinition("huge", 1, 2048, 3711)],
            ]),
        );
        const plain = await setup(ecs).handler(FROM_QUEUE);
        // api (1024/1024) is the worst: 2 per instance.
        assert.deepEqual(plain.outcome === "measured" && [plain.worstCaseTask, plain.containerCapacity], [
            "api",
            4,
        ]);
        const configured = await setup(ecs, {
            extraTaskShapes: [
                { name: "api", cpu: 128, memory: 128 },
                { name: "batch", cpu: 2048, memory: 2048 },
            ],
        }).handler(FROM_QUEUE);
        assert.deepEqual(
            configured.outcome === "measured" && [configured.worstCaseTask, configured.containerCapacity],
            ["batch", 2],
        );
    });

    it("publishes nothing when there is no task shape to measure", async () => {
        const ecs = new FakeEcs([containerInstance(0, C5_LARGE)], [], new Map());
        const { handler, lines } = setup(ecs);
        assert.deepEqual(await handler(FROM_QUEUE), { outcome: "no-task-shapes" });
        assert.deepEqual(lines, [
            "cluster demo: no EC2 service and no configured task shape, nothing to measure",
        ]);
    });

    it("reports an unplaceable task in the result and the log line", async () => {
        const ecs = new FakeEcs([containerInstance(0, C5_LARGE)], [], new Map());
        const { handler, lines } = setup(ecs, {
            extraTaskShapes: [{ name: "big", cpu: 4096, memory: 1024 }],
        });
        const result = await handler(FROM_QUEUE);
        const reason =
            'task "big" (4096 CPU, 1024 MiB) fits no ACTIVE instance even when empty: c5.large CPU: needs 4096, registers 2048';
        assert.deepEqual(result, {
            outcome: "measured",
            containerCapacity: 0,
            idleHostCapacity: 0,
            limitingResource: "CPU",
            worstCaseTask: "big",
            unplaceable: reason,
        });
        assert.equal(
            lines[1],
            "cluster demo (queue, 1 container instances): ContainerCapacity=0 IdleHostCapacity=0 " +
                `limitingResource=CPU worstCaseTask=big unplaceable: ${reason}`,
        );
    });

    it("rejects bad config at creation, naming the field", () => {
        const ecs = bigCluster();
        assert.throws(
            () => setup(ecs, { clusterName: "" }),
            /^Error: clusterName: expected a non-empty string, got ""$/,
        );
        assert.throws(
            () => setup(ecs, { evaluationQueueUrl: "" }),
            /^Error: evaluationQueueUrl: expected an SQS queue URL, got ""$/,
        );
        assert.throws(
            () => setup(ecs, { extraTaskShapes: [{ name: "x", cpu: 256, memory: -1 }] }),
            /^Error: extraTaskShapes\[0\]\.memory: expected an integer number of MiB > 0, got -1$/,
        );
    });
});
