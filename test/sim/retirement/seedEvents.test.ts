import assert from "node:assert/strict";
import { NotifierScenario } from "./notifierScenario";
import { SAMPLE_SERVICE_EVENT, SAMPLE_TASK_EVENT } from "./seedEvents";

const SERVICE_EVENT_ARN =
    "arn:aws:health:us-east-1::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/AWS_ECS_TASK_PATCHING_RETIREMENT_test1";
const TASK_EVENT_ARN =
    "arn:aws:health:us-east-1::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/AWS_ECS_TASK_PATCHING_RETIREMENT_test2";
const link = (arn: string) =>
    `https://health.aws.amazon.com/health/home?region=us-east-1#/account/event-log?eventID=${encodeURIComponent(arn)}`;
const INTRO =
    "AWS Fargate retires the platform version revision that the tasks below run on: from the retirement date, it stops them.";
const TASK_1 = "arn:aws:ecs:eu-west-1:111222333444:task/examplecluster/00805ce1d81940b5a37398e5a2c23333";
const TASK_2 = "arn:aws:ecs:eu-west-1:111222333444:task/examplecluster/00805ce1d81940b5a37398e5a2c25555";

const SERVICE_NOTICE = {
    subject: "Fargate task retirement on 2023-08-16: 2 services (1 at risk)",
    message: [
        INTRO,
        "",
        "Retirement date: 2023-08-16T23:18:51Z (Wed, 16 Aug 2023 23:18:51 GMT)",
        `Event: ${SERVICE_EVENT_ARN}`,
        "Event type: AWS_ECS_TASK_PATCHING_RETIREMENT (scheduledChange), region us-east-1",
        `Details: ${link(SERVICE_EVENT_ARN)}`,
        "",
        "Services (2); ECS replaces their tasks on the newest revision:",
        "- test_cluster1 | service1: ECS replaces the tasks without downtime (desired 3, running 3, minimumHealthyPercent 100)",
        "- test_cluster2 | service2: at risk: it runs a single task, and nothing serves if its replacement fails to start (desired 1, running 1, minimumHealthyPercent 100)",
    ].join("\n"),
    attributes: {
        eventTypeCode: { DataType: "String", StringValue: "AWS_ECS_TASK_PATCHING_RETIREMENT" },
        cluster: { DataType: "String.Array", StringValue: '["test_cluster1","test_cluster2"]' },
    },
};

const TASK_NOTICE = {
    subject: "Fargate task retirement on 2023-08-16: 2 standalone tasks (action required)",
    message: [
        INTRO,
        "",
        "Retirement date: 2023-08-16T23:09:20Z (Wed, 16 Aug 2023 23:09:20 GMT)",
        `Event: ${TASK_EVENT_ARN}`,
        "Event type: AWS_ECS_TASK_PATCHING_RETIREMENT (scheduledChange), region us-east-1",
        `Details: ${link(TASK_EVENT_ARN)}`,
        "",
        "Standalone tasks (2): action required. ECS does not replace standalone tasks: start new ones (on the newest platform revision) before the retirement date, or after it, when these have stopped.",
        `- ${TASK_1}`,
        `- ${TASK_2}`,
    ].join("\n"),
    attributes: {
        eventTypeCode: { DataType: "String", StringValue: "AWS_ECS_TASK_PATCHING_RETIREMENT" },
        cluster: { DataType: "String.Array", StringValue: '["examplecluster"]' },
    },
};

const SERVICE_SLACK = {
    text: SERVICE_NOTICE.subject,
    blocks: [
        { type: "header", text: { type: "plain_text", text: SERVICE_NOTICE.subject } },
        {
            type: "section",
            fields: [
                {
                    type: "mrkdwn",
                    text: "*Retirement date*\n2023-08-16T23:18:51Z\n(Wed, 16 Aug 2023 23:18:51 GMT)",
                },
                { type: "mrkdwn", text: "*Event type*\nAWS_ECS_TASK_PATCHING_RETIREMENT\nus-east-1" },
            ],
        },
        {
            type: "section",
            text: {
                type: "mrkdwn",
                text: [
                    "*Services (2)*",
                    "• :white_check_mark: `test_cluster1 | service1`: ECS replaces the tasks without downtime (desired 3, running 3, minimumHealthyPercent 100)",
                    "• :warning: `test_cluster2 | service2`: at risk: it runs a single task, and nothing serves if its replacement fails to start (desired 1, running 1, minimumHealthyPercent 100)",
                ].join("\n"),
            },
        },
        {
            type: "context",
            elements: [
                {
                    type: "mrkdwn",
                    text: `<${link(SERVICE_EVENT_ARN)}|Open in the AWS Health Dashboard> · ${SERVICE_EVENT_ARN}`,
                },
            ],
        },
    ],
};

const TASK_SLACK = {
    text: TASK_NOTICE.subject,
    blocks: [
        { type: "header", text: { type: "plain_text", text: TASK_NOTICE.subject } },
        {
            type: "section",
            fields: [
                {
                    type: "mrkdwn",
                    text: "*Retirement date*\n2023-08-16T23:09:20Z\n(Wed, 16 Aug 2023 23:09:20 GMT)",
                },
                { type: "mrkdwn", text: "*Event type*\nAWS_ECS_TASK_PATCHING_RETIREMENT\nus-east-1" },
            ],
        },
        {
            type: "section",
            text: {
                type: "mrkdwn",
                text: `*Standalone tasks (2): action required, ECS does not replace them*\n• \`${TASK_1}\`\n• \`${TASK_2}\``,
            },
        },
        {
            type: "context",
            elements: [
                {
                    type: "mrkdwn",
                    text: `<${link(TASK_EVENT_ARN)}|Open in the AWS Health Dashboard> · ${TASK_EVENT_ARN}`,
                },
            ],
        },
    ],
};

