/** IAM document pieces every component needs. */

/** A role trust policy letting one AWS service assume the role. */
export function assumeRolePolicyFor(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

/**
 * A queue policy statement letting one AWS service send to `queueArn` only on behalf of
 * `sourceArns` (aws:SourceArn: no other topic or rule of any account can use the service to write
 * into the queue).
 */
export function queueSendStatement(
    sid: string,
    service: string,
    queueArn: string,
    sourceArns: string | readonly string[],
): Record<string, unknown> {
    return {
        Sid: sid,
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": sourceArns } },
    };
}

/**
 * The ARN pattern of every `resourceType` (container-instance, task, service) in the cluster
 * `clusterArn`: ECS ARNs put the cluster name after the type.
 */
export function clusterScopedArn(
    clusterArn: string,
    resourceType: "container-instance" | "task" | "service",
): string {
    const marker = ":cluster/";
    const at = clusterArn.indexOf(marker);
    if (at < 0)
        throw new Error(`clusterArn: expected an ECS cluster ARN (…:cluster/NAME), got ${clusterArn}`);
    return `${clusterArn.slice(0, at)}:${resourceType}/${clusterArn.slice(at + marker.length)}/*`;
}
