import assert from "node:assert/strict";
import {
    completedHooks,
    containerInstanceStatus,
    drainLogs,
    groupInstances,
    startDrainRun,
    terminateInGroup,
    timelineOf,
    type DrainRun,
} from "./drainScenario";

/** When the last task on `instanceId` reached STOPPED (virtual ms). */
function lastTaskStopped(run: DrainRun, instanceId: string): number {
    const stops = run.harness.region.timeline.filter(
        (e) =>
            e.kind === "ecs.task.status" &&
            e.detail.ec2InstanceId === instanceId &&
            e.detail.lastStatus === "STOPPED",
    );
    return Math.max(...stops.map((e) => e.at));
}

/** The instance of the group running the most tasks. */
function busiestInstance(run: DrainRun): string {
    const tasksOn = (id: string) => run.harness.region.ecs.state.instanceByEc2Id(id)?.taskArns.size ?? 0;
    return groupInstances(run).reduce((a, b) => (tasksOn(b) > tasksOn(a) ? b : a));
}

/** The drain Lambda's JSON log lines about `instanceId`, with when they were logged (virtual ms). */
function timedLogs(run: DrainRun, instanceId: string): { at: number; line: Record<string, unknown> }[] {
    const name = run.pipeline.functionArn.slice(run.pipeline.functionArn.lastIndexOf(":") + 1);
    return run.harness.region.cloudwatch
        .logEvents(`/aws/lambda/${name}`)
        .filter((event) => event.message.startsWith("{") && !event.message.includes('"_aws"'))
        .map((event) => ({ at: event.at, line: JSON.parse(event.message) as Record<string, unknown> }))
        .filter((event) => event.line.instanceId === instanceId);
}

/** The drain Lambda's ECS requests so far. */
function drainEcsRequests(run: DrainRun): number {
    const name = run.pipeline.functionArn.slice(run.pipeline.functionArn.lastIndexOf(":") + 1);
    return run.harness.region.ecsRequestRate({ from: (caller) => caller === name }).requests;
}

const WEB = {
    instanceType: "m5.large",
    instanceCount: 3,
    services: [{ name: "web", desiredCount: 6, minimumHealthyPercent: 100, maximumPercent: 200 }],
};

