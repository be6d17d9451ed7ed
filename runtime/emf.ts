/**
 * CloudWatch Embedded Metric Format: a Lambda publishes metrics by writing one JSON log line, so
 * it needs no PutMetricData permission or call, and the metric and its log line cannot disagree.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

export type EmfUnit = "Count" | "Milliseconds" | "Seconds" | "Percent" | "None";

export interface EmfMetric {
    readonly value: number;
    readonly unit: EmfUnit;
}

export interface EmfRecord {
    readonly namespace: string;
    /** Epoch milliseconds the values refer to. */
    readonly timestamp: number;
    /** Dimension name → value; all of them form the one dimension set of every metric. */
    readonly dimensions: Readonly<Record<string, string>>;
    /** Metric name → value and unit. */
    readonly metrics: Readonly<Record<string, EmfMetric>>;
}

/** The EMF specification's limits: at most 30 dimensions and 100 metrics per line. */
const MAX_DIMENSIONS = 30;
const MAX_METRICS = 100;

/** One EMF log line (no trailing newline). Throws on a record CloudWatch would reject or misread. */
export function emfLine(record: EmfRecord): string {
    if (
        typeof record.namespace !== "string" ||
        record.namespace.length === 0 ||
        record.namespace.length > 255
    ) {
        throw new Error(`namespace: expected 1-255 characters, got ${JSON.stringify(record.namespace)}`);
    }
    if (!Number.isInteger(record.timestamp) || record.timestamp < 0) {
        throw new Error(`timestamp: expected epoch milliseconds, got ${record.timestamp}`);
    }
    const dimensionNames = Object.keys(record.dimensions);
    const metricNames = Object.keys(record.metrics);
    if (dimensionNames.length > MAX_DIMENSIONS) {
        throw new Error(`dimensions: expected at most ${MAX_DIMENSIONS}, got ${dimensionNames.length}`);
    }
    if (metricNames.length === 0 || metricNames.length > MAX_METRICS) {
        throw new Error(`metrics: expected 1-${MAX_METRICS} metrics, got ${metricNames.length}`);
    }
    for (const name of dimensionNames) {
        if (typeof record.dimensions[name] !== "string" || record.dimensions[name].length === 0) {
            throw new Error(`dimensions.${name}: expected a non-empty string`);
        }
    }
    for (const name of metricNames) {
        if (dimensionNames.includes(name)) {
            throw new Error(`metrics.${name}: a metric cannot share its name with a dimension`);
        }
        if (!Number.isFinite(record.metrics[name].value)) {
            throw new Error(
                `metrics.${name}.value: expected a finite number, got ${record.metrics[name].value}`,
            );
        }
    }
    const document: Record<string, unknown> = {
        _aws: {
            Timestamp: record.timestamp,
            CloudWatchMetrics: [
                {
                    Namespace: record.namespace,
                    Dimensions: [dimensionNames],
                    Metrics: metricNames.map((name) => ({ Name: name, Unit: record.metrics[name].unit })),
                },
            ],
        },
    };
    for (const name of dimensionNames) document[name] = record.dimensions[name];
    for (const name of metricNames) document[name] = record.metrics[name].value;
    return JSON.stringify(document);
}
