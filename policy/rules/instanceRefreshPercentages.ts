import { isUnknown, knownNumber, knownObject } from "./known";
import { AUTOSCALING_GROUP_TYPE } from "./lifecycleHookHeartbeat";
import { label } from "./subject";
import { PlannedResource } from "./types";

const PREFERENCES = "instanceRefresh.preferences";
/** What AWS uses when the preference is not set. */
const DEFAULT_MIN_HEALTHY = 90;
const DEFAULT_MAX_HEALTHY = 100;

/**
 * StartInstanceRefresh's limits: MinHealthyPercentage 0–100, MaxHealthyPercentage 100–200, and
 * max − min at most 100. This project also requires launch-before-terminate (min 100, max > 100)
 * so that a roll never drops below the group's desired capacity.
 */
export function checkInstanceRefreshPercentages(resource: PlannedResource): string[] {
    if (resource.type !== AUTOSCALING_GROUP_TYPE) {
        return [];
    }
    const refresh = knownObject(resource.props.instanceRefresh);
    if (refresh === undefined || isUnknown(refresh.preferences)) {
        return [];
    }
    const preferences = knownObject(refresh.preferences) ?? {};
    if (isUnknown(preferences.minHealthyPercentage) || isUnknown(preferences.maxHealthyPercentage)) {
        return [];
    }
    const min = knownNumber(preferences.minHealthyPercentage) ?? DEFAULT_MIN_HEALTHY;
    const max = knownNumber(preferences.maxHealthyPercentage) ?? DEFAULT_MAX_HEALTHY;
    const subject = `${label(resource)}: ${PREFERENCES}`;
    const violations: string[] = [];
    if (min < 0 || min > 100) {
        violations.push(`${subject}.minHealthyPercentage is ${min}; it must be 0–100`);
    }
    if (max < 100 || max > 200) {
        violations.push(`${subject}.maxHealthyPercentage is ${max}; it must be 100–200`);
    }
    if (max - min > 100) {
        violations.push(
            `${subject}.maxHealthyPercentage ${max} − minHealthyPercentage ${min} is ${max - min}; it must be at most 100`,
        );
    }
    if (min !== 100) {
        violations.push(`${subject}.minHealthyPercentage is ${min}; launch-before-terminate needs 100`);
    }
    if (max <= 100) {
        violations.push(`${subject}.maxHealthyPercentage is ${max}; launch-before-terminate needs 101–200`);
    }
    return violations;
}
