import assert from "node:assert/strict";
import type { RetirementRuntimeSettings } from "../../../runtime/retirementHandler";
import { NotifierScenario } from "./notifierScenario";
import { SAMPLE_SERVICE_EVENT } from "./seedEvents";

/** The region's clock starts on Thursday 2026-01-01 00:00 UTC; the window is Saturday 02:00–06:00 UTC. */
const WINDOW_OPENS = Date.UTC(2026, 0, 3, 2);
const WINDOW_CLOSES = Date.UTC(2026, 0, 3, 6);
const SETTINGS: RetirementRuntimeSettings = {
    remediate: true,
    window: { days: [6], startHourUtc: 2, hours: 4 },
    redeploySingleTask: false,
    pageWaitSeconds: 3600,
};
/** The seed's service event, dated for the region's calendar: retirement on Wednesday 2026-01-07 10:00. */
const RETIREMENT = { startTime: "Wed, 07 Jan 2026 10:00:00 GMT", endTime: "Fri, 09 Jan 2026 10:00:00 GMT" };
const EVENT_ARN =
    "arn:aws:health:us-east-1::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/AWS_ECS_TASK_PATCHING_RETIREMENT_test1";
const DETAILS = `Details: https://health.aws.amazon.com/health/home?region=us-east-1#/account/event-log?eventID=${encodeURIComponent(EVENT_ARN)}`;

interface Deployed {
    readonly scenario: NotifierScenario;
    readonly service1: string;
    readonly service2: string;
}

async function deploy(settings: RetirementRuntimeSettings): Promise<Deployed> {
    const scenario = await NotifierScenario.start(settings, 60);
    const [service1, service2] = await scenario.settleSeedServices(1);
    scenario.emitSample(SAMPLE_SERVICE_EVENT, RETIREMENT);
    await scenario.region.run(5);
    // AWS has released the revision that replaces the retired one: new tasks launch on it.
    scenario.region.ecs.state.fargatePlatformRevision = 2;
    return { scenario, service1, service2 };
}

function forcedDeployments(scenario: NotifierScenario): { at: number; serviceArn: string }[] {
    return scenario.region.timeline
        .filter((e) => e.kind === "ecs.service.updated" && e.detail.forceNew === true)
        .map((e) => ({ at: e.at, serviceArn: String(e.detail.serviceArn) }));
}

function liveTasks(scenario: NotifierScenario, serviceArn: string) {
    const state = scenario.region.ecs.state;
    return state.serviceTasks(state.services.get(serviceArn)!).filter((t) => t.desiredStatus === "RUNNING");
}

/** The fewest RUNNING tasks the service had from `fromMs` on, from the region's health records. */
function fewestRunningSince(scenario: NotifierScenario, serviceArn: string, fromMs: number): number {
    const counts = scenario.region.timeline
        .filter(
            (e) => e.kind === "ecs.service.health" && e.detail.serviceArn === serviceArn && e.at >= fromMs,
        )
        .map((e) => Number(e.detail.running));
    return Math.min(...counts);
}

