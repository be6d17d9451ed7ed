import assert from "node:assert/strict";
import {
    ContainerInstanceState,
    DRAIN_ATTRIBUTES,
    DrainInput,
    DrainSettings,
    TaskState,
    decideDrain,
    isDrivenByDelivery,
    lifecycleGlobalTimeoutSeconds,
    readDrainRecord,
    requiredMaxReceiveCount,
    screenRequest,
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
        status: "DRAINING",
        agentConnected: true,
        runningTasksCount: 0,
        pendingTasksCount: 0,
        attributes: {},
        ...overrides,
    };
}

function task(name: string, overrides: Partial<TaskState> = {}): TaskState {
    return {
        taskArn: `arn:task/${name}`,
        lastStatus: "RUNNING",
        desiredStatus: "RUNNING",
        group: "service:web",
        daemon: false,
        ...overrides,
    };
}

function input(overrides: Partial<DrainInput> = {}): DrainInput {
    return {
        request: lifecycle(),
        autoScalingGroupName: GROUP,
        instance: instance(),
        tasks: [],
        now: START + 10,
        recorded: { drainStartedAt: START, lastPolledAt: START, lastHeartbeatAt: START },
        settings: SETTINGS,
        ...overrides,
    };
}

const ONE_SERVICE_TASK = { serviceTasks: 1, daemonTasks: 0, standaloneTasks: 0, pendingTasks: 0 };

