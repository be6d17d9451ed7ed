import assert from "node:assert/strict";
import {
    ContainerInstanceState,
    DRAIN_ATTRIBUTE,
    DrainInput,
    DrainSettings,
    TaskState,
    decideDrain,
    formatDrainRecord,
    holdsNothing,
    isDrivenByDelivery,
    lifecycleGlobalTimeoutSeconds,
    needsRedrive,
    readDrainRecord,
    requiredMaxReceiveCount,
    screenRequest,
    standaloneTasksToStop,
    validateDrainSettings,
} from "../../runtime/drain";
import {
    ExternalDrainRequest,
    LifecycleDrainRequest,
    TERMINATING_TRANSITION,
} from "../../runtime/drainMessage";

const GROUP = "ecs-asg";
const START = 1_700_000_000;
const ARN = "arn:aws:ecs:us-east-1:123456789012:container-instance/cluster/abc";

const SETTINGS: DrainSettings = {
    heartbeatTimeoutSeconds: 900,
    drainDeadlineSeconds: 3600,
    pollIntervalSeconds: 60,
    standaloneTaskPolicy: "wait",
    standaloneGraceSeconds: 600,
};

function lifecycle(overrides: Partial<LifecycleDrainRequest> = {}): LifecycleDrainRequest {
    return {
        kind: "lifecycle",
        origin: "autoscaling",
        transition: TERMINATING_TRANSITION,
        autoScalingGroupName: GROUP,
        lifecycleHookName: "drain-hook",
        instanceId: "i-0123456789abcdef0",
        lifecycleActionToken: "token-1",
        lifecycleStartedAt: START,
        ...overrides,
    };
}

function external(overrides: Partial<ExternalDrainRequest> = {}): ExternalDrainRequest {
    return {
        kind: "external",
        source: "manual",
        instanceId: "i-0123456789abcdef0",
        requestedAt: undefined,
        ...overrides,
    };
}

function instance(overrides: Partial<ContainerInstanceState> = {}): ContainerInstanceState {
    return {
        containerInstanceArn: ARN,
        ec2InstanceId: "i-0123456789abcdef0",
        status: "DRAINING",
        agentConnected: true,
        runningTasksCount: 0,
        pendingTasksCount: 0,
        heldCpu: 0,
        heldMemory: 0,
        attributes: {},
        ...overrides,
    };
}

/** An instance running `count` tasks of 256 CPU units and 512 MiB, desired RUNNING. */
function running(count: number, overrides: Partial<ContainerInstanceState> = {}): ContainerInstanceState {
    return instance({
        runningTasksCount: count,
        heldCpu: 256 * count,
        heldMemory: 512 * count,
        ...overrides,
    });
}

function task(name: string, overrides: Partial<TaskState> = {}): TaskState {
    return {
        taskArn: `arn:task/${name}`,
        lastStatus: "RUNNING",
        desiredStatus: "RUNNING",
        group: "service:web",
        ...overrides,
    };
}

function input(overrides: Partial<DrainInput> = {}): DrainInput {
    return {
        request: lifecycle(),
        autoScalingGroupName: GROUP,
        instance: instance(),
        now: START + 10,
        recorded: { drainStartedAt: START, lastHeartbeatAt: START },
        settings: SETTINGS,
        ...overrides,
    };
}

const ONE_TASK = { runningTasks: 1, pendingTasks: 0, heldCpu: 256, heldMemory: 512 };
const ONE_TASK_REASON = "waiting for 1 task to run, 0 pending tasks, 256 CPU units and 512 MiB still held";

