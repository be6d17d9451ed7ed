import assert from "node:assert/strict";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { SimHarness } from "../../../sim/harness";
import { regionLambdaRuntime } from "../../../sim/inProcessClients";
import type { FaultSettings } from "../../../sim/types";

interface Failure {
    readonly name: string;
    readonly message: string;
    readonly status?: number;
}

async function failure(send: () => Promise<unknown>): Promise<Failure> {
    const error = (await send().then(
        () => assert.fail("the call was expected to fail"),
        (e: unknown) => e,
    )) as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
}

describe("sim/autoscaling API faults, over the wire and in-process alike", () => {
    const cases: [Partial<FaultSettings>, Failure][] = [
        [{ autoscalingThrottleRate: 1 }, { name: "Throttling", message: "Rate exceeded", status: 400 }],
        [
            { resourceContentionRate: 1 },
            {
                name: "ResourceContentionFault",
                message:
                    "You already have a pending update to an Amazon EC2 Auto Scaling resource (for example, an Auto Scaling group, instance, or load balancer).",
                status: 500,
            },
        ],
    ];
    for (const [faults, expected] of cases) {
        it(`${Object.keys(faults)[0]}: ${expected.name} (HTTP ${expected.status}), and set-up calls are spared`, async () => {
            const harness = await SimHarness.start({ seed: 4, faults });
            try {
                const command = new DescribeAutoScalingGroupsCommand({});
                const wire = new AutoScalingClient({ endpoint: harness.endpoint, maxAttempts: 1 });
                const inProcess = regionLambdaRuntime(harness.region).client("autoscaling");
                assert.deepEqual(await failure(() => wire.send(command)), expected);
                assert.deepEqual(await failure(() => inProcess.send(command)), expected);
                assert.deepEqual(harness.region.admin("autoscaling", "DescribeAutoScalingGroups", {}), {
                    AutoScalingGroups: [],
                    NextToken: undefined,
                });
                assert.equal(
                    harness.region.autoscaling.injectedFaults[expected.name.replace(/Fault$/, "")],
                    4,
                );
            } finally {
                await harness.stop();
            }
        });
    }
});
