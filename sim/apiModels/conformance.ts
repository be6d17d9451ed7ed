/**
 * Watches the region's API traffic (Region's `callObserver`) and checks every call against AWS's
 * models: the request against the operation's input shape, the answer against its output shape,
 * an error against the errors the operation declares plus AWS's common errors, and pagination:
 * a token the region handed out must be taken back.
 */
import { AwsError } from "../errors";
import type { ObservedApiCall } from "../region";
import type { ServiceName } from "../types";
import { type ApiModel, loadApiModel, type Paginator } from "./botocore";
import { withNewerMembers } from "./newerMembers";
import { checkShape } from "./validate";

export interface ConformanceViolation {
    readonly service: ServiceName;
    readonly operation: string;
    readonly via: ObservedApiCall["via"];
    readonly part: "operation" | "request" | "response" | "error" | "pagination";
    readonly path: string;
    readonly problem: string;
}

/**
 * Errors any operation may return: the AWS APIs' common errors ("Common Errors" in each API
 * reference, e.g. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html),
 * plus `Throttling`, the code the query services send for "Rate exceeded" (Auto Scaling's answer
 * as SDKs log it: aws/aws-sdk-go#3119, "Status Code: 400; Error Code: Throttling").
 */
export const COMMON_ERRORS: readonly string[] = [
    "AccessDeniedException",
    "IncompleteSignature",
    "InternalFailure",
    "InvalidAction",
    "InvalidClientTokenId",
    "InvalidParameterCombination",
    "InvalidParameterValue",
    "InvalidQueryParameter",
    "MalformedQueryString",
    "MissingAction",
    "MissingAuthenticationToken",
    "MissingParameter",
    "NotAuthorized",
    "OptInRequired",
    "RequestExpired",
    "ServiceUnavailable",
    "ThrottlingException",
    "Throttling",
    "ValidationError",
];

/**
 * The error an operation answers for a pagination token it did not issue: the InvalidNextToken
 * error it declares (Auto Scaling, CloudWatch's DescribeAlarms and GetMetricData), else its
 * service's invalid-parameter error (inferred: ECS's and SNS's list operations declare it for any
 * bad parameter; SQS's ListQueues and CloudWatch's ListMetrics, the common InvalidParameterValue).
 */
export function invalidTokenError(model: ApiModel, service: ServiceName, operation: string): string {
    const declared = (model.operations[operation]?.errors ?? []).find(
        (ref) => ref.shape === "InvalidNextToken",
    );
    if (declared !== undefined) return model.shapes[declared.shape]?.error?.code ?? declared.shape;
    return INVALID_PARAMETER[service] ?? "InvalidParameterValue";
}

const INVALID_PARAMETER: Readonly<Partial<Record<ServiceName, string>>> = {
    ecs: "InvalidParameterException",
    sns: "InvalidParameter",
};

export class ConformanceChecker {
    private readonly models: Partial<Record<ServiceName, ApiModel>> = {};
    private readonly found: ConformanceViolation[] = [];
    private readonly answered = new Set<string>();
    private readonly issuedTokens = new Set<string>();
    private calls = 0;

    /** `modelOf` gives the model of a region service (see `fromBotocore`). */
    constructor(private readonly modelOf: (service: ServiceName) => ApiModel) {}

    /** A checker against the botocore models in `dataDir`, with the members AWS added since. */
    static fromBotocore(dataDir: string): ConformanceChecker {
        return new ConformanceChecker((service) => withNewerMembers(loadApiModel(dataDir, service), service));
    }

    /** The Region `callObserver`. */
    readonly observe = (call: ObservedApiCall): void => {
        this.calls++;
        const model = this.model(call.service);
        const operation = model.operations[call.operation];
        if (operation === undefined) {
            this.report(call, "operation", "", `${model.service} ${model.apiVersion} has no such operation`);
            return;
        }
        if (operation.input !== undefined) {
            for (const v of checkShape(model, operation.input, call.input, "input")) {
                this.report(call, "request", v.path, v.problem);
            }
        }
        const paginator = model.paginators[call.operation];
        if (call.error !== undefined) {
            this.checkError(call, model);
            this.checkTokenTakenBack(call, paginator);
            return;
        }
        if (call.via === "call") this.answered.add(`${call.service}:${call.operation}`);
        const output = call.output ?? {};
        if (operation.output !== undefined) {
            for (const v of checkShape(model, operation.output, output, "output")) {
                this.report(call, "response", v.path, v.problem);
            }
        } else if (Object.values(output as object).some((v) => v !== undefined)) {
            this.report(call, "response", "", "the operation has no output, the region answered members");
        }
        if (paginator !== undefined) this.recordTokens(call, paginator);
    };

    /** Calls checked so far. */
    checkedCalls(): number {
        return this.calls;
    }

    violations(): readonly ConformanceViolation[] {
        return this.found;
    }

    /** "service:Operation" of every handler (or wire) call answered without an error, whose answer was checked. */
    answeredOperations(): ReadonlySet<string> {
        return this.answered;
    }

    private model(service: ServiceName): ApiModel {
        return (this.models[service] ??= this.modelOf(service));
    }

    private checkError(call: ObservedApiCall, model: ApiModel): void {
        if (!(call.error instanceof AwsError)) {
            this.report(call, "error", "", `the model failed: ${String((call.error as Error)?.message)}`);
            return;
        }
        const declared = [
            ...new Set(
                (model.operations[call.operation].errors ?? []).flatMap((ref) => [
                    ref.shape,
                    model.shapes[ref.shape]?.error?.code ?? ref.shape,
                ]),
            ),
        ];
        if (!declared.includes(call.error.code) && !COMMON_ERRORS.includes(call.error.code)) {
            this.report(
                call,
                "error",
                "",
                `${call.error.code} is neither declared by ${call.operation} (${declared.join(", ") || "none"}) nor a common error`,
            );
        }
    }

    private recordTokens(call: ObservedApiCall, paginator: Paginator): void {
        for (const member of names(paginator.output_token)) {
            const token = (call.output as Record<string, unknown>)[member];
            if (typeof token === "string") this.issuedTokens.add(tokenKey(call, token));
        }
    }

    private checkTokenTakenBack(call: ObservedApiCall, paginator: Paginator | undefined): void {
        if (paginator === undefined || !(call.error instanceof AwsError)) return;
        if (call.error.code !== invalidTokenError(this.model(call.service), call.service, call.operation))
            return;
        for (const member of names(paginator.input_token)) {
            const token = call.input[member];
            if (typeof token === "string" && this.issuedTokens.has(tokenKey(call, token))) {
                this.report(
                    call,
                    "pagination",
                    member,
                    `a token the region issued was refused: ${call.error.message}`,
                );
            }
        }
    }

    private report(
        call: ObservedApiCall,
        part: ConformanceViolation["part"],
        path: string,
        problem: string,
    ): void {
        this.found.push({
            service: call.service,
            operation: call.operation,
            via: call.via,
            part,
            path,
            problem,
        });
    }
}

function names(token: string | readonly string[]): readonly string[] {
    return typeof token === "string" ? [token] : token;
}

function tokenKey(call: ObservedApiCall, token: string): string {
    return `${call.service}:${call.operation}:${token}`;
}
