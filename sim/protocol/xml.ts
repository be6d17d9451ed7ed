/**
 * The XML that query-protocol services answer with: an SDK-shaped output object rendered as
 * `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…`, lists as `<member>`, maps as
 * `<entry><key/><value/></entry>`, SQS's flattened lists and maps by their wire names,
 * timestamps in ISO-8601 and text escaped as the SDK's own XML writer escapes it.
 */
import type { AwsError } from "../errors";
import {
    elementPath,
    type Flattened,
    type Hint,
    mapValuePath,
    memberPath,
    type OperationShape,
} from "./shapes";

const escapes: Readonly<Record<string, string>> = {
    "&": "&amp;",
    '"': "&quot;",
    "'": "&apos;",
    "<": "&lt;",
    ">": "&gt;",
    "\r": "&#x0D;",
    "\n": "&#x0A;",
    "\u0085": "&#x85;",
    "\u2028": "&#x2028;",
};

/** Element text escaped so that every character, line breaks included, reads back unchanged. */
export function escapeXml(text: string): string {
    return text.replace(/[&"'<>\r\n\u0085\u2028]/g, (character) => escapes[character]);
}

function element(name: string, content: string): string {
    return `<${name}>${content}</${name}>`;
}

function scalarText(value: unknown, path: string): string {
    if (value instanceof Date) {
        return value.toISOString();
    }
    if (
        typeof value === "string" ||
        typeof value === "number" ||
        typeof value === "boolean" ||
        typeof value === "bigint"
    ) {
        return escapeXml(String(value));
    }
    throw new TypeError(`Output member '${path}' is ${typeof value}, which has no XML form`);
}

const isStructure = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);

class XmlOutputEncoder {
    constructor(private readonly hints: Readonly<Record<string, Hint>>) {}

    /** The elements of a structure's members, absent members left out as AWS leaves them out. */
    members(structure: Record<string, unknown>, path: string): string {
        let xml = "";
        for (const [name, value] of Object.entries(structure)) {
            if (value === undefined || value === null) {
                continue;
            }
            const member = memberPath(path, name);
            const hint = this.hints[member];
            xml +=
                typeof hint === "object"
                    ? this.flattened(value, member, hint)
                    : element(name, this.content(value, member, hint));
        }
        return xml;
    }

    private content(value: unknown, path: string, hint: Hint | undefined): string {
        if (Array.isArray(value)) {
            return value
                .map((item) =>
                    element("member", this.content(item, elementPath(path), this.hints[elementPath(path)])),
                )
                .join("");
        }
        if (isStructure(value)) {
            return hint === "map"
                ? this.entries(value, path, "entry", "key", "value")
                : this.members(value, path);
        }
        return scalarText(value, path);
    }

    private entries(
        map: Record<string, unknown>,
        path: string,
        entryName: string,
        keyName: string,
        valueName: string,
    ): string {
        const valuePath = mapValuePath(path);
        return Object.entries(map)
            .filter(([, value]) => value !== undefined && value !== null)
            .map(([key, value]) =>
                element(
                    entryName,
                    element(keyName, escapeXml(key)) +
                        element(valueName, this.content(value, valuePath, this.hints[valuePath])),
                ),
            )
            .join("");
    }

    private flattened(value: unknown, path: string, hint: Flattened): string {
        if (hint.flattened === "list") {
            if (!Array.isArray(value)) {
                throw new TypeError(`Output member '${path}' must be a list`);
            }
            return value
                .map((item) =>
                    element(
                        hint.wireName,
                        this.content(item, elementPath(path), this.hints[elementPath(path)]),
                    ),
                )
                .join("");
        }
        if (!isStructure(value)) {
            throw new TypeError(`Output member '${path}' must be a map`);
        }
        return this.entries(value, path, hint.wireName, hint.key ?? "key", hint.value ?? "value");
    }
}

/** A successful query response; `output` is the SDK-shaped output (undefined for operations without one). */
export function queryResponseXml(
    operation: string,
    xmlNamespace: string,
    output: unknown,
    shape: OperationShape,
    requestId: string,
): string {
    const result = isStructure(output) ? new XmlOutputEncoder(shape.output ?? {}).members(output, "") : "";
    return (
        `<${operation}Response xmlns="${xmlNamespace}">` +
        element(`${operation}Result`, result) +
        element("ResponseMetadata", element("RequestId", requestId)) +
        `</${operation}Response>`
    );
}

/** A query error response with the query `code`, as Auto Scaling, SNS, CloudWatch and SQS send it (no namespace when no service was recognised). */
export function queryErrorXml(
    error: AwsError,
    code: string,
    xmlNamespace: string | undefined,
    requestId: string,
): string {
    return (
        (xmlNamespace === undefined ? "<ErrorResponse>" : `<ErrorResponse xmlns="${xmlNamespace}">`) +
        element(
            "Error",
            element("Type", error.faultType) +
                element("Code", escapeXml(code)) +
                element("Message", escapeXml(error.message)),
        ) +
        element("RequestId", requestId) +
        `</ErrorResponse>`
    );
}
