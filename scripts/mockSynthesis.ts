/**
 * Mock-based synthesis (pulumi/examples testing-unit-ts style): mocks answer every resource and
 * invoke, and record what the program declared, for the tests' exact assertions and for
 * `npm run plan`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs and mock state take every resource type's shape */
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
// Internal to the SDK: the only exact signal that every registration has reached the mocks, and the
// monitor whose requests carry what mocks do not see (dependencies, parent, retainOnDelete).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs, getMonitor } = require("@pulumi/pulumi/runtime/settings") as {
    waitForRPCs: () => Promise<void>;
    getMonitor: () => MonitorWithRequests;
};

/** The part of a RegisterResourceRequest (protobuf) read here. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getRetainondelete(): boolean | undefined;
}

interface MonitorWithRequests {
    registerResource(request: RegisterRequest, callback: unknown): unknown;
}

/** What the engine learns of a resource besides its inputs. */
interface RegistrationFacts {
    readonly parentUrn?: string;
    readonly dependencies: string[];
    readonly retainOnDelete: boolean;
}

export const ACCOUNT_ID = "123456789012";
export const REGION = "us-east-1";
export const SSM_AMI_ID = "ami-0aaaaaaaaaaaaaaa1";
export const MOCK_AZS = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"];

export interface DeclaredResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    /** False for component resources. */
    readonly custom: boolean;
    readonly id: string;
    /** What the mocks answered: the inputs plus computed outputs (arn, name, …). */
    readonly outputs: Record<string, any>;
    /** The URN the engine would give it (the mock monitor builds it the same way). */
    readonly urn: string;
    /** URNs of the resources it waits for, explicit `dependsOn` (components expanded) and implicit. */
    readonly dependencies: readonly string[];
    readonly retainOnDelete: boolean;
    /** The provider reference (`<urn>::<id>`) it was registered with; empty for the default provider. */
    readonly provider: string;
}

export interface MockRun {
    readonly resources: DeclaredResource[];
    readonly invokes: { token: string; inputs: Record<string, any> }[];
}

/** Hex digits derived from a name: ids AWS would make up (ELB's 16, a UUID's 32), stable from run to run. */
function madeUpHex(seed: string, digits: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, digits);
}

