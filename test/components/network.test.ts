import assert from "node:assert/strict";
import { TaskNetwork } from "../../components/network";
import { parseSettings } from "../../stack/settings";
import {
    MOCK_AZS,
    named,
    ofType,
    settle,
    startMocks,
    valueOf,
    type MockRun,
} from "../../scripts/mockSynthesis";

const tags = { team: "platform" };

async function synthesize(raw: Record<string, unknown>): Promise<{ run: MockRun; network: TaskNetwork }> {
    const run = await startMocks();
    const network = new TaskNetwork("net", { settings: parseSettings(raw, "test").network, tags });
    await settle(run);
    return { run, network };
}

describe("TaskNetwork", () => {
    it("routes each private subnet to the NAT gateway of its own AZ (perAz)", async () => {
        const { run } = await synthesize({ availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] });
        assert.equal(ofType(run, "aws:ec2/vpc:Vpc").length, 1);
        assert.equal(ofType(run, "aws:ec2/natGateway:NatGateway").length, 3);
        assert.equal(ofType(run, "aws:ec2/eip:Eip").length, 3);
        for (const i of [0, 1, 2]) {
            const nat = named(run, "aws:ec2/natGateway:NatGateway", `net-nat-${i}`);
            assert.equal(nat.inputs.subnetId, `net-public-${i}-id`, "NAT i sits in public subnet i");
            assert.equal(nat.inputs.allocationId, `net-nat-${i}-id`);
            const route = named(run, "aws:ec2/route:Route", `net-private-${i}-default`);
            assert.deepEqual(
                {
                    table: route.inputs.routeTableId,
                    dest: route.inputs.destinationCidrBlock,
                    nat: route.inputs.natGatewayId,
                },
                { table: `net-private-${i}-id`, dest: "0.0.0.0/0", nat: `net-nat-${i}-id` },
            );
            const subnet = named(run, "aws:ec2/subnet:Subnet", `net-private-${i}`);
            assert.equal(subnet.inputs.availabilityZone, ["us-east-1a", "us-east-1b", "us-east-1c"][i]);
            assert.equal(subnet.inputs.cidrBlock, ["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"][i]);
            const association = named(
                run,
                "aws:ec2/routeTableAssociation:RouteTableAssociation",
                `net-private-${i}`,
            );
            assert.deepEqual(association.inputs, {
                subnetId: `net-private-${i}-id`,
                routeTableId: `net-private-${i}-id`,
            });
        }
        const publicDefault = named(run, "aws:ec2/route:Route", "net-public-default");
        assert.equal(publicDefault.inputs.gatewayId, "net-igw-id");
    });

    it("shares one NAT gateway when natGateways is single", async () => {
        const { run } = await synthesize({ natGateways: "single", azCount: 2 });
        assert.deepEqual(
            ofType(run, "aws:ec2/natGateway:NatGateway").map((n) => n.name),
            ["net-nat-0"],
        );
        for (const i of [0, 1]) {
            assert.equal(
                named(run, "aws:ec2/route:Route", `net-private-${i}-default`).inputs.natGatewayId,
                "net-nat-0-id",
            );
        }
    });

    it("takes the first azCount AZs of the region when none are named", async () => {
        const { run, network } = await synthesize({ azCount: 2 });
        assert.deepEqual(await valueOf(network.availabilityZones), MOCK_AZS.slice(0, 2));
        assert.deepEqual(
            ofType(run, "aws:ec2/subnet:Subnet").map((s) => [s.name, s.inputs.availabilityZone]),
            [
                ["net-public-0", "us-east-1a"],
                ["net-public-1", "us-east-1b"],
                ["net-private-0", "us-east-1a"],
                ["net-private-1", "us-east-1b"],
            ],
        );
        assert.ok(
            run.invokes.some(
                (i) =>
                    i.token === "aws:index/getAvailabilityZones:getAvailabilityZones" &&
                    i.inputs.state === "available",
            ),
        );
    });

    it("maps no public IP on launch in any subnet, and tags every subnet with its tier", async () => {
        const { run } = await synthesize({});
        const subnets = ofType(run, "aws:ec2/subnet:Subnet");
        assert.equal(subnets.length, 6);
        for (const subnet of subnets) {
            assert.equal(subnet.inputs.mapPublicIpOnLaunch, false, subnet.name);
            assert.equal(subnet.inputs.tags.team, "platform");
            assert.equal(
                subnet.inputs.tags["ecs-lifecycle:tier"],
                subnet.name.includes("private") ? "private" : "public",
            );
            assert.equal(subnet.inputs.tags.Name, subnet.name);
        }
    });

    it("builds into an existing VPC: NAT gateways in its public subnets, no VPC or IGW of its own", async () => {
        const { run, network } = await synthesize({
            vpcId: "vpc-0123456789abcdef0",
            vpcCidr: "172.31.0.0/16",
            availabilityZones: ["eu-west-1a", "eu-west-1b"],
            publicSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
            privateSubnetCidrs: ["172.31.96.0/20", "172.31.112.0/20"],
        });
        assert.equal(ofType(run, "aws:ec2/vpc:Vpc").length, 0);
        assert.equal(ofType(run, "aws:ec2/internetGateway:InternetGateway").length, 0);
        assert.equal(await valueOf(network.vpcId), "vpc-0123456789abcdef0");
        assert.deepEqual(
            ofType(run, "aws:ec2/natGateway:NatGateway").map((n) => n.inputs.subnetId),
            ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
        );
        assert.deepEqual(
            ofType(run, "aws:ec2/subnet:Subnet").map((s) => [
                s.inputs.vpcId,
                s.inputs.cidrBlock,
                s.inputs.availabilityZone,
            ]),
            [
                ["vpc-0123456789abcdef0", "172.31.96.0/20", "eu-west-1a"],
                ["vpc-0123456789abcdef0", "172.31.112.0/20", "eu-west-1b"],
            ],
        );
    });
});
