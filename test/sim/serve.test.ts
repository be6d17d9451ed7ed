/**
 * `npm run simulate -- --serve`: the stack served on loopback, and README's walk-through driven
 * through the AWS CLI: scale the group in, watch the drain set the instance DRAINING, the tasks
 * move and the hook complete, and read the capacity metric. The served clock runs 60 times faster
 * than the machine's here, so the walk-through takes seconds.
 */
import assert from "node:assert/strict";
import { ECSClient, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { serveStack, type ServedStack } from "../../sim/serve";
import { findAwsCli, runAwsCli } from "./protocol/awsCli";
import { testStack } from "./scenarios/testStack";

const SPEED = 60;

function fastClock(startMs: number): () => number {
    const realStart = Date.now();
    return () => startMs + (Date.now() - realStart) * SPEED;
}

async function eventually<T>(
    what: string,
    poll: () => Promise<T | undefined>,
    realSeconds: number,
): Promise<T> {
    const deadline = Date.now() + realSeconds * 1000;
    for (;;) {
        const found = await poll();
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`${what}: not seen within ${realSeconds} s`);
        await new Promise((resolve) => setTimeout(resolve, 300));
    }
}

describe("sim/serve (npm run simulate -- --serve)", () => {
    let served: ServedStack;
    const printed: string[] = [];
    const settings = testStack();

    before(async () => {
        served = await serveStack(settings, {
            seed: 7,
            port: 0,
            print: (line) => printed.push(line),
            now: fastClock(Date.UTC(2027, 5, 15, 12, 0, 0)),
        });
    });

    after(async () => {
        await served?.stop();
    });

    it("prints its endpoint, the environment to paste and the walk-through's commands", () => {
        const { endpoint } = served;
        assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(printed[0], `Simulated region (seed 7) serving the test stack on ${endpoint}`);
        assert.ok(printed.some((line) => line.includes(`export AWS_ENDPOINT_URL=${endpoint} `)));
        assert.ok(
            printed.includes(
                `  aws --endpoint-url ${endpoint} autoscaling set-desired-capacity --auto-scaling-group-name ecs-lifecycle-test-asg --desired-capacity 2`,
            ),
        );
        assert.ok(printed.some((line) => line.startsWith("Not served: EC2")));
    });

    it("serves the settled stack to the SDK: its container instances ACTIVE", async () => {
        const ecs = new ECSClient({
            endpoint: served.endpoint,
            region: "us-east-1",
            credentials: { accessKeyId: "AKIDSIMULATED", secretAccessKey: "simulated-secret" },
        });
        const listed = await ecs.send(
            new ListContainerInstancesCommand({
                cluster: served.stack.deployed.clusterName,
                status: "ACTIVE",
            }),
        );
        assert.ok((listed.containerInstanceArns ?? []).length >= settings.cluster.desiredCapacity);
    });

    it("walks README's walk-through with the AWS CLI: a scale-in is drained, the tasks move, the hook completes", async function () {
        const cli = findAwsCli();
        if (cli === undefined) this.skip();
        const aws = async (...args: string[]) => {
            const result = await runAwsCli(cli!, served.endpoint, args);
            assert.equal(result.exitCode, 0, `aws ${args.join(" ")}: ${result.stderr}`);
            return JSON.parse(result.stdout || "{}");
        };
        const { clusterName, groupName } = served.stack.deployed;
        const before = (
            await aws("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", groupName)
        ).AutoScalingGroups[0];
        const inService = before.Instances.length;
        await aws(
            "autoscaling",
            "set-desired-capacity",
            "--auto-scaling-group-name",
            groupName,
            "--desired-capacity",
            String(inService - 1),
        );
        const draining = await eventually(
            "a container instance DRAINING",
            async () => {
                const listed = await aws(
                    "ecs",
                    "list-container-instances",
                    "--cluster",
                    clusterName,
                    "--status",
                    "DRAINING",
                );
                return listed.containerInstanceArns.length > 0 ? listed.containerInstanceArns[0] : undefined;
            },
            60,
        );
        assert.match(draining, /^arn:aws:ecs:us-east-1:\d{12}:container-instance\//);
        const [{ ec2InstanceId }] = (
            await aws(
                "ecs",
                "describe-container-instances",
                "--cluster",
                clusterName,
                "--container-instances",
                draining,
            )
        ).containerInstances;
        // The drained instance leaves the group and nothing waits; the capacity scaler may add one back.
        await eventually(
            `${ec2InstanceId} gone from the group, nothing waiting`,
            async () => {
                const group = (
                    await aws(
                        "autoscaling",
                        "describe-auto-scaling-groups",
                        "--auto-scaling-group-names",
                        groupName,
                    )
                ).AutoScalingGroups[0];
                const instances = group.Instances as { InstanceId: string; LifecycleState: string }[];
                return instances.every(
                    (i) => i.InstanceId !== ec2InstanceId && i.LifecycleState === "InService",
                )
                    ? group
                    : undefined;
            },
            90,
        );
        const services = await aws(
            "ecs",
            "describe-services",
            "--cluster",
            clusterName,
            "--services",
            ...settings.services.map((s) => s.name),
        );
        for (const service of services.services) assert.equal(service.runningCount, service.desiredCount);
        const completed = served.region.timeline.filter((e) => e.kind === "autoscaling.hook.completed");
        assert.ok(
            completed.some((e) => e.detail.result === "CONTINUE"),
            JSON.stringify(completed),
        );
        assert.equal(served.region.invariants().tasksKilledByTermination, 0);
        const metric = await aws(
            "cloudwatch",
            "get-metric-statistics",
            "--namespace",
            "EcsLifecycle/Capacity",
            "--metric-name",
            "ContainerCapacity",
            "--dimensions",
            `Name=ClusterName,Value=${clusterName}`,
            "--statistics",
            "Minimum",
            "--period",
            "60",
            "--start-time",
            new Date(served.region.clock.now() - 30 * 60_000).toISOString(),
            "--end-time",
            new Date(served.region.clock.now()).toISOString(),
        );
        assert.ok(metric.Datapoints.length > 0, JSON.stringify(metric));
    });

    it("says what it does not serve when asked for EC2", async function () {
        const cli = findAwsCli();
        if (cli === undefined) this.skip();
        const result = await runAwsCli(cli!, served.endpoint, ["ec2", "describe-instances"]);
        assert.notEqual(result.exitCode, 0);
        assert.match(
            result.stderr,
            /Not served: EC2 \(describe-instances and the rest\), ELBv2, IAM, KMS and Lambda's own API/,
        );
    });
});
