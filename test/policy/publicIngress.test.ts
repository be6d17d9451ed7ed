import assert from "node:assert/strict";
import { checkPublicIngress } from "../../policy/rules/publicIngress";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

function securityGroup(name: string, props: Record<string, unknown> = {}): PlannedResource {
    return { type: "aws:ec2/securityGroup:SecurityGroup", name, id: `${name}-id`, props };
}

function ingressRule(
    name: string,
    securityGroupId: unknown,
    port: number,
    cidrIpv4 = "0.0.0.0/0",
): PlannedResource {
    return {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name,
        props: { securityGroupId, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4 },
    };
}

const ALB_TAGS = { tags: { Name: "web-sg", "ecs-lifecycle:role": "alb" } };

describe("policy rule no-public-ingress", () => {
    it("passes 80 and 443 from the internet on the ALB's tagged group, and private CIDRs anywhere", () => {
        const resources = [
            securityGroup("web-sg", ALB_TAGS),
            ingressRule("web-in-80", "web-sg-id", 80),
            ingressRule("web-in-443", "web-sg-id", 443),
            securityGroup("svc-sg"),
            ingressRule("svc-in", "svc-sg-id", 8080, "10.0.0.0/16"),
        ];
        assert.deepEqual(checkPublicIngress(resources), []);
    });

    it("recognises the ALB's group by the load balancer's securityGroups", () => {
        const balancer: PlannedResource = {
            type: "aws:lb/loadBalancer:LoadBalancer",
            name: "web-alb",
            props: { loadBalancerType: "application", securityGroups: ["web-sg-id"] },
        };
        assert.deepEqual(
            checkPublicIngress([securityGroup("web-sg"), balancer, ingressRule("in-443", "web-sg-id", 443)]),
            [],
        );
    });

    it("fails a listener port opened on a group that is not the ALB's", () => {
        assert.deepEqual(
            checkPublicIngress([securityGroup("svc-sg"), ingressRule("svc-in", "svc-sg-id", 443)]),
            [
                {
                    resource: "svc-in",
                    message:
                        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule \"svc-in\": cidrIpv4/cidrIpv6 opens tcp 443-443 to 0.0.0.0/0 on a security group that is not the ALB's; only the ALB's group (tag ecs-lifecycle:role=alb or referenced by the load balancer) may be open",
                },
            ],
        );
    });

    it("fails other ports even on the ALB's group, inline and as a SecurityGroupRule", () => {
        const albGroup = securityGroup("web-sg", {
            ...ALB_TAGS,
            ingress: [
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
                { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] },
            ],
        });
        const sshRule: PlannedResource = {
            type: "aws:ec2/securityGroupRule:SecurityGroupRule",
            name: "ssh",
            props: {
                type: "ingress",
                securityGroupId: "web-sg-id",
                protocol: "tcp",
                fromPort: 22,
                toPort: 22,
                cidrBlocks: ["0.0.0.0/0"],
            },
        };
        assert.deepEqual(checkPublicIngress([albGroup, sshRule]), [
            {
                resource: "web-sg",
                message:
                    'aws:ec2/securityGroup:SecurityGroup "web-sg": ingress[1] opens -1 0-0 to ::/0; internet ingress is allowed only for tcp 80/443 on the ALB\'s security group',
            },
            {
                resource: "ssh",
                message:
                    'aws:ec2/securityGroupRule:SecurityGroupRule "ssh": cidrBlocks/ipv6CidrBlocks opens tcp 22-22 to 0.0.0.0/0; internet ingress is allowed only for tcp 80/443 on the ALB\'s security group',
            },
        ]);
    });

    it("does not judge a listener-port rule whose group is not yet known, nor egress rules", () => {
        const egress: PlannedResource = {
            type: "aws:ec2/securityGroupRule:SecurityGroupRule",
            name: "out",
            props: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
        };
        assert.deepEqual(checkPublicIngress([ingressRule("in-443", UNKNOWN, 443), egress]), []);
    });
});
