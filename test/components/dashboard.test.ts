import assert from "node:assert/strict";
import { OperationsDashboard } from "../../components/dashboard";
import { named, settle, startMocks, type MockRun } from "../../scripts/mockSynthesis";
import type { DashboardBody } from "../../stack/dashboard";

describe("OperationsDashboard", () => {
    let run: MockRun;
    let body: DashboardBody;
    before(async () => {
        run = await startMocks();
        new OperationsDashboard("operations", {
            clusterName: "ecs-lifecycle-dev",
            autoScalingGroupName: "ecs-asg-physical",
            capacity: { mode: "custom", minimumSpareTasks: 2, idleHostThreshold: 1 },
            functionNames: { drain: "drain-fn-physical", capacity: "capacity-fn-physical" },
            serviceNames: ["web", "api"],
        });
        await settle(run);
        const dashboard = named(run, "aws:cloudwatch/dashboard:Dashboard", "operations-dashboard");
        assert.equal(dashboard.inputs.dashboardName, "ecs-lifecycle-dev");
        body = JSON.parse(dashboard.inputs.dashboardBody) as DashboardBody;
    });

    it("renders a body CloudWatch accepts: metric widgets on the 24-wide grid, each metric [namespace, name, dimension pairs…, options]", () => {
        assert.ok(body.widgets.length > 0);
        for (const widget of body.widgets) {
            assert.equal(widget.type, "metric");
            assert.ok(widget.x >= 0 && widget.x + widget.width <= 24, widget.properties.title);
            assert.equal(widget.properties.region, "us-east-1");
            assert.ok(widget.properties.metrics.length > 0, widget.properties.title);
            for (const row of widget.properties.metrics) {
                const last = row.at(-1);
                const strings = typeof last === "object" ? row.slice(0, -1) : row;
                assert.ok(
                    strings.every((part) => typeof part === "string" && part.length > 0),
                    JSON.stringify(row),
                );
                assert.equal(
                    strings.length % 2,
                    0,
                    `namespace, name, then name/value pairs: ${JSON.stringify(row)}`,
                );
            }
        }
    });

    it("shows drains, the capacity metrics against their thresholds, the group by lifecycle state, services and handler errors", () => {
        const byTitle = (start: string) => {
            const widget = body.widgets.find((w) => w.properties.title.startsWith(start));
            assert.ok(widget, start);
            return widget.properties;
        };
        assert.deepEqual(
            byTitle("Drains").metrics.map((m) => m[1]),
            ["DrainsStarted", "DrainsContinued", "DrainsAbandoned"],
        );
        assert.deepEqual(
            byTitle("Drains completed on an ECS event").metrics.map((m) => m[1]),
            ["DrainsCompletedByEvent", "DrainPolls", "BudgetDeferrals", "NudgesLetGo"],
        );
        assert.deepEqual(byTitle("Drain duration").metrics[0].slice(0, 4), [
            "EcsLifecycle/Drain",
            "DrainDurationSeconds",
            "AutoScalingGroupName",
            "ecs-asg-physical",
        ]);
        assert.deepEqual(byTitle("ContainerCapacity").annotations?.horizontal, [
            { label: "scale out below", value: 2 },
        ]);
        assert.deepEqual(byTitle("IdleHostCapacity").annotations?.horizontal, [
            { label: "scale in above", value: 1 },
        ]);
        assert.deepEqual(
            byTitle("Group instances").metrics.map((m) => m[1]),
            [
                "GroupInServiceInstances",
                "GroupPendingInstances",
                "GroupTerminatingInstances",
                "GroupStandbyInstances",
            ],
        );
        assert.deepEqual(
            byTitle("Services").metrics.map((m) => [m[1], m[5]]),
            [
                ["RunningTaskCount", "web"],
                ["DesiredTaskCount", "web"],
                ["RunningTaskCount", "api"],
                ["DesiredTaskCount", "api"],
            ],
        );
        assert.deepEqual(
            byTitle("Lambda handler errors").metrics.map((m) => m.slice(0, 4)),
            [
                ["AWS/Lambda", "Errors", "FunctionName", "drain-fn-physical"],
                ["AWS/Lambda", "Errors", "FunctionName", "capacity-fn-physical"],
            ],
        );
    });
});

describe("OperationsDashboard of a managed stack", () => {
    it("draws CapacityProviderReservation against its target instead of the custom mode's drains and capacity metrics", async () => {
        const run = await startMocks();
        new OperationsDashboard("operations", {
            clusterName: "ecs-lifecycle-managed",
            autoScalingGroupName: "ecs-asg-physical",
            capacity: {
                mode: "managed",
                capacityProviderName: "cp-ecs-lifecycle-managed",
                targetCapacity: 90,
            },
            functionNames: { retirement: "retirement-fn-physical" },
            serviceNames: ["web"],
        });
        await settle(run);
        const body = JSON.parse(
            named(run, "aws:cloudwatch/dashboard:Dashboard", "operations-dashboard").inputs.dashboardBody,
        ) as DashboardBody;
        const titles = body.widgets.map((w) => w.properties.title);
        assert.ok(!titles.some((t) => /Drain|ContainerCapacity|IdleHostCapacity/.test(t)), titles.join("; "));
        const reservation = body.widgets.find((w) =>
            w.properties.title.startsWith("CapacityProviderReservation"),
        );
        assert.ok(reservation, titles.join("; "));
        assert.deepEqual(reservation.properties.metrics, [
            [
                "AWS/ECS/ManagedScaling",
                "CapacityProviderReservation",
                "CapacityProviderName",
                "cp-ecs-lifecycle-managed",
                "ClusterName",
                "ecs-lifecycle-managed",
            ],
        ]);
        assert.deepEqual(reservation.properties.annotations?.horizontal, [
            { label: "target: scale out above, in below", value: 90 },
        ]);
        assert.ok(
            titles.includes("Group instances by lifecycle state"),
            "ECS's draining shows as terminating",
        );
    });
});
