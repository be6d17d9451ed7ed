import assert from "node:assert/strict";
import { checkPrivateTasks } from "../../policy/rules/privateTasks";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

function subnet(name: string, props: Record<string, unknown> = {}): PlannedResource {
    return {
        type: "aws:ec2/subnet:Subnet",
        name,
        urn: `urn:pulumi:dev::ecs-lifecycle::aws:ec2/subnet:Subnet::${name}`,
        id: `${name}-id`,
        props: { mapPublicIpOnLaunch: false, ...props },
    };
}

function service(networkConfiguration: Record<string, unknown>): PlannedResource {
    return {
        type: "aws:ecs/service:Service",
        name: "api",
        urn: "urn:pulumi:dev::ecs-lifecycle::aws:ecs/service:Service::api",
        props: { networkConfiguration },
    };
}

const API_URN = "urn:pulumi:dev::ecs-lifecycle::aws:ecs/service:Service::api";

describe("policy rule tasks-in-private-subnets", () => {
    it("passes a service in private subnets without a public IP", () => {
        const resources = [
            subnet("private-0", { tags: { "ecs-lifecycle:tier": "private" } }),
            subnet("private-1"),
            service({ subnets: ["private-0-id", "private-1-id"], assignPublicIp: false }),
        ];
        assert.deepEqual(checkPrivateTasks(resources), []);
    });

    it("fails assignPublicIp true", () => {
        assert.deepEqual(
            checkPrivateTasks([
                subnet("private-0"),
                service({ subnets: ["private-0-id"], assignPublicIp: true }),
            ]),
            [
                {
                    resource: API_URN,
                    message:
                        'aws:ecs/service:Service "api": networkConfiguration.assignPublicIp is true; it must be false (tasks stay private)',
                },
            ],
        );
    });

    it("fails a subnet that is public by mapPublicIpOnLaunch, by tier tag, or by a route to an internet gateway", () => {
        const routed = subnet("routed");
        const resources: PlannedResource[] = [
            subnet("mapped", { mapPublicIpOnLaunch: true }),
            subnet("tagged", { tags: { "ecs-lifecycle:tier": "public" } }),
            routed,
            { type: "aws:ec2/internetGateway:InternetGateway", name: "igw", id: "igw-0abc", props: {} },
            { type: "aws:ec2/routeTable:RouteTable", name: "public-rt", id: "rtb-1", props: {} },
            {
                type: "aws:ec2/route:Route",
                name: "default",
                props: { routeTableId: "rtb-1", destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-0abc" },
            },
            {
                type: "aws:ec2/routeTableAssociation:RouteTableAssociation",
                name: "routed-assoc",
                props: { subnetId: "routed-id", routeTableId: "rtb-1" },
            },
            service({ subnets: ["mapped-id", "tagged-id", "routed-id"] }),
        ];
        assert.deepEqual(
            checkPrivateTasks(resources).map((violation) => violation.message),
            ["mapped", "tagged", "routed"].map(
                (name) =>
                    `aws:ecs/service:Service "api": networkConfiguration.subnets includes the public subnet "${name}"; tasks must run in private subnets`,
            ),
        );
    });

    it("treats a route through a NAT gateway as private, and follows subnets by propertyDependencies", () => {
        const unknown = UNKNOWN;
        const resources: PlannedResource[] = [
            subnet("private-0"),
            subnet("public-0", { tags: { "ecs-lifecycle:tier": "public" } }),
            {
                type: "aws:ec2/routeTable:RouteTable",
                name: "private-rt",
                id: "rtb-2",
                props: { route: [{ cidrBlock: "0.0.0.0/0", natGatewayId: "nat-1" }] },
            },
            {
                type: "aws:ec2/routeTableAssociation:RouteTableAssociation",
                name: "private-assoc",
                props: { subnetId: "private-0-id", routeTableId: "rtb-2" },
            },
            {
                ...service({ subnets: [unknown] }),
                propertyDependencies: { networkConfiguration: [subnet("private-0").urn as string] },
            },
        ];
        assert.deepEqual(checkPrivateTasks(resources), []);
        const onPublic = {
            ...service({ subnets: [unknown] }),
            propertyDependencies: { networkConfiguration: [subnet("public-0").urn as string] },
        };
        assert.equal(checkPrivateTasks([...resources.slice(0, 4), onPublic]).length, 1);
    });
});