describe("decideDrain", () => {
    describe("requests that need no look at the instance", () => {
        it("ignores the hook's test notification", () => {
            const decision = decideDrain(
                input({ request: { kind: "test-notification", autoScalingGroupName: GROUP } }),
            );
            assert.deepEqual(decision, {
                actions: [{ kind: "ignore", reason: "the lifecycle hook's test notification" }],
                record: undefined,
            });
        });

        it("ignores a launching transition", () => {
            const decision = decideDrain(
                input({ request: lifecycle({ transition: "autoscaling:EC2_INSTANCE_LAUNCHING" }) }),
            );
            assert.deepEqual(decision.actions, [
                {
                    kind: "ignore",
                    reason: "lifecycle transition autoscaling:EC2_INSTANCE_LAUNCHING is not autoscaling:EC2_INSTANCE_TERMINATING",
                },
            ]);
        });

        it("ignores another group's lifecycle action", () => {
            const decision = decideDrain(input({ request: lifecycle({ autoScalingGroupName: "other" }) }));
            assert.deepEqual(decision.actions, [
                { kind: "ignore", reason: "lifecycle action of group other, not ecs-asg" },
            ]);
        });

        it("screenRequest passes lifecycle terminations of the group and external drains through", () => {
            assert.deepEqual(screenRequest(lifecycle(), GROUP), { kind: "drain", request: lifecycle() });
            assert.deepEqual(screenRequest(external(), GROUP), { kind: "drain", request: external() });
        });
    });

    describe("an instance that runs no container instance", () => {
        it("completes a lifecycle action with CONTINUE when none is registered", () => {
            const decision = decideDrain(input({ instance: undefined, recorded: {}, now: START + 5 }));
            assert.deepEqual(decision, {
                actions: [
                    {
                        kind: "complete",
                        result: "CONTINUE",
                        reason: "no container instance is registered for it",
                        drainSeconds: 5,
                    },
                ],
                record: undefined,
            });
        });

        it("completes with CONTINUE when the container instance is INACTIVE or DEREGISTERING", () => {
            for (const status of ["INACTIVE", "DEREGISTERING", "REGISTRATION_FAILED"]) {
                const decision = decideDrain(input({ instance: running(2, { status }) }));
                assert.deepEqual(decision.actions, [
                    {
                        kind: "complete",
                        result: "CONTINUE",
                        reason: `its container instance is ${status}`,
                        drainSeconds: 10,
                    },
                ]);
            }
        });

        it("ends an external drain", () => {
            const decision = decideDrain(input({ request: external(), instance: undefined, recorded: {} }));
            assert.deepEqual(decision.actions, [
                { kind: "end", reason: "no container instance is registered for it", drainSeconds: 0 },
            ]);
        });
    });

    describe("an ACTIVE instance", () => {
        it("sets DRAINING, records the drain and looks again one poll later even when empty", () => {
            const decision = decideDrain(
                input({ instance: instance({ status: "ACTIVE" }), recorded: {}, now: START + 3 }),
            );
            assert.deepEqual(decision, {
                actions: [
                    { kind: "setDraining" },
                    {
                        kind: "wait",
                        heartbeat: false,
                        delaySeconds: 60,
                        remaining: { runningTasks: 0, pendingTasks: 0, heldCpu: 0, heldMemory: 0 },
                        reason: "waiting for 0 tasks to run, 0 pending tasks, 0 CPU units and 0 MiB still held",
                    },
                ],
                // The action's start restarted its heartbeat timeout: the record says so.
                record: { drainStartedAt: START, lastHeartbeatAt: START },
            });
        });

        it("ignores the record of an earlier drain (readDrainRecord gives none for ACTIVE)", () => {
            const stale = running(1, {
                status: "ACTIVE",
                attributes: { [DRAIN_ATTRIBUTE]: `started:${START - 90_000} heartbeat:${START - 90_000}` },
            });
            const decision = decideDrain(
                input({ instance: stale, recorded: readDrainRecord(stale), now: START + 3 }),
            );
            assert.deepEqual(decision.record, { drainStartedAt: START, lastHeartbeatAt: START });
        });

        it("polls one interval later even when the deadline already passed (the next poll decides)", () => {
            const decision = decideDrain(
                input({
                    instance: running(1, { status: "ACTIVE" }),
                    recorded: {},
                    now: START + 4000,
                }),
            );
            assert.deepEqual(decision.actions, [
                { kind: "setDraining" },
                {
                    kind: "wait",
                    heartbeat: true,
                    delaySeconds: 60,
                    remaining: ONE_TASK,
                    reason: ONE_TASK_REASON,
                },
            ]);
        });
    });

    it("waits for a REGISTERING instance without setting it DRAINING yet", () => {
        const decision = decideDrain(input({ instance: instance({ status: "REGISTERING" }) }));
        assert.deepEqual(
            decision.actions.map((action) => action.kind),
            ["wait"],
        );
    });

    it("never heartbeats an external drain", () => {
        const decision = decideDrain(
            input({
                request: external(),
                instance: instance({ status: "ACTIVE" }),
                recorded: {},
                now: START + 5000,
            }),
        );
        assert.equal(decision.actions[1].kind === "wait" && decision.actions[1].heartbeat, false);
    });

    describe("a DRAINING instance", () => {
        it("completes with CONTINUE when it holds nothing", () => {
            const decision = decideDrain(input({ now: START + 300 }));
            assert.deepEqual(decision, {
                actions: [
                    {
                        kind: "complete",
                        result: "CONTINUE",
                        reason: "the instance is empty",
                        drainSeconds: 300,
                    },
                ],
                record: undefined,
            });
        });

        it("waits while a task is still stopping: no task counted, but its CPU and memory still held", () => {
            const deregistering = instance({ heldCpu: 256, heldMemory: 512 });
            assert.deepEqual(decideDrain(input({ instance: deregistering })).actions, [
                {
                    kind: "wait",
                    heartbeat: false,
                    delaySeconds: 60,
                    remaining: { runningTasks: 0, pendingTasks: 0, heldCpu: 256, heldMemory: 512 },
                    reason: "waiting for 0 tasks to run, 0 pending tasks, 256 CPU units and 512 MiB still held",
                },
            ]);
            // A task reserving memory only (no cpu in its definition) still holds its memory.
            const memoryOnly = instance({ heldMemory: 128 });
            assert.equal(decideDrain(input({ instance: memoryOnly })).actions[0].kind, "wait");
        });

        it("is right under either reading of runningTasksCount: by desired status (the API reference) or by last status", () => {
            // One task deregistering (desired STOPPED), one starting (desired RUNNING, PENDING).
            const byDesired = instance({
                runningTasksCount: 1,
                pendingTasksCount: 1,
                heldCpu: 512,
                heldMemory: 1024,
            });
            const byLast = instance({
                runningTasksCount: 0,
                pendingTasksCount: 1,
                heldCpu: 512,
                heldMemory: 1024,
            });
            for (const counters of [byDesired, byLast])
                assert.equal(decideDrain(input({ instance: counters })).actions[0].kind, "wait");
            // Only the deregistering task left: both counters say 0, what it holds says wait.
            const stopping = instance({ heldCpu: 256, heldMemory: 512 });
            assert.equal(decideDrain(input({ instance: stopping })).actions[0].kind, "wait");
            assert.equal(
                decideDrain(input({ instance: instance(), now: START + 60 })).actions[0].kind,
                "complete",
            );
        });

        it("waits while the counters show work that holds nothing yet", () => {
            assert.equal(
                decideDrain(input({ instance: instance({ runningTasksCount: 1 }) })).actions[0].kind,
                "wait",
            );
            const pending = decideDrain(input({ instance: instance({ pendingTasksCount: 2 }) }));
            assert.deepEqual(pending.actions, [
                {
                    kind: "wait",
                    heartbeat: false,
                    delaySeconds: 60,
                    remaining: { runningTasks: 0, pendingTasks: 2, heldCpu: 0, heldMemory: 0 },
                    reason: "waiting for 0 tasks to run, 2 pending tasks, 0 CPU units and 0 MiB still held",
                },
            ]);
        });

        it("notes a disconnected agent and writes no record when nothing changed", () => {
            const decision = decideDrain(input({ instance: running(1, { agentConnected: false }) }));
            assert.deepEqual(decision.actions, [
                {
                    kind: "wait",
                    heartbeat: false,
                    delaySeconds: 60,
                    remaining: ONE_TASK,
                    reason: `${ONE_TASK_REASON} (agent disconnected)`,
                },
            ]);
            assert.equal(decision.record, undefined);
        });
    });

    describe("heartbeats", () => {
        const busy = { instance: running(1) };

        it("shortens the poll to land on the heartbeat due every half timeout", () => {
            const decision = decideDrain(input({ ...busy, now: START + 420 }));
            assert.deepEqual(decision.actions[0], {
                kind: "wait",
                heartbeat: false,
                delaySeconds: 30,
                remaining: ONE_TASK,
                reason: ONE_TASK_REASON,
            });
        });

        it("heartbeats when due and records it", () => {
            const decision = decideDrain(input({ ...busy, now: START + 450 }));
            assert.deepEqual(decision.actions[0], {
                kind: "wait",
                heartbeat: true,
                delaySeconds: 60,
                remaining: ONE_TASK,
                reason: ONE_TASK_REASON,
            });
            assert.deepEqual(decision.record, { drainStartedAt: START, lastHeartbeatAt: START + 450 });
        });

        it("counts from the recorded heartbeat when it is later than the action's start", () => {
            const recorded = { drainStartedAt: START, lastHeartbeatAt: START + 840 };
            const due = decideDrain(input({ ...busy, now: START + 1290, recorded }));
            assert.equal(due.actions[0].kind === "wait" && due.actions[0].heartbeat, true);
            const before = decideDrain(input({ ...busy, now: START + 1260, recorded }));
            assert.equal(before.actions[0].kind === "wait" && before.actions[0].delaySeconds, 30);
            // A record older than the action's start (an earlier action's) does not count: the start does.
            const olderRecord = decideDrain(
                input({
                    ...busy,
                    now: START + 420,
                    recorded: { drainStartedAt: START, lastHeartbeatAt: START - 1000 },
                }),
            );
            assert.deepEqual(olderRecord.record, { drainStartedAt: START, lastHeartbeatAt: START });
        });

        it("heartbeats at once on a sweep re-drive with no recorded heartbeat (its Time is not the action's start)", () => {
            const decision = decideDrain(
                input({
                    ...busy,
                    request: lifecycle({ origin: "sweep", lifecycleActionToken: undefined }),
                    recorded: { drainStartedAt: START },
                }),
            );
            assert.equal(decision.actions[0].kind === "wait" && decision.actions[0].heartbeat, true);
            assert.deepEqual(decision.record, { drainStartedAt: START, lastHeartbeatAt: START + 10 });
        });

        it("never heartbeats an external drain (no lifecycle action) nor records its polls", () => {
            const decision = decideDrain(
                input({
                    ...busy,
                    request: external(),
                    now: START + 5000,
                    recorded: { drainStartedAt: START + 4000 },
                }),
            );
            assert.deepEqual(decision, {
                actions: [
                    {
                        kind: "wait",
                        heartbeat: false,
                        delaySeconds: 60,
                        remaining: ONE_TASK,
                        reason: ONE_TASK_REASON,
                    },
                ],
                record: undefined,
            });
        });
    });

    describe("the deadline", () => {
        const standalone = { instance: running(1) };
        const leftReason =
            "the drain deadline passed with 1 task to run, 0 pending tasks, 256 CPU units and 512 MiB still held left";

        it("shortens the poll so it lands on the deadline", () => {
            const decision = decideDrain(
                input({
                    ...standalone,
                    now: START + 3590,
                    recorded: { drainStartedAt: START, lastHeartbeatAt: START + 3360 },
                }),
            );
            assert.equal(decision.actions[0].kind === "wait" && decision.actions[0].delaySeconds, 10);
        });

        it("ABANDONs under the wait policy when tasks remain at the deadline", () => {
            const decision = decideDrain(input({ ...standalone, now: START + 3600 }));
            assert.deepEqual(decision, {
                actions: [{ kind: "complete", result: "ABANDON", reason: leftReason, drainSeconds: 3600 }],
                record: undefined,
            });
        });

        it("counts the deadline from the earliest known start: a recorded start before the message's Time", () => {
            const decision = decideDrain(
                input({ ...standalone, now: START + 3000, recorded: { drainStartedAt: START - 600 } }),
            );
            assert.deepEqual(decision.actions[0], {
                kind: "complete",
                result: "ABANDON",
                reason: leftReason,
                drainSeconds: 3600,
            });
        });

        it("is bounded by the lifecycle action's global timeout (100 × heartbeat) less one poll interval", () => {
            const settings = { ...SETTINGS, heartbeatTimeoutSeconds: 30, pollIntervalSeconds: 15 };
            const recorded = { drainStartedAt: START, lastHeartbeatAt: START + 2970 };
            const before = decideDrain(input({ ...standalone, settings, now: START + 2980, recorded }));
            assert.equal(before.actions[0].kind === "wait" && before.actions[0].delaySeconds, 5);
            const at = decideDrain(input({ ...standalone, settings, now: START + 2985, recorded }));
            assert.equal(at.actions[0].kind === "complete" && at.actions[0].result, "ABANDON");
        });

        it("ends an external drain at its deadline without completing anything", () => {
            const decision = decideDrain(
                input({
                    ...standalone,
                    request: external(),
                    now: START + 3600,
                    recorded: { drainStartedAt: START },
                }),
            );
            assert.deepEqual(decision.actions, [{ kind: "end", reason: leftReason, drainSeconds: 3600 }]);
        });
    });

    describe("the stop policy", () => {
        const stop: DrainSettings = { ...SETTINGS, standaloneTaskPolicy: "stop" };
        const busy = { settings: stop, instance: running(3) };

        it("shortens the poll to land on the end of the grace period", () => {
            const decision = decideDrain(
                input({
                    ...busy,
                    now: START + 570,
                    recorded: { drainStartedAt: START, lastHeartbeatAt: START },
                }),
            );
            assert.equal(decision.actions.length, 1);
            assert.equal(decision.actions[0].kind === "wait" && decision.actions[0].delaySeconds, 30);
        });

        it("asks for the standalone tasks to be stopped once the grace period is over, while tasks may still run", () => {
            const at = (now: number, instance = running(3)) =>
                decideDrain(
                    input({
                        ...busy,
                        instance,
                        now,
                        recorded: { drainStartedAt: START, lastHeartbeatAt: START + 450 },
                    }),
                ).actions.map((action) => action.kind);
            assert.deepEqual(at(START + 599), ["wait"]);
            assert.deepEqual(at(START + 600), ["stopStandaloneTasks", "wait"]);
            assert.deepEqual(at(START + 600, instance({ pendingTasksCount: 1 })), [
                "stopStandaloneTasks",
                "wait",
            ]);
            // Only tasks still stopping: none can be a standalone one still to stop.
            assert.deepEqual(at(START + 600, instance({ heldCpu: 256, heldMemory: 512 })), ["wait"]);
            const waitPolicy = decideDrain(input({ instance: running(3), now: START + 900 }));
            assert.deepEqual(
                waitPolicy.actions.map((action) => action.kind),
                ["wait"],
            );
        });

        it("stops only tasks of no service whose desired status is still RUNNING", () => {
            const tasks = [
                task("web"),
                task("job", { group: "family:batch" }),
                task("adhoc", { group: undefined }),
                task("old", { group: "family:batch", desiredStatus: "STOPPED", lastStatus: "STOPPING" }),
            ];
            assert.deepEqual(standaloneTasksToStop(tasks), ["arn:task/job", "arn:task/adhoc"]);
            assert.deepEqual(
                standaloneTasksToStop([task("web"), task("logs", { group: "service:logs" })]),
                [],
            );
        });
    });

    describe("external drains", () => {
        const busy = {
            request: external({ source: "spot-interruption", requestedAt: START - 20 }),
            instance: running(1),
        };

        it("set DRAINING at once and record when the drain started", () => {
            const decision = decideDrain(
                input({ ...busy, instance: running(1, { status: "ACTIVE" }), recorded: {} }),
            );
            assert.deepEqual(decision, {
                actions: [
                    { kind: "setDraining" },
                    {
                        kind: "wait",
                        heartbeat: false,
                        delaySeconds: 60,
                        remaining: ONE_TASK,
                        reason: ONE_TASK_REASON,
                    },
                ],
                record: { drainStartedAt: START - 20 },
            });
        });

        it("end when the instance is empty", () => {
            const decision = decideDrain(
                input({ ...busy, instance: instance(), recorded: { drainStartedAt: START - 20 } }),
            );
            assert.deepEqual(decision.actions, [
                { kind: "end", reason: "the instance is empty", drainSeconds: 30 },
            ]);
        });

        it("end when a lifecycle delivery heartbeated within a heartbeat interval and three polls", () => {
            // 450 s between heartbeats + 3 × 60 s.
            const decision = decideDrain(
                input({ ...busy, recorded: { drainStartedAt: START, lastHeartbeatAt: START + 10 - 629 } }),
            );
            assert.deepEqual(decision.actions, [
                { kind: "end", reason: "a lifecycle delivery is driving this drain", drainSeconds: 30 },
            ]);
            const stale = decideDrain(
                input({ ...busy, recorded: { drainStartedAt: START, lastHeartbeatAt: START + 10 - 630 } }),
            );
            assert.equal(stale.actions[0].kind, "wait");
        });
    });
});

