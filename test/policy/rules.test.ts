import assert from "node:assert/strict";
import { evaluateRules, PlannedResource, RULES } from "../../policy/rules";

describe("policy rule list", () => {
    it("names each rule once, kebab-case, mandatory, with a description", () => {
        const names = RULES.map((rule) => rule.name);
        assert.equal(new Set(names).size, names.length);
        for (const rule of RULES) {
            assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.equal(rule.enforcementLevel, "mandatory");
            assert.ok(rule.description.endsWith("."), rule.name);
        }
        assert.equal(RULES.length, 21);
    });

    it("evaluates resource and stack rules together, tagging each violation with its rule", () => {
        const resources: PlannedResource[] = [
            { type: "aws:cloudwatch/logGroup:LogGroup", name: "logs", urn: "urn:logs", props: {} },
            { type: "aws:lambda/function:Function", name: "fn", props: { role: "arn:aws:iam::1:role/r" } },
        ];
        const violations = evaluateRules(resources, { archiveSizes: { fn: 60000 } });
        assert.deepEqual(
            violations.map((violation) => [violation.rule, violation.resource]),
            [
                ["log-group-retention", "urn:logs"],
                ["lambda-archive-size", "fn"],
            ],
        );
    });

    it("finds nothing in an empty stack", () => {
        assert.deepEqual(evaluateRules([]), []);
    });
});
