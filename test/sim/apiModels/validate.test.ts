import assert from "node:assert/strict";
import { checkShape } from "../../../sim/apiModels/validate";
import { SYNTHETIC_MODEL } from "./syntheticModel";

const response = (things: unknown[], extra: Record<string, unknown> = {}) =>
    checkShape(SYNTHETIC_MODEL, { shape: "ListThingsResponse" }, { Things: things, ...extra }, "output");

function problems(violations: readonly { path: string; problem: string }[]): string[] {
    return violations.map((v) => `${v.path}: ${v.problem}`);
}

describe("sim/apiModels checkShape", () => {
    it("accepts a value that keeps to the shape, members left undefined counting as absent", () => {
        const thing = {
            Name: "alpha",
            State: "on",
            Weight: 10,
            Ratio: 0.5,
            Enabled: false,
            CreatedAt: new Date(0),
            Labels: { env: "prod" },
            Unset: undefined,
        };
        assert.deepEqual(response([thing], { NextToken: undefined }), []);
    });

    it("reports members the model does not have and required members that are missing", () => {
        assert.deepEqual(problems(response([{ State: "on", Colour: "red" }], { Extra: 1 })), [
            "Things[0].Name: required by Thing, missing",
            "Things[0].Colour: Thing has no member Colour",
            "Extra: ListThingsResponse has no member Extra",
        ]);
        assert.deepEqual(
            problems(checkShape(SYNTHETIC_MODEL, { shape: "ListThingsResponse" }, {}, "output")),
            ["Things: required by ListThingsResponse, missing"],
        );
    });

    it("reports values of the wrong type, and null", () => {
        assert.deepEqual(
            problems(
                response([
                    {
                        Name: 5,
                        Weight: "3",
                        Ratio: Infinity,
                        Enabled: "true",
                        CreatedAt: 1_700_000_000,
                        Labels: [],
                    },
                    { Name: "b", Weight: 1.5, CreatedAt: new Date(Number.NaN), State: null },
                ]),
            ),
            [
                "Things[0].Name: expected a string, got number 5",
                'Things[0].Weight: expected an integer, got the string "3"',
                "Things[0].Ratio: expected a finite number, got number Infinity",
                'Things[0].Enabled: expected a boolean, got the string "true"',
                "Things[0].CreatedAt: expected a Date, got number 1700000000",
                "Things[0].Labels: expected a map, got a list",
                "Things[1].Weight: expected an integer, got number 1.5",
                "Things[1].CreatedAt: expected a Date, got an invalid Date",
                "Things[1].State: null is not a string (State)",
            ],
        );
        assert.deepEqual(problems(response({} as unknown as unknown[])), [
            "Things: expected a list, got an object",
        ]);
    });

    it("checks enums, string lengths in code points, patterns and numeric ranges", () => {
        assert.deepEqual(
            problems(
                response([
                    { Name: "abcdefghi", State: "ON", Weight: 11 },
                    { Name: "", Weight: -1 },
                    { Name: "Abc" },
                ]),
            ),
            [
                "Things[0].Name: 9 characters, at most 8 expected",
                'Things[0].State: "ON" is not one of on, off',
                "Things[0].Weight: 11 is above the maximum 10",
                "Things[1].Name: 0 characters, at least 1 expected",
                'Things[1].Name: "" does not match the pattern ^[a-z]+$',
                "Things[1].Weight: -1 is below the minimum 0",
                'Things[2].Name: "Abc" does not match the pattern ^[a-z]+$',
            ],
        );
        const note = (value: string) =>
            problems(checkShape(SYNTHETIC_MODEL, { shape: "Note" }, value, "output"));
        assert.deepEqual(note("😀😀"), [], "two code points, four UTF-16 units");
        assert.deepEqual(note("😀😀😀"), [": 3 characters, at most 2 expected"]);
    });

    it("checks list and map sizes, and map keys and values", () => {
        const input = (value: Record<string, unknown>) =>
            problems(checkShape(SYNTHETIC_MODEL, { shape: "ListThingsRequest" }, value, "input"));
        assert.deepEqual(input({ Names: [] }), ["Names: 0 items, at least 1 expected"]);
        assert.deepEqual(input({ Names: ["a", "b", "c"] }), ["Names: 3 items, at most 2 expected"]);
        assert.deepEqual(problems(response([{ Name: "a", Labels: { a: "1", b: "2", c: "3" } }])), [
            "Things[0].Labels: 3 entries, at most 2 expected",
        ]);
        assert.deepEqual(problems(response([{ Name: "a", Labels: { Bad: "1" } }])), [
            'Things[0].Labels{key Bad}: "Bad" does not match the pattern ^[a-z]+$',
        ]);
    });

    it("takes a blob as bytes, or as text in a request only", () => {
        const blob = (value: unknown, direction: "input" | "output") =>
            problems(checkShape(SYNTHETIC_MODEL, { shape: "Blob" }, value, direction));
        assert.deepEqual(blob(new Uint8Array([1]), "output"), []);
        assert.deepEqual(blob(Buffer.from("x"), "input"), []);
        assert.deepEqual(blob("eA==", "input"), []);
        assert.deepEqual(blob("eA==", "output"), [': expected bytes, got the string "eA=="']);
    });

    it("reports a shape the model does not define", () => {
        assert.deepEqual(problems(checkShape(SYNTHETIC_MODEL, { shape: "Nope" }, {}, "output")), [
            ": the model has no shape Nope",
        ]);
    });
});
