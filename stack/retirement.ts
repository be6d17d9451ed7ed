/** What RetirementNotifier declares that the simulated region deploys too: its AWS Health rule. */
import {
    HEALTH_EVENT_DETAIL_TYPE,
    HEALTH_EVENT_SOURCE,
    TASK_RETIREMENT_EVENT_CODE,
} from "../runtime/retirement";

/** The EventBridge pattern: AWS Health's ECS events of the retirement code and the configured extra codes. */
export function healthEventPattern(extraEventCodes: readonly string[]): Record<string, unknown> {
    return {
        source: [HEALTH_EVENT_SOURCE],
        "detail-type": [HEALTH_EVENT_DETAIL_TYPE],
        detail: { service: ["ECS"], eventTypeCode: [TASK_RETIREMENT_EVENT_CODE, ...extraEventCodes] },
    };
}
