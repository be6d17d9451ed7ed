/**
 * The region answers as AWS's own API models say: the scenarios and proofs that exercise every
 * handler run with a ConformanceChecker watching every call (requests, answers, errors, pages),
 * and every SDK command the `runtime/` handlers send must have been answered and checked.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../../scripts/stackFile";
import { botocoreVersion } from "../../../sim/apiModels/botocore";
import { ConformanceChecker, type ConformanceViolation } from "../../../sim/apiModels/conformance";
import type { ApiCallObserver } from "../../../sim/region";
import { rollingUpdate } from "../../../sim/scenarios/rollingUpdate";
import { scaleIn } from "../../../sim/scenarios/scaleIn";
import { spotInterruption } from "../../../sim/scenarios/spotInterruption";
import { fargateRetirement } from "../../../sim/scenarios/fargateRetirement";
import type { ServiceName } from "../../../sim/types";
import {
    drainSettings,
    groupInstances,
    rollingClusterScenario,
    rollNewAmi,
    runStandaloneTask,
    startDrainRun,
    terminateInGroup,
    webCluster,
} from "../drain/drainScenario";
import { NotifierScenario } from "../retirement/notifierScenario";
import { SAMPLE_SERVICE_EVENT } from "../retirement/seedEvents";
import { testStack } from "../scenarios/testStack";
import { createManagedService, runningCount, startManagedRun } from "../managed/managedScenario";
import { describeWithModels, MODELS_DIR } from "./installedModels";

/** The region's service for each `@aws-sdk/client-*` package the handlers import. */
const CLIENT_SERVICE: Readonly<Record<string, ServiceName>> = {
    ecs: "ecs",
    "auto-scaling": "autoscaling",
    sqs: "sqs",
    sns: "sns",
    ssm: "ssm",
    dynamodb: "dynamodb",
    cloudwatch: "monitoring",
};

/** "service:Operation" of every `new XxxCommand(` in runtime/*.ts, by the client package it is imported from. */
function runtimeOperations(): string[] {
    const dir = join(REPO_ROOT, "runtime");
    const operations = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
        const source = readFileSync(join(dir, file), "utf8");
        const packageOf: Record<string, string> = {};
        for (const [, names, client] of source.matchAll(
            /import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([a-z-]+)"/g,
        )) {
            for (const name of names.split(",")) packageOf[name.trim()] = client;
        }
        for (const [, command] of source.matchAll(/new ([A-Z][A-Za-z]+)Command\(/g)) {
            const client = packageOf[`${command}Command`];
            assert.ok(client, `${file}: ${command}Command is not imported from an @aws-sdk/client-* package`);
            operations.add(`${CLIENT_SERVICE[client]}:${command}`);
        }
    }
    return [...operations].sort();
}

/** A run of the region, checked call by call. */
interface CheckedRun {
    readonly name: string;
    run(observe: ApiCallObserver): Promise<void>;
}

const scenario = (name: string, run: (observe: ApiCallObserver) => Promise<unknown>): CheckedRun => ({
    name,
    run: async (observe) => void (await run(observe)),
});

/** The Saturday 02:00–06:00 UTC window of the remediation proofs, on the region's calendar. */
const WINDOW_CLOSES = Date.UTC(2026, 0, 3, 6);

