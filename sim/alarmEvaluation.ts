/**
 * One CloudWatch metric-alarm evaluation ("M out of N"): given the statistic of each of the last
 * N periods (missing where no data arrived), decide the state. Missing periods count as
 * breaching or not breaching under those TreatMissingData settings and are left out under
 * `missing` and `ignore`; when nothing is left, `missing` means INSUFFICIENT_DATA and `ignore`
 * keeps the current state. Otherwise ALARM when at least M periods breach, else OK.
 */
export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";
export type TreatMissingData = "missing" | "notBreaching" | "breaching" | "ignore";
export type ComparisonOperator =
    | "GreaterThanOrEqualToThreshold"
    | "GreaterThanThreshold"
    | "LessThanThreshold"
    | "LessThanOrEqualToThreshold";

export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = [
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
];
export const TREAT_MISSING_DATA: readonly TreatMissingData[] = [
    "missing",
    "notBreaching",
    "breaching",
    "ignore",
];

export interface AlarmRule {
    readonly threshold: number;
    readonly comparison: ComparisonOperator;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly treatMissingData: TreatMissingData;
}

export interface AlarmEvaluation {
    readonly state: AlarmState;
    readonly reason: string;
}

const WORDS: Record<ComparisonOperator, string> = {
    GreaterThanOrEqualToThreshold: "greater than or equal to",
    GreaterThanThreshold: "greater than",
    LessThanThreshold: "less than",
    LessThanOrEqualToThreshold: "less than or equal to",
};

export function breaches(comparison: ComparisonOperator, value: number, threshold: number): boolean {
    switch (comparison) {
        case "GreaterThanOrEqualToThreshold":
            return value >= threshold;
        case "GreaterThanThreshold":
            return value > threshold;
        case "LessThanThreshold":
            return value < threshold;
        case "LessThanOrEqualToThreshold":
            return value <= threshold;
    }
}

/** `periods` holds the last N periods' statistic, newest first; undefined where data is missing. */
export function evaluateAlarm(
    rule: AlarmRule,
    periods: readonly (number | undefined)[],
    current: AlarmState,
): AlarmEvaluation {
    const verdicts = periods.map((value) => {
        if (value !== undefined) return breaches(rule.comparison, value, rule.threshold);
        if (rule.treatMissingData === "breaching") return true;
        if (rule.treatMissingData === "notBreaching") return false;
        return undefined;
    });
    const counted = verdicts.filter((v) => v !== undefined);
    if (counted.length === 0) {
        const reason = `Insufficient Data: ${periods.length} datapoints were unknown.`;
        return rule.treatMissingData === "ignore"
            ? { state: current, reason }
            : { state: "INSUFFICIENT_DATA", reason };
    }
    const breaching = counted.filter(Boolean).length;
    const state: AlarmState = breaching >= rule.datapointsToAlarm ? "ALARM" : "OK";
    const shown = periods.map((v) => (v === undefined ? "missing" : String(v))).join(", ");
    return {
        state,
        reason: `Threshold Crossed: ${breaching} out of the last ${periods.length} datapoints [${shown}] were ${WORDS[rule.comparison]} the threshold (${rule.threshold}) (minimum ${rule.datapointsToAlarm} datapoints for ALARM).`,
    };
}
