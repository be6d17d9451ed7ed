/**
 * Amazon CloudWatch in the simulated region: Lambda log groups, metrics from EMF log lines and
 * PutMetricData, statistics over periods (GetMetricData, GetMetricStatistics, ListMetrics), and
 * metric alarms evaluated every minute of virtual time. Alarm actions: Auto Scaling policies run
 * on entering ALARM and again every minute while it lasts (as AWS does for Auto Scaling
 * actions); SNS topics are notified on each state change.
 */
import {
    COMPARISON_OPERATORS,
    TREAT_MISSING_DATA,
    evaluateAlarm,
    type AlarmState,
    type ComparisonOperator,
    type TreatMissingData,
} from "./alarmEvaluation";
import { type TimerId } from "./clock";
import { parseEmfLine, type Dimension } from "./emf";
import { paginate } from "./ecs/input";
import { AwsError } from "./errors";
import { InputReader, unknownOperation } from "./inputFields";
import type { CloudWatchInternal, RegionContext, ServiceModel } from "./types";

const CODES = { missing: "MissingParameter", invalid: "InvalidParameterValue" };
const MINUTE_MS = 60_000;
const STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;
type Statistic = (typeof STATISTICS)[number];
const LIST_METRICS_PAGE = 500;

/** One datapoint, kept as an aggregate so PutMetricData's StatisticValues and Counts fit too. */
interface Datum {
    readonly at: number;
    readonly sampleCount: number;
    readonly sum: number;
    readonly minimum: number;
    readonly maximum: number;
}

interface Metric {
    readonly namespace: string;
    readonly metricName: string;
    /** Sorted by name: CloudWatch identifies a metric by its exact dimension set. */
    readonly dimensions: readonly Dimension[];
    readonly data: Datum[];
}

interface Alarm {
    readonly name: string;
    readonly arn: string;
    description: string | undefined;
    namespace: string;
    metricName: string;
    dimensions: readonly Dimension[];
    statistic: Statistic;
    periodSeconds: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    threshold: number;
    comparison: ComparisonOperator;
    treatMissingData: TreatMissingData;
    actionsEnabled: boolean;
    alarmActions: string[];
    okActions: string[];
    insufficientDataActions: string[];
    state: AlarmState;
    stateReason: string;
    stateUpdatedAt: number;
    configuredAt: number;
}

export interface LogEvent {
    readonly at: number;
    readonly message: string;
}

export class CloudWatchModel implements ServiceModel, CloudWatchInternal {
    readonly service = "monitoring" as const;
    readonly operations = [
        "PutMetricData",
        "GetMetricData",
        "GetMetricStatistics",
        "ListMetrics",
        "PutMetricAlarm",
        "DescribeAlarms",
        "DeleteAlarms",
    ] as const;

    private readonly metrics = new Map<string, Metric>();
    private readonly alarms = new Map<string, Alarm>();
    private readonly logs = new Map<string, LogEvent[]>();
    private tick: TimerId | undefined;

    constructor(private readonly ctx: RegionContext) {}

    call(operation: string, input: Record<string, unknown>): unknown {
        const reader = new InputReader(input, CODES);
        switch (operation) {
            case "PutMetricData":
                this.putMetricData(reader);
                return {};
            case "GetMetricData":
                return this.getMetricData(reader);
            case "GetMetricStatistics":
                return this.getMetricStatistics(reader);
            case "ListMetrics":
                return this.listMetrics(reader);
            case "PutMetricAlarm":
                this.putMetricAlarm(reader);
                return {};
            case "DescribeAlarms":
                return this.describeAlarms(reader);
            case "DeleteAlarms":
                return this.deleteAlarms(reader);
            default:
                throw unknownOperation("InvalidAction", "monitoring", operation);
        }
    }

    logLine(logGroupName: string, line: string): void {
        const at = this.ctx.lambda.invocationNow();
        let events = this.logs.get(logGroupName);
        if (!events) this.logs.set(logGroupName, (events = []));
        events.push({ at, message: line });
        const parsed = parseEmfLine(line);
        if (parsed.kind === "invalid") {
            this.ctx.record("cloudwatch.emf-rejected", { logGroup: logGroupName, reason: parsed.reason });
            return;
        }
        if (parsed.kind !== "metrics") return;
        // Stamped with the virtual time the line was written: a handler's own `_aws.Timestamp`
        // comes from the wall clock, which is not the region's time.
        for (const metric of parsed.metrics) {
            const data = this.metricFor(metric.namespace, metric.metricName, metric.dimensions).data;
            for (const value of metric.values)
                data.push({ at, sampleCount: 1, sum: value, minimum: value, maximum: value });
        }
    }

