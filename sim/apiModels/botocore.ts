/**
 * AWS's published API models, as botocore ships them (`<data>/<service>/<api-version>/service-2.json`
 * and `paginators-1.json`; plain or gzipped, as newer botocore releases store them). The region is
 * checked against Debian's `python3-botocore` (bookworm: 1.29.27, December 2022), which `.ci/run`
 * installs; `BOTOCORE_DATA` points elsewhere (another botocore's `data` directory).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { ServiceName } from "../types";

/** Where Debian's python3-botocore puts the models. */
export const DEBIAN_BOTOCORE_DATA = "/usr/lib/python3/dist-packages/botocore/data";

/** One shape of a botocore model (the traits the checks read; the rest is ignored). */
export interface Shape {
    readonly type:
        | "structure"
        | "list"
        | "map"
        | "string"
        | "integer"
        | "long"
        | "double"
        | "float"
        | "boolean"
        | "timestamp"
        | "blob";
    readonly members?: Readonly<Record<string, ShapeRef>>;
    readonly required?: readonly string[];
    readonly member?: ShapeRef;
    readonly key?: ShapeRef;
    readonly value?: ShapeRef;
    readonly min?: number;
    readonly max?: number;
    readonly enum?: readonly string[];
    readonly pattern?: string;
    readonly exception?: boolean;
    /** An exception's query-protocol code ("AWS.SimpleQueueService.NonExistentQueue"). */
    readonly error?: { readonly code?: string };
}

export interface ShapeRef {
    readonly shape: string;
}

export interface Operation {
    readonly name: string;
    readonly input?: ShapeRef;
    readonly output?: ShapeRef;
    readonly errors?: readonly ShapeRef[];
}

/** How a paginated operation pages: the member that carries the token in and out, and the page size. */
export interface Paginator {
    readonly input_token: string | readonly string[];
    readonly output_token: string | readonly string[];
    readonly limit_key?: string;
    /** The list(s) a page holds. */
    readonly result_key?: string | readonly string[];
}

export interface ApiModel {
    /** botocore's name for the service ("cloudwatch"). */
    readonly service: string;
    readonly apiVersion: string;
    readonly operations: Readonly<Record<string, Operation>>;
    readonly shapes: Readonly<Record<string, Shape>>;
    readonly paginators: Readonly<Record<string, Paginator>>;
}

/** The botocore service name and API version of each service the region serves. */
export const BOTOCORE_SERVICES: Readonly<Record<ServiceName, { name: string; apiVersion: string }>> = {
    ecs: { name: "ecs", apiVersion: "2014-11-13" },
    autoscaling: { name: "autoscaling", apiVersion: "2011-01-01" },
    sns: { name: "sns", apiVersion: "2010-03-31" },
    sqs: { name: "sqs", apiVersion: "2012-11-05" },
    lambda: { name: "lambda", apiVersion: "2015-03-31" },
    events: { name: "events", apiVersion: "2015-10-07" },
    monitoring: { name: "cloudwatch", apiVersion: "2010-08-01" },
    ssm: { name: "ssm", apiVersion: "2014-11-06" },
    dynamodb: { name: "dynamodb", apiVersion: "2012-08-10" },
};

/** The botocore data directory to check against: `BOTOCORE_DATA`, else Debian's. */
export function botocoreDataDir(env: NodeJS.ProcessEnv = process.env): string {
    return env.BOTOCORE_DATA ?? DEBIAN_BOTOCORE_DATA;
}

/** Why the models cannot be read from `dataDir`, or undefined when they can. */
export function missingModels(dataDir: string): string | undefined {
    const { name, apiVersion } = BOTOCORE_SERVICES.ecs;
    const dir = join(dataDir, name, apiVersion);
    if (modelFile(dir, "service-2.json") === undefined) {
        return `no botocore models in ${dataDir} (install Debian's python3-botocore, as .ci/run does, or set BOTOCORE_DATA)`;
    }
    return undefined;
}

/** The botocore release `dataDir` belongs to (its package's `__version__`), if it says. */
export function botocoreVersion(dataDir: string): string | undefined {
    const init = join(dataDir, "..", "__init__.py");
    if (!existsSync(init)) return undefined;
    return readFileSync(init, "utf8").match(/^__version__ = ['"]([^'"]+)['"]/m)?.[1];
}

/** The model of one region service, read from a botocore data directory. */
export function loadApiModel(dataDir: string, service: ServiceName): ApiModel {
    const { name, apiVersion } = BOTOCORE_SERVICES[service];
    const dir = join(dataDir, name, apiVersion);
    const serviceJson = readJson(dir, "service-2.json") as {
        operations: Record<string, Operation>;
        shapes: Record<string, Shape>;
    };
    const paginatorsJson = readJson(dir, "paginators-1.json") as { pagination: Record<string, Paginator> };
    return {
        service: name,
        apiVersion,
        operations: serviceJson.operations,
        shapes: serviceJson.shapes,
        paginators: paginatorsJson.pagination,
    };
}

function modelFile(dir: string, file: string): string | undefined {
    return [join(dir, file), join(dir, `${file}.gz`)].find((path) => existsSync(path));
}

function readJson(dir: string, file: string): unknown {
    const path = modelFile(dir, file);
    if (path === undefined) throw new Error(`botocore model: neither ${file} nor ${file}.gz in ${dir}`);
    const bytes = readFileSync(path);
    return JSON.parse((path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8"));
}
