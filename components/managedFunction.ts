import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RESERVED_CONCURRENCY_OPT_IN, RESERVED_CONCURRENCY_TAG } from "../stack/concurrency";
import { alertingAlarm, anyInAMinute } from "./alarms";
import { assumeRolePolicyFor } from "./iam";

/** One IAM statement; every statement names the resources it needs (never a bare service:* action). */
export interface PolicyStatement {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Action: string | string[];
    readonly Resource: string | string[];
    readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * Packages left out of every archive: the Pulumi SDKs are deploy-time only and the Lambda runtime
 * ships the AWS SDK v3, which the runtime modules `require` from their factories.
 */
export const EXCLUDED_PACKAGES = ["@pulumi/pulumi", "@pulumi/aws"];

/** Every function the program declared, by logical name, with its body: `npm run plan` measures their archives. */
export const declaredFunctions: { readonly name: string; readonly factory: () => unknown }[] = [];

export interface ManagedFunctionArgs<E, R> {
    /** What the function is for; also the AWS description. */
    readonly description: string;
    /** Runs once per cold start and returns the handler; SDK clients are made here, never at module level. */
    readonly callbackFactory: aws.lambda.CallbackFactory<E, R>;
    /** The only permissions the function gets besides writing its own log group. */
    readonly statements: pulumi.Input<PolicyStatement[]>;
    readonly timeoutSeconds: number;
    readonly memoryMb: number;
    /** Reserved concurrency, only when the stack opts in (reserveLambdaConcurrency); unset, none is reserved. */
    readonly reservedConcurrency?: number;
    /** Values only known at deploy time (queue URLs, group names), read by the factory from process.env. */
    readonly environment?: Record<string, pulumi.Input<string>>;
    readonly logRetentionDays: number;
    /** Asynchronous invocations (EventBridge) that fail all retries go to a queue of their own. */
    readonly asyncFailureQueue: boolean;
    /** Where the function's alarms (errors, failed async invocations) notify a person. */
    readonly alertsTopicArn: pulumi.Input<string>;
    /** Tags beyond its provider's default tags (index.ts gives the provider the stack's tags). */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A Lambda built from a serialized closure with the guard rails every function of this stack
 * needs: an explicit least-privilege role (so CallbackFunction attaches none of its FullAccess
 * defaults), a log group with retention, a failure queue for async invocations, and alarms on
 * errors and on failed async invocations that notify the alerts topic. Reserved concurrency only
 * when the stack opts in.
 */
export class ManagedFunction<E, R> extends pulumi.ComponentResource {
    readonly function: aws.lambda.CallbackFunction<E, R>;
    readonly arn: pulumi.Output<string>;
    readonly functionName: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    readonly errorsAlarmName: pulumi.Output<string>;
    readonly failureQueueUrl?: pulumi.Output<string>;
    readonly failureQueueName?: pulumi.Output<string>;

    constructor(name: string, args: ManagedFunctionArgs<E, R>, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:function:ManagedFunction", name, {}, opts);
        const parent = { parent: this };
        const tags = {
            ...args.tags,
            Name: name,
            ...(args.reservedConcurrency === undefined
                ? {}
                : { [RESERVED_CONCURRENCY_TAG]: RESERVED_CONCURRENCY_OPT_IN }),
        };

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { namePrefix: `/ecs-lifecycle/${name}-`, retentionInDays: args.logRetentionDays, tags },
            parent,
        );
        this.logGroupName = logGroup.name;

        const failureQueue = args.asyncFailureQueue
            ? new aws.sqs.Queue(
                  `${name}-failures`,
                  { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600, tags },
                  parent,
              )
            : undefined;
        this.failureQueueUrl = failureQueue?.url;
        this.failureQueueName = failureQueue?.name;

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                assumeRolePolicy: assumeRolePolicyFor("lambda.amazonaws.com"),
                tags,
            },
            parent,
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: pulumi
                    .all([pulumi.output(args.statements), logGroup.arn, failureQueue?.arn])
                    .apply(([statements, logGroupArn, failureQueueArn]) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [
                                {
                                    Sid: "WriteOwnLogs",
                                    Effect: "Allow",
                                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                                    Resource: `${logGroupArn}:log-stream:*`,
                                },
                                ...(failureQueueArn
                                    ? [
                                          {
                                              Sid: "ParkFailedInvocations",
                                              Effect: "Allow",
                                              Action: "sqs:SendMessage",
                                              Resource: failureQueueArn,
                                          },
                                      ]
                                    : []),
                                ...statements,
                            ],
                        }),
                    ),
            },
            parent,
        );
        this.roleArn = role.arn;

        this.function = new aws.lambda.CallbackFunction<E, R>(
            name,
            {
                description: args.description,
                callbackFactory: args.callbackFactory,
                role,
                runtime: aws.lambda.Runtime.NodeJS22dX,
                timeout: args.timeoutSeconds,
                memorySize: args.memoryMb,
                reservedConcurrentExecutions: args.reservedConcurrency,
                environment: args.environment ? { variables: args.environment } : undefined,
                loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
                deadLetterConfig: failureQueue ? { targetArn: failureQueue.arn } : undefined,
                codePathOptions: { extraExcludePackages: [...EXCLUDED_PACKAGES] },
                tags,
            },
            // The function must not run before it may write logs and call what it needs.
            { parent: this, dependsOn: [policy] },
        );
        declaredFunctions.push({ name, factory: args.callbackFactory });
        this.arn = this.function.arn;
        this.functionName = this.function.name;

        this.errorsAlarmName = alertingAlarm(
            `${name}-errors`,
            {
                alarmDescription: pulumi.interpolate`${name}: the handler failed (crash or timeout); its log group is ${logGroup.name}`,
                ...anyInAMinute({
                    namespace: "AWS/Lambda",
                    metricName: "Errors",
                    dimensions: { FunctionName: this.function.name },
                    statistic: "Sum",
                }),
                tags,
            },
            args.alertsTopicArn,
            parent,
        ).name;
        if (failureQueue) {
            alertingAlarm(
                `${name}-failed-events`,
                {
                    alarmDescription: pulumi.interpolate`${name}: an asynchronous invocation (EventBridge) failed every retry and was parked in ${failureQueue.name}: read the message, fix the cause, then purge it (README runbook)`,
                    ...anyInAMinute({
                        namespace: "AWS/SQS",
                        metricName: "ApproximateNumberOfMessagesVisible",
                        dimensions: { QueueName: failureQueue.name },
                        statistic: "Maximum",
                    }),
                    tags,
                },
                args.alertsTopicArn,
                parent,
            );
        }

        this.registerOutputs({ arn: this.arn, roleArn: this.roleArn, logGroupName: this.logGroupName });
    }
}
