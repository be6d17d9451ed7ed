/**
 * Mock-based synthesis (pulumi/examples testing-unit-ts style): mocks answer every resource and
 * invoke, and record what the program declared, for the tests' exact assertions and for
 * `npm run plan`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs and mock state take every resource type's shape */
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
// Internal to the SDK, but the only exact signal that every registration has reached the mocks.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

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
              : `arn:aws:${ARN_SERVICE[module] ?? module}:${REGION}:${ACCOUNT_ID}:${module}/${physicalName}`;
    return {
        ...inputs,
        arn,
        name: physicalName,
        ...(type === "aws:ec2/launchTemplate:LaunchTemplate" ? { latestVersion: 7 } : {}),
        ...(type === "aws:lb/loadBalancer:LoadBalancer"
            ? { dnsName: `${name}.${REGION}.elb.amazonaws.com` }
            : {}),
        ...(type === "aws:sqs/queue:Queue"
            ? { url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${physicalName}` }
            : {}),
        ...(type === "aws:cloudwatch/logGroup:LogGroup"
            ? { arn: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${physicalName}` }
            : {}),
    };
}

/** Installs fresh mocks with the given stack config (values as `pulumi config` stores them: strings). */
export async function startMocks(config: Record<string, string> = {}, stack = "test"): Promise<MockRun> {
    const run: MockRun = { resources: [], invokes: [] };
    pulumi.runtime.setAllConfig({ "aws:region": REGION, ...config });
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const id = `${args.name}-id`;
                const outputs = mockState(args.type, args.name, args.inputs);
                run.resources.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    custom: args.custom !== false,
                    id,
                    outputs,
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
    return run;
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
