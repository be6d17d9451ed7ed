/**
 * Decoding of AWS query protocol requests (Auto Scaling, SNS, CloudWatch, and SQS as older CLIs
 * send it) into SDK-shaped input objects. Structure comes from the key syntax: `A.B` is member B
 * of A, `A.member.N` element N of list A, `A.entry.N.key/value` (or `.Name/.Value`) an entry of
 * map A, `A.N` an element of a flattened list; shapes.ts says which texts are numbers, booleans,
 * timestamps or empty lists, and which wire names SQS flattens.
 */
import { coerceQueryText, InputShapeError } from "./coerce";
import {
    elementPath,
    type Flattened,
    type Hint,
    mapValuePath,
    memberPath,
    type OperationShape,
} from "./shapes";

/** One dotted name's node: its text when it is a leaf, its sub-names otherwise. */
interface ParameterNode {
    text?: string;
    readonly children: Map<string, ParameterNode>;
}

/** The parameters that name the call rather than carry its input. */
const envelopeParameters = new Set(["Action", "Version"]);

function parameterTree(parameters: URLSearchParams): ParameterNode {
    const root: ParameterNode = { children: new Map() };
    for (const [name, text] of parameters) {
        if (envelopeParameters.has(name)) {
            continue;
        }
        let node = root;
        for (const segment of name.split(".")) {
            let child = node.children.get(segment);
            if (child === undefined) {
                child = { children: new Map() };
                node.children.set(segment, child);
            }
            node = child;
        }
        node.text = text;
    }
    return root;
}

const isIndex = (segment: string): boolean => /^[1-9]\d*$/.test(segment);

/** A node's numbered children (`.1`, `.2`, …) in index order. */
function indexedChildren(node: ParameterNode, path: string): ParameterNode[] {
    const entries = [...node.children.entries()];
    const malformed = entries.find(([segment]) => !isIndex(segment));
    if (malformed !== undefined) {
        throw new InputShapeError(path, "a list or map numbered from 1", `.${malformed[0]}`);
    }
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, child]) => child);
}

function childNamed(node: ParameterNode, names: readonly string[]): ParameterNode | undefined {
    for (const name of names) {
        const child = node.children.get(name);
        if (child !== undefined) {
            return child;
        }
    }
    return undefined;
}

class QueryInputDecoder {
    /** "parent path|wire name" → SDK member name, for SQS's flattened members. */
    private readonly flattenedMembers = new Map<string, string>();

    constructor(private readonly hints: Readonly<Record<string, Hint>>) {
        for (const [path, hint] of Object.entries(hints)) {
            if (typeof hint === "object") {
                const split = path.lastIndexOf(".");
                const parent = split < 0 ? "" : path.slice(0, split);
                this.flattenedMembers.set(`${parent}|${hint.wireName}`, path.slice(split + 1));
            }
        }
    }

    decode(node: ParameterNode, path: string): unknown {
        const hint = this.hints[path];
        if (node.children.size === 0) {
            return coerceQueryText(node.text ?? "", typeof hint === "object" ? undefined : hint, path);
        }
        if (typeof hint === "object") {
            return this.decodeFlattened(node, path, hint);
        }
        const names = [...node.children.keys()];
        if (names.length === 1 && names[0] === "member") {
            return indexedChildren(node.children.get("member")!, path).map((element) =>
                this.decode(element, elementPath(path)),
            );
        }
        if (names.length === 1 && names[0] === "entry") {
            return this.decodeEntries(
                indexedChildren(node.children.get("entry")!, path),
                path,
                ["key", "Name"],
                ["value", "Value"],
            );
        }
        if (names.every(isIndex)) {
            return indexedChildren(node, path).map((element) => this.decode(element, elementPath(path)));
        }
        const structure: Record<string, unknown> = {};
        for (const [wireName, child] of node.children) {
            const member = this.flattenedMembers.get(`${path}|${wireName}`) ?? wireName;
            structure[member] = this.decode(child, memberPath(path, member));
        }
        return structure;
    }

    private decodeFlattened(node: ParameterNode, path: string, hint: Flattened): unknown {
        const elements = indexedChildren(node, path);
        if (hint.flattened === "list") {
            return elements.map((element) => this.decode(element, elementPath(path)));
        }
        return this.decodeEntries(elements, path, [hint.key ?? "key"], [hint.value ?? "value"]);
    }

    private decodeEntries(
        entries: ParameterNode[],
        path: string,
        keyNames: readonly string[],
        valueNames: readonly string[],
    ): Record<string, unknown> {
        const map: Record<string, unknown> = {};
        entries.forEach((entry, index) => {
            const key = childNamed(entry, keyNames);
            const value = childNamed(entry, valueNames);
            if (key?.text === undefined || value === undefined) {
                throw new InputShapeError(
                    `${path}.entry.${index + 1}`,
                    `a map entry with ${keyNames[0]} and ${valueNames[0]}`,
                    [...entry.children.keys()].join(","),
                );
            }
            map[key.text] = this.decode(value, mapValuePath(path));
        });
        return map;
    }
}

/** The SDK-shaped input of a query request (every parameter but Action and Version). */
export function decodeQueryInput(
    parameters: URLSearchParams,
    shape: OperationShape,
): Record<string, unknown> {
    const root = parameterTree(parameters);
    if (root.children.size === 0) {
        return {};
    }
    return new QueryInputDecoder(shape.input ?? {}).decode(root, "") as Record<string, unknown>;
}
