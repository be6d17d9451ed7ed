import { isUnknown, knownArray, knownNumber, knownObject, knownString } from "./known";
import { referencedResources } from "./references";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

export const SECURITY_GROUP_TYPE = "aws:ec2/securityGroup:SecurityGroup";
export const INGRESS_RULE_TYPE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const SECURITY_GROUP_RULE_TYPE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const LOAD_BALANCER_TYPE = "aws:lb/loadBalancer:LoadBalancer";

/** The tag the components put on the ALB's security group. */
export const ROLE_TAG = "ecs-lifecycle:role";
export const ALB_ROLE = "alb";
/** The ALB's listeners; the only ports the internet may reach. */
export const ALB_LISTENER_PORTS: readonly number[] = [80, 443];
const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];
const TCP = ["tcp", "6"];

/**
 * A security group is the ALB's when it carries the tag `ecs-lifecycle:role = alb` or when an
 * application load balancer lists it in `securityGroups`. Either marks it; both are checked so
 * that the verdict holds in the plan (tags are plain inputs) and in the engine (references).
 */
function albSecurityGroups(resources: PlannedResource[]): Set<PlannedResource> {
    const groups = resources.filter((resource) => resource.type === SECURITY_GROUP_TYPE);
    const tagged = groups.filter((group) => knownObject(group.props.tags)?.[ROLE_TAG] === ALB_ROLE);
    const referenced = resources
        .filter(
            (resource) =>
                resource.type === LOAD_BALANCER_TYPE &&
                (knownString(resource.props.loadBalancerType) ?? "application") === "application",
        )
        .flatMap((balancer) =>
            referencedResources(
                resources,
                balancer,
                "securityGroups",
                knownArray(balancer.props.securityGroups),
                SECURITY_GROUP_TYPE,
            ),
        );
    return new Set([...tagged, ...referenced]);
}

interface IngressGrant {
    where: string;
    protocol: unknown;
    fromPort: unknown;
    toPort: unknown;
    cidrs: unknown[];
    /** true/false when the target group is resolved, undefined when it is not yet known. */
    targetIsAlb: boolean | undefined;
}

/** Why an open grant is illegal, or undefined when it is legal or cannot be judged yet. */
function openIngressFault(grant: IngressGrant): string | undefined {
    const openCidr = grant.cidrs
        .map(knownString)
        .find((cidr) => cidr !== undefined && OPEN_CIDRS.includes(cidr));
    if (openCidr === undefined) {
        return undefined;
    }
    const protocol = knownString(grant.protocol)?.toLowerCase();
    const fromPort = knownNumber(grant.fromPort);
    const toPort = knownNumber(grant.toPort);
    const listenerPortsOnly =
        protocol !== undefined &&
        TCP.includes(protocol) &&
        fromPort !== undefined &&
        fromPort === toPort &&
        ALB_LISTENER_PORTS.includes(fromPort);
    const portsUnknown = isUnknown(grant.protocol) || isUnknown(grant.fromPort) || isUnknown(grant.toPort);
    if (portsUnknown || (listenerPortsOnly && grant.targetIsAlb !== false)) {
        return undefined;
    }
    const ports = `${protocol ?? "?"} ${fromPort ?? "?"}-${toPort ?? "?"}`;
    return listenerPortsOnly
        ? `${grant.where} opens ${ports} to ${openCidr} on a security group that is not the ALB's; only the ALB's group (tag ${ROLE_TAG}=${ALB_ROLE} or referenced by the load balancer) may be open`
        : `${grant.where} opens ${ports} to ${openCidr}; internet ingress is allowed only for tcp ${ALB_LISTENER_PORTS.join("/")} on the ALB's security group`;
}

function targetOf(
    resources: PlannedResource[],
    rule: PlannedResource,
    albGroups: Set<PlannedResource>,
): boolean | undefined {
    const targets = referencedResources(
        resources,
        rule,
        "securityGroupId",
        [rule.props.securityGroupId],
        SECURITY_GROUP_TYPE,
    );
    return targets.length === 0 ? undefined : targets.some((group) => albGroups.has(group));
}

/**
 * No security group takes ingress from 0.0.0.0/0 or ::/0 except tcp 80 and 443 on the ALB's
 * group, whether the grant is inline (`ingress`), a SecurityGroupIngressRule or an ingress
 * SecurityGroupRule.
 */
export function checkPublicIngress(resources: PlannedResource[]): StackViolation[] {
    const albGroups = albSecurityGroups(resources);
    const violations: StackViolation[] = [];
    const report = (resource: PlannedResource, grant: IngressGrant): void => {
        const fault = openIngressFault(grant);
        if (fault !== undefined) {
            violations.push(violationOf(resource, fault));
        }
    };
    for (const resource of resources) {
        if (resource.type === SECURITY_GROUP_TYPE) {
            knownArray(resource.props.ingress).forEach((entry, index) => {
                const ingress = knownObject(entry) ?? {};
                report(resource, {
                    where: `ingress[${index}]`,
                    protocol: ingress.protocol,
                    fromPort: ingress.fromPort,
                    toPort: ingress.toPort,
                    cidrs: [...knownArray(ingress.cidrBlocks), ...knownArray(ingress.ipv6CidrBlocks)],
                    targetIsAlb: albGroups.has(resource),
                });
            });
        } else if (resource.type === INGRESS_RULE_TYPE) {
            report(resource, {
                where: "cidrIpv4/cidrIpv6",
                protocol: resource.props.ipProtocol,
                fromPort: resource.props.fromPort,
                toPort: resource.props.toPort,
                cidrs: [resource.props.cidrIpv4, resource.props.cidrIpv6],
                targetIsAlb: targetOf(resources, resource, albGroups),
            });
        } else if (resource.type === SECURITY_GROUP_RULE_TYPE && resource.props.type === "ingress") {
            report(resource, {
                where: "cidrBlocks/ipv6CidrBlocks",
                protocol: resource.props.protocol,
                fromPort: resource.props.fromPort,
                toPort: resource.props.toPort,
                cidrs: [
                    ...knownArray(resource.props.cidrBlocks),
                    ...knownArray(resource.props.ipv6CidrBlocks),
                ],
                targetIsAlb: targetOf(resources, resource, albGroups),
            });
        }
    }
    return violations;
}