    publishServiceMetric(
        namespace: string,
        metricName: string,
        dimensions: readonly Dimension[],
        value: number,
    ): void {
        const at = this.ctx.clock.now();
        this.metricFor(namespace, metricName, dimensions).data.push({
            at,
            sampleCount: 1,
            sum: value,
            minimum: value,
            maximum: value,
        });
    }

    putServiceAlarm(input: Record<string, unknown>): string {
        this.putMetricAlarm(new InputReader(input, CODES));
        return this.alarms.get(String(input.AlarmName))!.arn;
    }

    deleteServiceAlarms(alarmNames: readonly string[]): void {
        for (const name of alarmNames) this.alarms.delete(name);
    }

    /** A log group's events, oldest first. */
    logEvents(logGroupName: string): readonly LogEvent[] {
        return this.logs.get(logGroupName) ?? [];
    }

    /** Raw datapoints of one metric (exact dimension set), oldest first, for reports and charts. */
    series(
        namespace: string,
        metricName: string,
        dimensions: readonly Dimension[],
    ): { at: number; value: number }[] {
        const metric = this.metrics.get(metricKey(namespace, metricName, dimensions));
        return (metric?.data ?? [])
            .map((d) => ({ at: d.at, value: d.sum / d.sampleCount }))
            .sort((a, b) => a.at - b.at);
    }

    // ---- metrics -----------------------------------------------------------------------

    private putMetricData(reader: InputReader): void {
        const namespace = reader.string("Namespace");
        if (namespace.startsWith("AWS/")) {
            throw new AwsError(
                "InvalidParameterValue",
                `The value AWS/ for parameter Namespace is invalid: AWS/ namespaces are reserved.`,
            );
        }
        const data = reader.optionalRecords("MetricData") ?? [];
        if (data.length === 0 || data.length > 1000) {
            throw new AwsError(
                "InvalidParameterValue",
                `MetricData must hold 1 to 1000 items, got ${data.length}.`,
            );
        }
        const now = this.ctx.lambda.invocationNow();
        checkTimestamps(data, now);
        for (const datum of data) {
            const at = datum.optionalTimestamp("Timestamp") ?? now;
            const metric = this.metricFor(namespace, datum.string("MetricName"), readDimensions(datum));
            const statistics = datum.optionalRecord("StatisticValues");
            const values = datum.optionalList("Values");
            if (statistics) {
                metric.data.push({
                    at,
                    sampleCount: statistics.number("SampleCount"),
                    sum: statistics.number("Sum"),
                    minimum: statistics.number("Minimum"),
                    maximum: statistics.number("Maximum"),
                });
            } else if (values) {
                const counts = datum.optionalList("Counts") ?? values.map(() => 1);
                if (counts.length !== values.length) {
                    throw new AwsError(
                        "InvalidParameterValue",
                        "The parameters MetricData.member.N.Values and Counts must have the same length.",
                    );
                }
                values.forEach((value, i) => {
                    const v = Number(value);
                    const count = Number(counts[i]);
                    metric.data.push({ at, sampleCount: count, sum: v * count, minimum: v, maximum: v });
                });
            } else {
                const value = datum.number("Value");
                metric.data.push({ at, sampleCount: 1, sum: value, minimum: value, maximum: value });
            }
        }
    }

