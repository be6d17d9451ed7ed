import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/stackFile";
import { evaluateRules, PlannedResource, RULES } from "../../policy/rules";

describe("policy rule list", () => {
    it("names each rule once, kebab-case, with a tier and a description", () => {
        const names = RULES.map((rule) => rule.name);
        assert.equal(new Set(names).size, names.length);
        for (const rule of RULES) {
            assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(["mandatory", "advisory"].includes(rule.enforcementLevel), rule.name);
            assert.ok(rule.description.endsWith("."), rule.name);
        }
        assert.equal(RULES.length, 23);
    });

    it("are listed in README with their tiers, in order", () => {
        const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
        const table = readme.slice(
            readme.indexOf("<!-- policy-rules:start -->"),
            readme.indexOf("<!-- policy-rules:end -->"),
        );
        const rows = [...table.matchAll(/^\| `([a-z0-9-]+)` +\| (mandatory|advisory) +\|$/gm)].map(
            ([, name, tier]) => [name, tier],
        );
        assert.deepEqual(
            rows,
            RULES.map((rule) => [rule.name, rule.enforcementLevel]),
        );
    });

    it("evaluates resource and stack rules together, tagging each violation with its rule", () => {
        const resources: PlannedResource[] = [
            { type: "aws:cloudwatch/logGroup:LogGroup", name: "logs", urn: "urn:logs", props: {} },
            { type: "aws:lambda/function:Function", name: "fn", props: { role: "arn:aws:iam::1:role/r" } },
        ];
        const violations = evaluateRules(resources, { archiveSizes: { fn: 60000 } });
        assert.deepEqual(
            violations.map((violation) => [violation.rule, violation.tier, violation.resource]),
            [
                ["log-group-retention", "advisory", "urn:logs"],
                ["lambda-archive-size", "mandatory", "fn"],
            ],
        );
    });

    it("finds nothing in an empty stack", () => {
        assert.deepEqual(evaluateRules([]), []);
    });
});
