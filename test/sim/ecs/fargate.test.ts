import assert from "node:assert/strict";
import { AwsError } from "../../../sim/errors";
import type { Region } from "../../../sim/region";
import { fixedRegion } from "../coreScenario";

function ecs(region: Region, operation: string, input: Record<string, unknown>): Record<string, any> {
    return region.admin("ecs", operation, input) as Record<string, any>;
}

function fargateService(region: Region, networkMode: "awsvpc" | "bridge"): Record<string, any> {
    ecs(region, "CreateCluster", { clusterName: "f" });
    const { taskDefinition } = ecs(region, "RegisterTaskDefinition", {
        family: `web-${networkMode}`,
        networkMode,
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "web", image: "nginx", essential: true }],
    });
    return ecs(region, "CreateService", {
        cluster: "f",
        serviceName: `web-${networkMode}`,
        taskDefinition: taskDefinition.taskDefinitionArn,
        desiredCount: 3,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0sim0000000000001"] } },
    });
}

describe("sim/ecs Fargate services", () => {
    it("runs a Fargate service's tasks with no container instance, spread over zones, on the newest platform revision", async () => {
        const region = fixedRegion();
        const { service } = fargateService(region, "awsvpc");
        assert.deepEqual([service.launchType, service.platformVersion], ["FARGATE", "LATEST"]);
        await region.run(120);
        const described = ecs(region, "DescribeServices", { cluster: "f", services: ["web-awsvpc"] })
            .services[0];
        assert.deepEqual([described.desiredCount, described.runningCount], [3, 3]);
        const taskArns = ecs(region, "ListTasks", { cluster: "f", launchType: "FARGATE" }).taskArns;
        assert.equal(taskArns.length, 3);
        assert.deepEqual(ecs(region, "ListTasks", { cluster: "f", launchType: "EC2" }).taskArns, []);
        const tasks = ecs(region, "DescribeTasks", { cluster: "f", tasks: taskArns }).tasks;
        assert.deepEqual(
            tasks.map((t: any) => [t.launchType, t.platformVersion, t.containerInstanceArn, t.lastStatus]),
            Array(3).fill(["FARGATE", "1.4.0", undefined, "RUNNING"]),
        );
        assert.deepEqual(tasks.map((t: any) => t.availabilityZone).sort(), [
            "us-east-1a",
            "us-east-1b",
            "us-east-1c",
        ]);
        assert.deepEqual(
            [...region.ecs.state.tasks.values()].map((t) => t.platformRevision),
            [1, 1, 1],
        );
    });

    it("refuses a Fargate service whose task definition is not awsvpc", () => {
        const region = fixedRegion();
        assert.throws(
            () => fargateService(region, "bridge"),
            (e: unknown) =>
                e instanceof AwsError &&
                e.code === "InvalidParameterException" &&
                /networkMode awsvpc/.test(e.message),
        );
    });
});
