import assert from "node:assert/strict";
import {
    classifyResources,
    insideWindow,
    nextWindow,
    noticeSubject,
    parseHealthDate,
    parseHealthEvent,
    planRemediation,
    redeployDecision,
    serviceVerdict,
    type ServiceStatus,
} from "../../runtime/retirement";

const found = (
    desiredCount: number,
    runningCount: number,
    minimumHealthyPercent: number,
    maximumPercent = 200,
): ServiceStatus => ({
    ref: { cluster: "c", service: "s" },
    found: true,
    desiredCount,
    runningCount,
    minimumHealthyPercent,
    maximumPercent,
});
const HOUR = 3_600_000;
/** Saturday 22:00–02:00 UTC, across midnight. */
const LATE_SATURDAY = { days: [6], startHourUtc: 22, hours: 4 };

describe("retirement core", () => {
    it("reads AWS Health dates and refuses anything else", () => {
        assert.equal(parseHealthDate("Wed, 16 Aug 2023 23:18:51 GMT"), Date.UTC(2023, 7, 16, 23, 18, 51));
        assert.equal(parseHealthDate("2023-08-16T23:18:51Z"), Date.UTC(2023, 7, 16, 23, 18, 51));
        assert.equal(
            parseHealthDate("Wed,16Aug202323:18:51GMT"),
            undefined,
            "the first sample's squashed text",
        );
        assert.equal(parseHealthDate("tomorrow"), undefined);
    });

    it("tells services from task ARNs, and lists anything else as given", () => {
        assert.deepEqual(
            classifyResources([
                "c1 | web",
                "arn:aws:ecs:eu-west-1:111222333444:task/c2/00805ce1d81940b5a37398e5a2c23333",
                "cluster/service1",
            ]),
            {
                services: [{ cluster: "c1", service: "web" }],
                tasks: [
                    {
                        arn: "arn:aws:ecs:eu-west-1:111222333444:task/c2/00805ce1d81940b5a37398e5a2c23333",
                        cluster: "c2",
                        taskId: "00805ce1d81940b5a37398e5a2c23333",
                    },
                ],
                others: ["cluster/service1"],
            },
        );
    });

    it("falls back to affectedEntities when the envelope names no resources, and checks page against totalPages", () => {
        const detail = {
            eventArn: "arn:aws:health:us-east-1::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/X",
            service: "ECS",
            eventTypeCode: "AWS_ECS_TASK_PATCHING_RETIREMENT",
            eventTypeCategory: "scheduledChange",
            communicationId: "abc",
            startTime: "Wed, 16 Aug 2023 23:18:51 GMT",
            eventDescription: [{ language: "en_US", latestDescription: "d" }],
            affectedEntities: [{ entityValue: "c | s" }],
        };
        const envelope = {
            "detail-type": "AWS Health Event",
            time: "2023-08-16T23:20:00Z",
            region: "eu-west-1",
        };
        const parsed = parseHealthEvent({ ...envelope, resources: [], detail });
        assert.ok(parsed.ok);
        assert.deepEqual(
            [parsed.event.resources, parsed.event.region, parsed.event.page, parsed.event.totalPages],
            [["c | s"], "eu-west-1", 1, 1],
        );
        assert.deepEqual(
            parseHealthEvent({ ...envelope, detail: { ...detail, page: "3", totalPages: "2" } }),
            {
                ok: false,
                errors: ["detail.page: expected at most detail.totalPages (2), got 3"],
            },
        );
        assert.deepEqual(parseHealthEvent("x"), {
            ok: false,
            errors: ['event: expected an object, got "x"'],
        });
    });

    it("says no downtime only for two or more tasks at minimumHealthyPercent 100", () => {
        assert.equal(serviceVerdict(found(2, 2, 100)).kind, "no-downtime");
        assert.equal(serviceVerdict(found(1, 1, 100)).kind, "at-risk");
        assert.equal(
            serviceVerdict(found(4, 4, 50)).text,
            "at risk: ECS may stop tasks before their replacements run (desired 4, running 4, minimumHealthyPercent 50)",
        );
        assert.equal(serviceVerdict({ ref: { cluster: "c", service: "s" }, found: false }).kind, "not-found");
    });

    it("finds the next window before the date, an open one included, across midnight", () => {
        const saturday2130 = Date.UTC(2026, 0, 3, 21, 30);
        assert.deepEqual(nextWindow(LATE_SATURDAY, saturday2130, Date.UTC(2026, 0, 20)), {
            startMs: Date.UTC(2026, 0, 3, 22),
            endMs: Date.UTC(2026, 0, 4, 2),
        });
        const sunday0100 = Date.UTC(2026, 0, 4, 1);
        assert.deepEqual(nextWindow(LATE_SATURDAY, sunday0100, Date.UTC(2026, 0, 20)), {
            startMs: sunday0100,
            endMs: Date.UTC(2026, 0, 4, 2),
        });
        assert.ok(insideWindow(LATE_SATURDAY, sunday0100));
        assert.ok(!insideWindow(LATE_SATURDAY, sunday0100 + HOUR));
        assert.equal(
            nextWindow(LATE_SATURDAY, saturday2130, Date.UTC(2026, 0, 3, 22)),
            undefined,
            "the date comes first",
        );
        assert.equal(
            nextWindow({ days: [], startHourUtc: 0, hours: 1 }, saturday2130, Date.UTC(2027, 0, 1)),
            undefined,
        );
    });

    it("never redeploys below the minimum healthy count, and single tasks only when allowed", () => {
        const strict = { redeploySingleTask: false };
        assert.deepEqual(redeployDecision(found(3, 3, 100), strict), { redeploy: true });
        assert.deepEqual(redeployDecision(found(3, 2, 100), strict), {
            redeploy: false,
            reason: "it runs 2 of 3 tasks; a deployment now could take it below its minimum healthy count (3)",
        });
        assert.deepEqual(redeployDecision(found(3, 3, 100, 100), strict), {
            redeploy: false,
            reason: "maximumPercent 100 leaves no room for a replacement and minimumHealthyPercent 100 lets no task stop first",
        });
        assert.deepEqual(redeployDecision(found(4, 4, 50, 100), strict), {
            redeploy: false,
            reason: "maximumPercent 100 leaves no room to start a replacement first: it would drop to 2 healthy tasks",
        });
        assert.deepEqual(redeployDecision(found(1, 1, 100), strict), {
            redeploy: false,
            reason: "it runs a single task (set retirementRedeploySingleTask to allow it)",
        });
        assert.deepEqual(redeployDecision(found(1, 1, 100), { redeploySingleTask: true }), {
            redeploy: true,
        });
    });

    it("plans nothing when no window opens before the retirement date", () => {
        const now = Date.UTC(2026, 0, 1);
        assert.deepEqual(
            planRemediation(
                [found(3, 3, 100)],
                { days: [6], startHourUtc: 2, hours: 4 },
                { redeploySingleTask: false },
                now,
                Date.UTC(2026, 0, 2),
            ),
            {
                window: undefined,
                redeploy: [],
                skipped: [
                    {
                        ref: { cluster: "c", service: "s" },
                        reason: "no maintenance window opens before the retirement date",
                    },
                ],
            },
        );
    });

    it("titles an ECS operational notification by its code and counts its other resources, in printable ASCII", () => {
        const parsed = parseHealthEvent({
            "detail-type": "AWS Health Event",
            time: "2023-08-16T23:20:00Z",
            resources: Array.from({ length: 3 }, (_, i) => `other-résumé-${i}`),
            detail: {
                eventArn: "arn:aws:health:us-east-1::event/ECS/AWS_ECS_OPERATIONAL_NOTIFICATION/X",
                service: "ECS",
                eventTypeCode: "AWS_ECS_OPERATIONAL_NOTIFICATION",
                eventTypeCategory: "accountNotification",
                communicationId: "abc",
                startTime: "Wed, 16 Aug 2023 23:18:51 GMT",
                eventRegion: "us-east-1",
                eventDescription: [{ language: "en_US", latestDescription: "d" }],
            },
        });
        assert.ok(parsed.ok);
        const subject = noticeSubject({
            event: parsed.event,
            entities: classifyResources(parsed.event.resources),
            statuses: [],
            plan: undefined,
            pagesReceived: 1,
        });
        assert.equal(subject, "ECS operational notification on 2023-08-16: 3 other resources");
        assert.match(subject, /^[\x20-\x7e]{1,100}$/);
    });
});
