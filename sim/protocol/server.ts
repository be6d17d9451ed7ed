/**
 * The simulated region's loopback HTTP endpoint. It turns each AWS request (JSON 1.0/1.1 with
 * `X-Amz-Target`, or the query protocol) into one `dispatch(service, operation, input)` call with
 * an SDK-shaped input, and the answer or AwsError back into the protocol's response. It knows no
 * service's semantics: unknown operations are dispatched too, and the model answers them.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { AwsError } from "../errors";
import type { ServiceName } from "../types";
import { decodeQueryInput } from "./awsQuery";
import { decodeJsonInput, encodeJsonOutput, jsonError } from "./awsJson";
import { InputShapeError } from "./coerce";
import { errorNames } from "./errorCodes";
import { jsonTarget, NOT_SERVED, queryService } from "./serviceOf";
import { operationShape } from "./shapes";
import { queryErrorXml, queryResponseXml } from "./xml";

/** Serves one API call: SDK-shaped input in, SDK-shaped output out, AwsError for failures. */
export type Dispatch = (
    service: ServiceName,
    operation: string,
    input: Record<string, unknown>,
) => Promise<unknown>;

export interface RegionServerOptions {
    /** 0 (the default) takes a free port. */
    readonly port?: number;
    /** Loopback only: the simulated region is never served on another address. */
    readonly host?: "127.0.0.1";
}

export interface RegionServer {
    /** `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL` or the CLI's `--endpoint-url`. */
    readonly endpoint: string;
    readonly port: number;
    /** Stops listening and drops kept-alive connections. */
    close(): Promise<void>;
}

interface WireResponse {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
}

/** Far above any AWS request limit (SQS: 1 MiB per message batch); protects the test process. */
const maxRequestBytes = 8 * 1024 * 1024;

function headerValue(request: IncomingMessage, name: string): string | undefined {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
}

const gunzipAsync = promisify(gunzip);

function readRawBody(request: IncomingMessage): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        request.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= maxRequestBytes) {
                chunks.push(chunk);
            }
        });
        request.on("end", () => resolve(size <= maxRequestBytes ? Buffer.concat(chunks) : undefined));
        request.on("error", reject);
    });
}

/** A request body as text, or why it cannot be read (answered before any protocol is chosen). */
type RequestBody = { readonly text: string } | { readonly rejection: WireResponse };

const rejectBody = (status: number, reason: string): RequestBody => ({
    rejection: { status, headers: { "content-type": "text/plain" }, body: reason },
});

/** The request body as text; the SDK gzips CloudWatch PutMetricData bodies over 10 KiB. */
async function readBody(request: IncomingMessage): Promise<RequestBody> {
    const raw = await readRawBody(request);
    if (raw === undefined) {
        return rejectBody(413, `Request body over ${maxRequestBytes} bytes`);
    }
    if (headerValue(request, "content-encoding") !== "gzip") {
        return { text: raw.toString("utf8") };
    }
    try {
        return { text: (await gunzipAsync(raw, { maxOutputLength: maxRequestBytes })).toString("utf8") };
    } catch (error) {
        return rejectBody(
            400,
            `Content-Encoding gzip, but the body does not gunzip: ${(error as Error).message}`,
        );
    }
}

/** A model's own failure (not an AwsError) is the service's fault, as AWS reports an internal error. */
function asAwsError(error: unknown, inputErrorCode: string): AwsError {
    if (error instanceof AwsError) {
        return error;
    }
    if (error instanceof InputShapeError) {
        return new AwsError(inputErrorCode, `1 validation error detected: ${error.message}`, 400);
    }
    return new AwsError(
        "InternalFailure",
        `The simulated service failed: ${(error as Error)?.message ?? String(error)}`,
        500,
    );
}

