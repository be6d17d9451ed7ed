/**
 * Where a Lambda body runs. On AWS Lambda its SDK v3 clients come from the Node.js runtime (made
 * once per cold start, in the callback factory) and a wait is a timer. The simulated region
 * passes its own (sim/inProcessClients.ts): clients that call its operations directly, and waits
 * that pass in the invocation's virtual time, with the region's seeded jitter.
 */

/** The one method of an SDK v3 client the handlers use. */
export interface CommandSender {
    send(command: object): Promise<unknown>;
}

/** The AWS services whose clients the Lambda bodies use, by the short names the factories ask for. */
export type ServiceClientName = "ecs" | "autoscaling" | "sqs" | "sns" | "ssm" | "dynamodb" | "cloudwatch";

export interface LambdaRuntime {
    /** A client of `service`; the factory asks once per cold start. */
    client(service: ServiceClientName): CommandSender;
    /** Waits `ms` (backoff between throttled retries). */
    sleep(ms: number): Promise<void>;
    /** Uniform in [0, 1), for backoff jitter. */
    random(): number;
}

/** AWS Lambda: the runtime's SDK v3 clients with their default configuration, and real timers. */
export function awsLambdaRuntime(): LambdaRuntime {
    return {
        client: sdkClient,
        sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
    };
}

/* eslint-disable @typescript-eslint/no-require-imports */
function sdkClient(service: ServiceClientName): CommandSender {
    // Literal requires, resolved in Lambda, whose runtime ships SDK v3 (the archive leaves it out).
    switch (service) {
        case "ecs":
            return new (require("@aws-sdk/client-ecs").ECSClient)({});
        case "autoscaling":
            return new (require("@aws-sdk/client-auto-scaling").AutoScalingClient)({});
        case "sqs":
            return new (require("@aws-sdk/client-sqs").SQSClient)({});
        case "sns":
            return new (require("@aws-sdk/client-sns").SNSClient)({});
        case "ssm":
            return new (require("@aws-sdk/client-ssm").SSMClient)({});
        case "dynamodb":
            return new (require("@aws-sdk/client-dynamodb").DynamoDBClient)({});
        case "cloudwatch":
            return new (require("@aws-sdk/client-cloudwatch").CloudWatchClient)({});
    }
}
/* eslint-enable @typescript-eslint/no-require-imports */
