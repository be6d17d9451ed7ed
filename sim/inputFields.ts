/**
 * Reading SDK-shaped API input in the messaging models. Inputs arrive from JSON protocols (typed
 * values) and from query protocols (where numbers and booleans may still be strings), so readers
 * accept both spellings; bad input is an AwsError naming the field and what was expected, in the
 * error codes of the service being called.
 */
import { AwsError } from "./errors";

export interface InputErrorCodes {
    /** Code for a required field that is absent (e.g. "MissingParameter"). */
    readonly missing: string;
    /** Code for a field of the wrong type or out of range (e.g. "InvalidParameterValue"). */
    readonly invalid: string;
}

export class InputReader {
    constructor(
        private readonly input: Record<string, unknown>,
        private readonly codes: InputErrorCodes,
    ) {}

    keys(): string[] {
        return Object.keys(this.input).filter((key) => this.has(key));
    }

    /** The field as given, for values whose type the caller checks itself (binary data). */
    rawField(field: string): unknown {
        return this.input[field];
    }

    has(field: string): boolean {
        return this.input[field] !== undefined && this.input[field] !== null;
    }

    string(field: string): string {
        const value = this.optionalString(field);
        if (value === undefined)
            throw new AwsError(this.codes.missing, `The request must contain the parameter ${field}.`);
        return value;
    }

    optionalString(field: string): string | undefined {
        if (!this.has(field)) return undefined;
        const value = this.input[field];
        if (typeof value !== "string") throw this.invalid(field, "a string");
        return value;
    }

    number(field: string): number {
        const value = this.optionalNumber(field);
        if (value === undefined)
            throw new AwsError(this.codes.missing, `The request must contain the parameter ${field}.`);
        return value;
    }

    optionalNumber(field: string): number | undefined {
        if (!this.has(field)) return undefined;
        const parsed = parseNumber(this.input[field]);
        if (parsed === undefined) throw this.invalid(field, "a number");
        return parsed;
    }

    /** An integer within [min, max]. */
    optionalInteger(field: string, min: number, max: number): number | undefined {
        const value = this.optionalNumber(field);
        if (value === undefined) return undefined;
        if (!Number.isInteger(value) || value < min || value > max) {
            throw this.invalid(field, `an integer from ${min} to ${max}`, value);
        }
        return value;
    }

    optionalBoolean(field: string): boolean | undefined {
        if (!this.has(field)) return undefined;
        const parsed = parseBoolean(this.input[field]);
        if (parsed === undefined) throw this.invalid(field, "true or false");
        return parsed;
    }

    /** A string → string map (query protocols' `entry.N.key/value`, JSON objects). */
    optionalStringMap(field: string): Record<string, string> | undefined {
        if (!this.has(field)) return undefined;
        const value = this.input[field];
        if (typeof value !== "object" || Array.isArray(value)) throw this.invalid(field, "a map of strings");
        const out: Record<string, string> = {};
        for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
            if (typeof entry === "string") out[key] = entry;
            else if (typeof entry === "number" || typeof entry === "boolean") out[key] = String(entry);
            else throw this.invalid(`${field}.${key}`, "a string");
        }
        return out;
    }

    optionalList(field: string): unknown[] | undefined {
        if (!this.has(field)) return undefined;
        const value = this.input[field];
        if (!Array.isArray(value)) throw this.invalid(field, "a list");
        return value;
    }

    optionalStringList(field: string): string[] | undefined {
        const list = this.optionalList(field);
        if (list === undefined) return undefined;
        return list.map((item, i) => {
            if (typeof item !== "string") throw this.invalid(`${field}[${i}]`, "a string");
            return item;
        });
    }

    /** A list of objects, each to be read with its own InputReader. */
    optionalRecords(field: string): InputReader[] | undefined {
        const list = this.optionalList(field);
        if (list === undefined) return undefined;
        return list.map((item, i) => {
            if (typeof item !== "object" || item === null || Array.isArray(item)) {
                throw this.invalid(`${field}[${i}]`, "a structure");
            }
            return new InputReader(item as Record<string, unknown>, this.codes);
        });
    }

    optionalRecord(field: string): InputReader | undefined {
        if (!this.has(field)) return undefined;
        const value = this.input[field];
        if (typeof value !== "object" || Array.isArray(value)) throw this.invalid(field, "a structure");
        return new InputReader(value as Record<string, unknown>, this.codes);
    }

    /** A timestamp as a Date, epoch seconds, or an ISO-8601 string; epoch ms. */
    optionalTimestamp(field: string): number | undefined {
        if (!this.has(field)) return undefined;
        const value = this.input[field];
        if (value instanceof Date) return value.getTime();
        if (typeof value === "number") return value * 1000;
        if (typeof value === "string") {
            const asNumber = Number(value);
            const ms = Number.isFinite(asNumber) && value.trim() !== "" ? asNumber * 1000 : Date.parse(value);
            if (Number.isFinite(ms)) return ms;
        }
        throw this.invalid(field, "a timestamp");
    }

    invalid(field: string, expected: string, got: unknown = this.input[field]): AwsError {
        return new AwsError(
            this.codes.invalid,
            `Value ${JSON.stringify(got)} for parameter ${field} is invalid. Expected ${expected}.`,
        );
    }
}

export function parseNumber(value: unknown): number | undefined {
    if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
    if (typeof value === "string" && value.trim() !== "") {
        const parsed = Number(value);
        return Number.isFinite(parsed) ? parsed : undefined;
    }
    return undefined;
}

export function parseBoolean(value: unknown): boolean | undefined {
    if (typeof value === "boolean") return value;
    if (value === "true") return true;
    if (value === "false") return false;
    return undefined;
}

/**
 * The answer to an operation a model does not serve: query-protocol services (SNS, CloudWatch)
 * say "InvalidAction", JSON ones "UnknownOperationException".
 */
export function unknownOperation(
    code: "InvalidAction" | "UnknownOperationException",
    service: string,
    operation: string,
): AwsError {
    return new AwsError(code, `The action ${operation} is not valid for ${service} in the simulated region.`);
}