describe("decideDrain", () => {
    describe("requests that need no look at the instance", () => {
        it("ignores the hook's test notification", () => {
            const decision = decideDrain(
                input({ request: { kind: "test-notification", autoScalingGroupName: GROUP } }),
            );
            assert.deepEqual(decision, {
                actions: [{ kind: "ignore", reason: "the lifecycle hook's test notification" }],
                recordUpdate: undefined,
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
                recordUpdate: undefined,
            });
        });

        it("completes with CONTINUE when the container instance is INACTIVE or DEREGISTERING", () => {
            for (const status of ["INACTIVE", "DEREGISTERING", "REGISTRATION_FAILED"]) {
                const decision = decideDrain(
                    input({ instance: instance({ status, runningTasksCount: 2 }), tasks: [task("a")] }),
                );
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
        it("sets DRAINING, heartbeats (proving the action active) and looks again one poll later even when empty", () => {
            const decision = decideDrain(
                input({ instance: instance({ status: "ACTIVE" }), recorded: {}, now: START + 3 }),
            );
            assert.deepEqual(decision, {
                actions: [
                    { kind: "setDraining" },
                    {
                        kind: "wait",
                        heartbeat: true,
                        delaySeconds: 60,
                        remaining: { serviceTasks: 0, daemonTasks: 0, standaloneTasks: 0, pendingTasks: 0 },
                        reason: "waiting for 0 service tasks, 0 daemon tasks, 0 standalone tasks, 0 pending tasks",
                    },
                ],
                recordUpdate: { drainStartedAt: START, polledAt: START + 3, heartbeatAt: START + 3 },
            });
        });

        it("ignores stale stamps from an earlier drain (readDrainRecord gives none for ACTIVE)", () => {
            const stale = instance({
                status: "ACTIVE",
                attributes: { [DRAIN_ATTRIBUTES.startedAt]: String(START - 90_000) },
            });
            const decision = decideDrain(
                input({
                    instance: stale,
                    recorded: readDrainRecord(stale),
                    tasks: [task("a")],
                    now: START + 3,
                }),
            );
            assert.deepEqual(decision.recordUpdate, {
                drainStartedAt: START,
                polledAt: START + 3,
                heartbeatAt: START + 3,
            });
        });

        it("polls one interval later even when the deadline already passed (the next poll decides)", () => {
            const decision = decideDrain(
                input({
                    instance: instance({ status: "ACTIVE", runningTasksCount: 1 }),
                    tasks: [task("a")],
                    recorded: {},
                    now: START + 4000,
                }),
            );
            assert.deepEqual(decision.actions[0], { kind: "setDraining" });
            assert.equal(decision.actions[1].kind, "wait");
            assert.equal(decision.actions.length, 2);
            assert.deepEqual(decision.actions[1], {
                kind: "wait",
                heartbeat: true,
                delaySeconds: 60,
                remaining: ONE_SERVICE_TASK,
                reason: "waiting for 1 service task, 0 daemon tasks, 0 standalone tasks, 0 pending tasks",
            });
        });
    });

    it("waits for a REGISTERING instance without setting it DRAINING yet", () => {
        const decision = decideDrain(input({ instance: instance({ status: "REGISTERING" }) }));
        assert.deepEqual(
            decision.actions.map((action) => action.kind),
            ["wait"],
        );
    });

    it("never heartbeats an external drain, even on the poll that sets DRAINING", () => {
        const decision = decideDrain(
            input({ request: external(), instance: instance({ status: "ACTIVE" }), recorded: {} }),
        );
        assert.equal(decision.actions[1].kind === "wait" && decision.actions[1].heartbeat, false);
    });

    describe("a DRAINING instance", () => {
        it("completes with CONTINUE when empty", () => {
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
                recordUpdate: undefined,
            });
        });

        it("waits while tasks that are stopping (desired STOPPED, not yet STOPPED) remain", () => {
            const decision = decideDrain(
                input({ tasks: [task("a", { desiredStatus: "STOPPED", lastStatus: "DEACTIVATING" })] }),
            );
            assert.equal(decision.actions[0].kind, "wait");
        });

        it("is right under either reading of runningTasksCount: by desired status (the API reference) or by last status", () => {
            // One task deregistering (desired STOPPED), one starting (desired RUNNING, PENDING).
            const tasks = [
                task("a", { desiredStatus: "STOPPED", lastStatus: "DEACTIVATING" }),
                task("b", { lastStatus: "PENDING" }),
            ];
            const byDesired = instance({ runningTasksCount: 1, pendingTasksCount: 1 });
            const byLast = instance({ runningTasksCount: 0, pendingTasksCount: 1 });
            for (const counters of [byDesired, byLast]) {
                assert.equal(decideDrain(input({ tasks, instance: counters })).actions[0].kind, "wait");
                // Only the deregistering task left: the API reference's counter is already 0.
                const stopping = decideDrain(input({ tasks: [tasks[0]], instance: instance() }));
                assert.equal(stopping.actions[0].kind, "wait");
            }
            assert.equal(
                decideDrain(input({ tasks: [], instance: instance(), now: START + 60 })).actions[0].kind,
                "complete",
            );
        });

        it("waits while the counters show work the task list does not", () => {
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
                    remaining: { serviceTasks: 0, daemonTasks: 0, standaloneTasks: 0, pendingTasks: 2 },
                    reason: "waiting for 0 service tasks, 0 daemon tasks, 0 standalone tasks, 2 pending tasks",
                },
            ]);
        });

        it("counts service, daemon and standalone tasks apart and notes a disconnected agent", () => {
            const tasks = [
                task("web1"),
                task("web2", { lastStatus: "PENDING" }),
                task("log", { group: "service:logs", daemon: true }),
                task("job", { group: "family:batch" }),
                task("adhoc", { group: undefined }),
            ];
            const decision = decideDrain(
                input({
                    tasks,
                    instance: instance({ agentConnected: false, runningTasksCount: 4, pendingTasksCount: 1 }),
                }),
            );
            assert.deepEqual(decision.actions, [
                {
                    kind: "wait",
                    heartbeat: false,
                    delaySeconds: 60,
                    remaining: { serviceTasks: 2, daemonTasks: 1, standaloneTasks: 2, pendingTasks: 1 },
                    reason: "waiting for 2 service tasks, 1 daemon task, 2 standalone tasks, 1 pending task (agent disconnected)",
                },
            ]);
            assert.deepEqual(decision.recordUpdate, { polledAt: START + 10 });
        });

        it("waits for daemon tasks after the others are gone: the instance is empty only when they are gone too", () => {
            const decision = decideDrain(
                input({
                    tasks: [task("log", { group: "service:logs", daemon: true })],
                    instance: instance({ runningTasksCount: 1 }),
                }),
            );
            assert.deepEqual(decision.actions[0], {
                kind: "wait",
                heartbeat: false,
                delaySeconds: 60,
                remaining: { serviceTasks: 0, daemonTasks: 1, standaloneTasks: 0, pendingTasks: 0 },
                reason: "waiting for 0 service tasks, 1 daemon task, 0 standalone tasks, 0 pending tasks",
            });
        });
    });

    describe("heartbeats", () => {
        const busy = { tasks: [task("a")], instance: instance({ runningTasksCount: 1 }) };

        it("shortens the poll to land on the heartbeat due every half timeout", () => {
            const decision = decideDrain(input({ ...busy, now: START + 420 }));
            assert.deepEqual(decision.actions[0], {
                kind: "wait",
                heartbeat: false,
                delaySeconds: 30,
                remaining: ONE_SERVICE_TASK,
                reason: "waiting for 1 service task, 0 daemon tasks, 0 standalone tasks, 0 pending tasks",
            });
        });

        it("heartbeats when due and stamps it", () => {
            const decision = decideDrain(input({ ...busy, now: START + 450 }));
            assert.deepEqual(decision.actions[0], {
                kind: "wait",
                heartbeat: true,
                delaySeconds: 60,
                remaining: ONE_SERVICE_TASK,
                reason: "waiting for 1 service task, 0 daemon tasks, 0 standalone tasks, 0 pending tasks",
            });
            assert.deepEqual(decision.recordUpdate, { polledAt: START + 450, heartbeatAt: START + 450 });
        });

        it("counts from the recorded heartbeat when it is later than the action's start", () => {
            const decision = decideDrain(
                input({
                    ...busy,
                    now: START + 1290,
                    recorded: {
                        drainStartedAt: START,
                        lastPolledAt: START + 1260,
                        lastHeartbeatAt: START + 840,
                    },
                }),
            );
            assert.equal(decision.actions[0].kind === "wait" && decision.actions[0].heartbeat, true);
            const before = decideDrain(
                input({
                    ...busy,
                    now: START + 1260,
                    recorded: { drainStartedAt: START, lastHeartbeatAt: START + 840 },
                }),
            );
            assert.equal(before.actions[0].kind === "wait" && before.actions[0].delaySeconds, 30);
            // A stamp older than the action's start (an earlier action's) does not count: the start does.
            const olderStamp = decideDrain(
                input({
                    ...busy,
                    now: START + 420,
                    recorded: { drainStartedAt: START, lastHeartbeatAt: START - 1000 },
                }),
            );
            assert.deepEqual(olderStamp.recordUpdate, { polledAt: START + 420 });
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
            assert.deepEqual(decision.recordUpdate, { polledAt: START + 10, heartbeatAt: START + 10 });
        });

        it("never heartbeats an external drain (no lifecycle action) nor stamps its polls", () => {
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
                        remaining: ONE_SERVICE_TASK,
                        reason: "waiting for 1 service task, 0 daemon tasks, 0 standalone tasks, 0 pending tasks",
                    },
                ],
                recordUpdate: undefined,
            });
        });
    });

    describe("the deadline", () => {
        const standalone = {
            tasks: [task("job", { group: "family:batch" })],
            instance: instance({ runningTasksCount: 1 }),
        };

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
                actions: [
                    {
                        kind: "complete",
                        result: "ABANDON",
                        reason: "the drain deadline passed with 0 service tasks, 0 daemon tasks, 1 standalone task, 0 pending tasks left",
                        drainSeconds: 3600,
                    },
                ],
                recordUpdate: undefined,
            });
        });

        it("counts the deadline from the earliest known start: a recorded start before the message's Time", () => {
            const decision = decideDrain(
                input({ ...standalone, now: START + 3000, recorded: { drainStartedAt: START - 600 } }),
            );
            assert.deepEqual(decision.actions[0], {
                kind: "complete",
                result: "ABANDON",
                reason: "the drain deadline passed with 0 service tasks, 0 daemon tasks, 1 standalone task, 0 pending tasks left",
                drainSeconds: 3600,
            });
        });

        it("is bounded by the lifecycle action's global timeout (100 × heartbeat) less one poll interval", () => {
            const settings = { ...SETTINGS, heartbeatTimeoutSeconds: 30, pollIntervalSeconds: 15 };
            const before = decideDrain(
                input({
                    ...standalone,
                    settings,
                    now: START + 2980,
                    recorded: { drainStartedAt: START, lastHeartbeatAt: START + 2970 },
                }),
            );
            assert.equal(before.actions[0].kind === "wait" && before.actions[0].delaySeconds, 5);
            const at = decideDrain(
                input({
                    ...standalone,
                    settings,
                    now: START + 2985,
                    recorded: { drainStartedAt: START, lastHeartbeatAt: START + 2970 },
                }),
            );
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
            assert.deepEqual(decision.actions, [
                {
                    kind: "end",
                    reason: "the drain deadline passed with 0 service tasks, 0 daemon tasks, 1 standalone task, 0 pending tasks left",
                    drainSeconds: 3600,
                },
            ]);
        });
    });

    describe("the stop policy", () => {
        const stop: DrainSettings = { ...SETTINGS, standaloneTaskPolicy: "stop" };
        const tasks = [
            task("web"),
            task("job", { group: "family:batch" }),
            task("old", { group: "family:batch", desiredStatus: "STOPPED", lastStatus: "STOPPING" }),
        ];
        const busy = { tasks, settings: stop, instance: instance({ runningTasksCount: 3 }) };

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

        it("stops the standalone tasks not already stopping once the grace period is over, then waits for them", () => {
            const decision = decideDrain(
                input({
                    ...busy,
                    now: START + 600,
                    recorded: { drainStartedAt: START, lastHeartbeatAt: START + 450 },
                }),
            );
            assert.deepEqual(decision.actions, [
                { kind: "stopStandaloneTasks", taskArns: ["arn:task/job"] },
                {
                    kind: "wait",
                    heartbeat: false,
                    delaySeconds: 60,
                    remaining: { serviceTasks: 1, daemonTasks: 0, standaloneTasks: 2, pendingTasks: 0 },
                    reason: "waiting for 1 service task, 0 daemon tasks, 2 standalone tasks, 0 pending tasks",
                },
            ]);
        });

        it("does not stop them again once they are stopping", () => {
            const stopping = tasks.map((each) =>
                each.group === "family:batch" ? { ...each, desiredStatus: "STOPPED" } : each,
            );
            const decision = decideDrain(input({ ...busy, tasks: stopping, now: START + 660 }));
            assert.deepEqual(
                decision.actions.map((action) => action.kind),
                ["wait"],
            );
        });

        it("never stops service or daemon tasks", () => {
            const decision = decideDrain(
                input({
                    ...busy,
                    tasks: [task("web"), task("log", { group: "service:logs", daemon: true })],
                    now: START + 900,
                }),
            );
            assert.deepEqual(
                decision.actions.map((action) => action.kind),
                ["wait"],
            );
        });
    });

    describe("external drains", () => {
        const busy = {
            request: external({ source: "spot-interruption", requestedAt: START - 20 }),
            tasks: [task("a")],
            instance: instance({ runningTasksCount: 1 }),
        };

        it("set DRAINING at once and stamp when the drain started", () => {
            const decision = decideDrain(
                input({
                    ...busy,
                    instance: instance({ status: "ACTIVE", runningTasksCount: 1 }),
                    recorded: {},
                }),
            );
            assert.deepEqual(decision, {
                actions: [
                    { kind: "setDraining" },
                    {
                        kind: "wait",
                        heartbeat: false,
                        delaySeconds: 60,
                        remaining: ONE_SERVICE_TASK,
                        reason: "waiting for 1 service task, 0 daemon tasks, 0 standalone tasks, 0 pending tasks",
                    },
                ],
                recordUpdate: { drainStartedAt: START - 20 },
            });
        });

        it("end when the instance is empty", () => {
            const decision = decideDrain(
                input({ ...busy, tasks: [], instance: instance(), recorded: { drainStartedAt: START - 20 } }),
            );
            assert.deepEqual(decision.actions, [
                { kind: "end", reason: "the instance is empty", drainSeconds: 30 },
            ]);
        });

        it("end when a lifecycle delivery polled within the last three poll intervals", () => {
            const decision = decideDrain(
                input({ ...busy, recorded: { drainStartedAt: START, lastPolledAt: START + 10 - 179 } }),
            );
            assert.deepEqual(decision.actions, [
                { kind: "end", reason: "a lifecycle delivery is driving this drain", drainSeconds: 30 },
            ]);
            const stale = decideDrain(
                input({ ...busy, recorded: { drainStartedAt: START, lastPolledAt: START + 10 - 180 } }),
            );
            assert.equal(stale.actions[0].kind, "wait");
        });
    });
});