async function serveJson(
    target: string,
    body: string,
    dispatch: Dispatch,
    requestId: string,
): Promise<WireResponse> {
    const json = jsonTarget(target);
    if (json === undefined) {
        const error = new AwsError(
            "UnknownOperationException",
            `No service served here answers X-Amz-Target '${target}'. Not served: ${NOT_SERVED}.`,
            400,
        );
        const response = jsonError(error, { shapeName: error.code, queryCode: error.code }, false);
        return {
            status: 400,
            headers: { ...response.headers, "content-type": "application/x-amz-json-1.1" },
            body: response.body,
        };
    }
    const headers = { "content-type": json.contentType, "x-amzn-RequestId": requestId };
    try {
        const input = decodeJsonInput(body, operationShape(json.service, json.operation));
        const output = await dispatch(json.service, json.operation, input);
        return { status: 200, headers, body: encodeJsonOutput(output) };
    } catch (caught) {
        const error = asAwsError(caught, "SerializationException");
        const response = jsonError(error, errorNames(json.service, error.code), json.queryCompatible);
        return {
            status: error.httpStatus,
            headers: { ...headers, ...response.headers },
            body: response.body,
        };
    }
}

async function serveQuery(
    parameters: URLSearchParams,
    authorization: string | undefined,
    dispatch: Dispatch,
    requestId: string,
): Promise<WireResponse> {
    const headers = { "content-type": "text/xml", "x-amzn-RequestId": requestId };
    const service = queryService(authorization, parameters.get("Version"));
    if (service === undefined) {
        const error = new AwsError(
            "InvalidAction",
            `The request names no query service served here (by its credential scope or Version): it serves Auto Scaling, SNS, SQS and CloudWatch over query, and ECS, SQS, CloudWatch, EventBridge, SSM and DynamoDB over JSON. Not served: ${NOT_SERVED}.`,
            400,
        );
        return { status: 400, headers, body: queryErrorXml(error, error.code, undefined, requestId) };
    }
    const action = parameters.get("Action");
    try {
        if (action === null || action === "") {
            throw new AwsError("MissingAction", "The request must contain the parameter Action", 400);
        }
        const shape = operationShape(service.service, action);
        const output = await dispatch(service.service, action, decodeQueryInput(parameters, shape));
        return {
            status: 200,
            headers,
            body: queryResponseXml(action, service.xmlNamespace, output, shape, requestId),
        };
    } catch (caught) {
        const error = asAwsError(caught, "ValidationError");
        return {
            status: error.httpStatus,
            headers,
            body: queryErrorXml(
                error,
                errorNames(service.service, error.code).queryCode,
                service.xmlNamespace,
                requestId,
            ),
        };
    }
}

async function serve(request: IncomingMessage, dispatch: Dispatch): Promise<WireResponse> {
    const requestId = randomUUID();
    const read = await readBody(request);
    if ("rejection" in read) {
        return read.rejection;
    }
    const body = read.text;
    const target = headerValue(request, "x-amz-target");
    if (target !== undefined) {
        return serveJson(target, body, dispatch, requestId);
    }
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const parameters = new URLSearchParams(url.search);
    if ((headerValue(request, "content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
        for (const [name, value] of new URLSearchParams(body)) {
            parameters.append(name, value);
        }
    }
    return serveQuery(parameters, headerValue(request, "authorization"), dispatch, requestId);
}

function reply(response: ServerResponse, wire: WireResponse): void {
    response.writeHead(wire.status, { ...wire.headers, "content-length": Buffer.byteLength(wire.body) });
    response.end(wire.body);
}

/** Starts serving `dispatch` on 127.0.0.1 (a free port unless `options.port` is given). */
export async function startRegionServer(
    dispatch: Dispatch,
    options: RegionServerOptions = {},
): Promise<RegionServer> {
    const host = options.host ?? "127.0.0.1";
    if (host !== "127.0.0.1") {
        throw new Error(
            `host must be "127.0.0.1" (the region is served on loopback only), got '${String(host)}'`,
        );
    }
    const server = createServer((request, response) => {
        serve(request, dispatch).then(
            (wire) => reply(response, wire),
            (error: unknown) =>
                reply(response, {
                    status: 500,
                    headers: { "content-type": "text/plain" },
                    body: String(error),
                }),
        );
    });
    return await new Promise<RegionServer>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, host, () => {
            server.off("error", reject);
            const port = (server.address() as AddressInfo).port;
            resolve({
                endpoint: `http://${host}:${port}`,
                port,
                close: () =>
                    new Promise<void>((closed, failed) => {
                        server.close((error) => (error ? failed(error) : closed()));
                        server.closeAllConnections();
                    }),
            });
        });
    });
}
