/**
 * The contract between the simulated region's parts. Each service model is a class constructed
 * with the RegionContext; it serves its public API operations through `call` (SDK-shaped input
 * and output objects, errors as AwsError) and offers the internal methods below to the other
 * models, which reach it through the context. `sim/region.ts` builds the context and wires the
 * models; the wire protocols in `sim/protocol/` only translate HTTP to `Region.call`.
 */
import type { VirtualClock } from "./clock";
import type { SeededRandom } from "./random";

export type ServiceName =
    "ecs" | "autoscaling" | "sns" | "sqs" | "lambda" | "events" | "monitoring" | "ssm" | "dynamodb";

/** A service model as the wire protocols see it. */
export interface ServiceModel {
    readonly service: ServiceName;
    /** Operations this model serves, by their API names ("ListContainerInstances"). */
    readonly operations: readonly string[];
    /** Serves one API operation; throws AwsError for an unknown operation or bad input. */
    call(operation: string, input: Record<string, unknown>): unknown;
}

/** Faults a run may switch on; every rate is a probability per opportunity in [0, 1]. */
export interface FaultSettings {
    /** ECS API calls answered with ThrottlingException at this rate, on top of the modelled 20 req/s limit. */
    throttleRate: number;
    /** Enforce ECS's sustained 20 req/s read limit with a burst of 100 (token bucket in virtual time). */
    ecsRateLimit: boolean;
    /** Auto Scaling API calls answered with `Throttling` ("Rate exceeded", HTTP 400) at this rate. */
    autoscalingThrottleRate: number;
    /** Auto Scaling API calls answered with `ResourceContention` (HTTP 500: a pending update to the group) at this rate. */
    resourceContentionRate: number;
    /** SNS deliveries (to SQS, Lambda, …) and EventBridge deliveries duplicated at this rate. */
    duplicateRate: number;
    /** SNS/EventBridge deliveries (and lifecycle notifications) silently lost at this rate. */
    dropRate: number;
    /** Lambda invocations that run past their timeout at this rate. */
    lambdaTimeoutRate: number;
    /** Lambda invocations that crash (the handler is not run, an error is returned) at this rate. */
    lambdaCrashRate: number;
    /** Launched instances that never register with ECS at this rate. */
    neverRegisterRate: number;
    /** Tasks that ignore SIGTERM and never reach STOPPED at this rate (stop timeout is not enforced for them). */
    stuckTaskRate: number;
}

export const NO_FAULTS: FaultSettings = {
    throttleRate: 0,
    ecsRateLimit: false,
    autoscalingThrottleRate: 0,
    resourceContentionRate: 0,
    duplicateRate: 0,
    dropRate: 0,
    lambdaTimeoutRate: 0,
    lambdaCrashRate: 0,
    neverRegisterRate: 0,
    stuckTaskRate: 0,
};

export type FaultName = keyof FaultSettings;

/** Faults decided by a draw at each opportunity (every fault but the ECS rate limit). */
export type RateFaultName = { [K in FaultName]: FaultSettings[K] extends number ? K : never }[FaultName];

/** What each fault does, as `--help` and README's faults table say it (a test keeps the table equal). */
export const FAULT_DESCRIPTIONS: Readonly<Record<FaultName, string>> = {
    throttleRate: "ECS API calls answered `ThrottlingException` at this rate, on top of the modelled limit",
    ecsRateLimit:
        "ECS's sustained 20 requests/s with a burst of 100, enforced (token bucket in virtual time)",
    autoscalingThrottleRate:
        'Auto Scaling API calls answered `Throttling` ("Rate exceeded", HTTP 400) at this rate',
    resourceContentionRate:
        "Auto Scaling API calls answered `ResourceContention` (HTTP 500, a pending update to the group)",
    duplicateRate: "SNS deliveries (to SQS and Lambda) and EventBridge deliveries duplicated",
    dropRate: "SNS and EventBridge deliveries, and lifecycle notifications, lost",
    lambdaTimeoutRate: "Lambda invocations that run past their timeout",
    lambdaCrashRate: "Lambda invocations that crash before the handler runs",
    neverRegisterRate: "launched instances that never register with ECS",
    stuckTaskRate: "tasks that ignore SIGTERM and never reach STOPPED",
};

