import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlertSettings } from "../stack/settings";

/** An EventBridge rule whose events go to the alerts topic as they are. */
export interface AlertEventRule {
    /** Suffix of the rule's and its target's resource names. */
    readonly id: string;
    readonly description: string;
    readonly eventPattern: pulumi.Input<string>;
}

export interface AlertsTopicArgs {
    /** Validated alert settings: the e-mail subscriptions, or an existing topic to use instead. */
    readonly settings: AlertSettings;
    /** Operator events EventBridge forwards to the topic (e.g. a failed instance refresh). */
    readonly events: readonly AlertEventRule[];
    /** Tags beyond its provider's default tags (index.ts gives the provider the stack's tags). */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Where the stack tells people that something is wrong: an SNS topic with the configured e-mail
 * subscriptions (or an existing topic), which every alarm that does not scale notifies and which
 * EventBridge feeds with operator events. The topic is encrypted with a key of its own: the
 * AWS-managed alias/aws/sns key's policy cannot be changed, so CloudWatch and EventBridge could not
 * use it and every alert would be dropped (SNS developer guide, "Key management", compatibility
 * with event sources from AWS services). The key and topic policies admit CloudWatch alarms of
 * this account and region and the stack's own EventBridge rules, scoped by the conditions AWS
 * documents for each (EventBridge supports no aws:SourceArn in a KMS key policy: there the
 * encryption context naming this topic scopes it).
 */
export class AlertsTopic extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: AlertsTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:alerts:AlertsTopic", name, {}, opts);
        const parent = { parent: this };
        const tags = { ...args.tags, Name: name };

        const rules = args.events.map(
            (event) =>
                [
                    event,
                    new aws.cloudwatch.EventRule(
                        `${name}-${event.id}`,
                        { description: event.description, eventPattern: event.eventPattern, tags },
                        parent,
                    ),
                ] as const,
        );

        const existing = args.settings.existingTopicArn;
        const delivery = existing
            ? { topicArn: pulumi.output(existing), readyAfter: [] }
            : this.ownTopic(
                  name,
                  args.settings.emails,
                  rules.map(([, rule]) => rule.arn),
                  tags,
              );
        this.topicArn = delivery.topicArn;

        for (const [event, rule] of rules) {
            new aws.cloudwatch.EventTarget(
                `${name}-${event.id}`,
                { rule: rule.name, arn: this.topicArn },
                // EventBridge may publish only once the topic's and its key's policies admit it.
                { parent: this, dependsOn: delivery.readyAfter },
            );
        }

        this.registerOutputs({ topicArn: this.topicArn });
    }

    private ownTopic(
        name: string,
        emails: readonly string[],
        ruleArns: pulumi.Output<string>[],
        tags: Record<string, string>,
    ): { topicArn: pulumi.Output<string>; readyAfter: pulumi.Resource[] } {
        const parent = { parent: this };
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: "Encrypts the alerts topic; CloudWatch alarms and EventBridge rules may use it",
                enableKeyRotation: true,
                tags,
            },
            parent,
        );
        const topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: key.arn, tags }, parent);
        const region = aws.getRegionOutput({}, parent).region;
        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;

        const keyPolicy = new aws.kms.KeyPolicy(
            `${name}-key-policy`,
            {
                keyId: key.id,
                policy: pulumi
                    .all([region, accountId, topic.arn])
                    .apply(([regionName, account, topicArn]) =>
                        JSON.stringify(alertsKeyPolicy(regionName, account, topicArn)),
                    ),
            },
            parent,
        );
        const topicPolicy = new aws.sns.TopicPolicy(
            `${name}-topic-policy`,
            {
                arn: topic.arn,
                policy: pulumi
                    .all([region, accountId, topic.arn, pulumi.all(ruleArns)])
                    .apply(([regionName, account, topicArn, rules]) =>
                        JSON.stringify(alertsTopicPolicy(regionName, account, topicArn, rules)),
                    ),
            },
            parent,
        );
        emails.forEach(
            (email, i) =>
                new aws.sns.TopicSubscription(
                    `${name}-email-${i}`,
                    { topic: topic.arn, protocol: "email", endpoint: email },
                    parent,
                ),
        );
        return { topicArn: topic.arn, readyAfter: [keyPolicy, topicPolicy] };
    }
}

/** CloudWatch alarms of this account and region, as aws:SourceArn names them. */
function alarmsOf(region: string, accountId: string): string {
    return `arn:aws:cloudwatch:${region}:${accountId}:alarm:*`;
}

/**
 * The key's policy: the account administers it (its IAM policies decide who), CloudWatch alarms of
 * this account and region and EventBridge may encrypt messages for this topic only.
 */
export function alertsKeyPolicy(region: string, accountId: string, topicArn: string): object {
    const forThisTopic = { "kms:EncryptionContext:aws:sns:topicArn": topicArn };
    return {
        Version: "2012-10-17",
        Statement: [
            {
                // What the console grants key administrators, plus publishing a test alert; IAM
                // policies decide which of the account's principals may.
                Sid: "AccountAdministersTheKey",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                Action: [
                    "kms:Create*",
                    "kms:Describe*",
                    "kms:Enable*",
                    "kms:List*",
                    "kms:Put*",
                    "kms:Update*",
                    "kms:Revoke*",
                    "kms:Disable*",
                    "kms:Get*",
                    "kms:Delete*",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion",
                    "kms:RotateKeyOnDemand",
                    "kms:Decrypt",
                    "kms:GenerateDataKey*",
                ],
                Resource: "*",
            },
            {
                Sid: "CloudWatchAlarmsPublishToTheAlertsTopic",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId, ...forThisTopic },
                    ArnLike: { "aws:SourceArn": alarmsOf(region, accountId) },
                },
            },
            {
                // aws:SourceAccount and aws:SourceArn are not supported for EventBridge here.
                Sid: "EventBridgePublishesToTheAlertsTopic",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { StringEquals: forThisTopic },
            },
        ],
    };
}

/** The topic's policy: CloudWatch alarms of this account and region, and the stack's own rules, may publish. */
export function alertsTopicPolicy(
    region: string,
    accountId: string,
    topicArn: string,
    ruleArns: readonly string[],
): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CloudWatchAlarmsOfThisAccount",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId },
                    ArnLike: { "aws:SourceArn": alarmsOf(region, accountId) },
                },
            },
            ...(ruleArns.length > 0
                ? [
                      {
                          Sid: "TheStacksEventRules",
                          Effect: "Allow",
                          Principal: { Service: "events.amazonaws.com" },
                          Action: "sns:Publish",
                          Resource: topicArn,
                          Condition: { ArnEquals: { "aws:SourceArn": [...ruleArns] } },
                      },
                  ]
                : []),
        ],
    };
}
