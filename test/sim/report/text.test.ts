import * as assert from "node:assert/strict";
import { faultsText, minHealthyCell, renderSummaryTable, startText } from "../../../sim/report/text";
import type { ScenarioResult, ServiceHealthSummary } from "../../../sim/scenarios/result";

/** A result with the figures a test sets, the rest empty. */
function result(overrides: Partial<ScenarioResult>): ScenarioResult {
    return {
        name: "s",
        seed: 1,
        capacityManagement: "custom",
        instances: 3,
        start: { inService: 3, addedByScaler: 0 },
        simulatedSeconds: 600,
        wallMs: 100,
        invariants: {
            runningTasksKilled: 0,
            killedWhileRunning: 0,
            killedWhileStopping: 0,
            killedWhileStarting: 0,
            minHealthyFraction: 1,
            stuckInstances: 0,
            scaleOscillations: 0,
        },
        drains: { count: 0, p50Seconds: null, maxSeconds: null, continued: 0, abandoned: 0 },
        lambda: { invocations: 0, billedSeconds: 0 },
        ecsApiCalls: 0,
        ecsRequestsPerSecond: { requests: 0, peak: 0, p99: 0 },
        services: [],
        retained: [],
        faults: {},
        checks: [],
        passed: true,
        timeline: [],
        series: {
            seconds: [],
            endSeconds: 600,
            services: {},
            lanes: { instances: 0, lanes: [] },
            capacity: [],
            markers: [],
        },
        ...overrides,
    };
}

const service = (name: string, desiredCount: number, minimumHealthyPercent: number, lowest: number) =>
    ({
        name,
        launchType: "FARGATE",
        desiredCount,
        minimumHealthyPercent,
        lowestHealthyFraction: lowest,
    }) satisfies ServiceHealthSummary;

describe("sim/report/text", () => {
    it("says what the run started from next to what it asked for", () => {
        assert.equal(startText(result({})), "3 instances");
        assert.equal(
            startText(result({ start: { inService: 4, addedByScaler: 1 } })),
            "3 instances requested, the capacity scaler added 1 while the stack settled: 4 in service at the start",
        );
        assert.equal(
            startText(result({ start: { inService: 2, addedByScaler: 0 } })),
            "3 instances requested: 2 in service at the start",
        );
    });

    it("lists the faults injected with how often each fired", () => {
        assert.equal(faultsText(result({})), "none injected");
        assert.equal(
            faultsText(
                result({
                    faults: {
                        stuckTaskRate: { setting: 0.2, fired: 1 },
                        ecsRateLimit: { setting: true, fired: 12 },
                    },
                }),
            ),
            "stuckTaskRate=0.2 fired 1 time, ecsRateLimit fired 12 times",
        );
    });

    it("does not show a service at risk by design as the run's min healthy without saying so", () => {
        const r = result({
            name: "fargate-retirement",
            services: [service("payments", 3, 100, 1), service("reports", 1, 0, 0)],
        });
        assert.deepEqual(minHealthyCell(r), {
            cell: "1.00*",
            notes: [
                "fargate-retirement: reports (1 task, minimumHealthyPercent 0) fell to 0.00, allowed by its deployment configuration: at risk by design",
            ],
        });
        assert.match(renderSummaryTable([r]), /\n\* fargate-retirement: reports \(1 task/);
        const below = result({ services: [service("half", 4, 50, 0.25)] });
        assert.match(minHealthyCell(below).notes[0], /fell to 0\.25, BELOW the floor its deployment allows$/);
    });
});
