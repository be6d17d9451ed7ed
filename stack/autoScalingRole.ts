/** The name of the stack's own Auto Scaling service-linked role (components/autoScalingRole.ts). */
import { createHash } from "node:crypto";

export const AUTO_SCALING_ROLE_PREFIX = "AWSServiceRoleForAutoScaling_";
/** IAM role names are at most 64 characters. */
export const MAX_ROLE_NAME_LENGTH = 64;
const MAX_SUFFIX_LENGTH = MAX_ROLE_NAME_LENGTH - AUTO_SCALING_ROLE_PREFIX.length;
const HASH_LENGTH = 8;

/**
 * `<cluster>.<region>`, unique in the account (IAM is global, a cluster name only per region);
 * when that is too long for a role name, the cluster name's start and a hash of both.
 */
export function autoScalingRoleSuffix(clusterName: string, region: string): string {
    const readable = `${clusterName}.${region}`;
    if (readable.length <= MAX_SUFFIX_LENGTH) return readable;
    const hash = createHash("sha256").update(readable).digest("hex").slice(0, HASH_LENGTH);
    return `${clusterName.slice(0, MAX_SUFFIX_LENGTH - HASH_LENGTH - 1)}.${hash}`;
}