function notices(scenario: NotifierScenario) {
    return scenario
        .messages()
        .map((m) => ({ subject: m.subject, message: m.message, attributes: m.attributes }));
}

describe("retirement notices for the seed's sample events, in the simulated region", () => {
    let scenario: NotifierScenario;
    beforeEach(async () => {
        scenario = await NotifierScenario.start();
        await scenario.settleSeedServices(1);
    });
    afterEach(() => scenario.stop());

    it("the service event: one SNS notice with each service's verdict, and the Slack blocks", async () => {
        scenario.emitSample(SAMPLE_SERVICE_EVENT);
        await scenario.region.run(5);
        assert.deepEqual(notices(scenario), [SERVICE_NOTICE]);
        assert.deepEqual(
            scenario.slack.posts.map((p) => [p.contentType, p.body]),
            [["application/json", SERVICE_SLACK]],
        );
        assert.deepEqual(scenario.region.lambda.stats(scenario.functionArn).errors, 0);
    });

    it("the standalone-task event: action required, listing every task ARN", async () => {
        scenario.emitSample(SAMPLE_TASK_EVENT);
        await scenario.region.run(5);
        assert.deepEqual(notices(scenario), [TASK_NOTICE]);
        assert.deepEqual(
            scenario.slack.posts.map((p) => p.body),
            [TASK_SLACK],
        );
    });

    it("sends nothing twice when an event is delivered again, at once or later", async () => {
        scenario.emitSample(SAMPLE_SERVICE_EVENT);
        scenario.emitSample(SAMPLE_SERVICE_EVENT);
        await scenario.region.run(5);
        scenario.emitSample(SAMPLE_SERVICE_EVENT);
        await scenario.region.run(3600);
        assert.deepEqual(notices(scenario), [SERVICE_NOTICE]);
        assert.equal(scenario.slack.posts.length, 1);
        assert.equal(
            scenario.logLines().filter((l) => l.includes('"message":"already notified, delivery ignored"'))
                .length,
            2,
        );
        assert.equal(scenario.region.lambda.stats(scenario.functionArn).errors, 0);
    });

    it("still publishes on SNS when Slack fails, and says so there", async () => {
        scenario.slack.status = 500;
        scenario.emitSample(SAMPLE_TASK_EVENT);
        await scenario.region.run(5);
        assert.deepEqual(notices(scenario), [
            {
                ...TASK_NOTICE,
                message: `${TASK_NOTICE.message}\n\nSlack: the post failed: HTTP 500; this message is the only copy.`,
            },
        ]);
        assert.equal(scenario.slack.posts.length, 1, "Slack was tried once");
        const failures = scenario.region.cloudwatch.series("EcsLifecycle/Retirement", "SlackFailures", [
            { Name: "TopicName", Value: "retirement-topic" },
        ]);
        assert.deepEqual(
            failures.map((d) => d.value),
            [1],
        );
    });

    it("retries when SNS fails: the claim is released, Lambda's retry publishes once and Slack is not posted again", async () => {
        scenario.region.admin("sns", "DeleteTopic", { TopicArn: scenario.topicArn });
        scenario.emitSample(SAMPLE_TASK_EVENT);
        await scenario.region.run(5);
        assert.deepEqual(scenario.region.lambda.stats(scenario.functionArn).errors, 1);
        assert.equal(scenario.slack.posts.length, 1);
        scenario.region.admin("sns", "CreateTopic", { Name: "retirement-topic" });
        await scenario.region.run(600);
        assert.deepEqual(notices(scenario), [TASK_NOTICE]);
        assert.equal(scenario.slack.posts.length, 1);
        assert.deepEqual(scenario.region.lambda.stats(scenario.functionArn).invocations, 2);
    });

    it("logs and counts malformed events, naming each bad field, and sends nothing", async () => {
        scenario.emitSample(SAMPLE_SERVICE_EVENT, {
            communicationId: undefined,
            startTime: "soon",
            eventDescription: "text",
            page: "0",
        });
        scenario.emitSample(SAMPLE_TASK_EVENT, { eventArn: "event-1", eventRegion: "mars-1" });
        await scenario.region.run(600);
        assert.deepEqual(notices(scenario), []);
        assert.deepEqual(scenario.slack.posts, []);
        const errors = scenario
            .logLines()
            .filter((l) => l.includes("malformed AWS Health event"))
            .map((l) => JSON.parse(l).errors);
        assert.deepEqual(errors, [
            [
                "detail.communicationId: expected the communication id that names the notice, got nothing",
                'detail.startTime: expected a date such as "Wed, 16 Aug 2023 23:18:51 GMT", got "soon"',
                'detail.eventDescription: expected a list of {language, latestDescription}, got "text"',
                'detail.page: expected a page number of 1 or more, got "0"',
            ],
            [
                'detail.eventArn: expected an AWS Health event ARN (arn:aws:health:…::event/…), got "event-1"',
                'detail.eventRegion: expected a region such as us-east-1 (or the envelope\'s region), got "mars-1"',
            ],
        ]);
        const stats = scenario.region.lambda.stats(scenario.functionArn);
        assert.deepEqual([stats.invocations, stats.errors], [2, 0], "never thrown, so never retried");
        const malformed = scenario.region.cloudwatch.series("EcsLifecycle/Retirement", "MalformedEvents", [
            { Name: "TopicName", Value: "retirement-topic" },
        ]);
        assert.deepEqual(
            malformed.map((d) => d.value),
            [1, 1],
        );
    });
});
