import { knownArray, knownBoolean, knownObject, knownString } from "./known";
import { referencedResources } from "./references";
import { PlannedResource } from "./types";

export const SUBNET_TYPE = "aws:ec2/subnet:Subnet";
export const ROUTE_TABLE_TYPE = "aws:ec2/routeTable:RouteTable";
export const ROUTE_TYPE = "aws:ec2/route:Route";
export const ROUTE_TABLE_ASSOCIATION_TYPE = "aws:ec2/routeTableAssociation:RouteTableAssociation";
export const INTERNET_GATEWAY_TYPE = "aws:ec2/internetGateway:InternetGateway";
/** The tag the network component puts on each subnet: "public" or "private". */
export const TIER_TAG = "ecs-lifecycle:tier";

function isInternetGateway(
    resources: PlannedResource[],
    from: PlannedResource,
    property: string,
    gatewayId: unknown,
): boolean {
    return (
        knownString(gatewayId)?.startsWith("igw-") === true ||
        referencedResources(resources, from, property, [gatewayId], INTERNET_GATEWAY_TYPE).length > 0
    );
}

/** A route table sends traffic to an internet gateway, by an inline route or a Route resource. */
function routesToInternet(resources: PlannedResource[], table: PlannedResource): boolean {
    const inline = knownArray(table.props.route).some((route) =>
        isInternetGateway(resources, table, "route", knownObject(route)?.gatewayId),
    );
    return (
        inline ||
        resources
            .filter((resource) => resource.type === ROUTE_TYPE)
            .filter((route) =>
                referencedResources(
                    resources,
                    route,
                    "routeTableId",
                    [route.props.routeTableId],
                    ROUTE_TABLE_TYPE,
                ).includes(table),
            )
            .some((route) => isInternetGateway(resources, route, "gatewayId", route.props.gatewayId))
    );
}

/**
 * A subnet is public when it maps public IPs on launch, when the network component tags it
 * `ecs-lifecycle:tier = public`, or when its route table routes to an internet gateway (what
 * makes a subnet public in AWS terms).
 */
export function isPublicSubnet(resources: PlannedResource[], subnet: PlannedResource): boolean {
    if (knownBoolean(subnet.props.mapPublicIpOnLaunch) === true) {
        return true;
    }
    if (knownObject(subnet.props.tags)?.[TIER_TAG] === "public") {
        return true;
    }
    return resources
        .filter((resource) => resource.type === ROUTE_TABLE_ASSOCIATION_TYPE)
        .filter((association) =>
            referencedResources(
                resources,
                association,
                "subnetId",
                [association.props.subnetId],
                SUBNET_TYPE,
            ).includes(subnet),
        )
        .flatMap((association) =>
            referencedResources(
                resources,
                association,
                "routeTableId",
                [association.props.routeTableId],
                ROUTE_TABLE_TYPE,
            ),
        )
        .some((table) => routesToInternet(resources, table));
}