    private getMetricData(reader: InputReader): unknown {
        // Every answer fits one page here (MaxDatapoints is not reached), so no token was issued.
        if (reader.has("NextToken")) invalidNextToken();
        const start = requiredTimestamp(reader, "StartTime");
        const end = requiredTimestamp(reader, "EndTime");
        const ascending = reader.optionalString("ScanBy") === "TimestampAscending";
        const queries = reader.optionalRecords("MetricDataQueries") ?? [];
        if (queries.length === 0)
            throw new AwsError("MissingParameter", "The parameter MetricDataQueries is required.");
        const results = queries
            .filter((query) => query.optionalBoolean("ReturnData") !== false)
            .map((query) => {
                const id = query.string("Id");
                const stat = query.optionalRecord("MetricStat");
                if (!stat) {
                    throw new AwsError(
                        "ValidationError",
                        `Query ${id}: only MetricStat queries are supported in the simulated region (no Expression).`,
                    );
                }
                const metricInput = stat.optionalRecord("Metric");
                if (!metricInput)
                    throw new AwsError("MissingParameter", `Query ${id}: MetricStat.Metric is required.`);
                const statistic = readStatistic(stat, "Stat");
                const period = readPeriod(stat);
                const points = this.aggregate(
                    metricInput.string("Namespace"),
                    metricInput.string("MetricName"),
                    readDimensions(metricInput),
                    start,
                    end,
                    period,
                ).map(([at, datum]) => [at, statisticOf(datum, statistic)] as const);
                if (!ascending) points.reverse();
                return {
                    Id: id,
                    Label: query.optionalString("Label") ?? metricInput.string("MetricName"),
                    Timestamps: points.map(([at]) => new Date(at)),
                    Values: points.map(([, value]) => value),
                    StatusCode: "Complete",
                };
            });
        return { MetricDataResults: results, Messages: [] };
    }

    private getMetricStatistics(reader: InputReader): unknown {
        const statistics = reader.optionalStringList("Statistics") ?? [];
        if (statistics.length === 0)
            throw new AwsError("MissingParameter", "The parameter Statistics is required.");
        for (const s of statistics) {
            if (!(STATISTICS as readonly string[]).includes(s))
                throw reader.invalid("Statistics", STATISTICS.join(", "), s);
        }
        const metricName = reader.string("MetricName");
        const points = this.aggregate(
            reader.string("Namespace"),
            metricName,
            readDimensions(reader),
            requiredTimestamp(reader, "StartTime"),
            requiredTimestamp(reader, "EndTime"),
            readPeriod(reader),
        );
        return {
            Label: metricName,
            Datapoints: points.map(([at, datum]) => ({
                Timestamp: new Date(at),
                ...Object.fromEntries(statistics.map((s) => [s, statisticOf(datum, s as Statistic)])),
                Unit: "None",
            })),
        };
    }

    private listMetrics(reader: InputReader): unknown {
        const namespace = reader.optionalString("Namespace");
        const metricName = reader.optionalString("MetricName");
        const filters = (reader.optionalRecords("Dimensions") ?? []).map((d) => ({
            name: d.string("Name"),
            value: d.optionalString("Value"),
        }));
        const matching = [...this.metrics.values()].filter(
            (m) =>
                (namespace === undefined || m.namespace === namespace) &&
                (metricName === undefined || m.metricName === metricName) &&
                filters.every((f) =>
                    m.dimensions.some(
                        (d) => d.Name === f.name && (f.value === undefined || d.Value === f.value),
                    ),
                ),
        );
        const { page, nextToken } = paginate(
            matching,
            reader.optionalString("NextToken"),
            LIST_METRICS_PAGE,
            () => {
                // ListMetrics declares no InvalidNextToken, only InvalidParameterValue.
                throw new AwsError("InvalidParameterValue", "The parameter NextToken is invalid.");
            },
        );
        return {
            Metrics: page.map((m) => ({
                Namespace: m.namespace,
                MetricName: m.metricName,
                Dimensions: m.dimensions,
            })),
            ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
        };
    }

    /** Period buckets aligned to multiples of the period, within [start, end), oldest first. */
    private aggregate(
        namespace: string,
        metricName: string,
        dimensions: readonly Dimension[],
        start: number,
        end: number,
        periodSeconds: number,
    ): [number, Datum][] {
        const metric = this.metrics.get(metricKey(namespace, metricName, dimensions));
        const periodMs = periodSeconds * 1000;
        const buckets = new Map<number, Datum>();
        for (const datum of metric?.data ?? []) {
            if (datum.at < start || datum.at >= end) continue;
            const bucket = Math.floor(datum.at / periodMs) * periodMs;
            const held = buckets.get(bucket);
            buckets.set(bucket, held ? combine(held, datum) : { ...datum, at: bucket });
        }
        return [...buckets.entries()].sort(([a], [b]) => a - b);
    }

    private metricFor(namespace: string, metricName: string, dimensions: readonly Dimension[]): Metric {
        const key = metricKey(namespace, metricName, dimensions);
        let metric = this.metrics.get(key);
        if (!metric) {
            metric = { namespace, metricName, dimensions: sortDimensions(dimensions), data: [] };
            this.metrics.set(key, metric);
        }
        return metric;
    }

    // ---- alarms ------------------------------------------------------------------------

