/**
 * A deployed callback factory as Lambda runs it: the factory (which creates the SDK clients and
 * reads process.env) runs on the first invocation, inside the function's environment, and the
 * handler it returns serves every later invocation of the warm environment. The simulated region
 * sets a function's environment only while it is invoked, so running the factory at deploy time
 * would read none of it.
 */
import type { LambdaHandler } from "../types";

export function coldStartOnFirstInvocation(
    factory: () => (event: unknown) => Promise<unknown>,
): LambdaHandler {
    let warm: ((event: unknown) => Promise<unknown>) | undefined;
    return (event) => {
        warm ??= factory();
        return warm(event);
    };
}