function madeUpUuid(seed: string): string {
    const hex = madeUpHex(seed, 32);
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

/** The resource part of a name-bearing ARN: the last path segment of `arn` after `marker`. */
function after(arn: unknown, marker: string): string {
    return typeof arn === "string" && arn.includes(marker)
        ? arn.slice(arn.indexOf(marker) + marker.length)
        : "";
}

/**
 * The ARN AWS gives each resource type the stack declares, in AWS's shape (each service's
 * "Resource types" table in the Service Authorization Reference); undefined for types that have
 * none (attachments, policies, routes, targets). The names in it are the mock's: the `name` input,
 * else `<logical name>-physical` where Pulumi would append 7 random characters.
 */
function arnOf(
    type: string,
    physicalName: string,
    id: string,
    inputs: Record<string, any>,
): string | undefined {
    const regional = (service: string, resource: string) =>
        `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;
    const ec2 = (kind: string) => regional("ec2", `${kind}/${id}`);
    const loadBalancerName = after(inputs.loadBalancerArn, ":loadbalancer/");
    switch (type) {
        case "aws:sqs/queue:Queue":
            return regional("sqs", physicalName);
        case "aws:sns/topic:Topic":
            return regional("sns", physicalName);
        case "aws:sns/topicSubscription:TopicSubscription":
            return `${inputs.topic}:${madeUpUuid(physicalName)}`;
        case "aws:lambda/function:Function":
            return regional("lambda", `function:${physicalName}`);
        case "aws:lambda/eventSourceMapping:EventSourceMapping":
            return regional("lambda", `event-source-mapping:${madeUpUuid(physicalName)}`);
        case "aws:iam/role:Role":
            return `arn:aws:iam::${ACCOUNT_ID}:role${inputs.path ?? "/"}${physicalName}`;
        case "aws:iam/instanceProfile:InstanceProfile":
            return `arn:aws:iam::${ACCOUNT_ID}:instance-profile${inputs.path ?? "/"}${physicalName}`;
        case "aws:iam/policy:Policy":
            return `arn:aws:iam::${ACCOUNT_ID}:policy${inputs.path ?? "/"}${physicalName}`;
        case "aws:iam/serviceLinkedRole:ServiceLinkedRole":
            return serviceLinkedRoleArn(inputs.awsServiceName, inputs.customSuffix);
        case "aws:ecs/cluster:Cluster":
            return regional("ecs", `cluster/${physicalName}`);
        case "aws:ecs/service:Service":
            return regional("ecs", `service/${after(inputs.cluster, ":cluster/")}/${physicalName}`);
        case "aws:ecs/taskDefinition:TaskDefinition":
            return regional("ecs", `task-definition/${inputs.family}:1`);
        case "aws:autoscaling/group:Group":
            return regional(
                "autoscaling",
                `autoScalingGroup:${madeUpUuid(physicalName)}:autoScalingGroupName/${physicalName}`,
            );
        case "aws:autoscaling/policy:Policy":
            return regional(
                "autoscaling",
                `scalingPolicy:${madeUpUuid(physicalName)}:autoScalingGroupName/${inputs.autoscalingGroupName}:policyName/${physicalName}`,
            );
        case "aws:appautoscaling/target:Target":
            return regional("application-autoscaling", `scalable-target/${madeUpHex(physicalName, 34)}`);
        case "aws:appautoscaling/policy:Policy":
            return regional(
                "autoscaling",
                `scalingPolicy:${madeUpUuid(physicalName)}:resource/${inputs.serviceNamespace}/${inputs.resourceId}:policyName/${physicalName}`,
            );
        case "aws:cloudwatch/logGroup:LogGroup":
            return regional("logs", `log-group:${physicalName}`);
        case "aws:cloudwatch/eventRule:EventRule":
            return regional(
                "events",
                `rule/${inputs.eventBusName ? `${inputs.eventBusName}/` : ""}${physicalName}`,
            );
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return regional("cloudwatch", `alarm:${physicalName}`);
        case "aws:cloudwatch/dashboard:Dashboard":
            return `arn:aws:cloudwatch::${ACCOUNT_ID}:dashboard/${inputs.dashboardName}`;
        case "aws:lb/loadBalancer:LoadBalancer":
            return regional("elasticloadbalancing", `loadbalancer/${loadBalancerSuffix(physicalName)}`);
        case "aws:lb/targetGroup:TargetGroup":
            return regional(
                "elasticloadbalancing",
                `targetgroup/${physicalName}/${madeUpHex(physicalName, 16)}`,
            );
        case "aws:lb/listener:Listener":
            return regional(
                "elasticloadbalancing",
                `listener/${loadBalancerName}/${madeUpHex(physicalName, 16)}`,
            );
        case "aws:lb/listenerRule:ListenerRule":
            return regional(
                "elasticloadbalancing",
                `listener-rule/${after(inputs.listenerArn, ":listener/")}/${madeUpHex(physicalName, 16)}`,
            );
        case "aws:kms/key:Key":
            return regional("kms", `key/${madeUpUuid(physicalName)}`);
        case "aws:dynamodb/table:Table":
            return regional("dynamodb", `table/${physicalName}`);
        case "aws:ssm/parameter:Parameter":
            return regional("ssm", `parameter/${physicalName.replace(/^\//, "")}`);
        case "aws:ec2/vpc:Vpc":
            return ec2("vpc");
        case "aws:ec2/subnet:Subnet":
            return ec2("subnet");
        case "aws:ec2/securityGroup:SecurityGroup":
            return ec2("security-group");
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return ec2("launch-template");
        case "aws:ec2/natGateway:NatGateway":
            return ec2("natgateway");
        case "aws:ec2/internetGateway:InternetGateway":
            return ec2("internet-gateway");
        case "aws:ec2/routeTable:RouteTable":
            return ec2("route-table");
        case "aws:ec2/eip:Eip":
            return ec2("elastic-ip");
        case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
            return ec2("security-group-rule");
        default:
            return undefined;
    }
}

/** `app/<name>/<16 hex>`: the part of an ALB's ARN CloudWatch names it by. */
function loadBalancerSuffix(physicalName: string): string {
    return `app/${physicalName}/${madeUpHex(physicalName, 16)}`;
}

function mockState(type: string, name: string, id: string, inputs: Record<string, any>): Record<string, any> {
    const physicalName = inputs.name ?? `${name}-physical`;
    const arn = arnOf(type, physicalName, id, inputs);
    return {
        ...inputs,
        ...(arn === undefined ? {} : { arn }),
        name: physicalName,
        ...(type === "aws:ec2/launchTemplate:LaunchTemplate" ? { latestVersion: 7 } : {}),
        ...(type === "aws:lb/loadBalancer:LoadBalancer"
            ? {
                  dnsName: `${physicalName}-${parseInt(madeUpHex(physicalName, 8), 16)}.${REGION}.elb.amazonaws.com`,
                  arnSuffix: loadBalancerSuffix(physicalName),
              }
            : {}),
        ...(type === "aws:lb/targetGroup:TargetGroup"
            ? { arnSuffix: after(arn, ":targetgroup/").replace(/^/, "targetgroup/") }
            : {}),
        ...(type === "aws:sqs/queue:Queue"
            ? { url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${physicalName}` }
            : {}),
    };
}

/** How IAM names a service-linked role: the service's role name, with `_<suffix>` when one is given. */
function serviceLinkedRoleArn(service: string, suffix: string | undefined): string {
    const roleName =
        service === "autoscaling.amazonaws.com" ? "AWSServiceRoleForAutoScaling" : "AWSServiceRoleFor";
    return `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/${service}/${roleName}${suffix ? `_${suffix}` : ""}`;
}

/** The project's name in Pulumi.yaml, which the mocks run as unless told otherwise. */
export const PROJECT = "ecs-lifecycle";

/**
 * Installs fresh mocks with the given stack config (values as `pulumi config` stores them:
 * strings); `secretKeys` are the full keys set with `--secret`.
 */
export async function startMocks(
    config: Record<string, string> = {},
    stack = "test",
    secretKeys: readonly string[] = [],
    project = PROJECT,
): Promise<MockRun> {
    const run: MockRun = { resources: [], invokes: [] };
    pulumi.runtime.setAllConfig({ "aws:region": REGION, ...config }, [...secretKeys]);
    const facts = new Map<string, RegistrationFacts>();
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const id = `${args.name}-id`;
                const outputs = mockState(args.type, args.name, id, args.inputs);
                const registered = facts.get(`${args.type}::${args.name}`);
                run.resources.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    custom: args.custom !== false,
                    id,
                    outputs,
                    urn: mockUrn(project, stack, args.type, args.name, registered?.parentUrn),
                    dependencies: registered?.dependencies ?? [],
                    retainOnDelete: registered?.retainOnDelete ?? false,
                    provider: args.provider ?? "",
                });
                return { id, state: outputs };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                run.invokes.push({ token: args.token, inputs: args.inputs });
                switch (args.token) {
                    case "aws:ssm/getParameter:getParameter":
                        return {
                            name: args.inputs.name,
                            value: SSM_AMI_ID,
                            insecureValue: SSM_AMI_ID,
                            type: "String",
                        };
                    case "aws:index/getAvailabilityZones:getAvailabilityZones":
                        return { names: MOCK_AZS, zoneIds: MOCK_AZS.map((_, i) => `use1-az${i + 1}`) };
                    case "aws:index/getRegion:getRegion":
                        return { name: REGION, region: REGION, id: REGION };
                    case "aws:index/getCallerIdentity:getCallerIdentity":
                        return {
                            accountId: ACCOUNT_ID,
                            arn: `arn:aws:iam::${ACCOUNT_ID}:user/test`,
                            userId: "AIDA",
                            id: ACCOUNT_ID,
                        };
                    default:
                        throw new Error(`unmocked invoke ${args.token}`);
                }
            },
        },
        project,
        stack,
        false,
    );
    const monitor = getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) => {
        facts.set(`${request.getType()}::${request.getName()}`, {
            parentUrn: request.getParent() || undefined,
            dependencies: request.getDependenciesList(),
            retainOnDelete: request.getRetainondelete() === true,
        });
        return register(request, callback);
    };
    return run;
}

/** The URN as the mock monitor builds it (MockMonitor.newUrn): the parent's own type, then the type and name. */
function mockUrn(
    project: string,
    stack: string,
    type: string,
    name: string,
    parentUrn: string | undefined,
): string {
    const parentType = parentUrn?.split("::")[2].split("$").pop();
    return `urn:pulumi:${stack}::${project}::${parentType ? `${parentType}$${type}` : type}::${name}`;
}

/** Resolves an Output (mocks make every value known). */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/**
 * Waits until the program has declared everything: until the runtime's queue of outstanding
 * registrations (closure serialization included) has drained.
 */
export async function settle(run: MockRun): Promise<void> {
    await waitForRPCs();
    assert.ok(run.resources.length > 0, "the program declared nothing");
}

export function ofType(run: MockRun, type: string): DeclaredResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function named(run: MockRun, type: string, name: string): DeclaredResource {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
        const names = ofType(run, type).map((r) => r.name);
        throw new Error(`no ${type} named ${name}; declared: ${names.join(", ") || "none"}`);
    }
    return found;
}

/** Resource options as a component passed them to each child, by logical name (mocks do not see options). */
export interface OptionsRecorder {
    readonly transformation: pulumi.ResourceTransformation;
    readonly options: Map<string, pulumi.CustomResourceOptions>;
}

/** A transformation to hand a component (`{ transformations: [recorder.transformation] }`): it records, never changes. */
export function recordOptions(): OptionsRecorder {
    const options = new Map<string, pulumi.CustomResourceOptions>();
    return {
        options,
        transformation: (args) => {
            options.set(args.name, args.opts);
            return undefined;
        },
    };
}
