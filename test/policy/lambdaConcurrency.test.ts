import assert from "node:assert/strict";
import { checkLambdaConcurrency } from "../../policy/rules/lambdaConcurrency";
import { PlannedResource } from "../../policy/rules/types";

function lambda(reservedConcurrentExecutions: unknown, tags: Record<string, string> = {}): PlannedResource {
    return {
        type: "aws:lambda/function:Function",
        name: "drain-fn",
        props: { reservedConcurrentExecutions, tags },
    };
}

function sqsSource(scalingConfig: unknown): PlannedResource {
    return {
        type: "aws:lambda/eventSourceMapping:EventSourceMapping",
        name: "drain-source",
        props: { eventSourceArn: "arn:aws:sqs:us-east-1:123456789012:drain-queue", scalingConfig },
    };
}

describe("policy rule lambda-concurrency", () => {
    it("passes functions without a reservation, an opted-in reservation, and a bounded SQS source", () => {
        assert.deepEqual(
            checkLambdaConcurrency([
                lambda(undefined),
                lambda(-1),
                lambda(10, { "ecs-lifecycle:reserved-concurrency": "reserveLambdaConcurrency" }),
                sqsSource({ maximumConcurrency: 10 }),
            ]),
            [],
        );
    });

    it("fails a reservation the stack did not opt into, naming what it costs", () => {
        assert.deepEqual(checkLambdaConcurrency([lambda(5)]), [
            {
                resource: "drain-fn",
                message:
                    'aws:lambda/function:Function "drain-fn": reservedConcurrentExecutions is 5 without the stack\'s reserveLambdaConcurrency opt-in (tag ecs-lifecycle:reserved-concurrency); a reservation fails in an account with less than 100 + 5 concurrency',
            },
        ]);
    });

    it("fails an SQS event source that does not bound its function's concurrency", () => {
        assert.deepEqual(
            checkLambdaConcurrency([sqsSource(undefined), sqsSource({ maximumConcurrency: 1 })]).map(
                (v) => v.message,
            ),
            [
                'aws:lambda/eventSourceMapping:EventSourceMapping "drain-source": scalingConfig.maximumConcurrency is unset; an SQS event source must bound its function\'s concurrency (2–1000), as no reservation does',
                'aws:lambda/eventSourceMapping:EventSourceMapping "drain-source": scalingConfig.maximumConcurrency is 1; an SQS event source must bound its function\'s concurrency (2–1000), as no reservation does',
            ],
        );
    });
});
