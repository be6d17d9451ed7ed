import { knownBoolean, knownObject, knownString } from "./known";
import { AUTOSCALING_GROUP_TYPE } from "./lifecycleHookHeartbeat";
import { referencedResources } from "./references";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

export const LAUNCH_TEMPLATE_TYPE = "aws:ec2/launchTemplate:LaunchTemplate";
const SSM_AMI_PREFIX = "resolve:ssm:";

/** The launch templates a group launches from, plain or through its mixed instances policy. */
function launchTemplatesOf(resources: PlannedResource[], group: PlannedResource): PlannedResource[] {
    const template = knownObject(group.props.launchTemplate);
    const mixedPolicy = knownObject(group.props.mixedInstancesPolicy);
    const specification = knownObject(knownObject(mixedPolicy?.launchTemplate)?.launchTemplateSpecification);
    return [
        ...referencedResources(
            resources,
            group,
            "launchTemplate",
            [template?.id, template?.name],
            LAUNCH_TEMPLATE_TYPE,
        ),
        ...referencedResources(
            resources,
            group,
            "mixedInstancesPolicy",
            [specification?.launchTemplateId, specification?.launchTemplateName],
            LAUNCH_TEMPLATE_TYPE,
        ),
    ];
}

/**
 * StartInstanceRefresh rejects AutoRollback when the launch template takes its AMI from a
 * Systems Manager parameter (`imageId: "resolve:ssm:…"`): a rollback could not know which AMI
 * the parameter named before.
 */
export function checkAutoRollbackWithSsmAmi(resources: PlannedResource[]): StackViolation[] {
    const violations: StackViolation[] = [];
    for (const group of resources.filter((resource) => resource.type === AUTOSCALING_GROUP_TYPE)) {
        const preferences = knownObject(knownObject(group.props.instanceRefresh)?.preferences);
        if (knownBoolean(preferences?.autoRollback) !== true) {
            continue;
        }
        const ssmTemplates = launchTemplatesOf(resources, group).filter((template) =>
            knownString(template.props.imageId)?.startsWith(SSM_AMI_PREFIX),
        );
        for (const template of new Set(ssmTemplates)) {
            violations.push(
                violationOf(
                    group,
                    `instanceRefresh.preferences.autoRollback is true but launch template "${template.name}" has imageId "${template.props.imageId}"; autoRollback must be false with an SSM-resolved AMI`,
                ),
            );
        }
    }
    return violations;
}
