import * as pulumi from "@pulumi/pulumi";
import {
    Policies,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    UnknownValueError,
} from "@pulumi/policy";
import { archiveEntries, zipBytes } from "./rules/archiveBytes";
import { UNKNOWN } from "./rules/known";
import { LAMBDA_FUNCTION_TYPE } from "./rules/lambdaRole";
import { PlannedResource, RULES, RuleDefinition, StackFacts } from "./rules";

/**
 * The engine hands policies their props behind @pulumi/policy's proxy, which throws
 * UnknownValueError on reading a value unknown during preview. The rules are plain functions
 * shared with the plan, so the props are copied out field by field, each unknown replaced by the
 * project's own marker (rules/known.ts), which the rules judge (mostly by skipping it).
 */
export function plainProps(props: Record<string, unknown>): Record<string, unknown> {
    return plainObject(props);
}

function plainObject(proxied: object): Record<string, unknown> {
    return Object.fromEntries(Object.keys(proxied).map((key) => [key, readField(proxied, key)]));
}

function readField(container: object, key: string | number): unknown {
    let value: unknown;
    try {
        value = (container as Record<string | number, unknown>)[key];
    } catch (error) {
        if (error instanceof UnknownValueError) return UNKNOWN;
        throw error;
    }
    return plainValue(value);
}

function plainValue(value: unknown): unknown {
    if (typeof value !== "object" || value === null) return value;
    if (Array.isArray(value))
        return Array.from({ length: value.length }, (_, index) => readField(value, index));
    if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) return assetOf(value);
    return plainObject(value);
}

/**
 * An asset or archive (a Lambda's code) holds Promises, which work only on their own object, never
 * through a proxy; its own properties, read without the proxy's `get` (only that trap is set),
 * are the engine's deserialized values. Nothing in an asset is unknown: the engine sends an
 * unknown archive as a whole, which readField has marked already.
 */
function assetOf(proxied: object): object {
    return Object.create(Object.getPrototypeOf(proxied), Object.getOwnPropertyDescriptors(proxied));
}

function plannedFromArgs(args: ResourceValidationArgs): PlannedResource {
    const props = plainProps(args.props);
    return {
        type: args.type,
        name: args.name,
        urn: args.urn,
        id: typeof props.id === "string" ? props.id : undefined,
        props,
        parent: args.opts.parent,
    };
}

function plannedFromStack(resource: PolicyResource): PlannedResource {
    const props = plainProps(resource.props);
    return {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        id: typeof props.id === "string" ? props.id : undefined,
        props,
        parent: resource.parent?.urn,
        propertyDependencies: Object.fromEntries(
            Object.entries(resource.propertyDependencies).map(([property, sources]) => [
                property,
                sources.map((source) => source.urn),
            ]),
        ),
        dependencies: resource.dependencies.map((dependency) => dependency.urn),
    };
}

/** A file the archive names but this machine lacks (the pack may run apart from the program). */
function isMissingFile(error: unknown): boolean {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
}

/** The engine passes each Lambda's code archive; measure the ones whose files are readable here. */
async function measuredArchiveSizes(resources: PlannedResource[]): Promise<StackFacts> {
    const archiveSizes: Record<string, number> = {};
    for (const lambda of resources.filter((resource) => resource.type === LAMBDA_FUNCTION_TYPE)) {
        try {
            const entries = await archiveEntries(lambda.props.code);
            if (entries !== undefined) {
                archiveSizes[lambda.name] = zipBytes(entries);
            }
        } catch (error) {
            if (!isMissingFile(error)) {
                throw error;
            }
        }
    }
    return { archiveSizes };
}

function toPolicy(rule: RuleDefinition): ResourceValidationPolicy | StackValidationPolicy {
    const header = {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
    };
    if (rule.kind === "resource") {
        return {
            ...header,
            validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
                rule.check(plannedFromArgs(args)).forEach((message) => reportViolation(message));
            },
        };
    }
    return {
        ...header,
        validateStack: async (args: StackValidationArgs, reportViolation: ReportViolation) => {
            const resources = args.resources.map(plannedFromStack);
            const facts = rule.readsArchiveSizes === true ? await measuredArchiveSizes(resources) : undefined;
            rule.check(resources, facts).forEach((violation) =>
                reportViolation(violation.message, violation.resource),
            );
        },
    };
}

/** The pack's policies, one per rule of rules/index.ts, in the same order. */
export const policies: Policies = RULES.map(toPolicy);
