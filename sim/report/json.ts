/**
 * The `--json` report: one object, `{"stack", "scenarios": [...]}`, each scenario with the
 * issue's keys (name, seed, instances, simulatedSeconds, wallMs, invariants, drains, lambda,
 * ecsApiCalls, passed) and the checks, timeline and chart series behind them.
 */
import type { ScenarioResult } from "../scenarios/result";

export interface JsonReport {
    readonly stack: string;
    readonly passed: boolean;
    readonly scenarios: readonly ScenarioResult[];
}

export function jsonReport(stack: string, results: readonly ScenarioResult[]): JsonReport {
    return { stack, passed: results.every((r) => r.passed), scenarios: results };
}

export function renderJson(stack: string, results: readonly ScenarioResult[]): string {
    return JSON.stringify(jsonReport(stack, results));
}
