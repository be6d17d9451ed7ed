import assert from "node:assert/strict";
import {
    checkLogGroupRetention,
    checkLogGroupRetentionValue,
    RETENTION_DAYS,
} from "../../policy/rules/logGroupRetention";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

function logGroup(retentionInDays: unknown): PlannedResource {
    return { type: "aws:cloudwatch/logGroup:LogGroup", name: "drain-logs", props: { retentionInDays } };
}

const ALLOWED = RETENTION_DAYS.join(", ");

describe("policy rule log-group-retention (advisory)", () => {
    it("passes a retention that expires events", () => {
        assert.deepEqual(checkLogGroupRetention(logGroup(14)), []);
        assert.deepEqual(checkLogGroupRetention(logGroup(3653)), []);
    });

    it("fails an unset retention and 0, which both keep events forever", () => {
        assert.deepEqual(checkLogGroupRetention(logGroup(undefined)), [
            `aws:cloudwatch/logGroup:LogGroup "drain-logs": retentionInDays is unset (never expire); set one of ${ALLOWED}`,
        ]);
        assert.deepEqual(checkLogGroupRetention(logGroup(0)), [
            `aws:cloudwatch/logGroup:LogGroup "drain-logs": retentionInDays is 0 (never expire); set one of ${ALLOWED}`,
        ]);
    });

    it("does not judge a retention unknown during preview", () => {
        assert.deepEqual(checkLogGroupRetention(logGroup(UNKNOWN)), []);
    });
});

describe("policy rule log-group-retention-valid (mandatory)", () => {
    it("passes every value CloudWatch accepts, and unset or 0 (never expire)", () => {
        for (const days of [...RETENTION_DAYS, 0, undefined, UNKNOWN])
            assert.deepEqual(checkLogGroupRetentionValue(logGroup(days)), [], String(days));
    });

    it("fails a value PutRetentionPolicy rejects, naming the legal ones", () => {
        assert.deepEqual(checkLogGroupRetentionValue(logGroup(10)), [
            `aws:cloudwatch/logGroup:LogGroup "drain-logs": retentionInDays is 10; it must be one of ${ALLOWED}`,
        ]);
        assert.deepEqual(checkLogGroupRetentionValue(logGroup("10")), [
            `aws:cloudwatch/logGroup:LogGroup "drain-logs": retentionInDays is 10; it must be one of ${ALLOWED}`,
        ]);
    });
});
