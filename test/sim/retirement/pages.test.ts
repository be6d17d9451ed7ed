import assert from "node:assert/strict";
import { NotifierScenario } from "./notifierScenario";
import { SAMPLE_SERVICE_EVENT } from "./seedEvents";

const EVENT_ARN =
    "arn:aws:health:us-east-1::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/AWS_ECS_TASK_PATCHING_RETIREMENT_test1";
const HEADER = [
    "AWS Fargate retires the platform version revision that the tasks below run on: from the retirement date, it stops them.",
    "",
    "Retirement date: 2023-08-16T23:18:51Z (Wed, 16 Aug 2023 23:18:51 GMT)",
    `Event: ${EVENT_ARN}`,
    "Event type: AWS_ECS_TASK_PATCHING_RETIREMENT (scheduledChange), region us-east-1",
    `Details: https://health.aws.amazon.com/health/home?region=us-east-1#/account/event-log?eventID=${encodeURIComponent(EVENT_ARN)}`,
];
const SERVICE_1 =
    "- test_cluster1 | service1: ECS replaces the tasks without downtime (desired 3, running 3, minimumHealthyPercent 100)";
const SERVICE_2 =
    "- test_cluster2 | service2: ECS replaces the tasks without downtime (desired 2, running 2, minimumHealthyPercent 100)";

/** One page of the seed's service event: AWS Health splits large events, all pages share the communicationId. */
function emitPage(scenario: NotifierScenario, page: number, resource: string): void {
    scenario.region.events.emit(
        "aws.health",
        "AWS Health Event",
        { ...JSON.parse(SAMPLE_SERVICE_EVENT.Detail), page: String(page), totalPages: "2" },
        [resource],
    );
}

describe("retirement notices of events that come in pages", () => {
    let scenario: NotifierScenario;
    beforeEach(async () => {
        scenario = await NotifierScenario.start();
        await scenario.settleSeedServices(2);
    });
    afterEach(() => scenario.stop());

    it("collects every page, then sends one notice naming the resources of all of them", async () => {
        emitPage(scenario, 2, "test_cluster2 | service2");
        await scenario.region.run(5);
        assert.deepEqual(scenario.messages(), [], "page 2 of 2 alone is not the whole event");
        emitPage(scenario, 1, "test_cluster1 | service1");
        await scenario.region.run(5);
        emitPage(scenario, 1, "test_cluster1 | service1");
        emitPage(scenario, 2, "test_cluster2 | service2");
        await scenario.region.run(3600);
        assert.deepEqual(
            scenario.messages().map((m) => [m.subject, m.message]),
            [
                [
                    "Fargate task retirement on 2023-08-16: 2 services",
                    [
                        ...HEADER,
                        "",
                        "Services (2); ECS replaces their tasks on the newest revision:",
                        SERVICE_1,
                        SERVICE_2,
                    ].join("\n"),
                ],
            ],
        );
        assert.equal(scenario.slack.posts.length, 1);
        const outcomes = scenario
            .logLines()
            .filter((l) => l.startsWith('{"message"'))
            .map((l) => JSON.parse(l).message);
        assert.deepEqual(outcomes, [
            "waiting for the other pages",
            "retirement notice sent",
            "already notified, delivery ignored",
            "already notified, delivery ignored",
        ]);
    });

    it("sends what arrived once the follow-up has waited for the missing pages, and nothing for the late page", async () => {
        const emittedAt = scenario.region.clock.now();
        emitPage(scenario, 1, "test_cluster1 | service1");
        // The follow-up runs every 15 minutes; the first run after 15 minutes of waiting sends.
        await scenario.region.run(1800);
        const sent = scenario.messages();
        assert.deepEqual(
            sent.map((m) => [m.subject, m.message]),
            [
                [
                    "Fargate task retirement on 2023-08-16: 1 service",
                    [
                        ...HEADER,
                        "Incomplete: 1 of 2 pages of this event arrived; the AWS Health Dashboard lists every affected resource.",
                        "",
                        "Services (1); ECS replaces their tasks on the newest revision:",
                        SERVICE_1,
                    ].join("\n"),
                ],
            ],
        );
        const waited = (sent[0].at - emittedAt) / 1000;
        assert.ok(waited >= 900 && waited < 1800, `sent ${waited} s after the first page`);
        emitPage(scenario, 2, "test_cluster2 | service2");
        await scenario.region.run(1800);
        assert.equal(scenario.messages().length, 1);
        assert.equal(scenario.slack.posts.length, 1);
    });
});
