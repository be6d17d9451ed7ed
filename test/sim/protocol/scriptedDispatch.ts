/**
 * A dispatcher for protocol tests: a table of the calls a test expects, keyed by
 * "service operation", each with the exact input the server must decode and the canned output
 * (or AwsError) it answers. Every call is recorded; a call off the script fails the request.
 */
import assert from "node:assert/strict";
import type { AwsError } from "../../../sim/errors";
import type { Dispatch } from "../../../sim/protocol/server";
import type { ServiceName } from "../../../sim/types";

export interface ScriptedCall {
    readonly input: Record<string, unknown>;
    /** Answers in order, one per call; the last one repeats. */
    readonly answers: readonly ({ readonly output: unknown } | { readonly error: AwsError | Error })[];
}

export interface RecordedCall {
    readonly service: ServiceName;
    readonly operation: string;
    readonly input: Record<string, unknown>;
}

export interface ScriptedDispatch {
    readonly dispatch: Dispatch;
    readonly calls: RecordedCall[];
}

export function scriptedDispatch(script: Readonly<Record<string, ScriptedCall>>): ScriptedDispatch {
    const calls: RecordedCall[] = [];
    const dispatch: Dispatch = async (service, operation, input) => {
        calls.push({ service, operation, input });
        const key = `${service} ${operation}`;
        const expected = script[key];
        assert.ok(expected, `unscripted call ${key} ${JSON.stringify(input)}`);
        assert.deepEqual(input, expected.input, `input of ${key}`);
        const served = calls.filter(
            (call) => call.service === service && call.operation === operation,
        ).length;
        const answer = expected.answers[Math.min(served, expected.answers.length) - 1];
        if ("error" in answer) {
            throw answer.error;
        }
        return answer.output;
    };
    return { dispatch, calls };
}
