import assert from "node:assert/strict";
import { SimHarness } from "../../../sim/harness";
import { deployCapacityScaler, type CapacityScalerDeployment } from "../../../sim/pipelines/capacity";
import { parseSettings } from "../../../stack/settings";
import { FIXED_TIMINGS } from "../coreScenario";

interface AlarmNotice {
    readonly AlarmName: string;
    readonly NewStateValue: string;
}

/**
 * The capacity Lambda stops reporting (every invocation crashes): the scaling alarms treat the gap
 * as "not breaching" and change nothing, while the missing-metrics alarm pages the alerts topic,
 * and says so again when the metrics are back.
 */
describe("sim/alerts: capacity metrics that stop arriving page a person and scale nothing", () => {
    let harness: SimHarness | undefined;
    after(async () => harness?.stop());

    it("ALARM three minutes after the last datapoint, no scaling meanwhile, OK once they return", async () => {
        harness = await SimHarness.start({ seed: 11, timings: FIXED_TIMINGS });
        const region = harness.region;
        const deployed = await harness.deploySteady({
            clusterName: "quiet",
            instanceType: "m5.large",
            instanceCount: 2,
            maxSize: 6,
            services: [{ name: "web", cpu: 512, memory: 1024, desiredCount: 4 }],
        });
        const { TopicArn } = region.admin("sns", "CreateTopic", { Name: "alerts" }) as { TopicArn: string };
        const { QueueUrl } = region.admin("sqs", "CreateQueue", { QueueName: "inbox" }) as {
            QueueUrl: string;
        };
        const inboxArn = (
            region.admin("sqs", "GetQueueAttributes", { QueueUrl, AttributeNames: ["QueueArn"] }) as {
                Attributes: { QueueArn: string };
            }
        ).Attributes.QueueArn;
        region.admin("sns", "Subscribe", {
            TopicArn,
            Protocol: "sqs",
            Endpoint: inboxArn,
            Attributes: { RawMessageDelivery: "true" },
        });
        const scaler: CapacityScalerDeployment = await deployCapacityScaler(
            harness,
            deployed,
            parseSettings({}, "sim").capacity,
            { alertsTopicArn: TopicArn },
        );
        const state = (alarm: string) =>
            (
                region.admin("monitoring", "DescribeAlarms", { AlarmNames: [alarm] }) as {
                    MetricAlarms: { StateValue: string }[];
                }
            ).MetricAlarms[0].StateValue;
        /** The notifications that reached the inbox since the last look (each read once). */
        const notices = (): AlarmNotice[] => {
            const { Messages = [] } = region.admin("sqs", "ReceiveMessage", {
                QueueUrl,
                MaxNumberOfMessages: 10,
            }) as { Messages?: { Body: string; ReceiptHandle: string }[] };
            for (const m of Messages)
                region.admin("sqs", "DeleteMessage", { QueueUrl, ReceiptHandle: m.ReceiptHandle });
            return Messages.map((m) => JSON.parse(m.Body) as AlarmNotice);
        };
        const desired = () => region.autoscaling.groups.get(deployed.groupName)!.desiredCapacity;

        await region.run(10 * 60);
        assert.equal(state(scaler.metricsMissingAlarmName), "OK");
        // Created before the function's first run, the alarm sees three empty minutes and fires
        // once; the first datapoints clear it (README says so).
        assert.deepEqual(
            notices().map((n) => [n.AlarmName, n.NewStateValue]),
            [
                [scaler.metricsMissingAlarmName, "ALARM"],
                [scaler.metricsMissingAlarmName, "OK"],
            ],
        );

        region.ctx.faults.lambdaCrashRate = 1;
        const brokeAt = region.clock.now();
        const desiredBefore = desired();
        await region.run(6 * 60);
        assert.equal(state(scaler.metricsMissingAlarmName), "ALARM");
        assert.notEqual(state(scaler.capacityLowAlarmName), "ALARM");
        assert.notEqual(state(scaler.idleHostsAlarmName), "ALARM");
        assert.equal(desired(), desiredBefore);
        assert.deepEqual(
            region.timeline.filter((entry) => entry.kind === "autoscaling.scaling" && entry.at > brokeAt),
            [],
        );
        assert.deepEqual(
            notices().map((n) => [n.AlarmName, n.NewStateValue]),
            [[scaler.metricsMissingAlarmName, "ALARM"]],
        );

        region.ctx.faults.lambdaCrashRate = 0;
        await region.run(5 * 60);
        assert.equal(state(scaler.metricsMissingAlarmName), "OK");
        assert.deepEqual(
            notices().map((n) => [n.AlarmName, n.NewStateValue]),
            [[scaler.metricsMissingAlarmName, "OK"]],
        );
    });
});
