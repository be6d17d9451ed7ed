import assert from "node:assert/strict";
import { ConformanceChecker, invalidTokenError } from "../../../sim/apiModels/conformance";
import { AwsError } from "../../../sim/errors";
import type { ObservedApiCall } from "../../../sim/region";
import { SYNTHETIC_MODEL } from "./syntheticModel";

function checked(...calls: Omit<ObservedApiCall, "service" | "via">[]): ConformanceChecker {
    const checker = new ConformanceChecker(() => SYNTHETIC_MODEL);
    for (const call of calls) checker.observe({ service: "autoscaling", via: "call", ...call });
    return checker;
}

function found(checker: ConformanceChecker): string[] {
    return checker.violations().map((v) => `${v.operation} ${v.part} ${v.path}: ${v.problem}`);
}

describe("sim/apiModels ConformanceChecker", () => {
    it("checks the request against the input shape and the answer against the output shape", () => {
        const checker = checked(
            {
                operation: "ListThings",
                input: { MaxRecords: 0 },
                output: { Things: [{ Name: "a", Size: 1 }] },
            },
            { operation: "DeleteThing", input: { Name: "a" }, output: { Deleted: true } },
            { operation: "RenameThing", input: {}, output: {} },
        );
        assert.deepEqual(found(checker), [
            "ListThings request MaxRecords: 0 is below the minimum 1",
            "ListThings response Things[0].Size: Thing has no member Size",
            "DeleteThing response : the operation has no output, the region answered members",
            "RenameThing operation : synthetic 2020-01-01 has no such operation",
        ]);
    });

    it("takes errors the operation declares (by shape or query code) and AWS's common errors, nothing else", () => {
        const error = (code: string) => ({
            operation: "ListThings",
            input: {},
            error: new AwsError(code, "m"),
        });
        const checker = checked(
            error("InvalidNextToken"),
            error("ThingNotFoundFault"),
            error("ThingNotFound"),
            error("Throttling"),
            error("ValidationError"),
            error("ResourceNotFoundException"),
            { operation: "ListThings", input: {}, error: new TypeError("x is undefined") },
        );
        assert.deepEqual(found(checker), [
            "ListThings error : ResourceNotFoundException is neither declared by ListThings (InvalidNextToken, ThingNotFoundFault, ThingNotFound) nor a common error",
            "ListThings error : the model failed: x is undefined",
        ]);
    });

    it("reports a token the region issued and then refused, not one it never issued", () => {
        const refused = (token: string) => ({
            operation: "ListThings",
            input: { NextToken: token },
            error: new AwsError("InvalidNextToken", "The NextToken value is not valid."),
        });
        const checker = checked(
            { operation: "ListThings", input: {}, output: { Things: [], NextToken: "issued-1" } },
            refused("garbage"),
            refused("issued-1"),
        );
        assert.deepEqual(found(checker), [
            "ListThings pagination NextToken: a token the region issued was refused: The NextToken value is not valid.",
        ]);
    });

    it("counts as answered only the calls of clients (not set-up) that succeeded", () => {
        const checker = new ConformanceChecker(() => SYNTHETIC_MODEL);
        checker.observe({
            service: "ecs",
            via: "admin",
            operation: "DeleteThing",
            input: { Name: "a" },
            output: {},
        });
        checker.observe({
            service: "ecs",
            via: "call",
            operation: "ListThings",
            input: {},
            error: new AwsError("Throttling", "Rate exceeded"),
        });
        assert.deepEqual([...checker.answeredOperations()], []);
        checker.observe({
            service: "ecs",
            via: "call",
            operation: "ListThings",
            input: {},
            output: { Things: [] },
        });
        assert.deepEqual([...checker.answeredOperations()], ["ecs:ListThings"]);
    });

    it("knows each operation's error for a token it did not issue", () => {
        assert.equal(invalidTokenError(SYNTHETIC_MODEL, "autoscaling", "ListThings"), "InvalidNextToken");
        assert.equal(invalidTokenError(SYNTHETIC_MODEL, "ecs", "DeleteThing"), "InvalidParameterException");
        assert.equal(invalidTokenError(SYNTHETIC_MODEL, "sns", "DeleteThing"), "InvalidParameter");
        assert.equal(invalidTokenError(SYNTHETIC_MODEL, "sqs", "DeleteThing"), "InvalidParameterValue");
    });
});
