import assert from "node:assert/strict";
import type { InstanceChangeNudge, TaskStoppedNudge } from "../../runtime/drainMessage";
import { instancesToConfirm, looksEmpty } from "../../runtime/drainNudge";

const CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/prod";
const A = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/a";
const B = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/b";

function change(overrides: Partial<InstanceChangeNudge> = {}): InstanceChangeNudge {
    return {
        kind: "nudge",
        event: "container-instance",
        clusterArn: CLUSTER,
        containerInstanceArn: A,
        ec2InstanceId: "i-0aaaaaaaaaaaaaaa1",
        status: "DRAINING",
        version: 10,
        changedAt: 1000,
        heldCpu: 0,
        heldMemory: 0,
        taskAttachments: 0,
        ...overrides,
    };
}

function stopped(overrides: Partial<TaskStoppedNudge> = {}): TaskStoppedNudge {
    return {
        kind: "nudge",
        event: "task-stopped",
        clusterArn: CLUSTER,
        containerInstanceArn: A,
        taskArn: "arn:task/1",
        changedAt: 1000,
        ...overrides,
    };
}

describe("nudges", () => {
    it("an instance event looks empty only when DRAINING with nothing held and no task interface attached", () => {
        assert.equal(looksEmpty(change()), true);
        assert.equal(looksEmpty(change({ status: "ACTIVE" })), false);
        assert.equal(looksEmpty(change({ heldCpu: 256 })), false);
        assert.equal(looksEmpty(change({ heldMemory: 128 })), false);
        assert.equal(looksEmpty(change({ taskAttachments: 1 })), false);
    });

    it("confirms an instance whose newest event (by version) looks empty, once however many events came", () => {
        const burst = [
            change({ version: 11, changedAt: 1100, heldCpu: 256, heldMemory: 512 }),
            change({ version: 13, changedAt: 1300 }),
            change({ version: 12, changedAt: 1200, heldCpu: 256, heldMemory: 512 }),
            change({ version: 13, changedAt: 1300 }),
        ];
        assert.deepEqual(instancesToConfirm(burst, CLUSTER), [A]);
        // Out of order, the older busy event read last does not hide the newer empty one.
        assert.deepEqual(instancesToConfirm([...burst].reverse(), CLUSTER), [A]);
    });

    it("needs no look when the newest instance event shows tasks still held", () => {
        const events = [
            change({ version: 13, heldCpu: 0, heldMemory: 0, changedAt: 1300 }),
            change({ version: 14, heldMemory: 512, changedAt: 1400 }),
        ];
        assert.deepEqual(instancesToConfirm(events, CLUSTER), []);
    });

    it("looks at an instance when a task stopped after its newest instance event (or with none in the batch)", () => {
        assert.deepEqual(instancesToConfirm([stopped()], CLUSTER), [A]);
        const busyThenStop = [change({ heldMemory: 512, changedAt: 1000 }), stopped({ changedAt: 1001 })];
        assert.deepEqual(instancesToConfirm(busyThenStop, CLUSTER), [A]);
        // The same stop: ECS sends the task's event, then the instance's, which says what is left.
        const sameStop = [stopped({ changedAt: 1000 }), change({ heldMemory: 512, changedAt: 1000 })];
        assert.deepEqual(instancesToConfirm(sameStop, CLUSTER), []);
    });

    it("200 task events for one instance and a few for another make two looks", () => {
        const events = [
            ...Array.from({ length: 200 }, (_, i) =>
                stopped({ taskArn: `arn:task/${i}`, changedAt: 1000 + i }),
            ),
            stopped({ containerInstanceArn: B }),
            stopped({ containerInstanceArn: B, changedAt: 1500 }),
        ];
        assert.deepEqual(instancesToConfirm(events, CLUSTER), [A, B]);
    });

    it("ignores another cluster's events", () => {
        assert.deepEqual(instancesToConfirm([change({ clusterArn: `${CLUSTER}-other` })], CLUSTER), []);
    });
});