describe("the drain record", () => {
    it("is one attribute, read back only while the instance is DRAINING", () => {
        const value = formatDrainRecord({ drainStartedAt: 100, lastHeartbeatAt: 150 });
        assert.equal(value, "started:100 heartbeat:150");
        assert.match(value, /^[A-Za-z0-9_.@/\\: -]{1,128}$/, "an ECS attribute value");
        const attributes = { [DRAIN_ATTRIBUTE]: value, "ecs.instance-type": "c5.large" };
        assert.deepEqual(readDrainRecord({ status: "DRAINING", attributes }), {
            drainStartedAt: 100,
            lastHeartbeatAt: 150,
        });
        assert.deepEqual(readDrainRecord({ status: "ACTIVE", attributes }), {});
        assert.equal(formatDrainRecord({ drainStartedAt: 100 }), "started:100");
        assert.deepEqual(
            readDrainRecord({ status: "DRAINING", attributes: { [DRAIN_ATTRIBUTE]: "started:100" } }),
            { drainStartedAt: 100 },
        );
    });

    it("skips fields that are not whole epoch seconds", () => {
        assert.deepEqual(
            readDrainRecord({
                status: "DRAINING",
                attributes: { [DRAIN_ATTRIBUTE]: "started:soon heartbeat:-5" },
            }),
            {},
        );
    });
});