    private putMetricAlarm(reader: InputReader): void {
        const name = reader.string("AlarmName");
        if (reader.has("ExtendedStatistic") || reader.has("Metrics")) {
            throw new AwsError(
                "ValidationError",
                `Alarm ${name}: only Statistic alarms on one metric are supported in the simulated region.`,
            );
        }
        const comparison = reader.string("ComparisonOperator");
        if (!(COMPARISON_OPERATORS as readonly string[]).includes(comparison)) {
            throw reader.invalid("ComparisonOperator", COMPARISON_OPERATORS.join(", "));
        }
        const treatMissingData = reader.optionalString("TreatMissingData") ?? "missing";
        if (!(TREAT_MISSING_DATA as readonly string[]).includes(treatMissingData)) {
            throw reader.invalid("TreatMissingData", TREAT_MISSING_DATA.join(", "));
        }
        const evaluationPeriods = reader.optionalInteger("EvaluationPeriods", 1, 1440);
        if (evaluationPeriods === undefined) reader.number("EvaluationPeriods");
        const datapointsToAlarm =
            reader.optionalInteger("DatapointsToAlarm", 1, evaluationPeriods!) ?? evaluationPeriods!;
        const now = this.ctx.lambda.invocationNow();
        const existing = this.alarms.get(name);
        const alarm: Alarm = {
            name,
            arn: `arn:aws:cloudwatch:${this.ctx.region}:${this.ctx.accountId}:alarm:${name}`,
            description: reader.optionalString("AlarmDescription"),
            namespace: reader.string("Namespace"),
            metricName: reader.string("MetricName"),
            dimensions: sortDimensions(readDimensions(reader)),
            statistic: readStatistic(reader, "Statistic"),
            periodSeconds: readPeriod(reader),
            evaluationPeriods: evaluationPeriods!,
            datapointsToAlarm,
            threshold: reader.number("Threshold"),
            comparison: comparison as ComparisonOperator,
            treatMissingData: treatMissingData as TreatMissingData,
            actionsEnabled: reader.optionalBoolean("ActionsEnabled") ?? true,
            alarmActions: reader.optionalStringList("AlarmActions") ?? [],
            okActions: reader.optionalStringList("OKActions") ?? [],
            insufficientDataActions: reader.optionalStringList("InsufficientDataActions") ?? [],
            // Updating an alarm keeps its state; only the configuration is replaced.
            state: existing?.state ?? "INSUFFICIENT_DATA",
            stateReason: existing?.stateReason ?? "Unchecked: Initial alarm creation",
            stateUpdatedAt: existing?.stateUpdatedAt ?? now,
            configuredAt: now,
        };
        for (const action of [...alarm.alarmActions, ...alarm.okActions, ...alarm.insufficientDataActions]) {
            if (!/^arn:aws:(autoscaling|sns):/.test(action)) {
                throw new AwsError(
                    "ValidationError",
                    `Invalid action ${action}: the simulated region supports Auto Scaling policy and SNS topic actions.`,
                );
            }
        }
        this.alarms.set(name, alarm);
        this.ensureTicking();
    }

    private describeAlarms(reader: InputReader): unknown {
        const names = reader.optionalStringList("AlarmNames");
        const prefix = reader.optionalString("AlarmNamePrefix");
        const state = reader.optionalString("StateValue");
        const alarms = [...this.alarms.values()]
            .filter(
                (a) =>
                    (names === undefined || names.includes(a.name)) &&
                    (prefix === undefined || a.name.startsWith(prefix)) &&
                    (state === undefined || a.state === state),
            )
            .sort((a, b) => a.name.localeCompare(b.name));
        const { page, nextToken } = paginate(
            alarms,
            reader.optionalString("NextToken"),
            reader.optionalInteger("MaxRecords", 1, 100) ?? 50,
            invalidNextToken,
        );
        return {
            ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
            MetricAlarms: page.map((a) => ({
                AlarmName: a.name,
                AlarmArn: a.arn,
                ...(a.description !== undefined ? { AlarmDescription: a.description } : {}),
                AlarmConfigurationUpdatedTimestamp: new Date(a.configuredAt),
                ActionsEnabled: a.actionsEnabled,
                OKActions: a.okActions,
                AlarmActions: a.alarmActions,
                InsufficientDataActions: a.insufficientDataActions,
                StateValue: a.state,
                StateReason: a.stateReason,
                StateUpdatedTimestamp: new Date(a.stateUpdatedAt),
                StateTransitionedTimestamp: new Date(a.stateUpdatedAt),
                MetricName: a.metricName,
                Namespace: a.namespace,
                Statistic: a.statistic,
                Dimensions: a.dimensions,
                Period: a.periodSeconds,
                EvaluationPeriods: a.evaluationPeriods,
                DatapointsToAlarm: a.datapointsToAlarm,
                Threshold: a.threshold,
                ComparisonOperator: a.comparison,
                TreatMissingData: a.treatMissingData,
            })),
            CompositeAlarms: [],
        };
    }

