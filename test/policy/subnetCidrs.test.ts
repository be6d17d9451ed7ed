import assert from "node:assert/strict";
import { checkSubnetCidrs } from "../../policy/rules/subnetCidrs";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

const VPC: PlannedResource = {
    type: "aws:ec2/vpc:Vpc",
    name: "net-vpc",
    id: "vpc-new",
    props: { cidrBlock: "10.0.0.0/16" },
};

function subnet(name: string, cidrBlock: unknown, vpcId: unknown = "vpc-new"): PlannedResource {
    return { type: "aws:ec2/subnet:Subnet", name, props: { cidrBlock, vpcId } };
}

describe("policy rule subnet-cidrs-valid", () => {
    it("passes disjoint subnets inside the VPC", () => {
        const resources = [
            VPC,
            subnet("a", "10.0.0.0/24"),
            subnet("b", "10.0.1.0/24"),
            subnet("c", "10.0.128.0/17"),
        ];
        assert.deepEqual(checkSubnetCidrs(resources), []);
    });

    it("fails a subnet outside the VPC and one overlapping another", () => {
        const resources = [
            VPC,
            subnet("a", "10.0.0.0/23"),
            subnet("b", "10.0.1.0/24"),
            subnet("c", "10.1.0.0/24"),
        ];
        assert.deepEqual(checkSubnetCidrs(resources), [
            {
                resource: "b",
                message:
                    'aws:ec2/subnet:Subnet "b": cidrBlock 10.0.1.0/24 overlaps subnet "a" cidrBlock 10.0.0.0/23; subnets of one VPC must not overlap',
            },
            {
                resource: "c",
                message:
                    'aws:ec2/subnet:Subnet "c": cidrBlock 10.1.0.0/24 is outside VPC "net-vpc" cidrBlock 10.0.0.0/16; it must lie inside it',
            },
        ]);
    });

    it("fails blocks AWS rejects: host bits set, prefix outside /16–/28", () => {
        assert.deepEqual(
            checkSubnetCidrs([VPC, subnet("a", "10.0.1.5/24"), subnet("b", "10.0.0.0/29")]).map(
                (v) => v.message,
            ),
            [
                'aws:ec2/subnet:Subnet "a": cidrBlock "10.0.1.5/24" is not an IPv4 CIDR block with its host bits zero (e.g. "10.0.1.0/24")',
                'aws:ec2/subnet:Subnet "b": cidrBlock "10.0.0.0/29" has prefix /29; AWS accepts /16 to /28',
            ],
        );
    });

    it("checks subnets of an existing VPC for overlap only, per VPC", () => {
        const resources = [
            subnet("x", "172.16.0.0/24", "vpc-existing"),
            subnet("y", "172.16.0.128/25", "vpc-existing"),
            subnet("z", "172.16.0.0/24", "vpc-other"),
        ];
        assert.deepEqual(checkSubnetCidrs(resources), [
            {
                resource: "y",
                message:
                    'aws:ec2/subnet:Subnet "y": cidrBlock 172.16.0.128/25 overlaps subnet "x" cidrBlock 172.16.0.0/24; subnets of one VPC must not overlap',
            },
        ]);
    });

    it("skips subnets whose VPC is unknown and CIDRs unknown during preview", () => {
        const unknown = UNKNOWN;
        const resources = [
            VPC,
            subnet("a", "10.0.0.0/24", unknown),
            subnet("b", "10.0.0.0/24", unknown),
            subnet("c", unknown),
        ];
        assert.deepEqual(checkSubnetCidrs(resources), []);
    });
});
