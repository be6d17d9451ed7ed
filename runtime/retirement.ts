/**
 * The pure core of the Fargate retirement notifier: reads an AWS Health event for ECS (the
 * `AWS_ECS_TASK_PATCHING_RETIREMENT` notice, or an ECS operational/security notification),
 * tells services (`"cluster | service"` resources) from standalone tasks (task ARNs), judges each
 * service from its desired/running count and minimumHealthyPercent, writes the SNS message and
 * the Slack payload, and plans remediation: the next maintenance window before the retirement
 * date, and whether forcing a new deployment of a service is safe.
 *
 * No SDK, no clock, no module-level Set/Map: the Lambda's closure serializer carries this module
 * by value, and every function here is given the time it should reason about.
 */
import { describeValue } from "./describeValue";

export const HEALTH_EVENT_SOURCE = "aws.health";
export const HEALTH_EVENT_DETAIL_TYPE = "AWS Health Event";
export const TASK_RETIREMENT_EVENT_CODE = "AWS_ECS_TASK_PATCHING_RETIREMENT";
/** The other ECS notices AWS Health sends; the notifier forwards them when config asks for them. */
export const ECS_NOTIFICATION_EVENT_CODES: readonly string[] = [
    "AWS_ECS_OPERATIONAL_NOTIFICATION",
    "AWS_ECS_SECURITY_NOTIFICATION",
];

/** SNS subjects: at most 100 printable ASCII characters. */
const SNS_SUBJECT_MAX = 100;
/** Slack: a header's plain text holds 150 characters, a section's mrkdwn 3000. */
const SLACK_HEADER_MAX = 150;
const SLACK_SECTION_MAX = 3000;

const TASK_ARN =
    /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):task\/([A-Za-z0-9_-]+)\/([0-9a-f]{32}|[0-9a-f-]{36})$/;
const HEALTH_EVENT_ARN = /^arn:aws[a-z-]*:health:[a-z0-9-]*::event\/[\w-]+\/[\w-]+\/[\w-]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** A date as AWS Health writes it ("Wed, 16 Aug 2023 23:18:51 GMT") and the instant it names. */
export interface HealthDate {
    readonly text: string;
    readonly epochMs: number;
}

export interface ServiceRef {
    readonly cluster: string;
    readonly service: string;
}

export interface TaskRef {
    readonly arn: string;
    readonly cluster: string;
    readonly taskId: string;
}

/** The resources of an event, sorted into what the notifier can act on and what it can only list. */
export interface AffectedEntities {
    readonly services: readonly ServiceRef[];
    readonly tasks: readonly TaskRef[];
    /** Entities that are neither a `"cluster | service"` pair nor a task ARN: listed as given. */
    readonly others: readonly string[];
}

/** An AWS Health event for ECS, validated. */
export interface HealthEvent {
    readonly eventArn: string;
    readonly eventTypeCode: string;
    readonly eventTypeCategory: string;
    readonly communicationId: string;
    /** The retirement date: when AWS starts stopping the affected tasks. */
    readonly startTime: HealthDate;
    readonly endTime: HealthDate | undefined;
    /** The region the event is about (detail.eventRegion, else the envelope's region). */
    readonly region: string;
    /** The en_US description, or the first one. */
    readonly description: string;
    /** 1-based page of this delivery; large events come in several, sharing the communicationId. */
    readonly page: number;
    readonly totalPages: number;
    /** The envelope's `resources` (affectedEntities when it is empty), in order, without duplicates. */
    readonly resources: readonly string[];
    /** When EventBridge sent it (epoch ms). */
    readonly sentAt: number;
}

export type HealthEventParse =
    | { readonly ok: true; readonly event: HealthEvent }
    | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Validates an EventBridge envelope holding an AWS Health event for ECS. Every problem is named
 * by its field and what was expected, all at once; nothing throws.
 */
