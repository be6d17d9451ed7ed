/**
 * CloudWatch embedded metric format: a JSON log line whose `_aws.CloudWatchMetrics` directives
 * name a Namespace, dimension sets (lists of root member names) and metrics (root members holding
 * a number or a list of numbers). CloudWatch extracts one datapoint per value, per dimension set.
 */
export interface Dimension {
    readonly Name: string;
    readonly Value: string;
}

export interface EmfMetricValue {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: readonly Dimension[];
    readonly values: readonly number[];
    readonly unit: string | undefined;
}

export type EmfParseResult =
    | { readonly kind: "not-emf" }
    | { readonly kind: "invalid"; readonly reason: string }
    | { readonly kind: "metrics"; readonly metrics: readonly EmfMetricValue[] };

const MAX_VALUES = 100;
const MAX_DIMENSIONS = 30;

export function parseEmfLine(line: string): EmfParseResult {
    const text = line.trim();
    if (!text.startsWith("{")) return { kind: "not-emf" };
    let root: Record<string, unknown>;
    try {
        root = JSON.parse(text);
    } catch {
        return { kind: "not-emf" };
    }
    const aws = root._aws as Record<string, unknown> | undefined;
    if (typeof aws !== "object" || aws === null) return { kind: "not-emf" };
    if (typeof aws.Timestamp !== "number")
        return { kind: "invalid", reason: "_aws.Timestamp must be a number (epoch ms)" };
    if (!Array.isArray(aws.CloudWatchMetrics))
        return { kind: "invalid", reason: "_aws.CloudWatchMetrics must be an array" };
    const metrics: EmfMetricValue[] = [];
    for (const [i, directive] of (aws.CloudWatchMetrics as Record<string, unknown>[]).entries()) {
        const where = `_aws.CloudWatchMetrics[${i}]`;
        const namespace = directive?.Namespace;
        if (typeof namespace !== "string" || namespace === "")
            return { kind: "invalid", reason: `${where}.Namespace must be a non-empty string` };
        const dimensionSets = directive.Dimensions;
        if (!Array.isArray(dimensionSets) || dimensionSets.some((set) => !Array.isArray(set))) {
            return {
                kind: "invalid",
                reason: `${where}.Dimensions must be an array of arrays of member names`,
            };
        }
        const resolvedSets: Dimension[][] = [];
        for (const set of dimensionSets as unknown[][]) {
            if (set.length > MAX_DIMENSIONS)
                return {
                    kind: "invalid",
                    reason: `${where}.Dimensions: at most ${MAX_DIMENSIONS} dimensions per set`,
                };
            const dimensions: Dimension[] = [];
            for (const name of set) {
                const value = typeof name === "string" ? root[name] : undefined;
                if (typeof value !== "string") {
                    return {
                        kind: "invalid",
                        reason: `${where}.Dimensions: ${JSON.stringify(name)} must name a root member holding a string`,
                    };
                }
                dimensions.push({ Name: name as string, Value: value });
            }
            resolvedSets.push(dimensions);
        }
        const definitions = directive.Metrics;
        if (!Array.isArray(definitions))
            return { kind: "invalid", reason: `${where}.Metrics must be an array` };
        for (const definition of definitions as Record<string, unknown>[]) {
            const name = definition?.Name;
            if (typeof name !== "string")
                return { kind: "invalid", reason: `${where}.Metrics: each metric needs a Name` };
            const raw = root[name];
            const values = Array.isArray(raw) ? raw : [raw];
            if (
                values.length === 0 ||
                values.length > MAX_VALUES ||
                values.some((v) => typeof v !== "number" || !Number.isFinite(v))
            ) {
                return {
                    kind: "invalid",
                    reason: `metric ${name} must be a number or a list of 1–${MAX_VALUES} numbers at the root`,
                };
            }
            const unit = typeof definition.Unit === "string" ? definition.Unit : undefined;
            for (const dimensions of resolvedSets) {
                metrics.push({ namespace, metricName: name, dimensions, values: values as number[], unit });
            }
        }
    }
    return { kind: "metrics", metrics };
}
