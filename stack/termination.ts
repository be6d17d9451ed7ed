/**
 * What TerminationPolicy declares, shared with the simulated region (sim/pipelines/termination.ts).
 */

/** Auto Scaling's hard limit on a termination policy Lambda's answer. */
export const AUTO_SCALING_LIMIT_MS = 2000;

/** The function: more memory is more CPU (the answer must come back well within 2 s); the handler answers by `budgetMs`. */
export const TERMINATION_FUNCTION = {
    timeoutSeconds: 3,
    memoryMb: 512,
    reservedConcurrency: 5,
    budgetMs: AUTO_SCALING_LIMIT_MS - 500,
} as const;
