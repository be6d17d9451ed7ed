import { isUnknown, knownNumber } from "./known";
import { label } from "./subject";
import { PlannedResource } from "./types";

export const LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup";

/** PutRetentionPolicy's accepted retentionInDays values. */
export const RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Log groups expire their events; an unset retention (or 0) keeps them, and their cost, forever. */
export function checkLogGroupRetention(resource: PlannedResource): string[] {
    if (resource.type !== LOG_GROUP_TYPE || isUnknown(resource.props.retentionInDays)) {
        return [];
    }
    const days = knownNumber(resource.props.retentionInDays);
    if (days !== undefined && days !== 0) {
        return [];
    }
    return [
        `${label(resource)}: retentionInDays is ${days ?? "unset"} (never expire); set one of ${RETENTION_DAYS.join(", ")}`,
    ];
}

/** PutRetentionPolicy rejects any other number, failing the deploy (0 is the provider's "never expire"). */
export function checkLogGroupRetentionValue(resource: PlannedResource): string[] {
    const days = resource.type === LOG_GROUP_TYPE ? knownNumber(resource.props.retentionInDays) : undefined;
    if (days === undefined || days === 0 || RETENTION_DAYS.includes(days)) {
        return [];
    }
    return [`${label(resource)}: retentionInDays is ${days}; it must be one of ${RETENTION_DAYS.join(", ")}`];
}
