/**
 * A stand-in for a Slack incoming webhook: an HTTP server on 127.0.0.1 (an ephemeral port) that
 * records every POSTed JSON body and answers as Slack does (200 "ok"), or with the status a test
 * sets to make Slack fail.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedPost {
    readonly path: string;
    readonly contentType: string | undefined;
    readonly body: unknown;
}

export class SlackReceiver {
    readonly posts: ReceivedPost[] = [];
    /** The status the next requests get: 200 as Slack answers a good payload, anything else to fail. */
    status = 200;
    private readonly server: Server = createServer((request, response) => this.serve(request, response));
    private address = "";

    private constructor(private readonly path: string) {}

    /** Starts a receiver; its `url` is the webhook URL to store. */
    static async start(path = "/services/T000SIM/B000SIM/simulated"): Promise<SlackReceiver> {
        const receiver = new SlackReceiver(path);
        await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
        const { port } = receiver.server.address() as AddressInfo;
        receiver.address = `http://127.0.0.1:${port}`;
        return receiver;
    }

    get url(): string {
        return `${this.address}${this.path}`;
    }

    async close(): Promise<void> {
        await new Promise<void>((resolve, reject) =>
            this.server.close((error) => (error ? reject(error) : resolve())),
        );
    }

    private serve(request: IncomingMessage, response: ServerResponse): void {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            if (request.method !== "POST") {
                response.writeHead(405, { "content-type": "text/plain" }).end("invalid_method");
                return;
            }
            let body: unknown;
            try {
                body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
                response.writeHead(400, { "content-type": "text/plain" }).end("invalid_payload");
                return;
            }
            this.posts.push({ path: request.url ?? "", contentType: request.headers["content-type"], body });
            response
                .writeHead(this.status, { "content-type": "text/plain" })
                .end(this.status === 200 ? "ok" : "server_error");
        });
    }
}
