import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { retirementCallbackFactory, type RetirementRuntimeSettings } from "../runtime/retirementHandler";
import { reservedConcurrencyOf } from "../stack/concurrency";
import { healthEventPattern } from "../stack/retirement";
import { rateExpression } from "../stack/schedule";
import type { RetirementSettings } from "../stack/settings";
import { ManagedFunction, type PolicyStatement } from "./managedFunction";
import { invokeOnEvents } from "./eventTriggers";

export interface RetirementNotifierArgs {
    /** Validated retirement settings of the stack. */
    readonly settings: RetirementSettings;
    /** The Slack incoming webhook URL (a secret Output from config); required when settings say it is configured. */
    readonly slackWebhookUrl?: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Reserve the Lambda's concurrency (the stack's reserveLambdaConcurrency opt-in). */
    readonly reserveConcurrency: boolean;
    /** Where the Lambda's own alarms (handler failures, failed deliveries) notify a person. */
    readonly alertsTopicArn: pulumi.Input<string>;
    /** Tags beyond its provider's default tags (index.ts gives the provider the stack's tags). */
    readonly tags?: Readonly<Record<string, string>>;
}

// Notices are rare; concurrent deliveries of one event are arbitrated by the table's conditions.
const RETIREMENT_FUNCTION_TIMEOUT_SECONDS = 60;

/**
 * Fargate task retirement notices: an EventBridge rule on AWS Health's ECS events invokes a
 * Lambda that tells services from standalone tasks, judges whether ECS replaces each service's
 * tasks without downtime, and sends one notice per event (deduplicated in a DynamoDB table across
 * redeliveries and pages) to an encrypted SNS topic with the configured e-mail subscriptions, and
 * to Slack when a webhook is configured (kept as an SSM SecureString, read at run time). A
 * scheduled follow-up of the same Lambda sends events whose pages stopped coming and, with
 * remediation on, forces new deployments in the maintenance window. The account's
 * fargateTaskRetirementWaitPeriod is the account settings owner's (components/accountSettings.ts).
 */
