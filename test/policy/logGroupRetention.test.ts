import assert from "node:assert/strict";
import { checkLogGroupRetention, RETENTION_DAYS } from "../../policy/rules/logGroupRetention";
import { PlannedResource } from "../../policy/rules/types";

function logGroup(retentionInDays: unknown): PlannedResource {
    return { type: "aws:cloudwatch/logGroup:LogGroup", name: "drain-logs", props: { retentionInDays } };
}

const ALLOWED = RETENTION_DAYS.join(", ");

describe("policy rule log-group-retention", () => {
    it("passes a retention CloudWatch accepts", () => {
        assert.deepEqual(checkLogGroupRetention(logGroup(14)), []);
        assert.deepEqual(checkLogGroupRetention(logGroup(3653)), []);
    });

    it("fails an unset retention, 0 (never expire) and a value CloudWatch rejects", () => {
        assert.deepEqual(checkLogGroupRetention(logGroup(undefined)), [
            `aws:cloudwatch/logGroup:LogGroup "drain-logs": retentionInDays is unset (never expire); it must be one of ${ALLOWED}`,
        ]);
        assert.deepEqual(checkLogGroupRetention(logGroup(0)), [
            `aws:cloudwatch/logGroup:LogGroup "drain-logs": retentionInDays is 0; it must be one of ${ALLOWED}`,
        ]);
        assert.deepEqual(checkLogGroupRetention(logGroup(10)), [
            `aws:cloudwatch/logGroup:LogGroup "drain-logs": retentionInDays is 10; it must be one of ${ALLOWED}`,
        ]);
    });

    it("does not judge a retention unknown during preview", () => {
        assert.deepEqual(checkLogGroupRetention(logGroup("3eeb2bf0-c639-47a8-9e75-3b44932eb421")), []);
    });
});
