import { Cidr, cidrContains, cidrsOverlap, parseCidr } from "../../stack/cidr";
import { knownString } from "./known";
import { SUBNET_TYPE } from "./publicSubnets";
import { referencedResources } from "./references";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

export const VPC_TYPE = "aws:ec2/vpc:Vpc";
/** CreateVpc and CreateSubnet accept IPv4 blocks from /16 to /28. */
const MIN_PREFIX = 16;
const MAX_PREFIX = 28;

interface PlacedSubnet {
    subnet: PlannedResource;
    text: string;
    cidr: Cidr;
}

/** The parsed block, or a violation message when the known text is not one AWS accepts. */
function blockOf(property: string, text: string): Cidr | string {
    const cidr = parseCidr(text);
    if (cidr === undefined) {
        return `${property} "${text}" is not an IPv4 CIDR block with its host bits zero (e.g. "10.0.1.0/24")`;
    }
    if (cidr.prefix < MIN_PREFIX || cidr.prefix > MAX_PREFIX) {
        return `${property} "${text}" has prefix /${cidr.prefix}; AWS accepts /${MIN_PREFIX} to /${MAX_PREFIX}`;
    }
    return cidr;
}

/**
 * Which VPC a subnet is in: the VPC resource it references, else the literal id of an existing
 * VPC outside the stack; undefined while the id is unknown and no reference resolves.
 */
function vpcKeyOf(
    resources: PlannedResource[],
    subnet: PlannedResource,
): PlannedResource | string | undefined {
    const [vpc] = referencedResources(resources, subnet, "vpcId", [subnet.props.vpcId], VPC_TYPE);
    return vpc ?? knownString(subnet.props.vpcId);
}

/**
 * Subnet CIDRs are valid blocks, lie inside their VPC's CIDR, and do not overlap other subnets of
 * the same VPC. Subnets of an existing VPC (whose CIDR the stack does not know) are checked for
 * overlap only.
 */
export function checkSubnetCidrs(resources: PlannedResource[]): StackViolation[] {
    const violations: StackViolation[] = [];
    const vpcBlocks = new Map<PlannedResource, Cidr>();
    for (const vpc of resources.filter((resource) => resource.type === VPC_TYPE)) {
        const text = knownString(vpc.props.cidrBlock);
        if (text === undefined) {
            continue;
        }
        const block = blockOf("cidrBlock", text);
        if (typeof block === "string") {
            violations.push(violationOf(vpc, block));
        } else {
            vpcBlocks.set(vpc, block);
        }
    }
    const subnetsByVpc = new Map<PlannedResource | string, PlacedSubnet[]>();
    for (const subnet of resources.filter((resource) => resource.type === SUBNET_TYPE)) {
        const text = knownString(subnet.props.cidrBlock);
        if (text === undefined) {
            continue;
        }
        const block = blockOf("cidrBlock", text);
        if (typeof block === "string") {
            violations.push(violationOf(subnet, block));
            continue;
        }
        const vpcKey = vpcKeyOf(resources, subnet);
        if (vpcKey === undefined) {
            continue;
        }
        const vpcBlock = typeof vpcKey === "string" ? undefined : vpcBlocks.get(vpcKey);
        if (vpcBlock !== undefined && typeof vpcKey !== "string" && !cidrContains(vpcBlock, block)) {
            violations.push(
                violationOf(
                    subnet,
                    `cidrBlock ${text} is outside VPC "${vpcKey.name}" cidrBlock ${vpcKey.props.cidrBlock}; it must lie inside it`,
                ),
            );
        }
        const siblings = subnetsByVpc.get(vpcKey) ?? [];
        for (const earlier of siblings.filter((sibling) => cidrsOverlap(sibling.cidr, block))) {
            violations.push(
                violationOf(
                    subnet,
                    `cidrBlock ${text} overlaps subnet "${earlier.subnet.name}" cidrBlock ${earlier.text}; subnets of one VPC must not overlap`,
                ),
            );
        }
        subnetsByVpc.set(vpcKey, [...siblings, { subnet, text, cidr: block }]);
    }
    return violations;
}
