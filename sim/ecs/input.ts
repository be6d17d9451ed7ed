/**
 * Reads SDK-shaped request input with the checks the real services make, throwing the service's
 * own validation error code with a message that names the field and what was expected. Used by
 * the ECS (InvalidParameterException) and Auto Scaling (ValidationError) models.
 */
import { AwsError } from "../errors";

export class InputReader {
    constructor(
        private readonly input: Record<string, unknown>,
        private readonly errorCode: string,
        /** "parent." when reading a nested object, so errors name the full path. */
        private readonly prefix: string = "",
    ) {}

    fail(message: string): never {
        throw new AwsError(this.errorCode, message);
    }

    has(field: string): boolean {
        return this.input[field] !== undefined && this.input[field] !== null;
    }

    optionalString(field: string): string | undefined {
        const value = this.input[field];
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "string")
            this.fail(`${this.prefix}${field}: expected a string, got ${JSON.stringify(value)}`);
        return value;
    }

    string(field: string): string {
        const value = this.optionalString(field);
        if (value === undefined || value === "") this.fail(`${this.prefix}${field}: a value is required`);
        return value;
    }

    optionalEnum<T extends string>(field: string, allowed: readonly T[]): T | undefined {
        const value = this.optionalString(field);
        if (value === undefined) return undefined;
        if (!allowed.includes(value as T))
            this.fail(`${this.prefix}${field}: expected one of ${allowed.join(", ")}, got ${value}`);
        return value as T;
    }

    optionalInt(field: string, min: number, max: number): number | undefined {
        const raw = this.input[field];
        if (raw === undefined || raw === null) return undefined;
        const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            this.fail(
                `${this.prefix}${field}: expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
            );
        }
        return value;
    }

    int(field: string, min: number, max: number): number {
        const value = this.optionalInt(field, min, max);
        if (value === undefined) this.fail(`${this.prefix}${field}: a value is required`);
        return value;
    }

    optionalNumber(field: string): number | undefined {
        const raw = this.input[field];
        if (raw === undefined || raw === null) return undefined;
        const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
        if (typeof value !== "number" || !Number.isFinite(value)) {
            this.fail(`${this.prefix}${field}: expected a number, got ${JSON.stringify(raw)}`);
        }
        return value;
    }

    optionalBoolean(field: string): boolean | undefined {
        const raw = this.input[field];
        if (raw === undefined || raw === null) return undefined;
        if (raw === true || raw === "true") return true;
        if (raw === false || raw === "false") return false;
        this.fail(`${this.prefix}${field}: expected true or false, got ${JSON.stringify(raw)}`);
    }

    optionalStringList(field: string): string[] | undefined {
        const value = this.input[field];
        if (value === undefined || value === null) return undefined;
        if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
            this.fail(`${this.prefix}${field}: expected a list of strings, got ${JSON.stringify(value)}`);
        }
        return value as string[];
    }

    optionalObjectList(field: string): Record<string, unknown>[] | undefined {
        const value = this.input[field];
        if (value === undefined || value === null) return undefined;
        if (
            !Array.isArray(value) ||
            value.some((v) => typeof v !== "object" || v === null || Array.isArray(v))
        ) {
            this.fail(`${this.prefix}${field}: expected a list of objects, got ${JSON.stringify(value)}`);
        }
        return value as Record<string, unknown>[];
    }

    optionalObject(field: string): Record<string, unknown> | undefined {
        const value = this.input[field];
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "object" || Array.isArray(value)) {
            this.fail(`${this.prefix}${field}: expected an object, got ${JSON.stringify(value)}`);
        }
        return value as Record<string, unknown>;
    }

    /** A reader for a nested object, naming fields as "parent.child" in errors. */
    nested(field: string, value: Record<string, unknown>): InputReader {
        return new InputReader(value, this.errorCode, `${this.prefix}${field}.`);
    }
}

/** Opaque pagination as the AWS list/describe calls do it: a token that encodes the next offset. */
export function paginate<T>(
    items: readonly T[],
    nextToken: string | undefined,
    pageSize: number,
    fail: (message: string) => never,
): { page: T[]; nextToken?: string } {
    let offset = 0;
    if (nextToken !== undefined) {
        const decoded = Number(
            Buffer.from(nextToken, "base64")
                .toString("utf8")
                .replace(/^offset:/, ""),
        );
        if (!Number.isInteger(decoded) || decoded < 0 || !nextToken.length) fail("nextToken: invalid token");
        offset = decoded;
    }
    const page = items.slice(offset, offset + pageSize);
    const next =
        offset + pageSize < items.length
            ? Buffer.from(`offset:${offset + pageSize}`).toString("base64")
            : undefined;
    return { page, nextToken: next };
}
