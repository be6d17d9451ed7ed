import { LAMBDA_FUNCTION_TYPE } from "./lambdaRole";
import { violationOf } from "./subject";
import { PlannedResource, StackFacts, StackViolation } from "./types";

/**
 * The serialized closures stay small: runtime/ code and nothing else (the Lambda runtime ships
 * the AWS SDK v3; @pulumi/* must be excluded). 50 KiB leaves room for the handlers and fails
 * loudly when a dependency tree is swept into an archive.
 */
export const MAX_ARCHIVE_BYTES = 50 * 1024;

/**
 * `facts.archiveSizes` maps a Lambda function's logical name to its archive size in bytes; the
 * archive is not a resource input, so the plan (or the pack) measures it. A function with no
 * measured size is not judged.
 */
export function checkLambdaArchiveSize(resources: PlannedResource[], facts?: StackFacts): StackViolation[] {
    const sizes = new Map(Object.entries(facts?.archiveSizes ?? {}));
    for (const [name, bytes] of sizes) {
        if (typeof bytes !== "number" || !Number.isInteger(bytes) || bytes < 0) {
            throw new Error(
                `archiveSizes["${name}"] must be a whole number of bytes ≥ 0, got ${JSON.stringify(bytes)}`,
            );
        }
    }
    return resources
        .filter(
            (resource) =>
                resource.type === LAMBDA_FUNCTION_TYPE &&
                (sizes.get(resource.name) ?? 0) >= MAX_ARCHIVE_BYTES,
        )
        .map((lambda) =>
            violationOf(
                lambda,
                `code archive is ${sizes.get(lambda.name)} bytes; it must be under ${MAX_ARCHIVE_BYTES} bytes (50 KiB)`,
            ),
        );
}
