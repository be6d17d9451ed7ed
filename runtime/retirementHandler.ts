/**
 * The retirement notifier's adapter. One Lambda serves two kinds of invocation:
 *
 * - an AWS Health event for ECS (EventBridge): its page is recorded in a DynamoDB item keyed by
 *   the event's `communicationId` (conditional UpdateItem, so redeliveries and later pages meet
 *   in one item and a sent notice is never sent again); once every page is in, the services are
 *   looked up (DescribeServices, 10 per call), the notice is claimed (conditional `notifiedAt`),
 *   posted to Slack (webhook URL read at run time from an SSM SecureString) and published on
 *   the topic. A Slack failure is reported in the SNS message and never loses it; an SNS
 *   failure releases the claim and fails the invocation, so Lambda's retry sends it.
 * - the scheduled follow-up (EventBridge schedule): sends what arrived of events whose pages
 *   stopped coming, and, with remediation on, forces a new deployment of each planned service
 *   while the maintenance window is open and before the retirement date, reporting every action
 *   on the topic.
 *
 * Decisions are made as of the event's `time` (when EventBridge sent it), so a redelivery
 * decides as the first delivery did. Malformed events are logged and counted (EMF), never
 * thrown: a thrown event would only come back to fail again.
 */
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { DescribeServicesCommandOutput } from "@aws-sdk/client-ecs";
import { PublishCommand } from "@aws-sdk/client-sns";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import type { GetParameterCommandOutput } from "@aws-sdk/client-ssm";
import { ScanCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue, ScanCommandOutput, UpdateItemCommandOutput } from "@aws-sdk/client-dynamodb";
import { emfLine, type EmfMetric } from "./emf";
import { awsLambdaRuntime, type CommandSender, type LambdaRuntime } from "./lambdaRuntime";
import {
    classifyResources,
    composeRemediationReport,
    composeSlackPayload,
    composeSnsNotice,
    insideWindow,
    nextWindow,
    parseHealthEvent,
    planRemediation,
    redeployDecision,
    serviceLabel,
    type HealthEvent,
    type MaintenanceWindow,
    type ServiceRef,
    type ServiceStatus,
    type SnsNotice,
} from "./retirement";

export const RETIREMENT_METRIC_NAMESPACE = "EcsLifecycle/Retirement";
/** Items outlive the retirement date by this long, then DynamoDB's TTL removes them. */
export const RETENTION_AFTER_RETIREMENT_SECONDS = 30 * 24 * 3600;
const SCHEDULED_DETAIL_TYPE = "Scheduled Event";
const DESCRIBE_SERVICES_MAX = 10;

export interface RetirementHandlerDeps {
    readonly ecs: CommandSender;
    readonly sns: CommandSender;
    readonly ssm: CommandSender;
    readonly dynamodb: CommandSender;
    /** POSTs a JSON body; resolves to the HTTP status, rejects when nothing answered. */
    readonly postJson: (url: string, body: string) => Promise<number>;
    /** Writes one log line (EMF lines included). */
    readonly log: (line: string) => void;
}

export interface RetirementRuntimeSettings {
    readonly remediate: boolean;
    /** Required when `remediate` is on. */
    readonly window: MaintenanceWindow | undefined;
    readonly redeploySingleTask: boolean;
    /** How long the follow-up waits for missing pages before it sends what arrived. */
    readonly pageWaitSeconds: number;
}

export interface RetirementHandlerConfig {
    readonly topicArn: string;
    readonly tableName: string;
    /** The SecureString parameter holding the Slack webhook URL; undefined = no Slack. */
    readonly slackParameterName: string | undefined;
    readonly settings: RetirementRuntimeSettings;
}

/** What one invocation did, for logs and tests. */
export type RetirementOutcome =
    | { readonly kind: "malformed"; readonly errors: readonly string[] }
    | { readonly kind: "duplicate"; readonly communicationId: string }
    | {
          readonly kind: "collecting";
          readonly communicationId: string;
          readonly pages: number;
          readonly totalPages: number;
      }
    | { readonly kind: "notified"; readonly communicationId: string; readonly slack: SlackOutcome }
    | {
          readonly kind: "follow-up";
          readonly notified: readonly string[];
          readonly redeployed: readonly string[];
      };

