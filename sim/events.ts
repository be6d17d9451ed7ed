/**
 * Amazon EventBridge (default bus) in the simulated region: rules with event patterns or
 * schedules, targets (Lambda, SNS, SQS) with optional Input / InputPath, PutEvents for clients
 * and `emit` for the region's services. Schedules fire on the virtual clock; deliveries arrive
 * after a small delay and are subject to the dropRate and duplicateRate faults.
 */
import type { TimerId } from "./clock";
import { AwsError } from "./errors";
import { matchesPattern, parseEventPattern, type EventPattern } from "./eventPattern";
import { InputReader, unknownOperation } from "./inputFields";
import { isoSeconds, uuid } from "./messageIds";
import { parseScheduleExpression, type Schedule } from "./scheduleExpression";
import type { AwsEvent, EventsInternal, RegionContext, ServiceModel } from "./types";

/** Delay between an event and its delivery to a target. */
export const EVENTS_DELIVERY_DELAY_MS = 200;

const CODES = { missing: "ValidationException", invalid: "ValidationException" };
const MAX_TARGETS_PER_RULE = 5;
const MAX_PUT_EVENTS_ENTRIES = 10;
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

interface Target {
    readonly Id: string;
    readonly Arn: string;
    readonly Input?: string;
    readonly InputPath?: string;
}

interface Rule {
    readonly name: string;
    readonly arn: string;
    pattern: EventPattern | undefined;
    patternText: string | undefined;
    scheduleExpression: string | undefined;
    schedule: Schedule | undefined;
    state: "ENABLED" | "DISABLED";
    description: string | undefined;
    readonly targets: Map<string, Target>;
    timer: TimerId | undefined;
}

export class EventsModel implements ServiceModel, EventsInternal {
    readonly service = "events" as const;
    readonly operations = [
        "PutRule",
        "DeleteRule",
        "DescribeRule",
        "ListRules",
        "PutTargets",
        "RemoveTargets",
        "ListTargetsByRule",
        "PutEvents",
    ] as const;

    private readonly rules = new Map<string, Rule>();

    constructor(private readonly ctx: RegionContext) {}

    call(operation: string, input: Record<string, unknown>): unknown {
        const reader = new InputReader(input, CODES);
        switch (operation) {
            case "PutRule":
                return this.putRule(reader);
            case "DeleteRule":
                this.deleteRule(reader);
                return {};
            case "DescribeRule":
                return this.describe(this.ruleByName(reader.string("Name")));
            case "ListRules": {
                const prefix = reader.optionalString("NamePrefix") ?? "";
                return {
                    Rules: [...this.rules.values()]
                        .filter((r) => r.name.startsWith(prefix))
                        .map((r) => this.describe(r)),
                };
            }
            case "PutTargets":
                return this.putTargets(reader);
            case "RemoveTargets":
                return this.removeTargets(reader);
            case "ListTargetsByRule":
                return { Targets: [...this.ruleByName(reader.string("Rule")).targets.values()] };
            case "PutEvents":
                return this.putEvents(reader);
            default:
                throw unknownOperation("UnknownOperationException", "events", operation);
        }
    }

    emit(
        source: string,
        detailType: string,
        detail: Record<string, unknown>,
        resources: readonly string[] = [],
    ): void {
        this.route({
            version: "0",
            id: uuid(this.ctx.random),
            "detail-type": detailType,
            source,
            account: this.ctx.accountId,
            time: isoSeconds(this.ctx.lambda.invocationNow()),
            region: this.ctx.region,
            resources,
            detail,
        });
    }

    // ---- operations --------------------------------------------------------------------

