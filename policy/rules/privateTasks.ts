import { knownArray, knownBoolean, knownObject } from "./known";
import { isPublicSubnet, SUBNET_TYPE } from "./publicSubnets";
import { referencedResources } from "./references";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

export const ECS_SERVICE_TYPE = "aws:ecs/service:Service";

/**
 * awsvpc tasks get no public IP and run only in private subnets; the ALB is their one way in.
 * Which subnets are public: see publicSubnets.ts.
 */
export function checkPrivateTasks(resources: PlannedResource[]): StackViolation[] {
    const violations: StackViolation[] = [];
    for (const service of resources.filter((resource) => resource.type === ECS_SERVICE_TYPE)) {
        const network = knownObject(service.props.networkConfiguration);
        if (network === undefined) {
            continue;
        }
        if (knownBoolean(network.assignPublicIp) === true) {
            violations.push(
                violationOf(
                    service,
                    "networkConfiguration.assignPublicIp is true; it must be false (tasks stay private)",
                ),
            );
        }
        const subnets = referencedResources(
            resources,
            service,
            "networkConfiguration",
            knownArray(network.subnets),
            SUBNET_TYPE,
        );
        for (const subnet of subnets.filter((candidate) => isPublicSubnet(resources, candidate))) {
            violations.push(
                violationOf(
                    service,
                    `networkConfiguration.subnets includes the public subnet "${subnet.name}"; tasks must run in private subnets`,
                ),
            );
        }
    }
    return violations;
}
