/**
 * A resource as the policy rules see it: the same shape whether it comes from `npm run plan`
 * (mock synthesis) or from the Pulumi policy engine, so one rule gives one verdict in both.
 */
export interface PlannedResource {
    /** The provider type token, e.g. "aws:autoscaling/group:Group". */
    type: string;
    /** The logical (Pulumi) name. */
    name: string;
    urn?: string;
    /** The physical id when known: the mock id in the plan, the provider id after deployment. */
    id?: string;
    /** The resource's inputs as the provider sees them, camelCase as in @pulumi/aws. */
    props: Record<string, unknown>;
    /**
     * Known outputs (the mock's state in the plan), read only to match references: another
     * resource may hold this one's arn or name rather than its id.
     */
    outputs?: Record<string, unknown>;
    /** The parent's URN. */
    parent?: string;
    /**
     * For each top-level input property, the URNs of the resources its value was computed from
     * (the engine's propertyDependencies). Lets stack rules follow a reference such as a subnet id
     * whose value is still unknown during preview.
     */
    propertyDependencies?: Record<string, string[]>;
    /**
     * URNs of every resource this one is created after: explicit dependsOn (a component's
     * children included) and those its inputs come from. The engine's `dependencies`; the plan
     * records what the program sends the engine.
     */
    dependencies?: string[];
}

/** Returns one message per violation, each naming the resource, the property and the legal value. */
export type ResourceRule = (resource: PlannedResource) => string[];

export interface StackViolation {
    /** The offending resource's URN when it has one, else its logical name; absent for the stack as a whole. */
    resource?: string;
    message: string;
}

/** Facts about the stack that are not resource inputs; the plan measures them. */
export interface StackFacts {
    /** Deployment archive size in bytes, keyed by the Lambda function's logical name. */
    archiveSizes?: Record<string, number>;
}

export type StackRule = (resources: PlannedResource[], facts?: StackFacts) => StackViolation[];

/**
 * How much a violation matters. `mandatory`: a deploy would fail, or a safety promise of this
 * project would break (tasks killed, people not told, more access than the job needs); the plan
 * exits non-zero and the pack fails the preview. `advisory`: good practice; reported, never
 * blocking.
 */
export type Tier = "mandatory" | "advisory";

interface RuleHeader {
    /** Unique, kebab-case; the policy name in the pack. */
    name: string;
    description: string;
    /** The rule's tier, which the pack passes to the engine as the policy's enforcement level. */
    enforcementLevel: Tier;
}

export interface ResourceRuleDefinition extends RuleHeader {
    kind: "resource";
    check: ResourceRule;
}

export interface StackRuleDefinition extends RuleHeader {
    kind: "stack";
    check: StackRule;
    /** The check reads `facts.archiveSizes`; the pack measures the archives only for such rules. */
    readsArchiveSizes?: boolean;
}

export type RuleDefinition = ResourceRuleDefinition | StackRuleDefinition;
