/**
 * Deploys the TerminationPolicy component into the simulated region: the Lambda built from
 * `terminationCallbackFactory` with the component's size, environment and budget (and its
 * reserved concurrency when the stack opts in),
 * set first in the group's termination policies by its unqualified ARN (the region, as Auto
 * Scaling, rejects a Lambda anywhere else in the list). The group's named policies stay after it:
 * they narrow the Lambda's answer, or decide when it fails.
 */
import { isLambdaArn } from "../autoscaling/terminationPolicy";
import type { DeployedCluster, SimHarness } from "../harness";
import type { FunctionSpec } from "../lambda";
import { coldStartOnFirstInvocation } from "./coldStart";
import { reservedConcurrencyOf } from "../../stack/concurrency";
import { TERMINATION_FUNCTION } from "../../stack/termination";
import { terminationCallbackFactory } from "../../runtime/terminationHandler";

export async function deployTerminationPolicy(
    harness: SimHarness,
    deployed: DeployedCluster,
    options: { reserveConcurrency?: boolean } = {},
): Promise<{ functionArn: string }> {
    const region = harness.region;
    const group = region.autoscaling.groups.get(deployed.groupName);
    if (group === undefined) {
        throw new Error(
            `deployed.groupName: expected an Auto Scaling group of the region, got "${deployed.groupName}"`,
        );
    }
    const functionArn = harness.deployFunction(
        terminationFunctionSpec(harness, deployed, `${deployed.clusterName}-termination-fn`, options),
    );
    region.admin("autoscaling", "UpdateAutoScalingGroup", {
        AutoScalingGroupName: deployed.groupName,
        TerminationPolicies: [
            functionArn,
            ...group.terminationPolicies.filter((policy) => !isLambdaArn(policy)),
        ],
    });
    return { functionArn };
}

/** The termination Lambda as the component declares it, under `name` (a fresh name is a cold environment). */
export function terminationFunctionSpec(
    harness: SimHarness,
    deployed: DeployedCluster,
    name: string,
    options: { reserveConcurrency?: boolean; moduleLoadMs?: number } = {},
): FunctionSpec {
    const state = harness.region.ecs.state;
    // The program passes the families of the cluster's DAEMON services: one task each runs on every instance.
    const daemonTaskFamilies = [...state.services.values()]
        .filter(
            (service) =>
                service.clusterArn === deployed.clusterArn && service.schedulingStrategy === "DAEMON",
        )
        .map((service) => state.taskDefinitions.get(service.taskDefinitionArn)!.family);
    const { timeoutSeconds, memoryMb, budgetMs } = TERMINATION_FUNCTION;
    return {
        name,
        handler: coldStartOnFirstInvocation(
            // The region models no module load: a cold environment's process starts at its first
            // invocation, or `moduleLoadMs` earlier when the caller measured one (bench/terminationSim.ts).
            terminationCallbackFactory(
                { daemonTaskFamilies, budgetMs },
                harness.lambdaRuntime,
                () => Date.now() - (options.moduleLoadMs ?? 0),
            ),
        ),
        timeoutSeconds,
        memoryMb,
        reservedConcurrency: reservedConcurrencyOf("termination", options.reserveConcurrency ?? false),
        environment: { CLUSTER_NAME: deployed.clusterName },
    };
}
