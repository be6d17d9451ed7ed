/**
 * The AWS JSON 1.0 / 1.1 protocols (ECS, SSM, EventBridge, and SQS and CloudWatch in current
 * SDKs): the body is the SDK-shaped input, timestamps travel as epoch seconds, and errors are
 * `{"__type": Code, "message": …}` with the `x-amzn-ErrorType` header, plus
 * `x-amzn-query-error: Code;Type` for services that keep their query-era error codes.
 */
import type { AwsError } from "../errors";
import { coerceJsonScalar, InputShapeError } from "./coerce";
import type { ErrorNames } from "./errorCodes";
import { elementPath, type Hint, memberPath, type OperationShape } from "./shapes";

function typeTimestamps(value: unknown, path: string, hints: Readonly<Record<string, Hint>>): unknown {
    if (Array.isArray(value)) {
        return value.map((item) => typeTimestamps(item, elementPath(path), hints));
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.entries(value).map(([name, member]) => [
                name,
                typeTimestamps(member, memberPath(path, name), hints),
            ]),
        );
    }
    return coerceJsonScalar(value, hints[path], path);
}

/** The SDK-shaped input of a JSON request body; an empty body is an empty input. */
export function decodeJsonInput(body: string, shape: OperationShape): Record<string, unknown> {
    if (body.trim() === "") {
        return {};
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(body);
    } catch (error) {
        throw new InputShapeError("(body)", "a JSON object", `${(error as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new InputShapeError("(body)", "a JSON object", body.slice(0, 40));
    }
    return typeTimestamps(parsed, "", shape.input ?? {}) as Record<string, unknown>;
}

/** The JSON body of an output: Dates become epoch seconds, as the SDK's JSON codec reads them. */
export function encodeJsonOutput(output: unknown): string {
    return JSON.stringify(
        output ?? {},
        function (this: Record<string, unknown>, key: string, value: unknown) {
            const original = this[key];
            return original instanceof Date ? original.getTime() / 1000 : value;
        },
    );
}

export interface JsonErrorResponse {
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
}

/** An error in the JSON protocols' shape; `queryCompatible` services also get the query error code header. */
export function jsonError(error: AwsError, names: ErrorNames, queryCompatible: boolean): JsonErrorResponse {
    const headers: Record<string, string> = { "x-amzn-ErrorType": names.shapeName };
    if (queryCompatible) {
        headers["x-amzn-query-error"] = `${names.queryCode};${error.faultType}`;
    }
    return { headers, body: JSON.stringify({ __type: names.shapeName, message: error.message }) };
}
