/**
 * Error codes as each protocol spells them. Query-era services name an error two ways: the SDK's
 * exception shape ("QueueDoesNotExist") and the code on the query wire
 * ("AWS.SimpleQueueService.NonExistentQueue"), which SQS and CloudWatch still send over JSON in
 * `x-amzn-query-error` and the CLI prints. A model may throw either name; the response carries
 * each where AWS puts it. Pairs are the `awsQueryError` traits of the `@aws-sdk/client-*`
 * models for the errors the served operations can raise.
 */
import type { ServiceName } from "../types";

const queryCodeByShape: Readonly<Partial<Record<ServiceName, Readonly<Record<string, string>>>>> = {
    sqs: {
        QueueDoesNotExist: "AWS.SimpleQueueService.NonExistentQueue",
        QueueNameExists: "QueueAlreadyExists",
        QueueDeletedRecently: "AWS.SimpleQueueService.QueueDeletedRecently",
        MessageNotInflight: "AWS.SimpleQueueService.MessageNotInflight",
        BatchEntryIdsNotDistinct: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        BatchRequestTooLong: "AWS.SimpleQueueService.BatchRequestTooLong",
        EmptyBatchRequest: "AWS.SimpleQueueService.EmptyBatchRequest",
        InvalidBatchEntryId: "AWS.SimpleQueueService.InvalidBatchEntryId",
        TooManyEntriesInBatchRequest: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        PurgeQueueInProgress: "AWS.SimpleQueueService.PurgeQueueInProgress",
        UnsupportedOperation: "AWS.SimpleQueueService.UnsupportedOperation",
    },
    monitoring: {
        InvalidParameterValueException: "InvalidParameterValue",
        InvalidParameterCombinationException: "InvalidParameterCombination",
        MissingRequiredParameterException: "MissingParameter",
        LimitExceededFault: "LimitExceeded",
        InvalidFormatFault: "InvalidFormat",
        InternalServiceFault: "InternalServiceError",
        ValidationException: "ValidationError",
    },
    sns: {
        NotFoundException: "NotFound",
        InvalidParameterException: "InvalidParameter",
        InvalidParameterValueException: "ParameterValueInvalid",
        AuthorizationErrorException: "AuthorizationError",
        InternalErrorException: "InternalError",
        ThrottledException: "Throttled",
        TopicLimitExceededException: "TopicLimitExceeded",
        SubscriptionLimitExceededException: "SubscriptionLimitExceeded",
    },
    autoscaling: {
        AlreadyExistsFault: "AlreadyExists",
        LimitExceededFault: "LimitExceeded",
        ResourceInUseFault: "ResourceInUse",
        ResourceContentionFault: "ResourceContention",
        ScalingActivityInProgressFault: "ScalingActivityInProgress",
        InstanceRefreshInProgressFault: "InstanceRefreshInProgress",
        ActiveInstanceRefreshNotFoundFault: "ActiveInstanceRefreshNotFound",
    },
};

export interface ErrorNames {
    /** The exception shape's name: JSON's `__type`. */
    readonly shapeName: string;
    /** The query protocol's `<Code>`, and `x-amzn-query-error`'s first field. */
    readonly queryCode: string;
}

/** Both names of an error a model raised under either of them; codes without a pair are the same in both. */
export function errorNames(service: ServiceName, code: string): ErrorNames {
    const pairs = queryCodeByShape[service] ?? {};
    const queryCode = pairs[code];
    if (queryCode !== undefined) {
        return { shapeName: code, queryCode };
    }
    const shape = Object.keys(pairs).find((shapeName) => pairs[shapeName] === code);
    return { shapeName: shape ?? code, queryCode: code };
}
