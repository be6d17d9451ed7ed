import { RESERVED_CONCURRENCY_OPT_IN, RESERVED_CONCURRENCY_TAG } from "../../stack/concurrency";
import { isUnknown, knownNumber, knownObject, knownString } from "./known";
import { QUEUE_TYPE } from "./encryptedMessaging";
import { LAMBDA_FUNCTION_TYPE } from "./lambdaRole";
import { referencedResources } from "./references";
import { violationOf } from "./subject";
import { PlannedResource, StackViolation } from "./types";

export const EVENT_SOURCE_MAPPING_TYPE = "aws:lambda/eventSourceMapping:EventSourceMapping";
/** What ESM scalingConfig.maximumConcurrency accepts. */
const MAXIMUM_CONCURRENCY_RANGE = [2, 1000] as const;

/** A reservation is set when it is a number other than -1, the provider's "unreserved". */
function reservationOf(lambda: PlannedResource): number | undefined {
    const reserved = knownNumber(lambda.props.reservedConcurrentExecutions);
    return reserved === undefined || reserved === -1 ? undefined : reserved;
}

function readsSqs(resources: PlannedResource[], mapping: PlannedResource): boolean {
    const source = mapping.props.eventSourceArn;
    return (
        (knownString(source) ?? "").startsWith("arn:aws:sqs:") ||
        referencedResources(resources, mapping, "eventSourceArn", [source], QUEUE_TYPE).length > 0
    );
}

/**
 * AWS refuses a reservation that leaves the account less than 100 unreserved concurrency (new
 * accounts may have 10 in all), so a stack reserves concurrency only through its opt-in, which
 * tags the function; and a queue-driven function is bounded by its event source's
 * maximumConcurrency, which needs no reservation.
 */
export function checkLambdaConcurrency(resources: PlannedResource[]): StackViolation[] {
    const violations: StackViolation[] = [];
    for (const lambda of resources.filter((resource) => resource.type === LAMBDA_FUNCTION_TYPE)) {
        const reserved = reservationOf(lambda);
        const tag = knownString(knownObject(lambda.props.tags)?.[RESERVED_CONCURRENCY_TAG]);
        if (reserved !== undefined && tag !== RESERVED_CONCURRENCY_OPT_IN) {
            violations.push(
                violationOf(
                    lambda,
                    `reservedConcurrentExecutions is ${reserved} without the stack's ${RESERVED_CONCURRENCY_OPT_IN} opt-in (tag ${RESERVED_CONCURRENCY_TAG}); a reservation fails in an account with less than 100 + ${reserved} concurrency`,
                ),
            );
        }
    }
    for (const mapping of resources.filter((resource) => resource.type === EVENT_SOURCE_MAPPING_TYPE)) {
        if (!readsSqs(resources, mapping)) continue;
        const scaling = knownObject(mapping.props.scalingConfig);
        const maximum = scaling?.maximumConcurrency;
        if (isUnknown(mapping.props.scalingConfig) || isUnknown(maximum)) continue;
        const value = knownNumber(maximum);
        const [min, max] = MAXIMUM_CONCURRENCY_RANGE;
        if (value === undefined || value < min || value > max) {
            violations.push(
                violationOf(
                    mapping,
                    `scalingConfig.maximumConcurrency is ${value ?? "unset"}; an SQS event source must bound its function's concurrency (${min}–${max}), as no reservation does`,
                ),
            );
        }
    }
    return violations;
}
