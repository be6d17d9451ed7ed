/**
 * Pulumi marks a value it cannot know during preview with a sentinel: the policy engine passes
 * these strings (one per value kind, from @pulumi/policy's proxy module), mock synthesis passes an
 * object carrying `__pulumiUnknown`. A property that is absent (undefined) was not set by the
 * program, which for most rules means "the AWS default applies".
 */
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (also the engine's generic unknown)
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export function isUnknown(value: unknown): boolean {
    if (typeof value === "string") {
        return UNKNOWN_SENTINELS.has(value);
    }
    return (
        typeof value === "object" &&
        value !== null &&
        (value as Record<string, unknown>).__pulumiUnknown === true
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
