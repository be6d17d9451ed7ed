import { knownArray, knownBoolean, knownObject } from "./known";
import { LAUNCH_TEMPLATE_TYPE } from "./autoRollbackWithSsmAmi";
import { label } from "./subject";
import { PlannedResource } from "./types";

/** Container instances live in private subnets and reach out through NAT; none gets a public IP. */
export function checkLaunchTemplatePublicIp(resource: PlannedResource): string[] {
    if (resource.type !== LAUNCH_TEMPLATE_TYPE) {
        return [];
    }
    return knownArray(resource.props.networkInterfaces).flatMap((entry, index) =>
        knownBoolean(knownObject(entry)?.associatePublicIpAddress) === true
            ? [
                  `${label(resource)}: networkInterfaces[${index}].associatePublicIpAddress is true; it must be false or unset (instances stay private)`,
              ]
            : [],
    );
}