describe("retirement remediation in the maintenance window, in the simulated region", () => {
    describe("with single-task services left alone (the default)", () => {
        let deployed: Deployed;
        before(async () => {
            deployed = await deploy(SETTINGS);
        });
        after(() => deployed.scenario.stop());

        it("announces the plan in the notice: service1 in Saturday's window, service2 not", () => {
            const [notice] = deployed.scenario.messages();
            assert.equal(notice.subject, "Fargate task retirement on 2026-01-07: 2 services (1 at risk)");
            assert.deepEqual(notice.message.split("\n").slice(-3), [
                "",
                "Planned: a forced new deployment of test_cluster1 | service1 in the maintenance window from 2026-01-03T02:00:00Z to 2026-01-03T06:00:00Z, so the tasks move to the new platform revision before the retirement date.",
                "Not redeployed: test_cluster2 | service2: it runs a single task (set retirementRedeploySingleTask to allow it).",
            ]);
        });

        it("touches nothing before the window opens", async () => {
            await deployed.scenario.region.run(
                (WINDOW_OPENS - deployed.scenario.region.clock.now()) / 1000 - 1,
            );
            assert.deepEqual(forcedDeployments(deployed.scenario), []);
            assert.equal(deployed.scenario.messages().length, 1);
        });

        it("redeploys service1 inside the window, replacing every Fargate task with no drop in running tasks", async () => {
            const { scenario, service1 } = deployed;
            const before = liveTasks(scenario, service1).map((t) => t.arn);
            assert.deepEqual(
                liveTasks(scenario, service1).map((t) => t.platformRevision),
                [1, 1, 1],
            );
            await scenario.region.run(3600);
            const forced = forcedDeployments(scenario);
            assert.deepEqual(
                forced.map((f) => f.serviceArn),
                [service1],
            );
            assert.ok(
                forced[0].at >= WINDOW_OPENS && forced[0].at < WINDOW_CLOSES,
                new Date(forced[0].at).toISOString(),
            );
            const after = liveTasks(scenario, service1);
            assert.equal(after.length, 3);
            assert.ok(
                after.every(
                    (t) =>
                        t.lastStatus === "RUNNING" && t.launchType === "FARGATE" && t.platformRevision === 2,
                ),
            );
            assert.ok(
                after.every((t) => !before.includes(t.arn)),
                "every task was replaced",
            );
            assert.equal(fewestRunningSince(scenario, service1, forced[0].at), 3);
            assert.equal(scenario.region.invariants().services[service1].lowestHealthyFraction, 1);
        });

        it("reports the redeployment on the topic", () => {
            const report = deployed.scenario.messages()[1];
            assert.equal(report.subject, "Fargate retirement remediation: 1 redeployed");
            assert.equal(
                report.message,
                [
                    `Remediation of ${EVENT_ARN} (retirement date 2026-01-07T10:00:00Z (Wed, 07 Jan 2026 10:00:00 GMT)):`,
                    "",
                    "- test_cluster1 | service1: forced a new deployment; ECS replaces its tasks on the newest platform revision within its deployment configuration.",
                    "",
                    DETAILS,
                ].join("\n"),
            );
            assert.deepEqual(report.attributes.cluster, {
                DataType: "String.Array",
                StringValue: '["test_cluster1"]',
            });
        });

        it("leaves the single-task service at risk and untouched, and redeploys nothing again", async () => {
            const { scenario, service2 } = deployed;
            await scenario.region.run(4 * 24 * 3600);
            assert.equal(forcedDeployments(scenario).length, 1);
            assert.equal(scenario.messages().length, 2);
            assert.deepEqual(
                liveTasks(scenario, service2).map((t) => t.platformRevision),
                [1],
            );
            assert.equal(scenario.region.ecs.state.services.get(service2)!.deployments.length, 1);
        });
    });

    it("redeploys the single-task service too when config allows it, starting its replacement first", async () => {
        const { scenario, service1, service2 } = await deploy({ ...SETTINGS, redeploySingleTask: true });
        try {
            assert.doesNotMatch(scenario.messages()[0].message, /Not redeployed/);
            await scenario.region.run((WINDOW_CLOSES - scenario.region.clock.now()) / 1000);
            const forced = forcedDeployments(scenario);
            assert.deepEqual(forced.map((f) => f.serviceArn).sort(), [service1, service2].sort());
            assert.ok(forced.every((f) => f.at >= WINDOW_OPENS && f.at < WINDOW_CLOSES));
            assert.deepEqual(
                liveTasks(scenario, service2).map((t) => [t.lastStatus, t.platformRevision]),
                [["RUNNING", 2]],
            );
            assert.equal(fewestRunningSince(scenario, service2, forced[0].at), 1);
            assert.equal(scenario.messages()[1].subject, "Fargate retirement remediation: 2 redeployed");
        } finally {
            await scenario.stop();
        }
    });
});