describe("isDrivenByDelivery and needsRedrive", () => {
    const timing = { pollIntervalSeconds: 60, heartbeatTimeoutSeconds: 900 };

    it("a delivery drives a drain whose heartbeat is younger than a heartbeat interval and three polls", () => {
        assert.equal(isDrivenByDelivery({ lastHeartbeatAt: 1000 }, 1629, timing), true);
        assert.equal(isDrivenByDelivery({ lastHeartbeatAt: 1000 }, 1630, timing), false);
        assert.equal(isDrivenByDelivery({ drainStartedAt: 1000 }, 1001, timing), false);
    });

    it("the sweep re-drives an ACTIVE instance and a stale record, never a DRAINING instance whose record is still to come", () => {
        const recorded = (value: string) => ({
            status: "DRAINING",
            attributes: { [DRAIN_ATTRIBUTE]: value },
        });
        assert.equal(needsRedrive({ status: "ACTIVE", attributes: {} }, 1000, timing), true);
        assert.equal(needsRedrive({ status: "DRAINING", attributes: {} }, 1000, timing), false);
        assert.equal(needsRedrive(recorded("started:900 heartbeat:900"), 1000, timing), false);
        assert.equal(needsRedrive(recorded("started:100 heartbeat:100"), 1000, timing), true);
        // An external drain's record has no heartbeat: no lifecycle delivery drives it.
        assert.equal(needsRedrive(recorded("started:900"), 1000, timing), true);
    });
});

