/**
 * The book's chapter 11 lifecycle-hook Lambda (seed 000, `LifecycleHookFunction`), ported line for
 * line from Python/boto3 to TypeScript with SDK v3 clients, bugs included, so the bench can run it
 * in the simulated region beside this project's drain pipeline:
 * - it lists the cluster's container instances once (one page: boto3 without a paginator, so at
 *   most 100) and describes them all to find the one instance it wants — above 100 instances the
 *   instance may not be on that page, "Could not locate ECS instance" follows and the hook is
 *   completed with ABANDON, which (without a retention trigger) terminates it, tasks and all;
 * - it waits by polling `runningTasksCount` (RUNNING only: PENDING and stopping tasks are missed)
 *   every 5 seconds inside the invocation, billed all the while;
 * - shortly before its 300 s timeout it republishes the SNS message, which neither extends the
 *   hook (no heartbeat: the 900 s HeartbeatTimeout applies) nor survives Lambda's recursive-loop
 *   detection for long;
 * - the hook's test notification has no LifecycleTransition: `message['LifecycleTransition']`
 *   raises KeyError, outside the try, and the invocation fails.
 * Not for deployment: it exists to be measured against.
 */
import {
    DescribeContainerInstancesCommand,
    ListContainerInstancesCommand,
    UpdateContainerInstancesStateCommand,
    type ContainerInstance,
} from "@aws-sdk/client-ecs";
import { CompleteLifecycleActionCommand } from "@aws-sdk/client-auto-scaling";
import { PublishCommand } from "@aws-sdk/client-sns";

/** The book's function settings: `Timeout: 300`, `MemorySize: 128`. */
export const BOOK_DRAIN_TIMEOUT_SECONDS = 300;
export const BOOK_DRAIN_MEMORY_MB = 128;
/** The book's hook: `HeartbeatTimeout: 900`, `DefaultResult: CONTINUE`. */
export const BOOK_HOOK_HEARTBEAT_SECONDS = 900;
export const BOOK_HOOK_DEFAULT_RESULT = "CONTINUE";

export interface Sender {
    send(command: unknown): Promise<unknown>;
}

export interface BookDrainDeps {
    readonly ecs: Sender;
    readonly sns: Sender;
    readonly autoscaling: Sender;
    /** `time.sleep` */
    readonly sleep: (ms: number) => Promise<void>;
    /** `print` */
    readonly print: (line: string) => void;
}

export interface BookLambdaContext {
    getRemainingTimeInMillis(): number;
}

interface SnsRecord {
    readonly Sns: { readonly Message: string; readonly TopicArn: string };
}

/** Python's `d['key']`: a missing key raises KeyError. */
function key<T>(object: Record<string, unknown>, name: string): T {
    if (!(name in object)) throw new Error(`KeyError: '${name}'`);
    return object[name] as T;
}

/** `cluster = os.environ['ECS_CLUSTER']`, then `handler`. */
export function createBookDrainHandler(deps: BookDrainDeps, cluster: string) {
    const { ecs, sns, autoscaling } = deps;
    return async function handler(
        event: { Records?: SnsRecord[] },
        context: BookLambdaContext,
    ): Promise<void> {
        deps.print(`Received event ${JSON.stringify(event)}`);
        for (const r of event.Records ?? []) {
            // Parse SNS message
            const message = JSON.parse(r.Sns.Message) as Record<string, unknown>;
            const [transition, hook] = [
                key<string>(message, "LifecycleTransition"),
                key<string>(message, "LifecycleHookName"),
            ];
            const [group, ec2Instance] = [
                key<string>(message, "AutoScalingGroupName"),
                key<string>(message, "EC2InstanceId"),
            ];
            if (transition !== "autoscaling:EC2_INSTANCE_TERMINATING") {
                deps.print(`Ignoring lifecycle transition ${transition}`);
                return;
            }
            try {
                // Get ECS container instance ARN
                const ecsInstanceArns = key<string[]>(
                    (await ecs.send(new ListContainerInstancesCommand({ cluster }))) as Record<
                        string,
                        unknown
                    >,
                    "containerInstanceArns",
                );
                const ecsInstances = key<ContainerInstance[]>(
                    (await ecs.send(
                        new DescribeContainerInstancesCommand({
                            cluster,
                            containerInstances: ecsInstanceArns,
                        }),
                    )) as Record<string, unknown>,
                    "containerInstances",
                );
                // Find ECS container instance with same EC2 instance ID in lifecycle hook message
                const ecsInstanceArn =
                    ecsInstances.find((instance) => instance.ec2InstanceId === ec2Instance)
                        ?.containerInstanceArn ?? null;
                if (ecsInstanceArn === null) throw new Error("ValueError: Could not locate ECS instance");
                // Drain instance
                await ecs.send(
                    new UpdateContainerInstancesStateCommand({
                        cluster,
                        containerInstances: [ecsInstanceArn],
                        status: "DRAINING",
                    }),
                );
                // Check task count on instance every 5 seconds
                let count = 1;
                while (count > 0 && context.getRemainingTimeInMillis() > 10000) {
                    const status = key<ContainerInstance[]>(
                        (await ecs.send(
                            new DescribeContainerInstancesCommand({
                                cluster,
                                containerInstances: [ecsInstanceArn],
                            }),
                        )) as Record<string, unknown>,
                        "containerInstances",
                    )[0];
                    count = key<number>(status as Record<string, unknown>, "runningTasksCount");
                    deps.print("Sleeping...");
                    await deps.sleep(5000);
                }
                if (count === 0) {
                    deps.print("All tasks drained - sending CONTINUE signal");
                    await autoscaling.send(
                        new CompleteLifecycleActionCommand({
                            LifecycleHookName: hook,
                            AutoScalingGroupName: group,
                            InstanceId: ec2Instance,
                            LifecycleActionResult: "CONTINUE",
                        }),
                    );
                } else {
                    deps.print("Function timed out - republishing SNS message");
                    await sns.send(new PublishCommand({ TopicArn: r.Sns.TopicArn, Message: r.Sns.Message }));
                }
            } catch (e) {
                deps.print(`A failure occurred with exception ${e instanceof Error ? e.message : String(e)}`);
                await autoscaling.send(
                    new CompleteLifecycleActionCommand({
                        LifecycleHookName: hook,
                        AutoScalingGroupName: group,
                        InstanceId: ec2Instance,
                        LifecycleActionResult: "ABANDON",
                    }),
                );
            }
        }
    };
}

/** As the book deploys it: boto3 clients at module load, `ECS_CLUSTER` from the environment. */
export function bookDrainCallbackFactory(): () => (
    event: { Records?: SnsRecord[] },
    context: BookLambdaContext,
) => Promise<void> {
    return () => {
        /* eslint-disable @typescript-eslint/no-require-imports */
        const { ECSClient } = require("@aws-sdk/client-ecs");
        const { SNSClient } = require("@aws-sdk/client-sns");
        const { AutoScalingClient } = require("@aws-sdk/client-auto-scaling");
        /* eslint-enable @typescript-eslint/no-require-imports */
        return createBookDrainHandler(
            {
                ecs: new ECSClient({}),
                sns: new SNSClient({}),
                autoscaling: new AutoScalingClient({}),
                sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
                print: (line) => console.log(line),
            },
            process.env.ECS_CLUSTER ?? "",
        );
    };
}
