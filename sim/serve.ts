/**
 * `npm run simulate -- --serve`: a simulated region with a small demo cluster, served on a free
 * loopback port for a person to explore with the AWS CLI. Its clock reads the machine's time from
 * the moment it serves and then follows real time, so tasks start, instances register and alarms
 * evaluate as they would in a real region, and timestamps a person sends (PutMetricData's, which
 * must lie within two weeks back and two hours ahead) mean what they say.
 */
import { deployCluster, type DeployedCluster, isSteady } from "./harness";
import { type RegionServer, startRegionServer } from "./protocol/server";
import { Region } from "./region";

/** The demo cluster: three instances across three AZs, one replica service. */
export const DEMO_CLUSTER = {
    clusterName: "demo",
    instanceType: "c5.large",
    instanceCount: 3,
    services: [{ name: "web", desiredCount: 3, cpu: 256, memory: 512 }],
    hook: { heartbeatTimeout: 900, defaultResult: "ABANDON" as const },
    retainOnAbandon: true,
};

/** Virtual seconds the demo may take to boot, register and start its tasks. */
const maxSettleSeconds = 1800;
/** How often virtual time catches up with real time. */
const tickMs = 250;

export interface ServeOptions {
    readonly seed?: number;
    /** 0 (the default) takes a free port. */
    readonly port?: number;
    /** Where the endpoint and the example command are printed. */
    readonly print?: (line: string) => void;
    /** The machine's clock, epoch ms (tests pass their own). */
    readonly now?: () => number;
}

export interface ServedRegion {
    readonly region: Region;
    readonly server: RegionServer;
    readonly deployed: DeployedCluster;
    /** Stops following real time and closes the server. */
    stop(): Promise<void>;
}

/** Starts the demo region, settles it, serves it and lets virtual time follow real time until stop(). */
export async function serveDemoRegion(options: ServeOptions = {}): Promise<ServedRegion> {
    const print = options.print ?? ((line: string) => console.log(line));
    const now = options.now ?? Date.now;
    // The demo settles in the half hour before now, then the clock catches up with the machine's.
    const region = new Region({ seed: options.seed ?? 1, startMs: now() - maxSettleSeconds * 1000 });
    const deployed = deployCluster(region, DEMO_CLUSTER);
    if (!(await region.runUntil(() => isSteady(region, deployed), maxSettleSeconds))) {
        throw new Error(`The demo cluster did not settle within ${maxSettleSeconds} simulated seconds`);
    }
    await region.clock.runUntil(now());
    const server = await startRegionServer(
        (service, operation, input) => region.call(service, operation, input),
        {
            port: options.port ?? 0,
        },
    );
    region.sqs.setEndpoint(server.endpoint);

    let catchingUp: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
        catchingUp = catchingUp.then(() => region.clock.runUntil(now()));
    }, tickMs);

    print(`Simulated region (seed ${options.seed ?? 1}) serving on ${server.endpoint}`);
    print(
        `Cluster ${deployed.clusterName}: ${DEMO_CLUSTER.instanceCount} × ${DEMO_CLUSTER.instanceType}, group ${deployed.groupName}, service web`,
    );
    print("Try:");
    print(
        `  aws --endpoint-url ${server.endpoint} ecs list-container-instances --cluster ${deployed.clusterName}`,
    );
    print(
        `  aws --endpoint-url ${server.endpoint} autoscaling describe-auto-scaling-groups --auto-scaling-group-names ${deployed.groupName}`,
    );
    print(
        "(any credentials and region will do, e.g. AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1)",
    );

    return {
        region,
        server,
        deployed,
        stop: async () => {
            clearInterval(timer);
            await catchingUp;
            await server.close();
        },
    };
}

/** Serves until SIGINT or SIGTERM, then prints the API calls served. */
export async function serveUntilInterrupted(options: ServeOptions = {}): Promise<void> {
    const print = options.print ?? ((line: string) => console.log(line));
    const served = await serveDemoRegion({ ...options, print });
    print("Ctrl-C stops it.");
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

if (require.main === module) {
    serveUntilInterrupted().catch((error: unknown) => {
        console.error(error);
        process.exitCode = 1;
    });
}