export class RetirementNotifier extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;
    readonly tableName: pulumi.Output<string>;
    readonly functionArn: pulumi.Output<string>;
    readonly functionName: pulumi.Output<string>;
    readonly slackParameterName?: pulumi.Output<string>;

    constructor(name: string, args: RetirementNotifierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:retirement:RetirementNotifier", name, {}, opts);
        const s = args.settings;
        if (s.slackWebhookConfigured !== (args.slackWebhookUrl !== undefined)) {
            throw new Error(
                `slackWebhookUrl: expected ${s.slackWebhookConfigured ? "the secret retirementSlackWebhook value" : "none"}, as settings.slackWebhookConfigured is ${s.slackWebhookConfigured}`,
            );
        }
        const parent = { parent: this };
        const tags = { ...args.tags, Name: name };
        const region = aws.getRegionOutput({}, parent).region;
        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;

        // The Lambda publishes, not EventBridge, so the AWS-managed key (whose policy no service
        // principal may use) is enough.
        const topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: "alias/aws/sns", tags }, parent);
        this.topicArn = topic.arn;
        s.emails.forEach(
            (email, i) =>
                new aws.sns.TopicSubscription(
                    `${name}-email-${i}`,
                    { topic: topic.arn, protocol: "email", endpoint: email },
                    parent,
                ),
        );

        const table = new aws.dynamodb.Table(
            `${name}-events`,
            {
                billingMode: "PAY_PER_REQUEST",
                hashKey: "communicationId",
                attributes: [{ name: "communicationId", type: "S" }],
                ttl: { attributeName: "expiresAt", enabled: true },
                serverSideEncryption: { enabled: true },
                tags,
            },
            parent,
        );
        this.tableName = table.name;

        const parameter = args.slackWebhookUrl
            ? new aws.ssm.Parameter(
                  `${name}-slack-webhook`,
                  {
                      name: `/${pulumi.getProject()}/${pulumi.getStack()}/${name}/slack-webhook`,
                      description: "Slack incoming webhook URL for Fargate retirement notices",
                      type: "SecureString",
                      // The AWS-managed aws/ssm key: its key policy lets any principal of the account
                      // that may read the parameter decrypt it through SSM, so no kms:Decrypt grant.
                      value: pulumi.secret(args.slackWebhookUrl),
                      tags,
                  },
                  parent,
              )
            : undefined;
        this.slackParameterName = parameter?.name;

        const runtimeSettings: RetirementRuntimeSettings = {
            remediate: s.remediate,
            window: s.remediate ? { ...s.window, days: [...s.window.days] } : undefined,
            redeploySingleTask: s.redeploySingleTask,
            pageWaitSeconds: s.followUpMinutes * 60,
        };
        const fn = new ManagedFunction(
            `${name}-fn`,
            {
                description:
                    "Sends Fargate task retirement notices (SNS, Slack) and redeploys services in the window",
                callbackFactory: retirementCallbackFactory(runtimeSettings),
                statements: retirementStatements(
                    region,
                    accountId,
                    topic.arn,
                    table.arn,
                    parameter?.arn,
                    s.remediate,
                ),
                timeoutSeconds: RETIREMENT_FUNCTION_TIMEOUT_SECONDS,
                memoryMb: 256,
                reservedConcurrency: reservedConcurrencyOf("retirement", args.reserveConcurrency),
                environment: {
                    TOPIC_ARN: topic.arn,
                    TABLE_NAME: table.name,
                    ...(parameter ? { SLACK_PARAMETER_NAME: parameter.name } : {}),
                },
                logRetentionDays: args.logRetentionDays,
                asyncFailureQueue: true,
                alertsTopicArn: args.alertsTopicArn,
                tags: args.tags,
            },
            parent,
        );
        this.functionArn = fn.arn;
        this.functionName = fn.functionName;

        const invokeOn = (id: string, rule: aws.cloudwatch.EventRule) =>
            invokeOnEvents(
                `${name}-${id}`,
                rule,
                fn,
                { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 },
                this,
            );
        invokeOn(
            "health",
            new aws.cloudwatch.EventRule(
                `${name}-health`,
                {
                    description:
                        "AWS Health notices of Fargate task retirement (and ECS notifications, by config)",
                    eventPattern: JSON.stringify(healthEventPattern(s.extraEventCodes)),
                    tags,
                },
                parent,
            ),
        );
        invokeOn(
            "follow-up",
            new aws.cloudwatch.EventRule(
                `${name}-follow-up`,
                {
                    description:
                        "Sends retirement notices whose pages stopped arriving and redeploys services inside the maintenance window",
                    scheduleExpression: rateExpression(s.followUpMinutes),
                    tags,
                },
                parent,
            ),
        );

        this.registerOutputs({
            topicArn: this.topicArn,
            tableName: this.tableName,
            functionArn: this.functionArn,
        });
    }
}

/**
 * What the retirement Lambda may do: publish to its topic, read its own Slack parameter, record
 * events in its own table, and read (and, with remediation, redeploy) the ECS services of this
 * account and region. AWS Health names services in any cluster, so no narrower ECS resource is
 * known at deploy time.
 */
function retirementStatements(
    region: pulumi.Input<string>,
    accountId: pulumi.Input<string>,
    topicArn: pulumi.Input<string>,
    tableArn: pulumi.Input<string>,
    parameterArn: pulumi.Input<string> | undefined,
    remediate: boolean,
): pulumi.Output<PolicyStatement[]> {
    return pulumi
        .all([region, accountId, topicArn, tableArn, parameterArn])
        .apply(([regionName, account, topic, tableArnValue, parameter]) => {
            const services = `arn:aws:ecs:${regionName}:${account}:service/*`;
            const statements: PolicyStatement[] = [
                { Sid: "PublishToOwnTopic", Effect: "Allow", Action: "sns:Publish", Resource: topic },
                {
                    Sid: "RecordEventsInOwnTable",
                    Effect: "Allow",
                    Action: ["dynamodb:UpdateItem", "dynamodb:Scan"],
                    Resource: tableArnValue,
                },
                {
                    Sid: remediate ? "ReadAndRedeployServices" : "ReadServices",
                    Effect: "Allow",
                    Action: remediate
                        ? ["ecs:DescribeServices", "ecs:UpdateService"]
                        : "ecs:DescribeServices",
                    Resource: services,
                },
            ];
            if (parameter) {
                statements.push({
                    Sid: "ReadOwnSlackWebhook",
                    Effect: "Allow",
                    Action: "ssm:GetParameter",
                    Resource: parameter,
                });
            }
            return statements;
        });
}
