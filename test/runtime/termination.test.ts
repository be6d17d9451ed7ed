import assert from "node:assert/strict";
import {
    autoScalingSuggestion,
    candidateInstanceIds,
    chooseInstancesToTerminate,
    parseTerminationPayload,
    type InstanceFacts,
    type TerminationPayload,
} from "../../runtime/termination";

const GROUP_ARN =
    "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:d4738357-2d40-4038-ae7e-b00ae0227003:autoScalingGroupName/my-asg";

function candidate(id: string, zone: string, market: "on-demand" | "spot" = "on-demand") {
    return { AvailabilityZone: zone, InstanceId: id, InstanceType: "c5.large", InstanceMarketOption: market };
}

/** The documentation's sample payload, with the instances spelled out. */
function docsPayload(): TerminationPayload {
    return {
        AutoScalingGroupARN: GROUP_ARN,
        AutoScalingGroupName: "my-asg",
        CapacityToTerminate: [
            { AvailabilityZone: "us-east-1b", Capacity: 2, InstanceMarketOption: "on-demand" },
            { AvailabilityZone: "us-east-1b", Capacity: 1, InstanceMarketOption: "spot" },
            { AvailabilityZone: "us-east-1c", Capacity: 3, InstanceMarketOption: "on-demand" },
        ],
        Instances: [
            candidate("i-0056faf8da3e1f75d", "us-east-1b"),
            candidate("i-02e1c69383a3ed501", "us-east-1c"),
            candidate("i-036bc44b6092c01c7", "us-east-1c"),
            candidate("i-0b000000000000001", "us-east-1b"),
            candidate("i-0b000000000000002", "us-east-1b"),
            candidate("i-0b000000000000003", "us-east-1b", "spot"),
            candidate("i-0b000000000000004", "us-east-1b", "spot"),
            candidate("i-0c000000000000001", "us-east-1c"),
            candidate("i-0c000000000000002", "us-east-1c"),
        ],
        Cause: "SCALE_IN",
    };
}

const active = (nonDaemonTasks: number, launchedAt: number): InstanceFacts => ({
    registered: true,
    status: "ACTIVE",
    nonDaemonTasks,
    launchedAt,
});

