import {
    Policies,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { archiveEntries, zipBytes } from "./rules/archiveBytes";
import { LAMBDA_FUNCTION_TYPE } from "./rules/lambdaRole";
import { PlannedResource, RULES, RuleDefinition, StackFacts } from "./rules";

/**
 * The engine hands policies their props behind a proxy that throws on any unknown value. The
 * rules judge unknowns themselves (skipping them), so they read the plain object underneath;
 * this key is the proxy's own escape hatch in @pulumi/policy (proxy.ts, getSpecialProxyTarget).
 */
const PROXY_TARGET_KEY = "__getSpecialProxyTarget";

function plainProps(props: Record<string, unknown>): Record<string, unknown> {
    return (props[PROXY_TARGET_KEY] as Record<string, unknown> | undefined) ?? props;
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