describe("drain pipeline: ECS events nudge a drain", () => {
    describe("the instance's last task stops", () => {
        let run: DrainRun;
        let instanceId: string;
        before(async () => {
            run = await startDrainRun({ seed: 41, scenario: { clusterName: "nudged", ...WEB } });
            instanceId = busiestInstance(run);
            terminateInGroup(run, instanceId);
            await run.harness.run(900);
        });
        after(() => run.harness.stop());

        it("completes the hook within seconds of the last task stopping, before the drain's next poll", () => {
            const [hook] = completedHooks(run);
            assert.deepEqual([hook.instanceId, hook.result], [instanceId, "CONTINUE"]);
            const delay = hook.at - lastTaskStopped(run, instanceId);
            assert.ok(delay >= 0 && delay < 5000, `completed ${delay} ms after the last task stopped`);
            const logs = timedLogs(run, instanceId);
            const completion = logs.find((log) =>
                String(log.line.message).startsWith("lifecycle action completed"),
            )!;
            assert.equal(completion.line.source, "nudge");
            // The lifecycle message's last poll before then had set its next one later than that.
            const lastPoll = logs
                .filter((log) => log.line.message === "drain waiting" && log.at < completion.at)
                .at(-1)!;
            const nextPoll = lastPoll.at + Number(lastPoll.line.delaySeconds) * 1000;
            assert.ok(
                completion.at < nextPoll,
                `completed ${nextPoll - completion.at} ms before the next poll`,
            );
        });

        it("kills nothing", () => {
            const report = run.harness.region.invariants();
            assert.deepEqual(report.killedTasks, []);
            assert.deepEqual(report.terminatingWaitPastDeadline, []);
        });
    });

    describe("every ECS event is lost once the drain started", () => {
        let run: DrainRun;
        let instanceId: string;
        before(async () => {
            run = await startDrainRun({ seed: 42, scenario: { clusterName: "lostnudge", ...WEB } });
            instanceId = busiestInstance(run);
            terminateInGroup(run, instanceId);
            // The lifecycle notification reaches the queue and its first poll sets DRAINING.
            await run.harness.run(5);
            assert.equal(containerInstanceStatus(run, instanceId), "DRAINING");
            run.harness.region.ctx.faults.dropRate = 1;
            await run.harness.run(900);
        });
        after(() => run.harness.stop());

        it("lost every event for the instance", () => {
            assert.ok(timelineOf(run, "events.dropped").length > 0);
            assert.equal(
                drainLogs(run).some((line) => line.source === "nudge"),
                false,
            );
        });

        it("still completes the hook on the drain's poll, no later than one poll interval after the last task stopped", () => {
            const [hook] = completedHooks(run);
            assert.deepEqual([hook.instanceId, hook.result], [instanceId, "CONTINUE"]);
            const delay = hook.at - lastTaskStopped(run, instanceId);
            assert.ok(
                delay >= 0 && delay <= 60_000 + 2000,
                `completed ${delay} ms after the last task stopped`,
            );
            const completion = timedLogs(run, instanceId).find((log) =>
                String(log.line.message).startsWith("lifecycle action completed"),
            )!;
            assert.equal(completion.line.source, "autoscaling");
            assert.deepEqual(run.harness.region.invariants().killedTasks, []);
        });
    });

    describe("200 tasks stop on one draining instance at once", () => {
        let run: DrainRun;
        let instanceId: string;
        let stoppingAt: number;
        let requestsBefore: number;
        before(async () => {
            run = await startDrainRun({
                seed: 5,
                scenario: { clusterName: "burst", instanceType: "m5.large", instanceCount: 1, services: [] },
            });
            const region = run.harness.region;
            region.admin("ecs", "RegisterTaskDefinition", {
                family: "tiny",
                containerDefinitions: [
                    { name: "tiny", image: "public.ecr.aws/example/tiny:1", memory: 32, essential: true },
                ],
            });
            const taskArns: string[] = [];
            for (let call = 0; call < 20; call++) {
                const { tasks } = region.admin("ecs", "RunTask", {
                    cluster: run.deployed.clusterName,
                    taskDefinition: "tiny",
                    count: 10,
                }) as { tasks: { taskArn: string }[] };
                taskArns.push(...tasks.map((task) => task.taskArn));
            }
            await run.harness.run(60);
            [instanceId] = groupInstances(run);
            // Standalone tasks never leave a draining instance: the drain waits for them.
            terminateInGroup(run, instanceId);
            await run.harness.run(120);
            stoppingAt = region.clock.now();
            requestsBefore = drainEcsRequests(run);
            for (const task of taskArns)
                region.admin("ecs", "StopTask", { cluster: run.deployed.clusterName, task });
            await run.harness.run(300);
        });
        after(() => run.harness.stop());

        it("sent 200 task events and their instance's changes to the drain queue", () => {
            const stopped = timelineOf(run, "ecs.task.status").filter(
                (e) =>
                    e.at >= stoppingAt &&
                    e.detail.lastStatus === "STOPPED" &&
                    e.detail.ec2InstanceId === instanceId,
            );
            assert.equal(stopped.length, 200);
        });

        it("looked at the instance a few times, not once per event, and completed its hook at once", () => {
            const requests = drainEcsRequests(run) - requestsBefore;
            assert.ok(requests >= 1 && requests <= 6, `${requests} ECS requests for 400 events`);
            const [hook] = completedHooks(run);
            assert.deepEqual([hook.instanceId, hook.result], [instanceId, "CONTINUE"]);
            const delay = hook.at - lastTaskStopped(run, instanceId);
            assert.ok(delay >= 0 && delay < 5000, `completed ${delay} ms after the last task stopped`);
            assert.deepEqual(run.harness.region.invariants().killedTasks, []);
        });
    });
});
