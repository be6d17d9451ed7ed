import assert from "node:assert/strict";
import { AwsError } from "../../sim/errors";
import { FaultInjector } from "../../sim/faults";
import { SeededRandom } from "../../sim/random";
import { Region } from "../../sim/region";
import { NO_FAULTS, type TimelineEntry } from "../../sim/types";

describe("sim/faults: every injected fault is counted where it fires", () => {
    it("draws exactly as random.chance does, so a seed's run is the same with counting", () => {
        const counted = new SeededRandom(7);
        const plain = new SeededRandom(7);
        const recorded: TimelineEntry[] = [];
        const injector = new FaultInjector({ ...NO_FAULTS, dropRate: 0.3 }, counted, (kind, detail) =>
            recorded.push({ at: 0, kind, detail }),
        );
        const draws = Array.from({ length: 200 }, (_, i) => injector.fires("dropRate", { n: i }));
        assert.deepEqual(
            draws,
            Array.from({ length: 200 }, () => plain.chance(0.3)),
        );
        const fired = draws.filter(Boolean).length;
        assert.ok(fired > 30 && fired < 90, String(fired));
        assert.deepEqual(injector.firedCounts(), { dropRate: fired });
        assert.equal(recorded.length, fired);
        assert.deepEqual(recorded[0].detail, { fault: "dropRate", n: draws.indexOf(true) });
        // A fault that is off draws nothing: the random sequence goes on as before.
        assert.equal(injector.fires("duplicateRate", {}), false);
        assert.equal(counted.next(), plain.next());
    });

    it("lists every fault the run switched on, with 0 for one that never fired", () => {
        const region = new Region({ seed: 1, faults: { stuckTaskRate: 0.5, ecsRateLimit: true } });
        assert.deepEqual(region.faultsFired(), { ecsRateLimit: 0, stuckTaskRate: 0 });
        assert.deepEqual(new Region({ seed: 1 }).faultsFired(), {});
    });

    it("counts ECS throttling by rate and by the rate limit, each with the operation it hit", async () => {
        const byRate = new Region({ seed: 1, faults: { throttleRate: 1 } });
        await assert.rejects(byRate.call("ecs", "ListClusters", {}), AwsError);
        assert.deepEqual(byRate.faultsFired(), { throttleRate: 1 });
        assert.deepEqual(
            byRate.timeline.filter((e) => e.kind === "fault.fired").map((e) => e.detail),
            [{ fault: "throttleRate", service: "ecs", operation: "ListClusters" }],
        );
        const byLimit = new Region({ seed: 1, faults: { ecsRateLimit: true } });
        for (let i = 0; i < 100; i++) await byLimit.call("ecs", "ListClusters", {});
        await assert.rejects(byLimit.call("ecs", "ListClusters", {}), AwsError);
        assert.deepEqual(byLimit.faultsFired(), { ecsRateLimit: 1 });
    });

    it("counts Auto Scaling API faults and lost SNS deliveries", async () => {
        const region = new Region({ seed: 1, faults: { autoscalingThrottleRate: 1, dropRate: 1 } });
        await assert.rejects(region.call("autoscaling", "DescribeAutoScalingGroups", {}), AwsError);
        const { QueueUrl } = (await region.call("sqs", "CreateQueue", { QueueName: "q" })) as {
            QueueUrl: string;
        };
        const { Attributes } = (await region.call("sqs", "GetQueueAttributes", {
            QueueUrl,
            AttributeNames: ["QueueArn"],
        })) as { Attributes: { QueueArn: string } };
        const { TopicArn } = (await region.call("sns", "CreateTopic", { Name: "t" })) as { TopicArn: string };
        await region.call("sns", "Subscribe", { TopicArn, Protocol: "sqs", Endpoint: Attributes.QueueArn });
        await region.call("sns", "Publish", { TopicArn, Message: "hello" });
        assert.deepEqual(region.faultsFired(), { autoscalingThrottleRate: 1, dropRate: 1 });
    });
});
