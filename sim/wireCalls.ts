/**
 * Lets the region see when a handler's SDK client issues a request and when the answer reaches
 * it, through Node's http diagnostics channels (the client's are published in the caller's own
 * turn, the server's just before the request handler runs). With that, calls a handler issues
 * together (Promise.all over describe batches) overlap in virtual time as they do against AWS,
 * instead of being charged one after the other; calls that wait for each other are charged in
 * sequence as before. A call is known on both sides by the SDK's `amz-sdk-invocation-id` and
 * `amz-sdk-request` (attempt) headers; requests without them are charged as in-process calls.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { LambdaModel } from "./lambda";

const CLIENT_REQUEST_START = "http.client.request.start";
const CLIENT_RESPONSE_FINISH = "http.client.response.finish";
const SERVER_REQUEST_START = "http.server.request.start";

/** The key of the wire call the region is serving in this async context. */
const serving = new AsyncLocalStorage<string>();

/** The wire call being served now, if the request came from an SDK client. */
export function servedWireCallKey(): string | undefined {
    return serving.getStore();
}

function callKey(invocationId: unknown, attempt: unknown): string | undefined {
    return typeof invocationId === "string" ? `${invocationId} ${String(attempt ?? "")}` : undefined;
}

/** Starts tracking requests to `endpoint` (`http://127.0.0.1:PORT`); returns the function that stops it. */
export function overlapConcurrentWireCalls(lambda: LambdaModel, endpoint: string): () => void {
    const host = new URL(endpoint).host;
    const clientKey = (request: ClientRequest): string | undefined =>
        request.getHeader("host") === host
            ? callKey(request.getHeader("amz-sdk-invocation-id"), request.getHeader("amz-sdk-request"))
            : undefined;
    const issued = (message: unknown) => {
        const key = clientKey((message as { request: ClientRequest }).request);
        if (key !== undefined) lambda.wireCallIssued(key);
    };
    const answered = (message: unknown) => {
        const key = clientKey((message as { request: ClientRequest }).request);
        if (key !== undefined) lambda.wireCallAnswered(key);
    };
    const served = (message: unknown) => {
        const { headers } = (message as { request: IncomingMessage }).request;
        const key =
            headers.host === host
                ? callKey(headers["amz-sdk-invocation-id"], headers["amz-sdk-request"])
                : undefined;
        // Carried into the server's handler for this request, down to Region.call.
        if (key !== undefined) serving.enterWith(key);
    };
    subscribe(CLIENT_REQUEST_START, issued);
    subscribe(CLIENT_RESPONSE_FINISH, answered);
    subscribe(SERVER_REQUEST_START, served);
    return () => {
        unsubscribe(CLIENT_REQUEST_START, issued);
        unsubscribe(CLIENT_RESPONSE_FINISH, answered);
        unsubscribe(SERVER_REQUEST_START, served);
    };
}
