import assert from "node:assert/strict";
import {
    evaluateAlarm,
    type AlarmRule,
    type AlarmState,
    type TreatMissingData,
} from "../../sim/alarmEvaluation";

/** ContainerCapacity < 1 for 2 of the last 3 periods; B = breaching (0), G = good (5), - = missing. */
function state(treatMissingData: TreatMissingData, periods: string, current: AlarmState = "OK"): AlarmState {
    const rule: AlarmRule = {
        threshold: 1,
        comparison: "LessThanThreshold",
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData,
    };
    const values = [...periods].map((p) => (p === "B" ? 0 : p === "G" ? 5 : undefined));
    return evaluateAlarm(rule, values, current).state;
}

describe("sim/alarmEvaluation", () => {
    it("goes to ALARM when M of the N periods breach, else OK", () => {
        assert.equal(state("missing", "BBG"), "ALARM");
        assert.equal(state("missing", "BGB"), "ALARM");
        assert.equal(state("missing", "BGG"), "OK");
        assert.equal(state("missing", "GGG", "ALARM"), "OK");
    });

    it("leaves missing periods out under `missing`, and reports INSUFFICIENT_DATA when all are missing", () => {
        assert.equal(state("missing", "B--"), "OK");
        assert.equal(state("missing", "B-B"), "ALARM");
        assert.equal(state("missing", "---", "ALARM"), "INSUFFICIENT_DATA");
    });

    it("counts missing periods as breaching under `breaching`", () => {
        assert.equal(state("breaching", "B--"), "ALARM");
        assert.equal(state("breaching", "G--"), "ALARM");
        assert.equal(state("breaching", "GG-"), "OK");
        assert.equal(state("breaching", "---"), "ALARM");
    });

    it("counts missing periods as good under `notBreaching`", () => {
        assert.equal(state("notBreaching", "B--"), "OK");
        assert.equal(state("notBreaching", "---", "ALARM"), "OK");
        assert.equal(state("notBreaching", "BB-"), "ALARM");
    });

    it("keeps the current state under `ignore` when every period is missing", () => {
        assert.equal(state("ignore", "---", "ALARM"), "ALARM");
        assert.equal(state("ignore", "---", "OK"), "OK");
        assert.equal(state("ignore", "B-B", "OK"), "ALARM");
        assert.equal(state("ignore", "G--", "ALARM"), "OK");
    });

    it("explains the verdict", () => {
        const rule: AlarmRule = {
            threshold: 1,
            comparison: "LessThanThreshold",
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            treatMissingData: "missing",
        };
        assert.deepEqual(evaluateAlarm(rule, [0, undefined, 0], "OK"), {
            state: "ALARM",
            reason: "Threshold Crossed: 2 out of the last 3 datapoints [0, missing, 0] were less than the threshold (1) (minimum 2 datapoints for ALARM).",
        });
    });
});
