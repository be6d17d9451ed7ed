import { isUnknown, knownObject, knownString } from "./known";
import { AUTOSCALING_GROUP_TYPE } from "./lifecycleHookHeartbeat";
import { label } from "./subject";
import { PlannedResource } from "./types";

/**
 * `$Latest` and `$Default` make the group launch whatever the template says at launch time, so a
 * template edit reaches new instances without an instance refresh and a rollback has nothing to
 * return to. An unset version means `$Default`.
 */
const FLOATING_VERSIONS = ["$latest", "$default"];

function versionViolation(resource: PlannedResource, property: string, value: unknown): string[] {
    if (isUnknown(value)) {
        return [];
    }
    const version = knownString(value) ?? (typeof value === "number" ? String(value) : undefined);
    if (version !== undefined && !FLOATING_VERSIONS.includes(version.toLowerCase())) {
        return [];
    }
    const shown = version === undefined ? "unset (AWS uses $Default)" : `"${version}"`;
    return [
        `${label(resource)}: ${property} is ${shown}; it must be a version number (the template's latestVersion)`,
    ];
}

export function checkLaunchTemplateVersion(resource: PlannedResource): string[] {
    if (resource.type !== AUTOSCALING_GROUP_TYPE) {
        return [];
    }
    const violations: string[] = [];
    const template = knownObject(resource.props.launchTemplate);
    if (template !== undefined) {
        violations.push(...versionViolation(resource, "launchTemplate.version", template.version));
    }
    const mixedTemplate = knownObject(knownObject(resource.props.mixedInstancesPolicy)?.launchTemplate);
    const specification = knownObject(mixedTemplate?.launchTemplateSpecification);
    if (specification !== undefined) {
        violations.push(
            ...versionViolation(
                resource,
                "mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.version",
                specification.version,
            ),
        );
    }
    return violations;
}