export type SlackOutcome = "posted" | "not configured" | "posted before" | `failed: ${string}`;

/** The DynamoDB item of one event, as the handler reads it back. */
interface EventItem {
    readonly communicationId: string;
    readonly event: HealthEvent;
    readonly pages: readonly number[];
    readonly resources: readonly string[];
    readonly firstSeenAt: number;
    readonly notifiedAt: number | undefined;
    readonly slackPostedAt: number | undefined;
    readonly pendingRedeploys: readonly string[];
}

export function createRetirementHandler(
    deps: RetirementHandlerDeps,
    config: RetirementHandlerConfig,
): (event: unknown) => Promise<RetirementOutcome> {
    const { settings } = config;
    const table = config.tableName;

    function metrics(at: number, values: Record<string, EmfMetric>): void {
        deps.log(
            emfLine({
                namespace: RETIREMENT_METRIC_NAMESPACE,
                timestamp: Math.floor(at),
                dimensions: { TopicName: config.topicArn.slice(config.topicArn.lastIndexOf(":") + 1) },
                metrics: values,
            }),
        );
    }

    function logJson(fields: Record<string, unknown>): void {
        deps.log(JSON.stringify(fields));
    }

    async function updateItem(input: Record<string, unknown>): Promise<EventItem | undefined> {
        try {
            const out = (await deps.dynamodb.send(
                new UpdateItemCommand({ TableName: table, ReturnValues: "ALL_NEW", ...input } as never),
            )) as UpdateItemCommandOutput;
            return out.Attributes ? readItem(out.Attributes) : undefined;
        } catch (error) {
            if ((error as Error).name === "ConditionalCheckFailedException") return undefined;
            throw error;
        }
    }

    /** Records this page; undefined when the event was already notified (a redelivery or a late page). */
    function recordPage(event: HealthEvent): Promise<EventItem | undefined> {
        const expiresAt =
            Math.floor(Math.max(event.startTime.epochMs, event.endTime?.epochMs ?? 0) / 1000) +
            RETENTION_AFTER_RETIREMENT_SECONDS;
        const adds = ["pages :page", ...(event.resources.length > 0 ? ["resources :resources"] : [])];
        return updateItem({
            Key: { communicationId: { S: event.communicationId } },
            UpdateExpression:
                "SET eventJson = if_not_exists(eventJson, :event), totalPages = :totalPages, " +
                "firstSeenAt = if_not_exists(firstSeenAt, :sentAt), expiresAt = :expiresAt " +
                `ADD ${adds.join(", ")}`,
            ConditionExpression: "attribute_not_exists(notifiedAt)",
            ExpressionAttributeValues: {
                ":event": { S: JSON.stringify({ ...event, resources: [], page: 1 }) },
                ":totalPages": { N: String(event.totalPages) },
                ":sentAt": { N: String(event.sentAt) },
                ":expiresAt": { N: String(expiresAt) },
                ":page": { NS: [String(event.page)] },
                ...(event.resources.length > 0 ? { ":resources": { SS: [...event.resources] } } : {}),
            },
        });
    }

    async function describeServices(refs: readonly ServiceRef[]): Promise<ServiceStatus[]> {
        const found = new Array<ServiceStatus | undefined>(refs.length);
        const clusters = refs.map((r) => r.cluster).filter((c, i, all) => all.indexOf(c) === i);
        for (const cluster of clusters) {
            const indexes = refs.map((r, i) => (r.cluster === cluster ? i : -1)).filter((i) => i >= 0);
            for (let start = 0; start < indexes.length; start += DESCRIBE_SERVICES_MAX) {
                const batch = indexes.slice(start, start + DESCRIBE_SERVICES_MAX);
                let out: DescribeServicesCommandOutput | undefined;
                try {
                    out = (await deps.ecs.send(
                        new DescribeServicesCommand({ cluster, services: batch.map((i) => refs[i].service) }),
                    )) as DescribeServicesCommandOutput;
                } catch (error) {
                    if ((error as Error).name !== "ClusterNotFoundException") throw error;
                }
                for (const i of batch) {
                    const service = out?.services?.find(
                        (s) => s.serviceName === refs[i].service && s.status !== "INACTIVE",
                    );
                    found[i] = service
                        ? {
                              ref: refs[i],
                              found: true,
                              desiredCount: service.desiredCount ?? 0,
                              runningCount: service.runningCount ?? 0,
                              minimumHealthyPercent:
                                  service.deploymentConfiguration?.minimumHealthyPercent ?? 100,
                              maximumPercent: service.deploymentConfiguration?.maximumPercent ?? 200,
                          }
                        : { ref: refs[i], found: false };
                }
            }
        }
        return found as ServiceStatus[];
    }

    async function slackUrl(): Promise<string> {
        const out = (await deps.ssm.send(
            new GetParameterCommand({ Name: config.slackParameterName, WithDecryption: true }),
        )) as GetParameterCommandOutput;
        const url = out.Parameter?.Value ?? "";
        if (!/^https?:\/\/\S+$/.test(url)) throw new Error(`the parameter does not hold an http(s) URL`);
        return url;
    }

    async function postToSlack(item: EventItem, body: string): Promise<SlackOutcome> {
        if (config.slackParameterName === undefined) return "not configured";
        if (item.slackPostedAt !== undefined) return "posted before";
        try {
            const status = await deps.postJson(await slackUrl(), body);
            if (status < 200 || status >= 300) return `failed: HTTP ${status}`;
        } catch (error) {
            return `failed: ${(error as Error).message}`;
        }
        await updateItem({
            Key: { communicationId: { S: item.communicationId } },
            UpdateExpression: "SET slackPostedAt = :now",
            ExpressionAttributeValues: { ":now": { N: String(item.event.sentAt) } },
        });
        return "posted";
    }

    async function publish(notice: SnsNotice): Promise<void> {
        await deps.sns.send(
            new PublishCommand({
                TopicArn: config.topicArn,
                Subject: notice.subject,
                Message: notice.message,
                MessageAttributes: notice.attributes as never,
            }),
        );
    }

    /** Sends the notice of an item once: claim, Slack, SNS; an SNS failure releases the claim and throws. */
    async function notify(item: EventItem, now: number): Promise<SlackOutcome | undefined> {
        const event: HealthEvent = { ...item.event, resources: [...item.resources].sort() };
        const entities = classifyResources(event.resources);
        const statuses = await describeServices(entities.services);
        const plan =
            settings.remediate && settings.window && entities.services.length > 0
                ? planRemediation(statuses, settings.window, settings, now, event.startTime.epochMs)
                : undefined;
        const claimed = await updateItem({
            Key: { communicationId: { S: item.communicationId } },
            UpdateExpression: "SET notifiedAt = :now",
            ConditionExpression: "attribute_not_exists(notifiedAt)",
            ExpressionAttributeValues: { ":now": { N: String(now) } },
        });
        if (!claimed) return undefined;
        const input = { event, entities, statuses, plan, pagesReceived: item.pages.length };
        const slack = await postToSlack(claimed, JSON.stringify(composeSlackPayload(input)));
        const notice = composeSnsNotice(input);
        const message = slack.startsWith("failed")
            ? `${notice.message}\n\nSlack: the post ${slack}; this message is the only copy.`
            : notice.message;
        try {
            await publish({ ...notice, message });
        } catch (error) {
            await updateItem({
                Key: { communicationId: { S: item.communicationId } },
                UpdateExpression: "REMOVE notifiedAt",
                ConditionExpression: "notifiedAt = :now",
                ExpressionAttributeValues: { ":now": { N: String(now) } },
            });
            throw error;
        }
        if (plan && plan.redeploy.length > 0 && plan.window) {
            await updateItem({
                Key: { communicationId: { S: item.communicationId } },
                UpdateExpression: "ADD pendingRedeploys :services",
                ExpressionAttributeValues: { ":services": { SS: plan.redeploy.map(serviceLabel) } },
            });
        }
        logJson({
            message: "retirement notice sent",
            communicationId: item.communicationId,
            eventArn: event.eventArn,
            services: entities.services.length,
            tasks: entities.tasks.length,
            slack,
        });
        metrics(now, {
            Notifications: { value: 1, unit: "Count" },
            ...(slack.startsWith("failed") ? { SlackFailures: { value: 1, unit: "Count" } } : {}),
        });
        return slack;
    }

    async function receive(raw: unknown): Promise<RetirementOutcome> {
        const parsed = parseHealthEvent(raw);
        if (!parsed.ok) {
            logJson({
                level: "ERROR",
                message: "malformed AWS Health event, dropped",
                errors: parsed.errors,
            });
            metrics(Date.now(), { MalformedEvents: { value: 1, unit: "Count" } });
            return { kind: "malformed", errors: parsed.errors };
        }
        const event = parsed.event;
        const item = await recordPage(event);
        if (!item) {
            logJson({
                message: "already notified, delivery ignored",
                communicationId: event.communicationId,
                page: event.page,
            });
            metrics(event.sentAt, { DuplicateDeliveries: { value: 1, unit: "Count" } });
            return { kind: "duplicate", communicationId: event.communicationId };
        }
        if (item.pages.length < item.event.totalPages) {
            logJson({
                message: "waiting for the other pages",
                communicationId: event.communicationId,
                pages: item.pages,
                totalPages: item.event.totalPages,
            });
            return {
                kind: "collecting",
                communicationId: event.communicationId,
                pages: item.pages.length,
                totalPages: item.event.totalPages,
            };
        }
        const slack = await notify(item, event.sentAt);
        if (slack === undefined) return { kind: "duplicate", communicationId: event.communicationId };
        return { kind: "notified", communicationId: event.communicationId, slack };
    }

    async function openItems(): Promise<EventItem[]> {
        const items: EventItem[] = [];
        let startKey: Record<string, AttributeValue> | undefined;
        do {
            const out = (await deps.dynamodb.send(
                new ScanCommand({
                    TableName: table,
                    FilterExpression:
                        "attribute_not_exists(notifiedAt) OR attribute_exists(pendingRedeploys)",
                    ExclusiveStartKey: startKey,
                }),
            )) as ScanCommandOutput;
            items.push(...(out.Items ?? []).map(readItem));
            startKey = out.LastEvaluatedKey;
        } while (startKey);
        return items;
    }

    /** Forces new deployments of the item's planned services when the window is open; reports on the topic. */
    async function remediate(item: EventItem, now: number): Promise<string[]> {
        const window = settings.window;
        const retirementAt = item.event.startTime.epochMs;
        const refs = item.pendingRedeploys.map((label) => classifyResources([label]).services[0]);
        const windowLeft = window !== undefined && nextWindow(window, now, retirementAt) !== undefined;
        if (window !== undefined && windowLeft && !insideWindow(window, now)) return [];
        const redeployed: ServiceRef[] = [];
        const skipped: { ref: ServiceRef; reason: string }[] = [];
        const failed: { ref: ServiceRef; error: string }[] = [];
        const statuses = windowLeft ? await describeServices(refs) : [];
        for (const [i, ref] of refs.entries()) {
            // Taking the service out of the pending set first makes each redeployment happen once.
            const claimed = await updateItem({
                Key: { communicationId: { S: item.communicationId } },
                UpdateExpression: "DELETE pendingRedeploys :one",
                ConditionExpression: "contains(pendingRedeploys, :label)",
                ExpressionAttributeValues: {
                    ":one": { SS: [serviceLabel(ref)] },
                    ":label": { S: serviceLabel(ref) },
                },
            });
            if (!claimed) continue;
            if (!windowLeft) {
                skipped.push({ ref, reason: "no maintenance window was left before the retirement date" });
                continue;
            }
            const decision = redeployDecision(statuses[i], settings);
            if (!decision.redeploy) {
                skipped.push({ ref, reason: decision.reason });
                continue;
            }
            try {
                await deps.ecs.send(
                    new UpdateServiceCommand({
                        cluster: ref.cluster,
                        service: ref.service,
                        forceNewDeployment: true,
                    }),
                );
                redeployed.push(ref);
            } catch (error) {
                failed.push({ ref, error: `${(error as Error).name}: ${(error as Error).message}` });
            }
        }
        if (redeployed.length + skipped.length + failed.length === 0) return [];
        await publish(composeRemediationReport({ event: item.event, redeployed, skipped, failed }));
        logJson({
            message: "retirement remediation",
            communicationId: item.communicationId,
            redeployed: redeployed.map(serviceLabel),
            skipped,
            failed,
        });
        metrics(now, {
            Redeployments: { value: redeployed.length, unit: "Count" },
            RedeploymentsSkipped: { value: skipped.length, unit: "Count" },
            RedeploymentsFailed: { value: failed.length, unit: "Count" },
        });
        return redeployed.map(serviceLabel);
    }

    async function followUp(now: number): Promise<RetirementOutcome> {
        const notified: string[] = [];
        const redeployed: string[] = [];
        for (const item of await openItems()) {
            if (item.notifiedAt === undefined) {
                if (now - item.firstSeenAt < settings.pageWaitSeconds * 1000) continue;
                logJson({
                    message: "pages missing after the wait, sending what arrived",
                    communicationId: item.communicationId,
                    pages: item.pages,
                    totalPages: item.event.totalPages,
                });
                if ((await notify(item, now)) !== undefined) notified.push(item.communicationId);
            } else if (item.pendingRedeploys.length > 0) {
                redeployed.push(...(await remediate(item, now)));
            }
        }
        return { kind: "follow-up", notified, redeployed };
    }

    return async (raw: unknown) => {
        const envelope = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
        if (envelope["detail-type"] === SCHEDULED_DETAIL_TYPE && envelope.source === "aws.events") {
            const at = typeof envelope.time === "string" ? Date.parse(envelope.time) : NaN;
            return followUp(Number.isFinite(at) ? at : Date.now());
        }
        return receive(raw);
    };
}