export function parseHealthEvent(raw: unknown): HealthEventParse {
    const errors: string[] = [];
    if (!isRecord(raw))
        return { ok: false, errors: [`event: expected an object, got ${describeValue(raw)}`] };
    if (raw["detail-type"] !== HEALTH_EVENT_DETAIL_TYPE) {
        errors.push(
            `detail-type: expected "${HEALTH_EVENT_DETAIL_TYPE}", got ${describeValue(raw["detail-type"])}`,
        );
    }
    const sentAt = typeof raw.time === "string" ? Date.parse(raw.time) : NaN;
    if (!Number.isFinite(sentAt))
        errors.push(`time: expected an ISO 8601 time, got ${describeValue(raw.time)}`);
    const envelopeResources = raw.resources === undefined ? [] : raw.resources;
    if (!Array.isArray(envelopeResources) || envelopeResources.some((r) => typeof r !== "string")) {
        errors.push(`resources: expected a list of strings, got ${describeValue(raw.resources)}`);
    }
    const detail = raw.detail;
    if (!isRecord(detail)) {
        errors.push(`detail: expected an object, got ${describeValue(detail)}`);
        return { ok: false, errors };
    }
    const text = (field: string, pattern: RegExp, expected: string): string => {
        const value = detail[field];
        if (typeof value !== "string" || !pattern.test(value)) {
            errors.push(`detail.${field}: expected ${expected}, got ${describeValue(value)}`);
            return "";
        }
        return value;
    };
    const eventArn = text(
        "eventArn",
        HEALTH_EVENT_ARN,
        "an AWS Health event ARN (arn:aws:health:…::event/…)",
    );
    const service = detail.service;
    if (service !== "ECS") errors.push(`detail.service: expected "ECS", got ${describeValue(service)}`);
    const eventTypeCode = text(
        "eventTypeCode",
        /^[A-Z0-9_]{3,100}$/,
        "an event type code such as AWS_ECS_TASK_PATCHING_RETIREMENT",
    );
    const eventTypeCategory = text(
        "eventTypeCategory",
        /^[A-Za-z]{3,255}$/,
        "an event type category such as scheduledChange",
    );
    const communicationId = text(
        "communicationId",
        /^[\w-]{1,1024}$/,
        "the communication id that names the notice",
    );
    const startTime = healthDate(detail.startTime, "detail.startTime", errors);
    const endTime =
        detail.endTime === undefined ? undefined : healthDate(detail.endTime, "detail.endTime", errors);
    const region = regionOf(detail.eventRegion, raw.region, errors);
    const description = descriptionOf(detail.eventDescription, errors);
    const entityValues = entityValuesOf(detail.affectedEntities, errors);
    const page = pageNumber(detail.page, "detail.page", errors);
    const totalPages = pageNumber(detail.totalPages, "detail.totalPages", errors);
    if (page > totalPages)
        errors.push(`detail.page: expected at most detail.totalPages (${totalPages}), got ${page}`);
    const given = Array.isArray(envelopeResources) ? (envelopeResources as string[]) : [];
    const resources = unique(
        (given.length > 0 ? given : entityValues).map((r) => r.trim()).filter((r) => r !== ""),
    );
    if (errors.length > 0) return { ok: false, errors };
    return {
        ok: true,
        event: {
            eventArn,
            eventTypeCode,
            eventTypeCategory,
            communicationId,
            startTime: startTime!,
            endTime,
            region,
            description,
            page,
            totalPages,
            resources,
            sentAt,
        },
    };
}

/** Parses AWS Health's RFC 1123 dates ("Wed, 16 Aug 2023 23:18:51 GMT"); ISO 8601 is accepted too. */
export function parseHealthDate(text: string): number | undefined {
    const rfc1123 =
        /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|UTC)$/;
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
    if (!rfc1123.test(text) && !iso.test(text)) return undefined;
    const ms = Date.parse(text.replace(/ UTC$/, " GMT"));
    return Number.isFinite(ms) ? ms : undefined;
}