/** One line of a run's timeline, for reports, charts and exact-timeline tests. */
export interface TimelineEntry {
    /** Virtual epoch ms. */
    readonly at: number;
    /** e.g. "instance.launched", "instance.terminated", "task.stopped", "hook.completed", "alarm.state", "scaling.executed". */
    readonly kind: string;
    readonly detail: Readonly<Record<string, unknown>>;
}

/** An AWS-shaped event (EventBridge envelope). */
export interface AwsEvent {
    readonly version: "0";
    readonly id: string;
    readonly "detail-type": string;
    readonly source: string;
    readonly account: string;
    readonly time: string;
    readonly region: string;
    readonly resources: readonly string[];
    readonly detail: Record<string, unknown>;
}

/** A Lambda handler as the runtime exports it (what CallbackFunction's factory returns). */
export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown> | unknown;

export interface LambdaContext {
    readonly functionName: string;
    readonly functionVersion: string;
    readonly invokedFunctionArn: string;
    readonly memoryLimitInMB: string;
    readonly awsRequestId: string;
    readonly logGroupName: string;
    readonly logStreamName: string;
    getRemainingTimeInMillis(): number;
}

/** Internal surface of each model that the other models use (never exposed on the wire). */
export interface EcsInternal {
    /** Called by EC2 when an instance has booted and its agent starts (unless it never registers). */
    registerInstance(
        clusterName: string,
        ec2InstanceId: string,
        instanceType: string,
        availabilityZone: string,
        /** The AMI the instance booted, reported in the `ecs.ami-id` attribute. */
        imageId?: string,
    ): void;
    /** Called by EC2 when an instance is terminated: every task on it dies at once, the container instance goes INACTIVE. */
    instanceTerminated(ec2InstanceId: string): void;
    /** Called by EC2 with the 2-minute Spot warning when the agent has ECS_ENABLE_SPOT_INSTANCE_DRAINING=true. */
    spotInterruption(ec2InstanceId: string): void;
    /**
     * An instance entered a lifecycle action of a TERMINATING hook: Auto Scaling's EventBridge event,
     * which ECS's managed rule matches for the hooks of managed draining (sim/ecs/managedDraining.ts).
     */
    terminatingLifecycleAction(groupName: string, hookName: string, instanceId: string): void;
}

/** What ECS reads of an Auto Scaling group for its capacity providers. */
export interface GroupForCapacityProvider {
    readonly name: string;
    readonly arn: string;
    readonly newInstancesProtectedFromScaleIn: boolean;
    /** The instance types it launches (the launch template's, or the mixed instances policy's overrides). */
    readonly instanceTypes: readonly string[];
}

/** A group instance as ECS's managed termination protection reads it. */
export interface GroupInstanceForCapacityProvider {
    readonly groupName: string;
    readonly groupArn: string;
    readonly lifecycleState: string;
    readonly protectedFromScaleIn: boolean;
}

/** The target tracking policy ECS's managed scaling puts on a group (sim/autoscaling/targetTracking.ts). */
export interface ManagedTargetTrackingSpec {
    readonly groupName: string;
    readonly policyName: string;
    readonly targetValue: number;
    /** Seconds after launch during which an instance blocks further scale-out. */
    readonly instanceWarmupSeconds: number;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
}

export interface AutoScalingInternal {
    /**
     * An AWS service calling the Auto Scaling API with its service-linked role (ECS for its
     * capacity providers): served as the API serves it, not counted, throttled or faulted.
     */
    serviceCall(operation: string, input: Record<string, unknown>): unknown;
    /** The group with this ARN, if it exists. */
    groupForCapacityProvider(groupArn: string): GroupForCapacityProvider | undefined;
    /** The group instance with this EC2 id, if a group holds it. */
    groupInstance(instanceId: string): GroupInstanceForCapacityProvider | undefined;
    /** Puts ECS's target tracking policy and the alarms AWS creates for it; returns the policy ARN. */
    putManagedTargetTracking(spec: ManagedTargetTrackingSpec): string;
    /** Removes ECS's target tracking policy and its alarms. */
    deleteManagedTargetTracking(groupName: string, policyName: string): void;
    /** Executes a scaling policy by ARN (an alarm action). */
    executePolicyByArn(
        policyArn: string,
        alarmValue: number,
        /** The alarm's threshold: step scaling intervals are relative to it (0 when omitted). */
        breachThreshold?: number,
    ): void;
}

