/**
 * What TerminationPolicy declares, shared with the simulated region (sim/pipelines/termination.ts).
 */

/** Auto Scaling's hard limit on a termination policy Lambda's answer. */
export const AUTO_SCALING_LIMIT_MS = 2000;

/**
 * The function: more memory is more CPU, and a cold start loads the runtime, the module and the SDK
 * on it before the handler runs. At 1,769 MB the function has a whole vCPU (Lambda developer guide);
 * at 512 MB the load measured by bench/terminationColdStart.ts would take about 3.5 times as long
 * and leave little of the 2 s. The handler answers by `budgetMs`, counted from the process's start.
 */
export const TERMINATION_FUNCTION = {
    timeoutSeconds: 3,
    memoryMb: 1769,
    budgetMs: AUTO_SCALING_LIMIT_MS - 500,
} as const;
