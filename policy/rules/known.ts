/**
 * A value Pulumi cannot know until the deploy (an ARN computed during preview). The policy pack
 * puts this marker wherever @pulumi/policy's proxy raises UnknownValueError (policies.ts), so the
 * rules read plain data, the same in the pack and in the plan (whose mocks know every value). A
 * property that is absent (undefined) was not set by the program, which for most rules means
 * "the AWS default applies".
 */
export const UNKNOWN: Readonly<{ unknownDuringPreview: true }> = Object.freeze({
    unknownDuringPreview: true,
});

export function isUnknown(value: unknown): boolean {
    return (
        typeof value === "object" &&
        value !== null &&
        (value as { unknownDuringPreview?: unknown }).unknownDuringPreview === true
    );
}

export function knownString(value: unknown): string | undefined {
    return typeof value === "string" && !isUnknown(value) ? value : undefined;
}

/** Numbers arrive as numbers from the program and sometimes as numeric strings from state. */
export function knownNumber(value: unknown): number | undefined {
    if (typeof value === "number") {
        return value;
    }
    if (
        typeof value === "string" &&
        !isUnknown(value) &&
        value.trim() !== "" &&
        Number.isFinite(Number(value))
    ) {
        return Number(value);
    }
    return undefined;
}

/** Launch templates carry some booleans as the strings "true"/"false". */
export function knownBoolean(value: unknown): boolean | undefined {
    if (typeof value === "boolean") {
        return value;
    }
    if (value === "true" || value === "false") {
        return value === "true";
    }
    return undefined;
}

/** The elements of a list (each may itself be unknown); an unknown or absent list yields none. */
export function knownArray(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

export function knownObject(value: unknown): Record<string, unknown> | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !isUnknown(value)
        ? (value as Record<string, unknown>)
        : undefined;
}