export interface SnsInternal {
    /** Publishes as a service would (Auto Scaling notifications, EventBridge targets). Returns the MessageId. */
    publishInternal(
        topicArn: string,
        message: string,
        subject?: string,
        attributes?: Record<string, { DataType: string; StringValue: string }>,
    ): string;
}

/**
 * The lineage a message carries through SNS/SQS into Lambda (AWS tracks it with the X-Ray trace
 * header) so recursive-loop detection can stop a function that keeps re-feeding its own source.
 */
export interface MessageTrace {
    readonly traceId: string;
    /** ARNs of the SNS topics and SQS queues that invoked functions along this chain. */
    readonly chain: readonly string[];
    /** How many times the chain has sent back to a resource already in it. */
    readonly depth: number;
}

export interface SqsInternal {
    sendInternal(
        queueArn: string,
        body: string,
        delaySeconds?: number,
        options?: {
            attributes?: Record<string, { DataType: string; StringValue: string }>;
            trace?: MessageTrace;
        },
    ): string;
}

export interface LambdaInternal {
    /** Async invocation (Event): queued, retried twice on error, DLQ/on-failure destination after. */
    invokeAsync(functionArn: string, payload: unknown, source: string, trace?: MessageTrace): void;
    /** Sync invocation with a caller-side limit (the termination policy's 2 s); rejects on timeout or error. */
    invokeSync(functionArn: string, payload: unknown, callerTimeoutMs: number): Promise<unknown>;
    /**
     * Adds the modelled latency of one API call to the invocation that is running now (a no-op
     * outside an invocation), so getRemainingTimeInMillis() and timeouts are meaningful.
     */
    chargeApiLatency(ms: number, callKey?: string): void;
    /** Virtual time as the running invocation sees it (clock.now() + its elapsed time); clock.now() outside one. */
    invocationNow(): number;
    /** The trace a message sent now to `targetArn` carries (undefined outside an invocation). */
    traceForSend?(targetArn: string): MessageTrace | undefined;
}

export interface EventsInternal {
    /** An AWS service emits an event onto the default bus. */
    emit(
        source: string,
        detailType: string,
        detail: Record<string, unknown>,
        resources?: readonly string[],
    ): void;
}

export interface CloudWatchInternal {
    /** A log line written by a Lambda; EMF lines (JSON with `_aws.CloudWatchMetrics`) become metrics. */
    logLine(logGroupName: string, line: string): void;
    /** A datum an AWS service publishes now, to its own `AWS/` namespace (closed to PutMetricData). */
    publishServiceMetric(
        namespace: string,
        metricName: string,
        dimensions: readonly { readonly Name: string; readonly Value: string }[],
        value: number,
    ): void;
    /** An alarm AWS creates for a service (PutMetricAlarm's input and checks); returns its ARN. */
    putServiceAlarm(input: Record<string, unknown>): string;
    /** Deletes alarms AWS created for a service. */
    deleteServiceAlarms(alarmNames: readonly string[]): void;
}

/** What every model is constructed with. */
export interface RegionContext {
    readonly clock: VirtualClock;
    readonly random: SeededRandom;
    readonly accountId: string;
    readonly region: string;
    readonly faults: FaultSettings;
    record(kind: string, detail: Record<string, unknown>): void;
    /**
     * Whether the rate fault `name` fires at this opportunity (one draw of the seeded random when
     * its rate is above 0); a firing is counted and recorded as "fault.fired" with `detail`.
     */
    faultFires(name: RateFaultName, detail: Record<string, unknown>): boolean;
    /** Counts and records a firing decided otherwise (the ECS rate limit's bucket ran dry, a stuck task ignored SIGTERM). */
    faultFired(name: FaultName, detail: Record<string, unknown>): void;
    readonly ecs: EcsInternal;
    readonly autoscaling: AutoScalingInternal;
    readonly sns: SnsInternal;
    readonly sqs: SqsInternal;
    readonly lambda: LambdaInternal;
    readonly events: EventsInternal;
    readonly cloudwatch: CloudWatchInternal;
}