describe("readDrainRecord", () => {
    it("reads the stamps of a DRAINING instance", () => {
        const attributes = {
            [DRAIN_ATTRIBUTES.startedAt]: "100",
            [DRAIN_ATTRIBUTES.polledAt]: "160",
            [DRAIN_ATTRIBUTES.heartbeatAt]: "150",
            "ecs.instance-type": "c5.large",
        };
        assert.deepEqual(readDrainRecord({ status: "DRAINING", attributes }), {
            drainStartedAt: 100,
            lastPolledAt: 160,
            lastHeartbeatAt: 150,
        });
        assert.deepEqual(readDrainRecord({ status: "ACTIVE", attributes }), {});
    });

    it("skips stamps that are not whole epoch seconds", () => {
        assert.deepEqual(
            readDrainRecord({
                status: "DRAINING",
                attributes: { [DRAIN_ATTRIBUTES.startedAt]: "soon", [DRAIN_ATTRIBUTES.polledAt]: "-5" },
            }),
            {},
        );
    });
});

describe("isDrivenByDelivery", () => {
    it("is true while the last poll is younger than three poll intervals", () => {
        assert.equal(isDrivenByDelivery({ lastPolledAt: 1000 }, 1179, { pollIntervalSeconds: 60 }), true);
        assert.equal(isDrivenByDelivery({ lastPolledAt: 1000 }, 1180, { pollIntervalSeconds: 60 }), false);
        assert.equal(isDrivenByDelivery({}, 1000, { pollIntervalSeconds: 60 }), false);
    });
});

