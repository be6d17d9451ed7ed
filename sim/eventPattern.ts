/**
 * EventBridge event patterns as documented: every field named in the pattern must match; a leaf
 * is an array of alternatives (literal values or operator objects); a nested object matches a
 * nested object; arrays in the event are flattened, so any element can match. Operators:
 * `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (value, list, or {prefix}), `exists`,
 * `numeric` (comparisons joined by AND).
 */
export type EventPattern = { readonly [field: string]: unknown };

const NUMERIC_OPERATORS = new Set(["<", "<=", "=", ">", ">="]);

/** Parses and validates a pattern; throws an Error whose message says what is wrong and where. */
export function parseEventPattern(json: string): EventPattern {
    let parsed: unknown;
    try {
        parsed = JSON.parse(json);
    } catch (error) {
        throw new Error(`Filter is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (!isObject(parsed) || Object.keys(parsed).length === 0)
        throw new Error("Pattern must be a non-empty JSON object");
    validateObject(parsed, "");
    return parsed;
}

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
    return matchesAt(pattern, [event]);
}

/**
 * EventBridge flattens arrays: a pattern path matches against every value found along it,
 * through arrays of scalars and arrays of objects alike.
 */
function matchesAt(pattern: EventPattern, nodes: readonly unknown[]): boolean {
    return Object.entries(pattern).every(([field, rule]) => {
        const values = nodes.flatMap((node) => (isObject(node) && field in node ? flatten(node[field]) : []));
        if (Array.isArray(rule)) return matchesAlternatives(rule, values);
        return isObject(rule) && matchesAt(rule, values);
    });
}

function flatten(value: unknown): unknown[] {
    return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

function matchesAlternatives(alternatives: readonly unknown[], values: readonly unknown[]): boolean {
    return alternatives.some((alternative) => {
        if (isObject(alternative) && "exists" in alternative) return alternative.exists === values.length > 0;
        return values.some((value) => matchesOne(alternative, value));
    });
}

function matchesOne(alternative: unknown, value: unknown): boolean {
    if (!isObject(alternative)) return alternative === value;
    const [operator, operand] = Object.entries(alternative)[0];
    switch (operator) {
        case "prefix":
            return typeof value === "string" && value.startsWith(operand as string);
        case "suffix":
            return typeof value === "string" && value.endsWith(operand as string);
        case "equals-ignore-case":
            return typeof value === "string" && value.toLowerCase() === (operand as string).toLowerCase();
        case "anything-but":
            return matchesAnythingBut(operand, value);
        case "numeric":
            return typeof value === "number" && matchesNumeric(operand as readonly unknown[], value);
        default:
            return false;
    }
}

function matchesAnythingBut(operand: unknown, value: unknown): boolean {
    if (isObject(operand)) return typeof value === "string" && !value.startsWith(operand.prefix as string);
    const excluded = Array.isArray(operand) ? operand : [operand];
    return !excluded.includes(value);
}

function matchesNumeric(comparisons: readonly unknown[], value: number): boolean {
    for (let i = 0; i < comparisons.length; i += 2) {
        const bound = comparisons[i + 1] as number;
        const holds = {
            "<": value < bound,
            "<=": value <= bound,
            "=": value === bound,
            ">": value > bound,
            ">=": value >= bound,
        }[comparisons[i] as string];
        if (!holds) return false;
    }
    return true;
}

function validateObject(pattern: Record<string, unknown>, path: string): void {
    for (const [field, rule] of Object.entries(pattern)) {
        const where = path ? `${path}.${field}` : field;
        if (Array.isArray(rule)) {
            if (rule.length === 0) throw new Error(`Empty arrays are not allowed at ${where}`);
            rule.forEach((alternative) => validateAlternative(alternative, where));
        } else if (isObject(rule)) {
            validateObject(rule, where);
        } else {
            throw new Error(`"${where}" must be an object or an array`);
        }
    }
}

function validateAlternative(alternative: unknown, where: string): void {
    if (!isObject(alternative)) return;
    const entries = Object.entries(alternative);
    if (entries.length !== 1)
        throw new Error(`Each match expression at ${where} must have exactly one operator`);
    const [operator, operand] = entries[0];
    const fail = (expected: string) => {
        throw new Error(`Operator "${operator}" at ${where} expects ${expected}`);
    };
    switch (operator) {
        case "prefix":
        case "suffix":
        case "equals-ignore-case":
            if (typeof operand !== "string") fail("a string");
            return;
        case "exists":
            if (typeof operand !== "boolean") fail("true or false");
            return;
        case "anything-but":
            if (isObject(operand)) {
                if (typeof operand.prefix !== "string" || Object.keys(operand).length !== 1)
                    fail('a value, a list of values or {"prefix": string}');
            } else if (
                Array.isArray(operand)
                    ? operand.some((v) => isObject(v) || Array.isArray(v))
                    : operand === undefined
            ) {
                fail('a value, a list of values or {"prefix": string}');
            }
            return;
        case "numeric":
            if (
                !Array.isArray(operand) ||
                operand.length === 0 ||
                operand.length % 2 !== 0 ||
                operand.some((item, i) =>
                    i % 2 === 0 ? !NUMERIC_OPERATORS.has(item as string) : typeof item !== "number",
                )
            ) {
                fail('pairs of an operator (<, <=, =, >, >=) and a number, e.g. [">", 0, "<=", 5]');
            }
            return;
        default:
            throw new Error(`Unrecognized match type "${operator}" at ${where}`);
    }
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