describe("chooseInstancesToTerminate", () => {
    it("per zone and market: unregistered or DRAINING first, then fewest tasks, then oldest", () => {
        const facts = new Map<string, InstanceFacts>([
            ["i-0056faf8da3e1f75d", active(5, 1000)],
            [
                "i-0b000000000000001",
                { registered: true, status: "DRAINING", nonDaemonTasks: 9, launchedAt: 5000 },
            ],
            ["i-0b000000000000002", active(1, 3000)],
            ["i-0b000000000000003", active(4, 1000)],
            ["i-0b000000000000004", active(2, 1000)],
            ["i-02e1c69383a3ed501", active(3, 2000)],
            ["i-036bc44b6092c01c7", active(3, 1000)],
            ["i-0c000000000000001", { registered: false }],
            ["i-0c000000000000002", active(0, 9000)],
        ]);
        assert.deepEqual(chooseInstancesToTerminate(docsPayload(), facts), {
            InstanceIDs: [
                // us-east-1b on-demand, 2: the DRAINING one, then the one with 1 task.
                "i-0b000000000000001",
                "i-0b000000000000002",
                // us-east-1b spot, 1: 2 tasks beats 4.
                "i-0b000000000000004",
                // us-east-1c on-demand, 3: unregistered, then 0 tasks, then of two with 3 the older.
                "i-0c000000000000001",
                "i-0c000000000000002",
                "i-036bc44b6092c01c7",
            ],
        });
    });

    it("never returns more than an entry's Capacity, nor an instance in a zone no entry names", () => {
        const payload: TerminationPayload = {
            ...docsPayload(),
            CapacityToTerminate: [
                { AvailabilityZone: "us-east-1c", Capacity: 1, InstanceMarketOption: "on-demand" },
            ],
        };
        const facts = new Map<string, InstanceFacts>([
            ["i-0056faf8da3e1f75d", { registered: false }],
            ["i-0c000000000000002", active(0, 1)],
        ]);
        assert.deepEqual(chooseInstancesToTerminate(payload, facts).InstanceIDs, ["i-0c000000000000002"]);
    });

    it("returns fewer when the zone has fewer instances than asked, and none for Capacity 0", () => {
        const payload: TerminationPayload = {
            ...docsPayload(),
            CapacityToTerminate: [
                { AvailabilityZone: "us-east-1b", Capacity: 5, InstanceMarketOption: "spot" },
                { AvailabilityZone: "us-east-1c", Capacity: 0, InstanceMarketOption: "on-demand" },
            ],
        };
        assert.deepEqual(chooseInstancesToTerminate(payload, new Map()).InstanceIDs, [
            "i-0b000000000000003",
            "i-0b000000000000004",
        ]);
    });

    it("an entry without a market option covers both markets; an instance is chosen at most once", () => {
        const payload: TerminationPayload = {
            ...docsPayload(),
            CapacityToTerminate: [
                { AvailabilityZone: "us-east-1b", Capacity: 1, InstanceMarketOption: "spot" },
                { AvailabilityZone: "us-east-1b", Capacity: 2 },
            ],
        };
        const facts = new Map<string, InstanceFacts>([
            ["i-0056faf8da3e1f75d", active(3, 1)],
            ["i-0b000000000000001", active(3, 1)],
            ["i-0b000000000000002", active(3, 1)],
            ["i-0b000000000000003", active(0, 1)],
            ["i-0b000000000000004", active(1, 1)],
        ]);
        assert.deepEqual(chooseInstancesToTerminate(payload, facts).InstanceIDs, [
            "i-0b000000000000003",
            "i-0b000000000000004",
            "i-0056faf8da3e1f75d",
        ]);
    });

    it("without facts, keeps Auto Scaling's order; unknown facts rank after known ACTIVE ones", () => {
        const payload = docsPayload();
        assert.deepEqual(
            chooseInstancesToTerminate(payload, new Map()).InstanceIDs,
            autoScalingSuggestion(payload),
        );
        const partial = new Map<string, InstanceFacts>([["i-0c000000000000002", active(7, 1)]]);
        assert.deepEqual(chooseInstancesToTerminate(payload, partial).InstanceIDs.slice(-3), [
            "i-0c000000000000002",
            "i-02e1c69383a3ed501",
            "i-036bc44b6092c01c7",
        ]);
    });

    describe("rejects a bad payload with InstanceIDs [] and the reason", () => {
        const cases: [string, (payload: Record<string, unknown>) => unknown, string][] = [
            ["not an object", () => "SCALE_IN", 'payload: expected an object, got "SCALE_IN"'],
            [
                "no group name",
                ({ AutoScalingGroupName: _, ...rest }) => rest,
                "AutoScalingGroupName: expected a non-empty string, got nothing",
            ],
            [
                "an unknown cause",
                (payload) => ({ ...payload, Cause: "SCALE_OUT" }),
                'Cause: expected one of SCALE_IN, INSTANCE_REFRESH, MAX_INSTANCE_LIFETIME, REBALANCE, got "SCALE_OUT"',
            ],
            [
                "a negative capacity",
                (payload) => ({
                    ...payload,
                    CapacityToTerminate: [
                        { AvailabilityZone: "us-east-1b", Capacity: -1, InstanceMarketOption: "spot" },
                    ],
                }),
                "CapacityToTerminate[0].Capacity: expected an integer >= 0, got -1",
            ],
            [
                "a fractional capacity",
                (payload) => ({
                    ...payload,
                    CapacityToTerminate: [{ AvailabilityZone: "us-east-1b", Capacity: 1.5 }],
                }),
                "CapacityToTerminate[0].Capacity: expected an integer >= 0, got 1.5",
            ],
            [
                "Instances not a list",
                (payload) => ({ ...payload, Instances: {} }),
                "Instances: expected an array, got {}",
            ],
            [
                "a bad instance id",
                (payload) => ({ ...payload, Instances: [candidate("i-1", "us-east-1b")] }),
                'Instances[0].InstanceId: expected an EC2 instance id (i-…), got "i-1"',
            ],
            [
                "an unknown market",
                (payload) => ({
                    ...payload,
                    Instances: [
                        {
                            ...candidate("i-0b000000000000001", "us-east-1b"),
                            InstanceMarketOption: "reserved",
                        },
                    ],
                }),
                'Instances[0].InstanceMarketOption: expected one of on-demand, spot, got "reserved"',
            ],
            [
                "a zone missing",
                (payload) => ({ ...payload, CapacityToTerminate: [{ Capacity: 1 }] }),
                "CapacityToTerminate[0].AvailabilityZone: expected a non-empty string, got nothing",
            ],
            [
                "HasMoreInstances not a boolean",
                (payload) => ({ ...payload, HasMoreInstances: "yes" }),
                'HasMoreInstances: expected a boolean, got "yes"',
            ],
        ];
        for (const [label, mutate, reason] of cases) {
            it(label, () => {
                const bad = mutate(docsPayload() as unknown as Record<string, unknown>);
                assert.deepEqual(chooseInstancesToTerminate(bad, new Map()), {
                    InstanceIDs: [],
                    invalidPayload: reason,
                });
                assert.deepEqual(parseTerminationPayload(bad), { ok: false, reason });
            });
        }
    });

    it("accepts HasMoreInstances and an empty CapacityToTerminate (nothing to choose)", () => {
        const payload = { ...docsPayload(), CapacityToTerminate: [], HasMoreInstances: true };
        assert.deepEqual(chooseInstancesToTerminate(payload, new Map()), { InstanceIDs: [] });
    });
});

describe("autoScalingSuggestion and candidateInstanceIds", () => {
    it("the suggestion is the payload's order, capped per entry", () => {
        assert.deepEqual(autoScalingSuggestion(docsPayload()), [
            "i-0056faf8da3e1f75d",
            "i-0b000000000000001",
            "i-0b000000000000003",
            "i-02e1c69383a3ed501",
            "i-036bc44b6092c01c7",
            "i-0c000000000000001",
        ]);
    });

    it("candidates are the instances some entry with Capacity > 0 covers", () => {
        const payload: TerminationPayload = {
            ...docsPayload(),
            CapacityToTerminate: [
                { AvailabilityZone: "us-east-1b", Capacity: 1, InstanceMarketOption: "spot" },
                { AvailabilityZone: "us-east-1c", Capacity: 0, InstanceMarketOption: "on-demand" },
            ],
        };
        assert.deepEqual(candidateInstanceIds(payload), ["i-0b000000000000003", "i-0b000000000000004"]);
    });
});