const RUNS: readonly CheckedRun[] = [
    scenario("rolling-update (drain, capacity scaler, termination policy)", (callObserver) =>
        rollingUpdate.run(testStack(), { seed: 1, callObserver }),
    ),
    scenario("rolling-update over the wire (real SDK clients, loopback protocols)", (callObserver) =>
        rollingUpdate.run(testStack(), { seed: 1, callObserver, transport: "wire" }),
    ),
    scenario("scale-in", (callObserver) => scaleIn.run(testStack(), { seed: 1, callObserver })),
    scenario("spot-interruption", (callObserver) =>
        spotInterruption.run(testStack(), { seed: 1, callObserver }),
    ),
    scenario("fargate-retirement", (callObserver) =>
        fargateRetirement.run(testStack(), { seed: 1, callObserver }),
    ),
    scenario("retirement remediation with a Slack webhook", async (callObserver) => {
        const notifier = await NotifierScenario.start(
            {
                remediate: true,
                window: { days: [6], startHourUtc: 2, hours: 4 },
                redeploySingleTask: false,
                pageWaitSeconds: 3600,
            },
            60,
            callObserver,
        );
        try {
            await notifier.settleSeedServices(1);
            notifier.emitSample(SAMPLE_SERVICE_EVENT, {
                startTime: "Wed, 07 Jan 2026 10:00:00 GMT",
                endTime: "Fri, 09 Jan 2026 10:00:00 GMT",
            });
            await notifier.region.run((WINDOW_CLOSES - notifier.region.clock.now()) / 1000);
        } finally {
            await notifier.stop();
        }
    }),
    scenario("drain with the standalone-task stop policy", async (callObserver) => {
        const drain = await startDrainRun({
            seed: 13,
            scenario: webCluster("stop"),
            settings: drainSettings({ standaloneTaskPolicy: "stop", standaloneGraceSeconds: 600 }),
            callObserver,
        });
        try {
            terminateInGroup(drain, runStandaloneTask(drain, "forever").instanceId);
            await drain.harness.run(1500);
        } finally {
            await drain.harness.stop();
        }
    }),
    scenario(
        "drain that abandons a standalone task at its deadline (instance retained)",
        async (callObserver) => {
            const drain = await startDrainRun({
                seed: 11,
                scenario: webCluster("stuck"),
                settings: drainSettings({ drainDeadlineSeconds: 3600, standaloneTaskPolicy: "wait" }),
                callObserver,
            });
            try {
                terminateInGroup(drain, runStandaloneTask(drain, "forever").instanceId);
                await drain.harness.run(3600 + 1200);
            } finally {
                await drain.harness.stop();
            }
        },
    ),
    scenario(
        "managed capacity (capacity provider, PROVISIONING, managed scaling, draining)",
        async (callObserver) => {
            const run = await startManagedRun({ seed: 21, callObserver });
            const { region } = run;
            try {
                const web = createManagedService(run, "web", {
                    desiredCount: 3,
                    deregistrationDelaySeconds: 30,
                });
                await region.call("ecs", "RunTask", {
                    cluster: "managed",
                    taskDefinition: "web",
                    networkConfiguration: {
                        awsvpcConfiguration: { subnets: ["subnet-0sim0000000000001"] },
                    },
                });
                await region.run(10);
                const waiting = (await region.call("ecs", "ListTasks", { cluster: "managed" })) as {
                    taskArns: string[];
                };
                await region.call("ecs", "DescribeTasks", { cluster: "managed", tasks: waiting.taskArns });
                await region.runUntil(() => runningCount(region, web) === 3, 1200);
                await region.call("ecs", "DescribeServices", { cluster: "managed", services: [web] });
                await region.call("ecs", "DescribeClusters", { clusters: ["managed"] });
                await region.call("ecs", "DescribeCapacityProviders", { include: ["TAGS"] });
                const instances = (await region.call("ecs", "ListContainerInstances", {
                    cluster: "managed",
                })) as {
                    containerInstanceArns: string[];
                };
                await region.call("ecs", "DescribeContainerInstances", {
                    cluster: "managed",
                    containerInstances: instances.containerInstanceArns,
                });
                await region.call("autoscaling", "DescribePolicies", {
                    AutoScalingGroupName: run.deployed.groupName,
                });
                await region.call("monitoring", "DescribeAlarms", {
                    AlarmNames: [...run.managed.alarmNames],
                });
                const [busy] = region.ecs.state
                    .instancesOf(run.deployed.clusterArn)
                    .map((ci) => ci.ec2InstanceId);
                await region.call("autoscaling", "SetInstanceProtection", {
                    AutoScalingGroupName: run.deployed.groupName,
                    InstanceIds: [busy],
                    ProtectedFromScaleIn: true,
                });
                await region.call("autoscaling", "TerminateInstanceInAutoScalingGroup", {
                    InstanceId: busy,
                    ShouldDecrementDesiredCapacity: false,
                });
                await region.run(1800);
                // The service still uses the provider: an error the operation declares.
                assert.throws(
                    () =>
                        region.admin("ecs", "PutClusterCapacityProviders", {
                            cluster: "managed",
                            capacityProviders: [],
                            defaultCapacityProviderStrategy: [],
                        }),
                    { code: "ResourceInUseException" },
                );
            } finally {
                await run.harness.stop();
            }
        },
    ),
    scenario("drain of a 60-instance rolling update (the ECS budget contended)", async (callObserver) => {
        const drain = await startDrainRun({
            seed: 3,
            scenario: rollingClusterScenario("budget", 60),
            callObserver,
        });
        try {
            await rollNewAmi(drain, "ami-0bbbbbbbbbbbbbbb2", 3600);
        } finally {
            await drain.harness.stop();
        }
    }),
    scenario("drain whose notification is lost (the sweep re-drives it)", async (callObserver) => {
        const drain = await startDrainRun({ seed: 37, scenario: webCluster("dropped"), callObserver });
        try {
            const faults = drain.harness.region.ctx.faults;
            faults.dropRate = 1;
            terminateInGroup(drain, groupInstances(drain)[0]);
            faults.dropRate = 0;
            await drain.harness.run(1800);
        } finally {
            await drain.harness.stop();
        }
    }),
];

describeWithModels(
    `the region against AWS's API models (botocore ${botocoreVersion(MODELS_DIR) ?? "?"})`,
    () => {
        const checkers = new Map<string, ConformanceChecker>();
        before(async function () {
            this.timeout(600_000);
            for (const run of RUNS) {
                const checker = ConformanceChecker.fromBotocore(MODELS_DIR);
                await run.run(checker.observe);
                checkers.set(run.name, checker);
            }
        });

        for (const run of RUNS) {
            it(`${run.name}: every request, answer, error and page as the models say`, () => {
                const checker = checkers.get(run.name)!;
                assert.ok(checker.answeredOperations().size > 0, "no call was answered");
                const violations = checker.violations().map(describeViolation);
                assert.deepEqual(
                    violations,
                    [],
                    `${violations.length} violation(s) in ${checker.checkedCalls()} calls:\n${violations.slice(0, 20).join("\n")}`,
                );
            });
        }

        it("checked an answer to every operation the runtime handlers call", () => {
            const answered = new Set([...checkers.values()].flatMap((c) => [...c.answeredOperations()]));
            const operations = runtimeOperations();
            assert.ok(operations.length >= 20, operations.join(", "));
            assert.deepEqual(
                operations.filter((op) => !answered.has(op)),
                [],
            );
        });
    },
);

function describeViolation(v: ConformanceViolation): string {
    return `${v.via} ${v.service}:${v.operation} ${v.part} ${v.path}: ${v.problem}`;
}