describe("drain settings", () => {
    it("lifecycleGlobalTimeoutSeconds is min(48 h, 100 × heartbeat)", () => {
        assert.equal(lifecycleGlobalTimeoutSeconds(900), 90_000);
        assert.equal(lifecycleGlobalTimeoutSeconds(7200), 172_800);
    });

    it("requiredMaxReceiveCount covers regular, heartbeat, grace, deadline and final polls plus the margin", () => {
        // 60 regular + ceil(3600 / 450) = 8 heartbeat + 3 + 10.
        assert.equal(requiredMaxReceiveCount(SETTINGS), 81);
        // 48 h every 185 s with a 7200 s heartbeat: ceil(172800 / 185) = 935 + 172800 / 3600 = 48 + 3 + 10.
        assert.equal(
            requiredMaxReceiveCount({
                ...SETTINGS,
                heartbeatTimeoutSeconds: 7200,
                drainDeadlineSeconds: 172_800,
                pollIntervalSeconds: 185,
            }),
            996,
        );
        // The global timeout (100 × 300 s) bounds a longer deadline: 500 + 30000 / 150 = 200 + 3 + 10.
        assert.equal(
            requiredMaxReceiveCount({
                ...SETTINGS,
                heartbeatTimeoutSeconds: 300,
                drainDeadlineSeconds: 172_800,
            }),
            713,
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
            "pollIntervalSeconds: a 172800 s drain polled every 175 s needs maxReceiveCount 1049, over SQS's 1000; use about 185 s or more",
        ],
    ];
    for (const [override, message] of cases) {
        it(`rejects ${JSON.stringify(override)}`, () => {
            assert.throws(() => validateDrainSettings({ ...SETTINGS, ...override }), { message });
        });
    }
});