function readItem(attributes: Record<string, AttributeValue>): EventItem {
    const number = (name: string) =>
        attributes[name]?.N === undefined ? undefined : Number(attributes[name].N);
    return {
        communicationId: attributes.communicationId?.S ?? "",
        event: JSON.parse(attributes.eventJson?.S ?? "{}") as HealthEvent,
        pages: (attributes.pages?.NS ?? []).map(Number).sort((a, b) => a - b),
        resources: attributes.resources?.SS ?? [],
        firstSeenAt: number("firstSeenAt") ?? 0,
        notifiedAt: number("notifiedAt"),
        slackPostedAt: number("slackPostedAt"),
        pendingRedeploys: [...(attributes.pendingRedeploys?.SS ?? [])].sort(),
    };
}

/**
 * The retirement Lambda's body: serialized with `settings` captured by value; the topic, table and
 * parameter names come from the environment. Clients are made once per cold start, from `runtime`; Slack is
 * posted with the runtime's fetch, bounded so a hanging webhook cannot eat the function's time.
 */
export function retirementCallbackFactory(
    settings: RetirementRuntimeSettings,
    runtime: () => LambdaRuntime = awsLambdaRuntime,
): () => (event: unknown) => Promise<unknown> {
    return () => {
        const where = runtime();
        const env = process.env;
        return createRetirementHandler(
            {
                ecs: where.client("ecs"),
                sns: where.client("sns"),
                ssm: where.client("ssm"),
                dynamodb: where.client("dynamodb"),
                postJson: async (url: string, body: string) => {
                    const response = await fetch(url, {
                        method: "POST",
                        headers: { "content-type": "application/json" },
                        body,
                        signal: AbortSignal.timeout(10_000),
                    });
                    return response.status;
                },
                log: (line: string) => console.log(line),
            },
            {
                topicArn: env.TOPIC_ARN ?? "",
                tableName: env.TABLE_NAME ?? "",
                slackParameterName: env.SLACK_PARAMETER_NAME ? env.SLACK_PARAMETER_NAME : undefined,
                settings,
            },
        );
    };
}
