/**
 * Mock-based synthesis (pulumi/examples testing-unit-ts style): mocks answer every resource and
 * invoke, and record what the program declared, for the tests' exact assertions and for
 * `npm run plan`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs and mock state take every resource type's shape */
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
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
}

export interface MockRun {
    readonly resources: DeclaredResource[];
    readonly invokes: { token: string; inputs: Record<string, any> }[];
}

const ARN_SERVICE: Record<string, string> = {
    ecs: "ecs",
    iam: "iam",
    lb: "elasticloadbalancing",
    autoscaling: "autoscaling",
};

function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    const module = type.split(":")[1]?.split("/")[0] ?? "mock";
    const physicalName = inputs.name ?? `${name}-physical`;
    const arn =
        type === "aws:ecs/cluster:Cluster"
            ? `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${physicalName}`
            : type === "aws:iam/role:Role"
              ? `arn:aws:iam::${ACCOUNT_ID}:role/${physicalName}`
              : type === "aws:iam/serviceLinkedRole:ServiceLinkedRole"
                ? serviceLinkedRoleArn(inputs.awsServiceName, inputs.customSuffix)
                : `arn:aws:${ARN_SERVICE[module] ?? module}:${REGION}:${ACCOUNT_ID}:${module}/${physicalName}`;
    return {
        ...inputs,
        arn,
        name: physicalName,
        ...(type === "aws:ec2/launchTemplate:LaunchTemplate" ? { latestVersion: 7 } : {}),
        ...(type === "aws:lb/loadBalancer:LoadBalancer"
            ? { dnsName: `${name}.${REGION}.elb.amazonaws.com`, arnSuffix: `app/${name}/0123456789abcdef` }
            : {}),
        ...(type === "aws:lb/targetGroup:TargetGroup"
            ? { arnSuffix: `targetgroup/${name}/0123456789abcdef` }
            : {}),
        ...(type === "aws:sqs/queue:Queue"
            ? { url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${physicalName}` }
            : {}),
        ...(type === "aws:cloudwatch/logGroup:LogGroup"
            ? { arn: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${physicalName}` }
            : {}),
    };
}

/** How IAM names a service-linked role: the service's role name, with `_<suffix>` when one is given. */
function serviceLinkedRoleArn(service: string, suffix: string | undefined): string {
    const roleName =
        service === "autoscaling.amazonaws.com" ? "AWSServiceRoleForAutoScaling" : "AWSServiceRoleFor";
    return `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/${service}/${roleName}${suffix ? `_${suffix}` : ""}`;
}

/**
 * Installs fresh mocks with the given stack config (values as `pulumi config` stores them:
 * strings); `secretKeys` are the full keys set with `--secret`.
 */
export async function startMocks(
    config: Record<string, string> = {},
    stack = "test",
    secretKeys: readonly string[] = [],
): Promise<MockRun> {
    const run: MockRun = { resources: [], invokes: [] };
    pulumi.runtime.setAllConfig({ "aws:region": REGION, ...config }, [...secretKeys]);
    const facts = new Map<string, RegistrationFacts>();
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const id = `${args.name}-id`;
                const outputs = mockState(args.type, args.name, args.inputs);
                const registered = facts.get(`${args.type}::${args.name}`);
                run.resources.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    custom: args.custom !== false,
                    id,
                    outputs,
                    urn: mockUrn(stack, args.type, args.name, registered?.parentUrn),
                    dependencies: registered?.dependencies ?? [],
                    retainOnDelete: registered?.retainOnDelete ?? false,
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
        "ecs-lifecycle",
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
function mockUrn(stack: string, type: string, name: string, parentUrn: string | undefined): string {
    const parentType = parentUrn?.split("::")[2].split("$").pop();
    return `urn:pulumi:${stack}::ecs-lifecycle::${parentType ? `${parentType}$${type}` : type}::${name}`;
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
