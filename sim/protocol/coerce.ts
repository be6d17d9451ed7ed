/**
 * Typing of wire scalars that the syntax leaves as text: query parameters are all strings, and
 * JSON carries timestamps as epoch seconds. Bad values raise InputShapeError naming the member.
 */
import type { Hint } from "./shapes";

/** A request member whose value does not have the type the operation expects. */
export class InputShapeError extends Error {
    constructor(
        readonly path: string,
        readonly expected: string,
        readonly received: string,
    ) {
        super(`Value '${received}' at '${path}' failed to satisfy constraint: Member must be ${expected}`);
        this.name = "InputShapeError";
    }
}

/** Epoch seconds (JSON, the CLI's query timestamps) or ISO-8601 / RFC 1123 text to a Date. */
function toDate(value: string | number, path: string): Date {
    const date =
        typeof value === "number" || /^-?\d+(\.\d+)?$/.test(value)
            ? new Date(Number(value) * 1000)
            : new Date(value);
    if (Number.isNaN(date.getTime())) {
        throw new InputShapeError(path, "a timestamp (ISO-8601 or epoch seconds)", String(value));
    }
    return date;
}

/** Types a query parameter's text by its hint; text without a scalar hint stays a string. */
export function coerceQueryText(text: string, hint: Hint | undefined, path: string): unknown {
    switch (hint) {
        case "number": {
            const parsed = text.trim() === "" ? Number.NaN : Number(text);
            if (!Number.isFinite(parsed)) {
                throw new InputShapeError(path, "a number", text);
            }
            return parsed;
        }
        case "boolean":
            if (text !== "true" && text !== "false") {
                throw new InputShapeError(path, "true or false", text);
            }
            return text === "true";
        case "timestamp":
            return toDate(text, path);
        case "list":
            // The SDK serializes an empty list as `Name=`.
            if (text !== "") {
                throw new InputShapeError(path, "a list (Name.member.N)", text);
            }
            return [];
        default:
            return text;
    }
}

/** Types a JSON scalar by its hint: only timestamps differ from what JSON itself says. */
export function coerceJsonScalar(value: unknown, hint: Hint | undefined, path: string): unknown {
    if (hint !== "timestamp") {
        return value;
    }
    if (typeof value !== "number" && typeof value !== "string") {
        throw new InputShapeError(path, "a timestamp (epoch seconds)", JSON.stringify(value));
    }
    return toDate(value, path);
}
