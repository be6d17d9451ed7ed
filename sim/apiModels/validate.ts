/**
 * Checks an SDK-shaped value against a shape of a botocore model, as AWS's service front ends
 * validate a request and as the SDK types describe a response: structure members known and
 * required ones present, list and map sizes, string enums, lengths and patterns, numeric ranges,
 * timestamps as Dates and blobs as bytes. Members set to `undefined` are absent (the SDK and the
 * wire drop them). Length counts Unicode code points and patterns are not anchored, as the Smithy
 * specification defines `@length` and `@pattern`.
 */
import type { ApiModel, Shape, ShapeRef } from "./botocore";

export interface ShapeViolation {
    /** Where in the value: `AutoScalingGroups[0].Instances[2].LifecycleState`. */
    readonly path: string;
    readonly problem: string;
}

/** What travels in which direction: requests may carry a blob as text, the SDK answers bytes. */
export type Direction = "input" | "output";

export function checkShape(
    model: ApiModel,
    ref: ShapeRef,
    value: unknown,
    direction: Direction,
    path = "",
): ShapeViolation[] {
    const shape = model.shapes[ref.shape];
    if (shape === undefined) return [{ path, problem: `the model has no shape ${ref.shape}` }];
    if (value === null) return [{ path, problem: `null is not a ${shape.type} (${ref.shape})` }];
    switch (shape.type) {
        case "structure":
            return checkStructure(model, ref.shape, shape, value, direction, path);
        case "list":
            return checkList(model, shape, value, direction, path);
        case "map":
            return checkMap(model, shape, value, direction, path);
        case "string":
            return checkString(shape, value, path);
        case "integer":
        case "long":
            return checkNumber(shape, value, path, true);
        case "double":
        case "float":
            return checkNumber(shape, value, path, false);
        case "boolean":
            return typeof value === "boolean" ? [] : [wrongType(path, "a boolean", value)];
        case "timestamp":
            return value instanceof Date && !Number.isNaN(value.getTime())
                ? []
                : [wrongType(path, "a Date", value)];
        case "blob":
            return value instanceof Uint8Array || (direction === "input" && typeof value === "string")
                ? []
                : [wrongType(path, "bytes", value)];
    }
}

function checkStructure(
    model: ApiModel,
    name: string,
    shape: Shape,
    value: unknown,
    direction: Direction,
    path: string,
): ShapeViolation[] {
    if (!isPlainObject(value)) return [wrongType(path, `a ${name} structure`, value)];
    const members = shape.members ?? {};
    const violations: ShapeViolation[] = [];
    for (const required of shape.required ?? []) {
        if (value[required] === undefined) {
            violations.push({ path: join(path, required), problem: `required by ${name}, missing` });
        }
    }
    for (const [member, memberValue] of Object.entries(value)) {
        if (memberValue === undefined) continue;
        const ref = members[member];
        if (ref === undefined) {
            violations.push({ path: join(path, member), problem: `${name} has no member ${member}` });
            continue;
        }
        violations.push(...checkShape(model, ref, memberValue, direction, join(path, member)));
    }
    return violations;
}

function checkList(
    model: ApiModel,
    shape: Shape,
    value: unknown,
    direction: Direction,
    path: string,
): ShapeViolation[] {
    if (!Array.isArray(value)) return [wrongType(path, "a list", value)];
    return [
        ...sizeViolations(shape, value.length, path, "items"),
        ...value.flatMap((item, i) => checkShape(model, shape.member!, item, direction, `${path}[${i}]`)),
    ];
}

function checkMap(
    model: ApiModel,
    shape: Shape,
    value: unknown,
    direction: Direction,
    path: string,
): ShapeViolation[] {
    if (!isPlainObject(value)) return [wrongType(path, "a map", value)];
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return [
        ...sizeViolations(shape, entries.length, path, "entries"),
        ...entries.flatMap(([key, entry]) => [
            ...checkShape(model, shape.key!, key, direction, `${path}{key ${key}}`),
            ...checkShape(model, shape.value!, entry, direction, `${path}{${key}}`),
        ]),
    ];
}

function checkString(shape: Shape, value: unknown, path: string): ShapeViolation[] {
    if (typeof value !== "string") return [wrongType(path, "a string", value)];
    const violations = sizeViolations(shape, [...value].length, path, "characters");
    if (shape.enum !== undefined && !shape.enum.includes(value)) {
        violations.push({ path, problem: `${quote(value)} is not one of ${shape.enum.join(", ")}` });
    }
    const pattern = shape.pattern === undefined ? undefined : compiledPattern(shape.pattern);
    if (pattern !== undefined && !pattern.test(value)) {
        violations.push({ path, problem: `${quote(value)} does not match the pattern ${shape.pattern}` });
    }
    return violations;
}

function checkNumber(shape: Shape, value: unknown, path: string, integer: boolean): ShapeViolation[] {
    if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
        return [wrongType(path, integer ? "an integer" : "a finite number", value)];
    }
    const violations: ShapeViolation[] = [];
    if (shape.min !== undefined && value < shape.min) {
        violations.push({ path, problem: `${value} is below the minimum ${shape.min}` });
    }
    if (shape.max !== undefined && value > shape.max) {
        violations.push({ path, problem: `${value} is above the maximum ${shape.max}` });
    }
    return violations;
}

function sizeViolations(shape: Shape, size: number, path: string, unit: string): ShapeViolation[] {
    if (shape.min !== undefined && size < shape.min) {
        return [{ path, problem: `${size} ${unit}, at least ${shape.min} expected` }];
    }
    if (shape.max !== undefined && size > shape.max) {
        return [{ path, problem: `${size} ${unit}, at most ${shape.max} expected` }];
    }
    return [];
}

const patterns: Record<string, RegExp | null> = {};

/**
 * A model pattern as an ECMAScript regular expression. botocore's patterns come from Java, and a
 * few escape characters that need no escape (`\-`), which only the non-Unicode mode accepts; the
 * handful that use Java-only syntax (`(?i)`, `\p{Print}`) are not checked.
 */
function compiledPattern(source: string): RegExp | undefined {
    if (!(source in patterns)) patterns[source] = compile(source, "u") ?? compile(source, "");
    return patterns[source] ?? undefined;
}

function compile(source: string, flags: string): RegExp | null {
    try {
        return new RegExp(source, flags);
    } catch {
        return null;
    }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return (
        typeof value === "object" &&
        value !== null &&
        !Array.isArray(value) &&
        !(value instanceof Date) &&
        !(value instanceof Uint8Array)
    );
}

function wrongType(path: string, expected: string, value: unknown): ShapeViolation {
    return { path, problem: `expected ${expected}, got ${describe(value)}` };
}

function describe(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? "an invalid Date" : "a Date";
    if (typeof value === "string") return `the string ${quote(value)}`;
    if (typeof value === "object") return "an object";
    return `${typeof value} ${String(value)}`;
}

function quote(text: string): string {
    return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

function join(path: string, member: string): string {
    return path === "" ? member : `${path}.${member}`;
}
