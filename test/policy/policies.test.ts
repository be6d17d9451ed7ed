import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
} from "@pulumi/policy";
// The engine's wire form of a value unknown during preview (what a preview sends the pack).
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { plainProps, policies } from "../../policy/policies";
import { RULES } from "../../policy/rules";
import { isUnknown } from "../../policy/rules/known";

/** Props as the engine hands them to a policy: behind @pulumi/policy's own unknown-checking proxy. */
function engineProxy(props: Record<string, unknown>): Record<string, unknown> {
    return unknownCheckingProxy(props) as Record<string, unknown>;
}

function collector(): { reported: Array<[string, string | undefined]>; report: ReportViolation } {
    const reported: Array<[string, string | undefined]> = [];
    return { reported, report: (message, urn) => reported.push([message, urn]) };
}

describe("policy pack", () => {
    it("holds one policy per rule, in order and at the rule's tier, resource rules as validateResource and stack rules as validateStack", () => {
        assert.deepEqual(
            policies.map((policy) => [
                policy.name,
                policy.enforcementLevel,
                "validateStack" in policy ? "stack" : "resource",
            ]),
            RULES.map((rule) => [rule.name, rule.enforcementLevel, rule.kind]),
        );
        assert.deepEqual(
            policies.filter((policy) => policy.enforcementLevel === "advisory").map((policy) => policy.name),
            ["log-group-retention", "messaging-encrypted"],
        );
        assert.deepEqual(
            policies.map((policy) => policy.description),
            RULES.map((rule) => rule.description),
        );
    });

    it("copies the engine's props out of its proxy, marking each unknown value, at any depth", () => {
        const plain = plainProps(
            engineProxy({
                name: "drain-queue",
                arn: unknownValue,
                redrivePolicy: { deadLetterTargetArn: unknownValue, maxReceiveCount: 12 },
                subnets: ["subnet-1", unknownValue],
                tags: { team: "platform" },
                empty: null,
            }),
        );
        assert.equal(plain.name, "drain-queue");
        assert.ok(isUnknown(plain.arn));
        const redrive = plain.redrivePolicy as Record<string, unknown>;
        assert.ok(isUnknown(redrive.deadLetterTargetArn));
        assert.equal(redrive.maxReceiveCount, 12);
        const subnets = plain.subnets as unknown[];
        assert.ok(Array.isArray(subnets));
        assert.equal(subnets[0], "subnet-1");
        assert.ok(isUnknown(subnets[1]));
        assert.deepEqual(plain.tags, { team: "platform" });
        assert.equal(plain.empty, null);
        // Plain data: a rule reading any field never meets the proxy again.
        assert.doesNotThrow(() => JSON.stringify(plain));
    });

    it("reads a Lambda's code archive through the proxy as the engine deserializes it", async () => {
        const plain = plainProps(
            engineProxy({
                code: new pulumi.asset.AssetArchive({
                    "__index.js": new pulumi.asset.StringAsset("exports.x=1"),
                }),
            }),
        );
        assert.ok(pulumi.asset.Archive.isInstance(plain.code));
        const assets = await (plain.code as pulumi.asset.AssetArchive).assets;
        assert.equal(await (assets["__index.js"] as pulumi.asset.StringAsset).text, "exports.x=1");
    });

    it("reports a resource rule's violations from the engine's proxied props", async () => {
        const policy = policies.find(
            (candidate) => candidate.name === "log-group-retention-valid",
        ) as ResourceValidationPolicy;
        const { reported, report } = collector();
        const validate = policy.validateResource;
        assert.ok(typeof validate === "function");
        await validate(
            {
                type: "aws:cloudwatch/logGroup:LogGroup",
                name: "logs",
                urn: "urn:logs",
                props: engineProxy({ retentionInDays: 1 }),
                opts: { parent: undefined },
            } as unknown as Parameters<typeof validate>[0],
            report,
        );
        await validate(
            {
                type: "aws:cloudwatch/logGroup:LogGroup",
                name: "logs",
                urn: "urn:logs",
                props: engineProxy({ retentionInDays: 2 }),
                opts: { parent: undefined },
            } as unknown as Parameters<typeof validate>[0],
            report,
        );
        assert.equal(reported.length, 1);
        assert.match(
            reported[0][0],
            /^aws:cloudwatch\/logGroup:LogGroup "logs": retentionInDays is 2; it must be one of 1, 3,/,
        );
    });

    it("reports a stack rule's violations against the offending URN, following propertyDependencies", async () => {
        const policy = policies.find(
            (candidate) => candidate.name === "tasks-in-private-subnets",
        ) as StackValidationPolicy;
        const subnet = {
            type: "aws:ec2/subnet:Subnet",
            name: "public-0",
            urn: "urn:subnet",
            props: engineProxy({ mapPublicIpOnLaunch: true }),
            propertyDependencies: {},
            dependencies: [],
        };
        const service = {
            type: "aws:ecs/service:Service",
            name: "api",
            urn: "urn:service",
            props: engineProxy({
                networkConfiguration: { subnets: [unknownValue] },
            }),
            propertyDependencies: { networkConfiguration: [subnet] },
            dependencies: [subnet],
        };
        const { reported, report } = collector();
        await policy.validateStack(
            { resources: [subnet, service] } as unknown as StackValidationArgs,
            report,
        );
        assert.deepEqual(reported, [
            [
                'aws:ecs/service:Service "api": networkConfiguration.subnets includes the public subnet "public-0"; tasks must run in private subnets',
                "urn:service",
            ],
        ]);
    });

    it("measures Lambda archives the engine passes for the archive-size rule", async () => {
        const policy = policies.find(
            (candidate) => candidate.name === "lambda-archive-size",
        ) as StackValidationPolicy;
        // A linear congruential sequence: deterministic, and deflate finds no repeats to shrink.
        let state = 1;
        const noise = Buffer.from(
            Array.from({ length: 60000 }, () => {
                state = (Math.imul(state, 1103515245) + 12345) >>> 0;
                return state >>> 24;
            }),
        );
        const big = {
            type: "aws:lambda/function:Function",
            name: "fat",
            urn: "urn:fat",
            props: engineProxy({
                code: new pulumi.asset.AssetArchive({
                    "__index.js": new pulumi.asset.StringAsset(noise.toString("base64")),
                }),
            }),
            propertyDependencies: {},
            dependencies: [],
        };
        const { reported, report } = collector();
        await policy.validateStack({ resources: [big] } as unknown as StackValidationArgs, report);
        assert.equal(reported.length, 1);
        assert.match(
            reported[0][0],
            /^aws:lambda\/function:Function "fat": code archive is \d+ bytes; it must be under 51200 bytes/,
        );
        assert.equal(reported[0][1], "urn:fat");
    });

    it("hands stack rules the engine's dependencies, so ordering is judged in a real preview", async () => {
        const policy = policies.find(
            (candidate) => candidate.name === "delivery-order",
        ) as StackValidationPolicy;
        const queue = {
            type: "aws:sqs/queue:Queue",
            name: "drain-queue",
            urn: "urn:queue",
            props: engineProxy({ arn: "arn:aws:sqs:us-east-1:1:q", url: "https://sqs/q" }),
            propertyDependencies: {},
            dependencies: [],
        };
        const queuePolicy = {
            type: "aws:sqs/queuePolicy:QueuePolicy",
            name: "drain-queue-policy",
            urn: "urn:policy",
            props: engineProxy({ queueUrl: "https://sqs/q" }),
            propertyDependencies: { queueUrl: [queue] },
            dependencies: [queue],
        };
        const target = (dependencies: unknown[]) => ({
            type: "aws:cloudwatch/eventTarget:EventTarget",
            name: "drain-spot",
            urn: "urn:target",
            props: engineProxy({ arn: "arn:aws:sqs:us-east-1:1:q" }),
            propertyDependencies: { arn: [queue] },
            dependencies,
        });
        for (const [dependencies, expected] of [
            [[queue], 1],
            [[queue, queuePolicy], 0],
        ] as const) {
            const { reported, report } = collector();
            await policy.validateStack(
                {
                    resources: [queue, queuePolicy, target([...dependencies])],
                } as unknown as StackValidationArgs,
                report,
            );
            assert.equal(reported.length, expected, JSON.stringify(reported));
        }
    });
});
