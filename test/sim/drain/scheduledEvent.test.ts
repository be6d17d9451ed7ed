import assert from "node:assert/strict";
import {
    containerInstanceStatus,
    drainLogs,
    groupInstances,
    startDrainRun,
    type DrainRun,
    webCluster,
} from "./drainScenario";

/** An AWS Health event about EC2 instances, as AWS Health puts it on the default bus. */
function healthEvent(run: DrainRun, eventTypeCode: string, instanceIds: string[]): void {
    run.harness.region.events.emit(
        "aws.health",
        "AWS Health Event",
        {
            eventArn: `arn:aws:health:us-east-1::event/EC2/${eventTypeCode}/${eventTypeCode}_1`,
            service: "EC2",
            eventTypeCode,
            eventTypeCategory: eventTypeCode.endsWith("_ISSUE") ? "issue" : "scheduledChange",
            startTime: "Wed, 14 Jan 2026 09:00:00 GMT",
            eventDescription: [
                {
                    language: "en_US",
                    latestDescription: "EC2 has detected degradation of the underlying hardware.",
                },
            ],
            affectedEntities: instanceIds.map((entityValue) => ({ entityValue })),
        },
        instanceIds,
    );
}

describe("drain pipeline: AWS Health scheduled events for the group's instances", () => {
    let run: DrainRun;
    let retiring: string;
    let unaffected: string;
    before(async () => {
        run = await startDrainRun({
            seed: 53,
            scenario: webCluster("health"),
        });
        [retiring, unaffected] = groupInstances(run);
        healthEvent(run, "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED", [retiring]);
        healthEvent(run, "AWS_EC2_OPERATIONAL_ISSUE", [unaffected]);
        await run.harness.run(600);
    });
    after(() => run.harness.stop());

    it("drains an instance scheduled for retirement", () => {
        assert.equal(containerInstanceStatus(run, retiring), "DRAINING");
        const [first] = drainLogs(run).filter((line) => line.instanceId === retiring);
        assert.deepEqual(
            [first.message, first.source],
            ["container instance set to DRAINING", "scheduled-event"],
        );
    });

    it("does not route an operational issue, which announces no stop, to the drain queue", () => {
        assert.equal(containerInstanceStatus(run, unaffected), "ACTIVE");
        assert.deepEqual(
            drainLogs(run).filter((line) => line.instanceId === unaffected),
            [],
        );
    });
});
