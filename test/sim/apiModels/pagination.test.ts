import assert from "node:assert/strict";
import { type ApiModel, loadApiModel } from "../../../sim/apiModels/botocore";
import { invalidTokenError } from "../../../sim/apiModels/conformance";
import { AwsError } from "../../../sim/errors";
import { deployCluster, isSteady } from "../../../sim/harness";
import { Region } from "../../../sim/region";
import type { ServiceName } from "../../../sim/types";
import { describeWithModels, MODELS_DIR } from "./installedModels";

const EPOCH_S = Date.UTC(2026, 0, 1) / 1000;

/** What each paginated operation needs besides its token, in the fixture below. */
const BASE_INPUT: Readonly<Record<string, (f: Fixture) => Record<string, unknown>>> = {
    "ecs:ListClusters": () => ({}),
    "ecs:ListContainerInstances": () => ({ cluster: "c" }),
    "ecs:ListTasks": () => ({ cluster: "c" }),
    "ecs:ListServices": () => ({ cluster: "c" }),
    "ecs:ListAttributes": () => ({ cluster: "c", targetType: "container-instance" }),
    "autoscaling:DescribeAutoScalingGroups": () => ({}),
    "autoscaling:DescribeAutoScalingInstances": () => ({}),
    "autoscaling:DescribePolicies": (f) => ({ AutoScalingGroupName: f.groupName }),
    "sns:ListTopics": () => ({}),
    "sns:ListSubscriptionsByTopic": (f) => ({ TopicArn: f.topicArn }),
    "sqs:ListQueues": () => ({}),
    "monitoring:DescribeAlarms": () => ({}),
    "monitoring:ListMetrics": () => ({}),
    "monitoring:GetMetricData": () => ({
        StartTime: new Date((EPOCH_S - 3600) * 1000),
        EndTime: new Date((EPOCH_S + 3600) * 1000),
        MetricDataQueries: [
            {
                Id: "q",
                MetricStat: { Metric: { Namespace: "N", MetricName: "m0" }, Period: 60, Stat: "Sum" },
            },
        ],
    }),
};

/** Paginated in the models, outside this check. */
const OUTSIDE_THIS_CHECK: Readonly<Record<string, string>> = {
    "events:ListRules": "answered in one page, tokens ignored: no handler lists rules",
    "events:ListTargetsByRule": "answered in one page, tokens ignored: no handler lists targets",
    "dynamodb:Scan": "its token is a key of the table (ExclusiveStartKey), not an opaque token",
};

interface Fixture {
    readonly region: Region;
    /** How many items the operations that take no page size list in all. */
    readonly counts: Readonly<Record<string, number>>;
    readonly groupName: string;
    readonly topicArn: string;
}

/** A region with several of everything the paginated operations list. */
async function fixture(): Promise<Fixture> {
    const region = new Region({ seed: 3 });
    const deployed = deployCluster(region, {
        clusterName: "c",
        instanceType: "m5.large",
        instanceCount: 3,
        services: [
            { name: "a", desiredCount: 2 },
            { name: "b", desiredCount: 2 },
        ],
    });
    assert.ok(await region.runUntil(() => isSteady(region, deployed), 1800), "the cluster settles");
    region.admin("ecs", "CreateCluster", { clusterName: "c2" });
    region.admin("autoscaling", "CreateAutoScalingGroup", {
        AutoScalingGroupName: "empty",
        MinSize: 0,
        MaxSize: 1,
        AvailabilityZones: ["us-east-1a"],
        LaunchTemplate: { LaunchTemplateId: deployed.launchTemplateId, Version: "1" },
    });
    for (const name of ["out", "in"]) {
        region.admin("autoscaling", "PutScalingPolicy", {
            AutoScalingGroupName: deployed.groupName,
            PolicyName: name,
            AdjustmentType: "ChangeInCapacity",
            ScalingAdjustment: name === "out" ? 1 : -1,
        });
    }
    // SNS lists 100 per page and ListMetrics 500, with no page size to ask for: more than a page of each.
    const topics = Array.from(
        { length: 101 },
        (_, i) => (region.admin("sns", "CreateTopic", { Name: `t${i}` }) as { TopicArn: string }).TopicArn,
    );
    for (let n = 0; n < 101; n++) {
        region.admin("sns", "Subscribe", {
            TopicArn: topics[0],
            Protocol: "email",
            Endpoint: `ops${n}@example.com`,
        });
    }
    for (const name of ["q1", "q2", "q3"]) region.admin("sqs", "CreateQueue", { QueueName: name });
    for (const name of ["alarm-1", "alarm-2", "alarm-3"]) {
        region.admin("monitoring", "PutMetricAlarm", {
            AlarmName: name,
            Namespace: "N",
            MetricName: "m0",
            Statistic: "Sum",
            Period: 60,
            EvaluationPeriods: 1,
            Threshold: 1,
            ComparisonOperator: "GreaterThanThreshold",
        });
    }
    region.admin("monitoring", "PutMetricData", {
        Namespace: "N",
        MetricData: Array.from({ length: 501 }, (_, i) => ({
            MetricName: `m${i}`,
            Value: i,
            Timestamp: new Date(EPOCH_S * 1000),
        })),
    });
    return {
        region,
        counts: { "sns:ListTopics": 101, "sns:ListSubscriptionsByTopic": 101, "monitoring:ListMetrics": 501 },
        groupName: deployed.groupName,
        topicArn: topics[0],
    };
}