    private putRule(reader: InputReader): unknown {
        const name = reader.string("Name");
        if (!RULE_NAME.test(name)) {
            throw new AwsError(
                "ValidationException",
                `Rule name must be 1–64 characters of letters, digits, '.', '-' or '_', got "${name}"`,
            );
        }
        if (reader.has("EventBusName") && reader.optionalString("EventBusName") !== "default") {
            throw new AwsError(
                "ResourceNotFoundException",
                "Only the default event bus exists in the simulated region.",
            );
        }
        const patternText = reader.optionalString("EventPattern");
        const scheduleExpression = reader.optionalString("ScheduleExpression");
        if (patternText === undefined && scheduleExpression === undefined) {
            throw new AwsError(
                "ValidationException",
                "Parameter(s) EventPattern or ScheduleExpression must be specified.",
            );
        }
        let pattern: EventPattern | undefined;
        if (patternText !== undefined) {
            try {
                pattern = parseEventPattern(patternText);
            } catch (error) {
                throw new AwsError(
                    "InvalidEventPatternException",
                    `Event pattern is not valid. Reason: ${(error as Error).message}`,
                );
            }
        }
        let schedule: Schedule | undefined;
        if (scheduleExpression !== undefined) {
            try {
                schedule = parseScheduleExpression(scheduleExpression);
            } catch (error) {
                throw new AwsError(
                    "ValidationException",
                    `Parameter ScheduleExpression is not valid: ${(error as Error).message}`,
                );
            }
        }
        const state = reader.optionalString("State") ?? "ENABLED";
        if (state !== "ENABLED" && state !== "DISABLED") {
            throw new AwsError("ValidationException", `State must be ENABLED or DISABLED, got "${state}"`);
        }
        const rule: Rule = this.rules.get(name) ?? {
            name,
            arn: `arn:aws:events:${this.ctx.region}:${this.ctx.accountId}:rule/${name}`,
            pattern: undefined,
            patternText: undefined,
            scheduleExpression: undefined,
            schedule: undefined,
            state: "ENABLED",
            description: undefined,
            targets: new Map(),
            timer: undefined,
        };
        Object.assign(rule, {
            pattern,
            patternText,
            scheduleExpression,
            schedule,
            state,
            description: reader.optionalString("Description"),
        });
        this.rules.set(name, rule);
        this.arm(rule, this.ctx.lambda.invocationNow());
        return { RuleArn: rule.arn };
    }

    private deleteRule(reader: InputReader): void {
        const rule = this.rules.get(reader.string("Name"));
        if (!rule) return;
        if (rule.targets.size > 0)
            throw new AwsError("ValidationException", "Rule can't be deleted since it has targets.");
        this.ctx.clock.cancel(rule.timer);
        this.rules.delete(rule.name);
    }

    private putTargets(reader: InputReader): unknown {
        const rule = this.ruleByName(reader.string("Rule"));
        const targets = reader.optionalRecords("Targets") ?? [];
        if (targets.length === 0)
            throw new AwsError("ValidationException", "Targets must contain at least one target.");
        const added = targets.map((target) => {
            const arn = target.string("Arn");
            if (!/^arn:aws:(lambda|sns|sqs):/.test(arn)) {
                throw new AwsError(
                    "ValidationException",
                    `Target Arn must be a Lambda function, SNS topic or SQS queue in the simulated region, got "${arn}"`,
                );
            }
            const input = target.optionalString("Input");
            if (input !== undefined) {
                try {
                    JSON.parse(input);
                } catch {
                    throw new AwsError(
                        "ValidationException",
                        `Target ${target.string("Id")}: Input must be valid JSON text`,
                    );
                }
            }
            const inputPath = target.optionalString("InputPath");
            if (inputPath !== undefined && !/^\$(\.[^.]+)*$/.test(inputPath)) {
                throw new AwsError(
                    "ValidationException",
                    `InputPath must be "$" or a dotted JSONPath like "$.detail", got "${inputPath}"`,
                );
            }
            if (input !== undefined && inputPath !== undefined) {
                throw new AwsError(
                    "ValidationException",
                    "Only one of Input and InputPath can be set on a target.",
                );
            }
            return {
                Id: target.string("Id"),
                Arn: arn,
                ...(input !== undefined ? { Input: input } : {}),
                ...(inputPath !== undefined ? { InputPath: inputPath } : {}),
            };
        });
        const ids = new Set([...rule.targets.keys(), ...added.map((t) => t.Id)]);
        if (ids.size > MAX_TARGETS_PER_RULE) {
            throw new AwsError(
                "LimitExceededException",
                `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).`,
            );
        }
        for (const target of added) rule.targets.set(target.Id, target);
        return { FailedEntryCount: 0, FailedEntries: [] };
    }

    private removeTargets(reader: InputReader): unknown {
        const rule = this.ruleByName(reader.string("Rule"));
        const ids = reader.optionalStringList("Ids") ?? [];
        const failed = ids.filter((id) => !rule.targets.delete(id));
        return {
            FailedEntryCount: failed.length,
            FailedEntries: failed.map((TargetId) => ({
                TargetId,
                ErrorCode: "ResourceNotFoundException",
                ErrorMessage: "Target not found.",
            })),
        };
    }

