import assert from "node:assert/strict";
import { serializeHandler } from "../../scripts/lambdaArchive";
import { CAPACITY_NAMESPACE } from "../../stack/capacity";
import { capacityCallbackFactory } from "../../runtime/capacityHandler";
import type { LambdaRuntime } from "../../runtime/lambdaRuntime";

/**
 * The capacity Lambda as Pulumi's closure serializer ships it, evaluating a real cluster: the
 * mock synthesis tests only load it, and a serializer that silently drops part of a class (it
 * drops field initializers) passes every test that runs the TypeScript directly.
 */

const CLUSTER = "c1";
const PREFIX = `arn:aws:ecs:us-east-1:123456789012`;
const WEB = `${PREFIX}:task-definition/web:3`;

function resources(cpu: number, memory: number) {
    return [
        { name: "CPU", type: "INTEGER", integerValue: cpu },
        { name: "MEMORY", type: "INTEGER", integerValue: memory },
        { name: "PORTS", type: "STRINGSET", stringSetValue: ["22"] },
    ];
}

/** Three c5.large instances: two each running one 1024 CPU / 1700 MiB task, one empty. */
const INSTANCES = [0, 1, 2].map((index) => ({
    containerInstanceArn: `${PREFIX}:container-instance/${CLUSTER}/${index}`,
    ec2InstanceId: `i-00000000000000${index}`,
    status: "ACTIVE",
    agentConnected: true,
    attributes: [{ name: "ecs.instance-type", value: "c5.large" }],
    registeredResources: resources(2048, 3711),
    remainingResources: index < 2 ? resources(1024, 2011) : resources(2048, 3711),
    runningTasksCount: index < 2 ? 1 : 0,
    pendingTasksCount: 0,
    attachments: [],
}));

/** ECS's answers, by command: one page each (the cluster is small). */
const ANSWERS: Record<string, unknown> = {
    ListContainerInstancesCommand: { containerInstanceArns: INSTANCES.map((ci) => ci.containerInstanceArn) },
    DescribeContainerInstancesCommand: { containerInstances: INSTANCES, failures: [] },
    ListServicesCommand: { serviceArns: [`${PREFIX}:service/${CLUSTER}/web`] },
    DescribeServicesCommand: {
        services: [
            {
                serviceArn: `${PREFIX}:service/${CLUSTER}/web`,
                status: "ACTIVE",
                launchType: "EC2",
                schedulingStrategy: "REPLICA",
                taskDefinition: WEB,
                deployments: [{ taskDefinition: WEB, status: "PRIMARY" }],
            },
        ],
        failures: [],
    },
    DescribeTaskDefinitionCommand: {
        taskDefinition: {
            taskDefinitionArn: WEB,
            family: "web",
            revision: 3,
            networkMode: "bridge",
            containerDefinitions: [
                { name: "app", cpu: 512, memoryReservation: 1024, portMappings: [{ containerPort: 80 }] },
            ],
        },
    },
};

/** A runtime whose clients answer from ANSWERS; serialized into the archive with the handler. */
function cannedRuntime(): LambdaRuntime {
    return {
        client: () => ({
            send: async (command: object) => {
                const answer = ANSWERS[command.constructor.name];
                if (answer === undefined) throw new Error(`unexpected ${command.constructor.name}`);
                return answer;
            },
        }),
        sleep: async () => undefined,
        random: () => 0.5,
    };
}

interface Emf {
    readonly ContainerCapacity?: number;
    readonly IdleHostCapacity?: number;
}

async function evaluate(handler: (event: unknown) => Promise<unknown>): Promise<Emf> {
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
        await handler({
            Records: [{ messageId: "m-1", body: `{"cluster":"${CLUSTER}"}`, eventSource: "aws:sqs" }],
        });
    } finally {
        console.log = log;
    }
    const emf = lines
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Emf)
        .find((record) => "ContainerCapacity" in record);
    assert.ok(emf, `no EMF record among:\n${lines.join("\n")}`);
    const { _aws, ...figures } = emf as Emf & { _aws: unknown };
    assert.ok(_aws);
    return figures;
}

describe("capacity Lambda archive", () => {
    const saved = { ...process.env };
    before(() => {
        process.env.CLUSTER_NAME = CLUSTER;
        process.env.EVALUATION_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/c1-evaluations";
        process.env.AWS_REGION = "us-east-1";
        delete process.env.AVAILABILITY_ZONES;
    });
    after(() => {
        process.env = saved;
    });

    it("evaluates a cluster as the TypeScript does: its classes survive serialization", async () => {
        const factory = capacityCallbackFactory(
            { minimumSpareTasks: 1, namespace: CAPACITY_NAMESPACE },
            cannedRuntime,
        );
        const archived = await evaluate((await serializeHandler(factory)).load());
        // 512 CPU / 1024 MiB tasks: one more on each busy instance (memory), three on the empty one.
        assert.equal(archived.ContainerCapacity, 5);
        assert.deepEqual(archived, await evaluate(factory()));
    });
});
