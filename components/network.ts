import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkSettings } from "../stack/settings";

export interface TaskNetworkArgs {
    /** Validated network settings of the stack (see components/settings.ts). */
    readonly settings: NetworkSettings;
    /** Tags beyond its provider's default tags (index.ts gives the provider the stack's tags). */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Where awsvpc tasks live: private subnets in every AZ, each routing 0.0.0.0/0 to a NAT gateway
 * (in its own AZ when `natGateways` is perAz, so one AZ's outage cannot cut the others off), in a
 * new VPC or an existing one. Tasks get no public IPs; the ALB and NAT gateways use the public
 * subnets.
 */
export class TaskNetwork extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidr: string;
    readonly availabilityZones: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly natGatewayIds: pulumi.Output<string>[];
    readonly privateRouteTableIds: pulumi.Output<string>[];

    constructor(name: string, args: TaskNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:network:TaskNetwork", name, {}, opts);
        const settings = args.settings;
        const tag = (role: string, extra: Record<string, string> = {}) => ({
            ...args.tags,
            Name: `${name}-${role}`,
            ...extra,
        });
        const parent = { parent: this };
        this.vpcCidr = settings.vpcCidr;

        this.availabilityZones = settings.availabilityZones
            ? pulumi.output([...settings.availabilityZones])
            : aws
                  .getAvailabilityZonesOutput(
                      {
                          state: "available",
                          filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
                      },
                      parent,
                  )
                  .names.apply((names) => {
                      if (names.length < settings.azCount) {
                          throw new Error(
                              `ecs-lifecycle:azCount (${settings.azCount}) exceeds the ${names.length} AZs available in this region`,
                          );
                      }
                      return names.slice(0, settings.azCount);
                  });
        const azAt = (i: number) => this.availabilityZones.apply((azs) => azs[i]);
        const azIndexes = Array.from({ length: settings.azCount }, (_, i) => i);

        if (settings.existingVpcId) {
            this.vpcId = pulumi.output(settings.existingVpcId);
            this.publicSubnetIds = (settings.existingPublicSubnetIds ?? []).map((id) => pulumi.output(id));
        } else {
            const vpc = new aws.ec2.Vpc(
                `${name}-vpc`,
                {
                    cidrBlock: settings.vpcCidr,
                    enableDnsHostnames: true,
                    enableDnsSupport: true,
                    tags: tag("vpc"),
                },
                parent,
            );
            this.vpcId = vpc.id;
            const internetGateway = new aws.ec2.InternetGateway(
                `${name}-igw`,
                { vpcId: vpc.id, tags: tag("igw") },
                parent,
            );
            const publicRouteTable = new aws.ec2.RouteTable(
                `${name}-public-rt`,
                { vpcId: vpc.id, tags: tag("public-rt") },
                parent,
            );
            new aws.ec2.Route(
                `${name}-public-default`,
                {
                    routeTableId: publicRouteTable.id,
                    destinationCidrBlock: "0.0.0.0/0",
                    gatewayId: internetGateway.id,
                },
                parent,
            );
            this.publicSubnetIds = azIndexes.map((i) => {
                // Nothing launched here gets a public IP by accident: NAT gateways use EIPs and the ALB its own.
                const subnet = new aws.ec2.Subnet(
                    `${name}-public-${i}`,
                    {
                        vpcId: vpc.id,
                        cidrBlock: settings.publicSubnetCidrs[i],
                        availabilityZone: azAt(i),
                        mapPublicIpOnLaunch: false,
                        tags: tag(`public-${i}`, { "ecs-lifecycle:tier": "public" }),
                    },
                    parent,
                );
                new aws.ec2.RouteTableAssociation(
                    `${name}-public-${i}`,
                    { subnetId: subnet.id, routeTableId: publicRouteTable.id },
                    parent,
                );
                return subnet.id;
            });
        }

        const natIndexes = settings.natGateways === "perAz" ? azIndexes : [0];
        this.natGatewayIds = natIndexes.map((i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: tag(`nat-${i}`) }, parent);
            return new aws.ec2.NatGateway(
                `${name}-nat-${i}`,
                {
                    allocationId: eip.id,
                    subnetId: this.publicSubnetIds[i],
                    connectivityType: "public",
                    tags: tag(`nat-${i}`),
                },
                parent,
            ).id;
        });

        this.privateRouteTableIds = [];
        this.privateSubnetIds = azIndexes.map((i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-private-${i}`,
                {
                    vpcId: this.vpcId,
                    cidrBlock: settings.privateSubnetCidrs[i],
                    availabilityZone: azAt(i),
                    mapPublicIpOnLaunch: false,
                    tags: tag(`private-${i}`, { "ecs-lifecycle:tier": "private" }),
                },
                parent,
            );
            const routeTable = new aws.ec2.RouteTable(
                `${name}-private-${i}`,
                { vpcId: this.vpcId, tags: tag(`private-${i}`) },
                parent,
            );
            new aws.ec2.Route(
                `${name}-private-${i}-default`,
                {
                    routeTableId: routeTable.id,
                    destinationCidrBlock: "0.0.0.0/0",
                    natGatewayId: this.natGatewayIds[settings.natGateways === "perAz" ? i : 0],
                },
                parent,
            );
            new aws.ec2.RouteTableAssociation(
                `${name}-private-${i}`,
                { subnetId: subnet.id, routeTableId: routeTable.id },
                parent,
            );
            this.privateRouteTableIds.push(routeTable.id);
            return subnet.id;
        });

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            natGatewayIds: this.natGatewayIds,
        });
    }
}