describe("holdsNothing", () => {
    it("needs no task counted and no CPU or memory held", () => {
        assert.equal(holdsNothing(instance()), true);
        for (const busy of [
            { runningTasksCount: 1 },
            { pendingTasksCount: 1 },
            { heldCpu: 1 },
            { heldMemory: 1 },
        ])
            assert.equal(holdsNothing(instance(busy)), false, JSON.stringify(busy));
    });
});

describe("drain settings", () => {
    it("lifecycleGlobalTimeoutSeconds is min(48 h, 100 × heartbeat)", () => {
        assert.equal(lifecycleGlobalTimeoutSeconds(900), 90_000);
        assert.equal(lifecycleGlobalTimeoutSeconds(7200), 172_800);
    });

    it("requiredMaxReceiveCount covers regular, heartbeat, grace, deadline and final polls plus the margins", () => {
        // 60 regular + ceil(3600 / 450) = 8 heartbeat + 3 + 10 + 30 budget deferrals.
        assert.equal(requiredMaxReceiveCount(SETTINGS), 111);
        // 48 h every 200 s with a 7200 s heartbeat: 172800 / 200 = 864 + 172800 / 3600 = 48 + 3 + 10 + 30.
        assert.equal(
            requiredMaxReceiveCount({
                ...SETTINGS,
                heartbeatTimeoutSeconds: 7200,
                drainDeadlineSeconds: 172_800,
                pollIntervalSeconds: 200,
            }),
            955,
        );
        // The global timeout (100 × 300 s) bounds a longer deadline: 500 + 30000 / 150 = 200 + 3 + 10 + 30.
        assert.equal(
            requiredMaxReceiveCount({
                ...SETTINGS,
                heartbeatTimeoutSeconds: 300,
                drainDeadlineSeconds: 172_800,
            }),
            743,
        );
    });

    it("accepts legal settings", () => {
        assert.deepEqual(validateDrainSettings(SETTINGS), SETTINGS);
    });

    const cases: [Partial<DrainSettings>, string][] = [
        [
            { heartbeatTimeoutSeconds: 29 },
            "heartbeatTimeoutSeconds: expected an integer from 30 to 7200, got 29",
        ],
        [
            { heartbeatTimeoutSeconds: 7201 },
            "heartbeatTimeoutSeconds: expected an integer from 30 to 7200, got 7201",
        ],
        [
            { pollIntervalSeconds: 451 },
            "pollIntervalSeconds: expected an integer from 1 to 450 (at most half the heartbeat timeout: the heartbeat interval), got 451",
        ],
        [
            { pollIntervalSeconds: 0.5 },
            "pollIntervalSeconds: expected an integer from 1 to 450 (at most half the heartbeat timeout: the heartbeat interval), got 0.5",
        ],
        [
            { drainDeadlineSeconds: 172_801 },
            "drainDeadlineSeconds: expected an integer from 60 to 172800 (at least one poll interval, at most 48 h), got 172801",
        ],
        [
            { standaloneTaskPolicy: "kill" as "stop" },
            'standaloneTaskPolicy: expected "wait" or "stop", got "kill"',
        ],
        [
            { standaloneGraceSeconds: 3541 },
            "standaloneGraceSeconds: expected an integer from 0 to 3540 (the deadline minus one poll interval, so stopped tasks are seen to stop), got 3541",
        ],
        [
            { heartbeatTimeoutSeconds: 7200, drainDeadlineSeconds: 172_800, pollIntervalSeconds: 175 },
            "pollIntervalSeconds: a 172800 s drain polled every 175 s needs maxReceiveCount 1079, over SQS's 1000; use about 191 s or more",
        ],
    ];
    for (const [override, message] of cases) {
        it(`rejects ${JSON.stringify(override)}`, () => {
            assert.throws(() => validateDrainSettings({ ...SETTINGS, ...override }), { message });
        });
    }
});
