/**
 * Which service a request is for, and in which protocol it speaks. JSON requests name their
 * service in `X-Amz-Target`; query requests only in the SigV4 credential scope of their
 * `Authorization` header (`…/us-east-1/autoscaling/aws4_request`), or, unsigned, by their API
 * `Version`. The protocols are those of the installed `@aws-sdk/client-*` (their
 * `protocolSettings`) and of the AWS CLI: CloudWatch and SQS speak JSON 1.0 in current SDKs and
 * query in older CLIs, so both are served.
 */
import type { ServiceName } from "../types";

/** What the region does not serve over the wire (it models their effects, not their APIs), for its errors and `--serve`. */
export const NOT_SERVED =
    "EC2 (describe-instances and the rest), ELBv2, IAM, KMS and Lambda's own API; the region models their effects (instances, target groups, roles, keys, invocations) without their APIs";

export interface JsonService {
    readonly service: ServiceName;
    readonly contentType: "application/x-amz-json-1.0" | "application/x-amz-json-1.1";
    /** Services that kept their query-era error codes send them in `x-amzn-query-error`. */
    readonly queryCompatible: boolean;
}

const jsonServices: Readonly<Record<string, JsonService>> = {
    AmazonEC2ContainerServiceV20141113: {
        service: "ecs",
        contentType: "application/x-amz-json-1.1",
        queryCompatible: false,
    },
    AmazonSSM: { service: "ssm", contentType: "application/x-amz-json-1.1", queryCompatible: false },
    AWSEvents: { service: "events", contentType: "application/x-amz-json-1.1", queryCompatible: false },
    AmazonSQS: { service: "sqs", contentType: "application/x-amz-json-1.0", queryCompatible: true },
    DynamoDB_20120810: {
        service: "dynamodb",
        contentType: "application/x-amz-json-1.0",
        queryCompatible: false,
    },
    GraniteServiceVersion20100801: {
        service: "monitoring",
        contentType: "application/x-amz-json-1.0",
        queryCompatible: true,
    },
};

/** The service and operation an `X-Amz-Target` names ("AmazonSSM.GetParameter"), if it is one served here. */
export function jsonTarget(target: string): (JsonService & { readonly operation: string }) | undefined {
    const dot = target.lastIndexOf(".");
    const service = dot > 0 ? jsonServices[target.slice(0, dot)] : undefined;
    return service === undefined ? undefined : { ...service, operation: target.slice(dot + 1) };
}

export interface QueryService {
    readonly service: ServiceName;
    readonly xmlNamespace: string;
    readonly version: string;
}

const queryServices: readonly QueryService[] = [
    {
        service: "autoscaling",
        xmlNamespace: "http://autoscaling.amazonaws.com/doc/2011-01-01/",
        version: "2011-01-01",
    },
    { service: "sns", xmlNamespace: "http://sns.amazonaws.com/doc/2010-03-31/", version: "2010-03-31" },
    {
        service: "monitoring",
        xmlNamespace: "http://monitoring.amazonaws.com/doc/2010-08-01/",
        version: "2010-08-01",
    },
    { service: "sqs", xmlNamespace: "http://queue.amazonaws.com/doc/2012-11-05/", version: "2012-11-05" },
];

/** The signing name in an `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/NAME/aws4_request, …` header. */
export function credentialScopeService(authorization: string | undefined): string | undefined {
    return authorization?.match(/Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/)?.[1];
}

/** The query service a request is for: by its credential scope, else (unsigned) by its API version. */
export function queryService(
    authorization: string | undefined,
    version: string | null,
): QueryService | undefined {
    const signingName = credentialScopeService(authorization);
    if (signingName !== undefined) {
        return queryServices.find((candidate) => candidate.service === signingName);
    }
    return queryServices.find((candidate) => candidate.version === version);
}
