/**
 * What `aws.lambda.CallbackFunction` will upload, built and loaded here: the serialized closure
 * text, the size of its zip, and the handler the Lambda runtime would call.
 */
import * as pulumi from "@pulumi/pulumi";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipBytes } from "../policy/rules/archiveBytes";
import { REPO_ROOT } from "./stackFile";

export interface SerializedHandler {
    readonly text: string;
    /** Bytes of the deployment zip (measured as the policy pack measures archives). */
    readonly zipBytes: number;
    /** Loads the module as Lambda would and returns its `handler` export. */
    load(): (event: unknown, context?: unknown) => Promise<unknown>;
}

const ENTRY_NAME = "__index.js";

export async function serializeHandler(factory: () => unknown): Promise<SerializedHandler> {
    const closure = await pulumi.runtime.serializeFunction(factory as () => void, {
        isFactoryFunction: true,
        exportName: "handler",
    });
    return {
        text: closure.text,
        zipBytes: zipBytes([{ name: ENTRY_NAME, content: Buffer.from(closure.text) }]),
        load() {
            // Inside the repo so that `require("@aws-sdk/…")` resolves as it does in the Lambda runtime.
            const dir = mkdtempSync(join(REPO_ROOT, "node_modules", ".serialized-"));
            const file = join(dir, ENTRY_NAME);
            writeFileSync(file, closure.text);
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return require(file).handler;
        },
    };
}

/**
 * Collections the closure serializer cannot carry: a module-level Set or Map arrives as a plain
 * object with borrowed methods, which throw "incompatible receiver" when the Lambda calls them.
 */
export function brokenCollections(text: string): string[] {
    return [
        ...text.matchAll(
            /Object\.defineProperty\((__\w+), "\w+", \{[^}]*global\.(Set|Map|WeakMap|WeakSet)\.prototype/g,
        ),
    ].map((m) => `${m[1]} (${m[2]})`);
}
