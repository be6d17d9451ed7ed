/**
 * `npm run simulate -- --serve`: the chosen stack (its cluster, services and every control loop,
 * deployed as the scenarios deploy it) in a simulated region served on a loopback port, for a
 * person to explore and disturb with the AWS CLI. The stack settles in the half hour before the
 * machine's time; from then on virtual time follows real time, so the drain, the capacity scaler
 * and the termination policy act on what the person does as they would in a real region, and
 * timestamps a person sends (PutMetricData's must lie within two weeks back and two hours ahead)
 * mean what they say.
 */
import type { StackSettings } from "../stack/settings";
import { isSteady, SimHarness } from "./harness";
import { NOT_SERVED } from "./protocol/serviceOf";
import type { Region } from "./region";
import { deployStack, type StackDeployment } from "./scenarios/stackScenario";

/** The port `--serve` listens on unless `--port` says otherwise. */
export const DEFAULT_SERVE_PORT = 4580;

/** Virtual seconds the stack may take to boot, register and place its tasks. */
const maxSettleSeconds = 1800;
/** How often virtual time catches up with real time. */
const tickMs = 250;

export interface ServeOptions {
    readonly seed?: number;
    /** 0 takes a free port; default DEFAULT_SERVE_PORT. */
    readonly port?: number;
    /** Where the endpoint, the environment and the example commands are printed. */
    readonly print?: (line: string) => void;
    /** The machine's clock, epoch ms (tests pass a faster one). */
    readonly now?: () => number;
}

export interface ServedStack {
    readonly region: Region;
    readonly endpoint: string;
    readonly stack: StackDeployment;
    /** Stops following real time and closes the server. */
    stop(): Promise<void>;
}

/** Deploys and settles the stack, serves it, and lets virtual time follow `now` until stop(). */
export async function serveStack(settings: StackSettings, options: ServeOptions = {}): Promise<ServedStack> {
    const print = options.print ?? ((line: string) => console.log(line));
    const now = options.now ?? Date.now;
    const seed = options.seed ?? 1;
    const harness = await SimHarness.start({
        seed,
        startMs: now() - maxSettleSeconds * 1000,
        trunking: settings.cluster.awsvpcTrunking,
        port: options.port ?? DEFAULT_SERVE_PORT,
    });
    const region = harness.region;
    try {
        const stack = await deployStack(harness, settings);
        if (!(await region.runUntil(() => isSteady(region, stack.deployed), maxSettleSeconds))) {
            throw new Error(
                `the ${settings.stack} stack did not settle within ${maxSettleSeconds} simulated seconds`,
            );
        }
        await region.clock.runUntil(now());
        let catchingUp: Promise<void> = Promise.resolve();
        const timer = setInterval(() => {
            catchingUp = catchingUp.then(() => region.clock.runUntil(now()));
        }, tickMs);
        for (const line of instructions(settings, stack, harness.endpoint, seed, region.ctx.region))
            print(line);
        return {
            region,
            endpoint: harness.endpoint,
            stack,
            stop: async () => {
                clearInterval(timer);
                await catchingUp;
                await harness.stop();
            },
        };
    } catch (error) {
        await harness.stop();
        throw error;
    }
}

/** What `--serve` prints: the endpoint, the environment to paste, and a walk-through with the AWS CLI. */
function instructions(
    settings: StackSettings,
    stack: StackDeployment,
    endpoint: string,
    seed: number,
    regionName: string,
): string[] {
    const { clusterName, groupName } = stack.deployed;
    const aws = `aws --endpoint-url ${endpoint}`;
    const desired = settings.cluster.desiredCapacity;
    const smaller = Math.max(settings.cluster.minSize, desired - 1);
    return [
        `Simulated region (seed ${seed}) serving the ${settings.stack} stack on ${endpoint}`,
        `Cluster ${clusterName}, group ${groupName}, services ${settings.services.map((s) => s.name).join(", ")}; the drain pipeline, capacity scaler and termination policy run as deployed.`,
        "Environment for SDKs and recent AWS CLIs (older CLIs need --endpoint-url, as below):",
        `  export AWS_ENDPOINT_URL=${endpoint} AWS_ACCESS_KEY_ID=simulated AWS_SECRET_ACCESS_KEY=simulated AWS_DEFAULT_REGION=${regionName}`,
        "Walk-through (virtual time follows real time: a drain takes a few minutes):",
        `  ${aws} autoscaling set-desired-capacity --auto-scaling-group-name ${groupName} --desired-capacity ${smaller}`,
        `  ${aws} autoscaling describe-auto-scaling-instances          # one instance goes Terminating:Wait`,
        `  ${aws} ecs list-container-instances --cluster ${clusterName} --status DRAINING`,
        `  ${aws} ecs describe-services --cluster ${clusterName} --services ${settings.services.map((s) => s.name).join(" ")}`,
        `  ${aws} cloudwatch get-metric-statistics --namespace EcsLifecycle/Capacity --metric-name ContainerCapacity --dimensions Name=ClusterName,Value=${clusterName} --statistics Minimum --period 60 --start-time $(date -u -d '-10 min' +%FT%TZ) --end-time $(date -u +%FT%TZ)`,
        `Not served: ${NOT_SERVED}.`,
        "Ctrl-C stops it.",
    ];
}

/** Serves until SIGINT or SIGTERM, then prints the API calls served. */
export async function serveUntilInterrupted(
    settings: StackSettings,
    options: ServeOptions = {},
): Promise<void> {
    const print = options.print ?? ((line: string) => console.log(line));
    const served = await serveStack(settings, { ...options, print });
    await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
    });
    await served.stop();
    const calls = Object.values(served.region.apiCalls()).flatMap((byOperation) =>
        Object.values(byOperation),
    );
    print(`Stopped after ${calls.reduce((sum, count) => sum + count, 0)} API calls.`);
}