    private deleteAlarms(reader: InputReader): unknown {
        const names = reader.optionalStringList("AlarmNames") ?? [];
        const missing = names.filter((name) => !this.alarms.has(name));
        if (missing.length > 0)
            throw new AwsError("ResourceNotFound", `Alarms not found: ${missing.join(", ")}`, 404);
        for (const name of names) this.alarms.delete(name);
        return {};
    }

    /** Alarms are evaluated together at each whole minute of virtual time while any exists. */
    private ensureTicking(): void {
        if (this.tick !== undefined) return;
        const next = Math.floor(this.ctx.clock.now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
        this.tick = this.ctx.clock.at(next, "cloudwatch.evaluate-alarms", () => {
            this.tick = undefined;
            for (const alarm of this.alarms.values()) this.evaluate(alarm, next);
            if (this.alarms.size > 0) this.ensureTicking();
        });
    }

    private evaluate(alarm: Alarm, now: number): void {
        const periodMs = alarm.periodSeconds * 1000;
        const lastEnd = Math.floor(now / periodMs) * periodMs;
        const start = lastEnd - alarm.evaluationPeriods * periodMs;
        const buckets = new Map(
            this.aggregate(
                alarm.namespace,
                alarm.metricName,
                alarm.dimensions,
                start,
                lastEnd,
                alarm.periodSeconds,
            ),
        );
        const periods: (number | undefined)[] = [];
        for (let i = 1; i <= alarm.evaluationPeriods; i++) {
            const datum = buckets.get(lastEnd - i * periodMs);
            periods.push(datum ? statisticOf(datum, alarm.statistic) : undefined);
        }
        const verdict = evaluateAlarm(alarm, periods, alarm.state);
        const previous = alarm.state;
        // Step policies pick their step from the metric value; when only missing data breached
        // (TreatMissingData "breaching") there is none, and the threshold selects the first step.
        const latestValue = periods.find((v) => v !== undefined) ?? alarm.threshold;
        if (verdict.state !== previous) {
            alarm.state = verdict.state;
            alarm.stateReason = verdict.reason;
            alarm.stateUpdatedAt = now;
            this.ctx.record("alarm.state", {
                alarm: alarm.name,
                from: previous,
                to: verdict.state,
                reason: verdict.reason,
            });
            this.runActions(alarm, previous, latestValue, true);
        } else if (verdict.state === "ALARM") {
            this.runActions(alarm, previous, latestValue, false);
        }
    }

    /** On a state change every action of the new state runs; while in ALARM only Auto Scaling ones re-run. */
    private runActions(alarm: Alarm, previous: AlarmState, value: number, changed: boolean): void {
        if (!alarm.actionsEnabled) return;
        const actions = {
            ALARM: alarm.alarmActions,
            OK: alarm.okActions,
            INSUFFICIENT_DATA: alarm.insufficientDataActions,
        }[alarm.state];
        for (const action of actions) {
            if (action.startsWith("arn:aws:autoscaling:")) {
                this.ctx.autoscaling.executePolicyByArn(action, value, alarm.threshold);
            } else if (changed) {
                this.notify(alarm, previous, action);
            }
        }
    }

    private notify(alarm: Alarm, previous: AlarmState, topicArn: string): void {
        const message = {
            AlarmName: alarm.name,
            AlarmDescription: alarm.description ?? null,
            AWSAccountId: this.ctx.accountId,
            NewStateValue: alarm.state,
            NewStateReason: alarm.stateReason,
            StateChangeTime: new Date(alarm.stateUpdatedAt).toISOString().replace("Z", "+0000"),
            Region: this.ctx.region,
            AlarmArn: alarm.arn,
            OldStateValue: previous,
            Trigger: {
                MetricName: alarm.metricName,
                Namespace: alarm.namespace,
                StatisticType: "Statistic",
                Statistic: alarm.statistic.toUpperCase(),
                Unit: null,
                Dimensions: alarm.dimensions.map((d) => ({ value: d.Value, name: d.Name })),
                Period: alarm.periodSeconds,
                EvaluationPeriods: alarm.evaluationPeriods,
                DatapointsToAlarm: alarm.datapointsToAlarm,
                ComparisonOperator: alarm.comparison,
                Threshold: alarm.threshold,
                TreatMissingData: alarm.treatMissingData,
            },
        };
        try {
            this.ctx.sns.publishInternal(
                topicArn,
                JSON.stringify(message),
                `${alarm.state}: "${alarm.name}" in ${this.ctx.region}`,
            );
        } catch (error) {
            if (!(error instanceof AwsError)) throw error;
            this.ctx.record("alarm.action-failed", {
                alarm: alarm.name,
                action: topicArn,
                error: error.code,
            });
        }
    }
}

function readDimensions(reader: InputReader): Dimension[] {
    return (reader.optionalRecords("Dimensions") ?? []).map((d) => ({
        Name: d.string("Name"),
        Value: d.string("Value"),
    }));
}

function readStatistic(reader: InputReader, field: string): Statistic {
    const value = reader.string(field);
    if (!(STATISTICS as readonly string[]).includes(value))
        throw reader.invalid(field, STATISTICS.join(", "));
    return value as Statistic;
}

/** Periods are 10, 30 or a multiple of 60 seconds. */
function readPeriod(reader: InputReader): number {
    const period = reader.number("Period");
    if (!Number.isInteger(period) || period < 1 || !(period === 10 || period === 30 || period % 60 === 0)) {
        throw reader.invalid("Period", "10, 30 or a multiple of 60 seconds");
    }
    return period;
}

/** CloudWatch's list operations declare InvalidNextToken ("The next token specified is invalid."). */
function invalidNextToken(): never {
    throw new AwsError("InvalidNextToken", "The next token specified is invalid.");
}

const TWO_WEEKS_MS = 14 * 24 * 3600 * 1000;
const TWO_HOURS_MS = 2 * 3600 * 1000;

/**
 * PutMetricData takes time stamps "up to two weeks in the past and up to two hours into the
 * future" (CloudWatch User Guide, "Metrics concepts", Time stamps); CloudWatch refuses the whole request
 * with InvalidParameterValue, one line per point outside ("The parameter
 * MetricData.member.1.Timestamp must specify a time within the past two weeks.", as SDK users
 * report it: python-diamond/Diamond#372; the future wording is inferred).
 */
function checkTimestamps(data: readonly InputReader[], now: number): void {
    const problems = data.flatMap((datum, i) => {
        const at = datum.optionalTimestamp("Timestamp");
        const field = `The parameter MetricData.member.${i + 1}.Timestamp`;
        if (at !== undefined && at < now - TWO_WEEKS_MS)
            return [`${field} must specify a time within the past two weeks.`];
        if (at !== undefined && at > now + TWO_HOURS_MS)
            return [`${field} must specify a time no more than two hours in the future.`];
        return [];
    });
    if (problems.length > 0) throw new AwsError("InvalidParameterValue", problems.join("\n"));
}

function requiredTimestamp(reader: InputReader, field: string): number {
    const value = reader.optionalTimestamp(field);
    if (value === undefined) throw new AwsError("MissingParameter", `The parameter ${field} is required.`);
    return value;
}

function sortDimensions(dimensions: readonly Dimension[]): Dimension[] {
    return [...dimensions].sort((a, b) => a.Name.localeCompare(b.Name));
}

function metricKey(namespace: string, metricName: string, dimensions: readonly Dimension[]): string {
    return JSON.stringify([namespace, metricName, sortDimensions(dimensions).map((d) => [d.Name, d.Value])]);
}

function combine(a: Datum, b: Datum): Datum {
    return {
        at: a.at,
        sampleCount: a.sampleCount + b.sampleCount,
        sum: a.sum + b.sum,
        minimum: Math.min(a.minimum, b.minimum),
        maximum: Math.max(a.maximum, b.maximum),
    };
}

function statisticOf(datum: Datum, statistic: Statistic): number {
    switch (statistic) {
        case "SampleCount":
            return datum.sampleCount;
        case "Sum":
            return datum.sum;
        case "Average":
            return datum.sum / datum.sampleCount;
        case "Minimum":
            return datum.minimum;
        case "Maximum":
            return datum.maximum;
    }
}