/** An instant as ISO 8601 to the second ("2023-08-16T23:18:51Z"). */
export function isoSecond(epochMs: number): string {
    return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Services are `"cluster | service"`, standalone tasks are task ARNs; anything else is listed as given. */
export function classifyResources(resources: readonly string[]): AffectedEntities {
    const services: ServiceRef[] = [];
    const tasks: TaskRef[] = [];
    const others: string[] = [];
    for (const resource of resources) {
        const task = TASK_ARN.exec(resource);
        const parts = resource.split("|").map((p) => p.trim());
        if (task) tasks.push({ arn: resource, cluster: task[3], taskId: task[4] });
        else if (parts.length === 2 && parts.every((p) => /^[A-Za-z0-9_-]{1,255}$/.test(p)))
            services.push({ cluster: parts[0], service: parts[1] });
        else others.push(resource);
    }
    return { services, tasks, others };
}

export function serviceLabel(ref: ServiceRef): string {
    return `${ref.cluster} | ${ref.service}`;
}

/** A service as DescribeServices reported it, or missing (deleted, or in another account or region). */
export type ServiceStatus =
    | {
          readonly ref: ServiceRef;
          readonly found: true;
          readonly desiredCount: number;
          readonly runningCount: number;
          readonly minimumHealthyPercent: number;
          readonly maximumPercent: number;
      }
    | { readonly ref: ServiceRef; readonly found: false };

export type ServiceVerdictKind = "no-downtime" | "at-risk" | "not-found";

export interface ServiceVerdict {
    readonly kind: ServiceVerdictKind;
    /** One plain sentence, as the message says it. */
    readonly text: string;
}

/**
 * Whether ECS replaces the service's retired tasks without downtime: with two or more tasks and
 * minimumHealthyPercent 100, ECS starts each replacement before it stops the old task (the seed's
 * best practice). Anything else may run short while tasks are replaced.
 */
export function serviceVerdict(status: ServiceStatus): ServiceVerdict {
    if (!status.found) {
        return {
            kind: "not-found",
            text: "not found in this account and region: check it in the AWS Health Dashboard",
        };
    }
    const counts = `desired ${status.desiredCount}, running ${status.runningCount}, minimumHealthyPercent ${status.minimumHealthyPercent}`;
    if (status.desiredCount >= 2 && status.minimumHealthyPercent >= 100) {
        return { kind: "no-downtime", text: `ECS replaces the tasks without downtime (${counts})` };
    }
    const why =
        status.desiredCount === 0
            ? "it wants no task, so nothing replaces a retired one"
            : status.minimumHealthyPercent < 100
              ? status.desiredCount === 1
                  ? "its only task may stop before its replacement runs"
                  : "ECS may stop tasks before their replacements run"
              : "it runs a single task, and nothing serves if its replacement fails to start";
    return { kind: "at-risk", text: `at risk: ${why} (${counts})` };
}

/** Days of the week (0 = Sunday, as Date#getUTCDay) and UTC hours of the team's maintenance window. */
export interface MaintenanceWindow {
    readonly days: readonly number[];
    readonly startHourUtc: number;
    readonly hours: number;
}

export interface WindowSlot {
    readonly startMs: number;
    readonly endMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The next window that opens at or after `nowMs` (or is open at `nowMs`) and starts before
 * `beforeMs`; undefined when none does. An open window counts from `nowMs`.
 */
export function nextWindow(
    window: MaintenanceWindow,
    nowMs: number,
    beforeMs: number,
): WindowSlot | undefined {
    if (window.days.length === 0 || window.hours <= 0) return undefined;
    const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
    // Starting yesterday catches a window that opened before midnight and is still open.
    for (let day = today - DAY_MS; day < beforeMs + DAY_MS; day += DAY_MS) {
        if (!window.days.includes(new Date(day).getUTCDay())) continue;
        const startMs = day + window.startHourUtc * HOUR_MS;
        const endMs = startMs + window.hours * HOUR_MS;
        if (endMs <= nowMs) continue;
        const from = Math.max(startMs, nowMs);
        return from < beforeMs ? { startMs: from, endMs } : undefined;
    }
    return undefined;
}

/** True when `nowMs` falls inside one of the window's slots. */
export function insideWindow(window: MaintenanceWindow, nowMs: number): boolean {
    const slot = nextWindow(window, nowMs, Number.MAX_SAFE_INTEGER);
    return slot !== undefined && slot.startMs === nowMs;
}

export interface RemediationPolicy {
    /** Whether desired-1 services may be redeployed (their one task is replaced, start-before-stop when maximumPercent allows). */
    readonly redeploySingleTask: boolean;
}

export type RedeployDecision =
    { readonly redeploy: true } | { readonly redeploy: false; readonly reason: string };

/**
 * Whether forcing a new deployment of the service is safe: never when it is already below its
 * minimum healthy count or when ECS would have to stop a task it may not stop to make room;
 * desired-1 services only when the policy allows it.
 */
export function redeployDecision(status: ServiceStatus, policy: RemediationPolicy): RedeployDecision {
    if (!status.found) return { redeploy: false, reason: "the service was not found" };
    const { desiredCount, runningCount, minimumHealthyPercent, maximumPercent } = status;
    if (desiredCount === 0) return { redeploy: false, reason: "it runs no task" };
    const minimumHealthy = Math.ceil((desiredCount * minimumHealthyPercent) / 100);
    if (runningCount < desiredCount) {
        return {
            redeploy: false,
            reason: `it runs ${runningCount} of ${desiredCount} tasks; a deployment now could take it below its minimum healthy count (${minimumHealthy})`,
        };
    }
    const roomAbove = Math.floor((desiredCount * maximumPercent) / 100) - desiredCount;
    const roomBelow = runningCount - minimumHealthy;
    if (roomAbove < 1 && roomBelow < 1) {
        return {
            redeploy: false,
            reason: `maximumPercent ${maximumPercent} leaves no room for a replacement and minimumHealthyPercent ${minimumHealthyPercent} lets no task stop first`,
        };
    }
    if (roomAbove < 1) {
        return {
            redeploy: false,
            reason: `maximumPercent ${maximumPercent} leaves no room to start a replacement first: it would drop to ${minimumHealthy} healthy tasks`,
        };
    }
    if (desiredCount === 1 && !policy.redeploySingleTask) {
        return {
            redeploy: false,
            reason: "it runs a single task (set retirementRedeploySingleTask to allow it)",
        };
    }
    return { redeploy: true };
}

/** What the notice says about remediation: planned redeployments and the services left alone. */
export interface RemediationPlan {
    readonly window: WindowSlot | undefined;
    readonly redeploy: readonly ServiceRef[];
    readonly skipped: readonly { readonly ref: ServiceRef; readonly reason: string }[];
}

/** Plans the forced deployments of the event's services in the next window before the retirement date. */
export function planRemediation(
    statuses: readonly ServiceStatus[],
    window: MaintenanceWindow,
    policy: RemediationPolicy,
    nowMs: number,
    retirementMs: number,
): RemediationPlan {
    const slot = nextWindow(window, nowMs, retirementMs);
    const redeploy: ServiceRef[] = [];
    const skipped: { ref: ServiceRef; reason: string }[] = [];
    for (const status of statuses) {
        const decision = redeployDecision(status, policy);
        if (!slot)
            skipped.push({
                ref: status.ref,
                reason: "no maintenance window opens before the retirement date",
            });
        else if (decision.redeploy) redeploy.push(status.ref);
        else skipped.push({ ref: status.ref, reason: decision.reason });
    }
    return { window: slot, redeploy, skipped };
}

/** Everything the notice says about one event. */
export interface NoticeInput {
    readonly event: HealthEvent;
    readonly entities: AffectedEntities;
    /** One per entities.services entry, same order. */
    readonly statuses: readonly ServiceStatus[];
    /** Present when remediation is switched on. */
    readonly plan: RemediationPlan | undefined;
    /** Pages received when the notice goes out before all arrived (the follow-up's wait ran out). */
    readonly pagesReceived: number;
}

export interface SnsMessageAttribute {
    readonly DataType: "String" | "String.Array";
    readonly StringValue: string;
}

export interface SnsNotice {
    readonly subject: string;
    readonly message: string;
    readonly attributes: Readonly<Record<string, SnsMessageAttribute>>;
}

export interface SlackPayload {
    readonly text: string;
    readonly blocks: readonly Record<string, unknown>[];
}

/** The AWS Health Dashboard page of the event, in the event's own region. */
export function consoleLink(event: Pick<HealthEvent, "eventArn" | "region">): string {
    return `https://health.aws.amazon.com/health/home?region=${event.region}#/account/event-log?eventID=${encodeURIComponent(event.eventArn)}`;
}

function title(event: HealthEvent): string {
    if (event.eventTypeCode === TASK_RETIREMENT_EVENT_CODE) return "Fargate task retirement";
    if (event.eventTypeCode === "AWS_ECS_SECURITY_NOTIFICATION") return "ECS security notification";
    if (event.eventTypeCode === "AWS_ECS_OPERATIONAL_NOTIFICATION") return "ECS operational notification";
    return `ECS ${event.eventTypeCode}`;
}

function retirementDate(event: Pick<HealthEvent, "startTime">): string {
    return `${isoSecond(event.startTime.epochMs)} (${event.startTime.text})`;
}

function plural(count: number, one: string, many: string): string {
    return `${count} ${count === 1 ? one : many}`;
}

/** The SNS subject: what, when, how many, how bad, in at most 100 printable ASCII characters. */
export function noticeSubject(input: NoticeInput): string {
    const { event, entities, statuses } = input;
    const parts: string[] = [];
    if (entities.services.length > 0) {
        const atRisk = statuses.filter((s) => serviceVerdict(s).kind !== "no-downtime").length;
        parts.push(
            `${plural(entities.services.length, "service", "services")}${atRisk > 0 ? ` (${atRisk} at risk)` : ""}`,
        );
    }
    if (entities.tasks.length > 0) {
        parts.push(
            `${plural(entities.tasks.length, "standalone task", "standalone tasks")} (action required)`,
        );
    }
    if (entities.others.length > 0)
        parts.push(plural(entities.others.length, "other resource", "other resources"));
    const what = parts.length > 0 ? parts.join(", ") : "no resources named";
    const subject = `${title(event)} on ${isoSecond(event.startTime.epochMs).slice(0, 10)}: ${what}`;
    const ascii = subject.replace(/[^\x20-\x7e]/g, "?");
    return ascii.length <= SNS_SUBJECT_MAX ? ascii : `${ascii.slice(0, SNS_SUBJECT_MAX - 3)}...`;
}

function remediationLines(plan: RemediationPlan): string[] {
    const lines: string[] = [];
    if (plan.redeploy.length > 0 && plan.window) {
        lines.push(
            `Planned: a forced new deployment of ${plan.redeploy.map(serviceLabel).join(", ")} in the maintenance window from ${isoSecond(plan.window.startMs)} to ${isoSecond(plan.window.endMs)}, so the tasks move to the new platform revision before the retirement date.`,
        );
    }
    for (const skip of plan.skipped) lines.push(`Not redeployed: ${serviceLabel(skip.ref)}: ${skip.reason}.`);
    return lines;
}

/** The SNS message: a subject, a plain-text body, and attributes subscribers can filter on. */
export function composeSnsNotice(input: NoticeInput): SnsNotice {
    const { event, entities, statuses, plan } = input;
    const lines: string[] = [];
    if (event.eventTypeCode === TASK_RETIREMENT_EVENT_CODE) {
        lines.push(
            "AWS Fargate retires the platform version revision that the tasks below run on: from the retirement date, it stops them.",
        );
    } else {
        lines.push(`AWS Health sent an ${title(event)} for ECS.`);
    }
    lines.push(
        "",
        `Retirement date: ${retirementDate(event)}`,
        `Event: ${event.eventArn}`,
        `Event type: ${event.eventTypeCode} (${event.eventTypeCategory}), region ${event.region}`,
        `Details: ${consoleLink(event)}`,
    );
    if (input.pagesReceived < event.totalPages) {
        lines.push(
            `Incomplete: ${input.pagesReceived} of ${event.totalPages} pages of this event arrived; the AWS Health Dashboard lists every affected resource.`,
        );
    }
    if (entities.services.length > 0) {
        lines.push(
            "",
            `Services (${entities.services.length}); ECS replaces their tasks on the newest revision:`,
        );
        statuses.forEach((status) =>
            lines.push(`- ${serviceLabel(status.ref)}: ${serviceVerdict(status).text}`),
        );
    }
    if (entities.tasks.length > 0) {
        lines.push(
            "",
            `Standalone tasks (${entities.tasks.length}): action required. ECS does not replace standalone tasks: start new ones (on the newest platform revision) before the retirement date, or after it, when these have stopped.`,
        );
        for (const task of entities.tasks) lines.push(`- ${task.arn}`);
    }
    if (entities.others.length > 0) {
        lines.push("", `Other affected resources (${entities.others.length}):`);
        for (const other of entities.others) lines.push(`- ${other}`);
    }
    if (plan) {
        const remediation = remediationLines(plan);
        if (remediation.length > 0) lines.push("", ...remediation);
    }
    const clusters = unique([
        ...entities.services.map((s) => s.cluster),
        ...entities.tasks.map((t) => t.cluster),
    ]);
    const attributes: Record<string, SnsMessageAttribute> = {
        eventTypeCode: { DataType: "String", StringValue: event.eventTypeCode },
    };
    if (clusters.length > 0)
        attributes.cluster = { DataType: "String.Array", StringValue: JSON.stringify(clusters) };
    return { subject: noticeSubject(input), message: lines.join("\n"), attributes };
}

/** Slack's mrkdwn treats &, < and > as control characters. */
function slackEscape(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A section of bullet lines, cut to Slack's limit with a count of what was left out. */
function slackList(heading: string, items: readonly string[]): Record<string, unknown> {
    let text = `*${heading}*`;
    for (let i = 0; i < items.length; i++) {
        const line = `\n• ${items[i]}`;
        const more = `\n…and ${items.length - i} more (the SNS message lists all)`;
        if (text.length + line.length + more.length > SLACK_SECTION_MAX) {
            text += more;
            break;
        }
        text += line;
    }
    return { type: "section", text: { type: "mrkdwn", text } };
}

/** The Slack incoming-webhook payload: a header, the date and type, the entities with their verdicts, the links. */
export function composeSlackPayload(input: NoticeInput): SlackPayload {
    const { event, entities, statuses, plan } = input;
    const subject = noticeSubject(input);
    const blocks: Record<string, unknown>[] = [
        {
            type: "header",
            text: { type: "plain_text", text: subject.slice(0, SLACK_HEADER_MAX) },
        },
        {
            type: "section",
            fields: [
                {
                    type: "mrkdwn",
                    text: `*Retirement date*\n${isoSecond(event.startTime.epochMs)}\n(${slackEscape(event.startTime.text)})`,
                },
                {
                    type: "mrkdwn",
                    text: `*Event type*\n${slackEscape(event.eventTypeCode)}\n${slackEscape(event.region)}`,
                },
            ],
        },
    ];
    if (input.pagesReceived < event.totalPages) {
        blocks.push({
            type: "section",
            text: {
                type: "mrkdwn",
                text: `:warning: Only ${input.pagesReceived} of ${event.totalPages} pages of this event arrived; the dashboard lists every affected resource.`,
            },
        });
    }
    if (entities.services.length > 0) {
        blocks.push(
            slackList(
                `Services (${entities.services.length})`,
                statuses.map((s) => {
                    const verdict = serviceVerdict(s);
                    const mark = verdict.kind === "no-downtime" ? ":white_check_mark:" : ":warning:";
                    return `${mark} \`${slackEscape(serviceLabel(s.ref))}\`: ${slackEscape(verdict.text)}`;
                }),
            ),
        );
    }
    if (entities.tasks.length > 0) {
        blocks.push(
            slackList(
                `Standalone tasks (${entities.tasks.length}): action required, ECS does not replace them`,
                entities.tasks.map((t) => `\`${slackEscape(t.arn)}\``),
            ),
        );
    }
    if (entities.others.length > 0) {
        blocks.push(
            slackList(
                `Other affected resources (${entities.others.length})`,
                entities.others.map((o) => `\`${slackEscape(o)}\``),
            ),
        );
    }
    if (plan) {
        const remediation = remediationLines(plan);
        if (remediation.length > 0) blocks.push(slackList("Remediation", remediation.map(slackEscape)));
    }
    blocks.push({
        type: "context",
        elements: [
            {
                type: "mrkdwn",
                text: `<${consoleLink(event)}|Open in the AWS Health Dashboard> · ${slackEscape(event.eventArn)}`,
            },
        ],
    });
    return { text: subject, blocks };
}

/** The report of one remediation run, published on the topic. */
export interface RemediationReport {
    readonly event: Pick<HealthEvent, "eventArn" | "eventTypeCode" | "region" | "startTime">;
    readonly redeployed: readonly ServiceRef[];
    readonly skipped: readonly { readonly ref: ServiceRef; readonly reason: string }[];
    readonly failed: readonly { readonly ref: ServiceRef; readonly error: string }[];
}

export function composeRemediationReport(report: RemediationReport): SnsNotice {
    const { event } = report;
    const lines = [
        `Remediation of ${event.eventArn} (retirement date ${retirementDate(event)}):`,
        "",
        ...report.redeployed.map(
            (ref) =>
                `- ${serviceLabel(ref)}: forced a new deployment; ECS replaces its tasks on the newest platform revision within its deployment configuration.`,
        ),
        ...report.skipped.map((s) => `- ${serviceLabel(s.ref)}: not redeployed: ${s.reason}.`),
        ...report.failed.map((f) => `- ${serviceLabel(f.ref)}: the forced deployment failed: ${f.error}.`),
        "",
        `Details: ${consoleLink(event)}`,
    ];
    const counts = [
        report.redeployed.length > 0 ? `${report.redeployed.length} redeployed` : "",
        report.skipped.length > 0 ? `${report.skipped.length} skipped` : "",
        report.failed.length > 0 ? `${report.failed.length} failed` : "",
    ].filter((c) => c !== "");
    const subject = `Fargate retirement remediation: ${counts.join(", ")}`;
    const clusters = unique(
        [...report.redeployed, ...report.skipped.map((s) => s.ref), ...report.failed.map((f) => f.ref)].map(
            (r) => r.cluster,
        ),
    );
    return {
        subject,
        message: lines.join("\n"),
        attributes: {
            eventTypeCode: { DataType: "String", StringValue: event.eventTypeCode },
            ...(clusters.length > 0
                ? { cluster: { DataType: "String.Array" as const, StringValue: JSON.stringify(clusters) } }
                : {}),
        },
    };
}

function healthDate(value: unknown, field: string, errors: string[]): HealthDate | undefined {
    const epochMs = typeof value === "string" ? parseHealthDate(value) : undefined;
    if (epochMs === undefined) {
        errors.push(
            `${field}: expected a date such as "Wed, 16 Aug 2023 23:18:51 GMT", got ${describeValue(value)}`,
        );
        return undefined;
    }
    return { text: value as string, epochMs };
}

function regionOf(eventRegion: unknown, envelopeRegion: unknown, errors: string[]): string {
    const region = eventRegion ?? envelopeRegion;
    if (typeof region !== "string" || !REGION.test(region)) {
        errors.push(
            `detail.eventRegion: expected a region such as us-east-1 (or the envelope's region), got ${describeValue(region)}`,
        );
        return "";
    }
    return region;
}

function descriptionOf(value: unknown, errors: string[]): string {
    if (
        !Array.isArray(value) ||
        value.length === 0 ||
        !value.every((d) => isRecord(d) && typeof d.latestDescription === "string")
    ) {
        errors.push(
            `detail.eventDescription: expected a list of {language, latestDescription}, got ${describeValue(value)}`,
        );
        return "";
    }
    const english = value.find((d) => d.language === "en_US") ?? value[0];
    return english.latestDescription as string;
}

function entityValuesOf(value: unknown, errors: string[]): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((e) => isRecord(e) && typeof e.entityValue === "string")) {
        errors.push(`detail.affectedEntities: expected a list of {entityValue}, got ${describeValue(value)}`);
        return [];
    }
    return value.map((e) => e.entityValue as string);
}

/** Pages are 1-based; AWS Health writes them as strings ("1"), absent on single-page events. */
function pageNumber(value: unknown, field: string, errors: string[]): number {
    if (value === undefined) return 1;
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
        errors.push(`${field}: expected a page number of 1 or more, got ${describeValue(value)}`);
        return 1;
    }
    return n;
}

function unique<T>(values: readonly T[]): T[] {
    return values.filter((v, i) => values.indexOf(v) === i);
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