function names(key: string | readonly string[] | undefined): readonly string[] {
    return key === undefined ? [] : typeof key === "string" ? [key] : key;
}

describeWithModels("the region's pagination tokens, as AWS's models page", () => {
    let f: Fixture;
    const models: Partial<Record<ServiceName, ApiModel>> = {};
    const modelOf = (service: ServiceName) => (models[service] ??= loadApiModel(MODELS_DIR, service));
    const paginated = () =>
        new Region({ seed: 3 })
            .servedOperations()
            .filter((op) => {
                const [service, operation] = op.split(":") as [ServiceName, string];
                return modelOf(service).paginators[operation] !== undefined;
            })
            .filter((op) => !(op in OUTSIDE_THIS_CHECK));

    before(async () => {
        f = await fixture();
    });

    it("has a fixture for every paginated operation the region serves", () => {
        assert.deepEqual(paginated().sort(), Object.keys(BASE_INPUT).sort());
    });

    for (const op of Object.keys(BASE_INPUT)) {
        const [service, operation] = op.split(":") as [ServiceName, string];

        it(`${op}: refuses a token it did not issue with its modelled error`, async () => {
            const paginator = modelOf(service).paginators[operation];
            const input = {
                ...BASE_INPUT[op](f),
                [names(paginator.input_token)[0]]: "bm90LWEtdG9rZW4=garbage",
            };
            const error = await f.region.call(service, operation, input).then(
                () => assert.fail("a garbage token was taken"),
                (e: unknown) => e,
            );
            assert.ok(error instanceof AwsError, String(error));
            assert.equal(error.code, invalidTokenError(modelOf(service), service, operation), error.message);
        });

        // GetMetricData pages by data points; every answer here fits one page (no token is issued).
        if (operation === "GetMetricData") continue;
        it(`${op}: pages with the tokens it issues, to the same items as one call`, async () => {
            const paginator = modelOf(service).paginators[operation];
            const limit = paginator.limit_key;
            const items = (out: Record<string, unknown>) =>
                names(paginator.result_key).flatMap((key) => (out[key] as unknown[] | undefined) ?? []);
            const list = async (extra: Record<string, unknown>) =>
                (await f.region.call(service, operation, { ...BASE_INPUT[op](f), ...extra })) as Record<
                    string,
                    unknown
                >;
            const tokenIn = names(paginator.input_token)[0];
            const tokenOut = names(paginator.output_token)[0];
            const paged: unknown[] = [];
            let token: unknown;
            let pages = 0;
            do {
                const out = await list({
                    ...(limit === undefined ? {} : { [limit]: 1 }),
                    ...(token === undefined ? {} : { [tokenIn]: token }),
                });
                paged.push(...items(out));
                token = out[tokenOut];
                pages++;
            } while (token !== undefined);
            assert.ok(pages >= 2, `${pages} page(s)`);
            if (limit === undefined) {
                assert.equal(new Set(paged.map((item) => JSON.stringify(item))).size, paged.length);
                assert.equal(paged.length, f.counts[op]);
            } else {
                assert.equal(pages, paged.length);
                assert.deepEqual(paged, items(await list({ [limit]: 50 })));
            }
        });
    }
});