    private putEvents(reader: InputReader): unknown {
        const entries = reader.optionalRecords("Entries") ?? [];
        if (entries.length === 0 || entries.length > MAX_PUT_EVENTS_ENTRIES) {
            throw new AwsError(
                "ValidationException",
                `Entries must hold 1 to ${MAX_PUT_EVENTS_ENTRIES} events, got ${entries.length}.`,
            );
        }
        const results = entries.map((entry) => {
            const source = entry.optionalString("Source");
            const detailType = entry.optionalString("DetailType");
            const detailText = entry.optionalString("Detail");
            if (!source || !detailType || detailText === undefined) {
                return {
                    ErrorCode: "InvalidArgument",
                    ErrorMessage: "Parameters Source, DetailType and Detail are required.",
                };
            }
            let detail: unknown;
            try {
                detail = JSON.parse(detailText);
            } catch {
                return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
            }
            if (typeof detail !== "object" || detail === null || Array.isArray(detail)) {
                return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail must be a JSON object." };
            }
            const event: AwsEvent = {
                version: "0",
                id: uuid(this.ctx.random),
                "detail-type": detailType,
                source,
                account: this.ctx.accountId,
                time: isoSeconds(entry.optionalTimestamp("Time") ?? this.ctx.lambda.invocationNow()),
                region: this.ctx.region,
                resources: entry.optionalStringList("Resources") ?? [],
                detail: detail as Record<string, unknown>,
            };
            this.route(event);
            return { EventId: event.id };
        });
        return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results };
    }

    private describe(rule: Rule): Record<string, unknown> {
        return {
            Name: rule.name,
            Arn: rule.arn,
            ...(rule.patternText !== undefined ? { EventPattern: rule.patternText } : {}),
            ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
            State: rule.state,
            ...(rule.description !== undefined ? { Description: rule.description } : {}),
            EventBusName: "default",
        };
    }

    // ---- routing -----------------------------------------------------------------------

    private route(event: AwsEvent): void {
        for (const rule of this.rules.values()) {
            if (rule.state === "ENABLED" && rule.pattern && matchesPattern(rule.pattern, event))
                this.deliver(rule, event);
        }
    }

    /** (Re)starts a rule's schedule, counting from `fromMs`. */
    private arm(rule: Rule, fromMs: number): void {
        this.ctx.clock.cancel(rule.timer);
        rule.timer = undefined;
        if (!rule.schedule || rule.state !== "ENABLED") return;
        const at = rule.schedule.next(fromMs);
        rule.timer = this.ctx.clock.at(at, `events.schedule ${rule.name}`, () => {
            this.deliver(rule, {
                version: "0",
                id: uuid(this.ctx.random),
                "detail-type": "Scheduled Event",
                source: "aws.events",
                account: this.ctx.accountId,
                time: isoSeconds(at),
                region: this.ctx.region,
                resources: [rule.arn],
                detail: {},
            });
            this.arm(rule, at);
        });
    }

    private deliver(rule: Rule, event: AwsEvent): void {
        for (const target of rule.targets.values()) {
            const delivery = { via: "events", rule: rule.name, target: target.Arn };
            if (this.ctx.faultFires("dropRate", delivery)) {
                this.ctx.record("events.dropped", { rule: rule.name, target: target.Arn, eventId: event.id });
                continue;
            }
            const copies = this.ctx.faultFires("duplicateRate", delivery) ? 2 : 1;
            for (let copy = 0; copy < copies; copy++) {
                this.ctx.clock.at(
                    this.ctx.lambda.invocationNow() + EVENTS_DELIVERY_DELAY_MS,
                    `events.deliver ${rule.name} → ${target.Id}`,
                    () => this.deliverTo(rule, target, event),
                );
            }
        }
    }

    private deliverTo(rule: Rule, target: Target, event: AwsEvent): void {
        const payload =
            target.Input !== undefined
                ? JSON.parse(target.Input)
                : selectPath(event, target.InputPath ?? "$");
        const text = target.Input ?? JSON.stringify(payload);
        try {
            if (target.Arn.startsWith("arn:aws:lambda:"))
                this.ctx.lambda.invokeAsync(target.Arn, payload, rule.arn);
            else if (target.Arn.startsWith("arn:aws:sns:")) this.ctx.sns.publishInternal(target.Arn, text);
            else this.ctx.sqs.sendInternal(target.Arn, text);
        } catch (error) {
            if (!(error instanceof AwsError)) throw error;
            this.ctx.record("events.delivery-failed", {
                rule: rule.name,
                target: target.Arn,
                eventId: event.id,
                error: error.code,
            });
        }
    }

    private ruleByName(name: string): Rule {
        const rule = this.rules.get(name);
        if (!rule)
            throw new AwsError(
                "ResourceNotFoundException",
                `Rule ${name} does not exist on EventBus default.`,
            );
        return rule;
    }
}

/** InputPath: "$" or a dotted JSONPath such as "$.detail.instance-id". */
function selectPath(event: AwsEvent, path: string): unknown {
    if (path === "$") return event;
    let value: unknown = event;
    for (const key of path.slice(2).split(".")) {
        value =
            typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    }
    return value;
}
