/**
 * The drain pipeline as it was before event-driven completion and the ECS budget (kept for the
 * bench's comparison, never deployed by the program): a poll per message every poll interval,
 * each making its own ListContainerInstances, DescribeContainerInstances, two ListTasks,
 * DescribeTasks, DescribeServices and PutAttributes; batches of 10, up to 10 at once, no
 * batching window, no ECS event rules.
 */
import type { DrainDesign } from "../../../sim/pipelines/drain";
import { requiredMaxReceiveCount } from "./drain";
import { drainCallbackFactory } from "./drainHandler";

export const PREVIOUS_DRAIN_DESIGN: DrainDesign = {
    callbackFactory: (settings, runtime) => drainCallbackFactory(settings, runtime),
    batchSize: 10,
    batchingWindowSeconds: 0,
    maximumConcurrency: 10,
    maxReceiveCount: requiredMaxReceiveCount,
    nudges: false,
};
