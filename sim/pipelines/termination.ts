/**
 * Deploys the TerminationPolicy component into the simulated region: the Lambda built from
 * `terminationCallbackFactory` with the component's size, concurrency, environment and budget,
 * set first in the group's termination policies by its unqualified ARN (the region, as Auto
 * Scaling, rejects a Lambda anywhere else in the list). The group's named policies stay after it:
 * they narrow the Lambda's answer, or decide when it fails.
 */
import { isLambdaArn } from "../autoscaling/terminationPolicy";
import type { DeployedCluster, SimHarness } from "../harness";
import type { FunctionSpec } from "../lambda";
import { coldStartOnFirstInvocation } from "./coldStart";
import { TERMINATION_FUNCTION } from "../../stack/termination";
import { terminationCallbackFactory } from "../../runtime/terminationHandler";

export async function deployTerminationPolicy(
    harness: SimHarness,
    deployed: DeployedCluster,
): Promise<{ functionArn: string }> {
    const region = harness.region;
    const group = region.autoscaling.groups.get(deployed.groupName);
    if (group === undefined) {
        throw new Error(
            `deployed.groupName: expected an Auto Scaling group of the region, got "${deployed.groupName}"`,
        );
    }
    const functionArn = harness.deployFunction(
        terminationFunctionSpec(harness, deployed, `${deployed.clusterName}-termination-fn`),
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
): FunctionSpec {
    const state = harness.region.ecs.state;
    // The program passes the families of the cluster's DAEMON services: one task each runs on every instance.
    const daemonTaskFamilies = [...state.services.values()]
        .filter(
            (service) =>
                service.clusterArn === deployed.clusterArn && service.schedulingStrategy === "DAEMON",
        )
        .map((service) => state.taskDefinitions.get(service.taskDefinitionArn)!.family);
    const { timeoutSeconds, memoryMb, reservedConcurrency, budgetMs } = TERMINATION_FUNCTION;
    return {
        name,
        handler: coldStartOnFirstInvocation(
            terminationCallbackFactory({ daemonTaskFamilies, budgetMs }, harness.lambdaRuntime),
        ),
        timeoutSeconds,
        memoryMb,
        reservedConcurrency,
        environment: { CLUSTER_NAME: deployed.clusterName },
    };
}
