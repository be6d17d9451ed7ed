/**
 * An error the simulated region returns as AWS would: the wire protocols render `code` and
 * `message` in the service's own error shape with `httpStatus`.
 */
export class AwsError extends Error {
    constructor(
        readonly code: string,
        message: string,
        readonly httpStatus: number = 400,
        /** "Sender" for the caller's fault, "Receiver" for the service's (query protocols' <Type>). */
        readonly faultType: "Sender" | "Receiver" = httpStatus >= 500 ? "Receiver" : "Sender",
    ) {
        super(message);
        this.name = code;
    }
}
