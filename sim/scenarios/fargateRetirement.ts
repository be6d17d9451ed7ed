/**
 * fargate-retirement: AWS Health announces that the Fargate tasks of two of the account's
 * services will be retired (a patched platform): one with 3 tasks and minimumHealthyPercent
 * 100, one with a single task. The stack's retirement notifier (RetirementNotifier, deployed as
 * the component declares it, with the stack's retirement settings) sends one notice per event
 * although AWS delivers it twice, with a verdict per service; at the retirement date ECS
 * replaces the tasks as AWS does (a new deployment, respecting the service's deployment
 * settings). Shows the notice and which service drops below its desired count.
 */
import { catalogEntry } from "./catalog";
import { retirementCallbackFactory, type RetirementRuntimeSettings } from "../../runtime/retirementHandler";
import { healthEventPattern } from "../../stack/retirement";
import type { StackSettings } from "../../stack/settings";
import type { SimHarness } from "../harness";
import { coldStartOnFirstInvocation } from "../pipelines/coldStart";
import type { Region } from "../region";
import { SlackReceiver } from "../slackReceiver";
import type { ScenarioCheck } from "./result";
import { runScenario, scaledDesiredCounts, servicesAtDesired, type Scenario } from "./scenario";

/** The Fargate cluster and services of the account that the notice concerns. */
export const FARGATE_CLUSTER = "fargate-workloads";
export const FARGATE_SERVICES = [
    { name: "payments", desiredCount: 3, minimumHealthyPercent: 100 },
    { name: "reports", desiredCount: 1, minimumHealthyPercent: 0 },
] as const;
/** Time from the notice to the retirement date (AWS gives the account's wait period; compressed here). */
const NOTICE_SECONDS = 3600;
const AFTER_RETIREMENT_SECONDS = 1800;
export const COMMUNICATION_ID = "5c6a0d2e9b1f4e7a8c3d2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e";

export const fargateRetirement: Scenario = {
    ...catalogEntry("fargate-retirement"),
    run(settings, options) {
        const instances = options.instances ?? settings.cluster.desiredCapacity;
        return runScenario({
            name: "fargate-retirement",
            settings,
            options,
            deploy: { instances, desiredCounts: scaledDesiredCounts(settings, instances) },
            sampleSeconds: 30,
            extraServices: (region) => createFargateServices(region),
            async body({ harness, region, recorder, step, stack }) {
                const slack = settings.retirement.slackWebhookConfigured
                    ? await SlackReceiver.start()
                    : undefined;
                try {
                    const topicArn = deployNotifier(harness, settings, slack?.url);
                    const fargateArns = FARGATE_SERVICES.map((s) => recorder.serviceArn(s.name)!);
                    const retireAt = region.clock.now() + NOTICE_SECONDS * 1000;
                    const event = healthEvent(region, retireAt);
                    step(
                        `AWS Health: retirement notice for ${FARGATE_SERVICES.map((s) => s.name).join(", ")} (delivered twice)`,
                    );
                    region.events.emit("aws.health", "AWS Health Event", event.detail, event.resources);
                    await recorder.run(60);
                    region.events.emit("aws.health", "AWS Health Event", event.detail, event.resources);
                    await recorder.run(NOTICE_SECONDS - 60);
                    step("retirement date: ECS replaces the retired tasks (a new deployment per service)");
                    for (const s of FARGATE_SERVICES) {
                        region.admin("ecs", "UpdateService", {
                            cluster: FARGATE_CLUSTER,
                            service: s.name,
                            forceNewDeployment: true,
                        });
                    }
                    await recorder.run(AFTER_RETIREMENT_SECONDS);
                    const notices = region.sns.messagesFor(topicArn);
                    const text = notices.map((m) => m.message).join("\n");
                    const health = region.invariants().services;
                    const lowest = (arn: string) => health[arn]?.lowestHealthyFraction ?? null;
                    const state = region.ecs.state;
                    const oldTasks = fargateArns.flatMap((arn) =>
                        state
                            .serviceTasks(state.services.get(arn)!)
                            .filter((t) => t.lastStatus === "RUNNING" && (t.startedAt ?? 0) < retireAt),
                    );
                    const checks: ScenarioCheck[] = [
                        {
                            name: "one notice for the event, though AWS delivered it twice",
                            passed: notices.length === 1,
                            detail: `${notices.length} SNS message(s)${slack ? `, ${slack.posts.length} Slack post(s)` : ""}: ${notices[0]?.subject ?? "none"}`,
                        },
                        {
                            name: "payments (3 tasks, minimum healthy 100 %) is judged safe",
                            passed: text.includes("ECS replaces the tasks without downtime"),
                            detail: firstLineAbout(text, "payments"),
                        },
                        {
                            name: "reports (1 task) is judged at risk",
                            passed: /at risk/.test(firstLineAbout(text, "reports")),
                            detail: firstLineAbout(text, "reports"),
                        },
                        {
                            name: "payments never below its desired count while replaced",
                            passed: lowest(fargateArns[0]) === 1,
                            detail: `lowest healthy fraction ${lowest(fargateArns[0]) ?? "n/a"}`,
                        },
                        {
                            name: "every retired task replaced",
                            passed: oldTasks.length === 0,
                            detail: `${oldTasks.length} task(s) from before the retirement date still running`,
                        },
                        servicesAtDesired(region, stack),
                    ];
                    return checks;
                } finally {
                    await slack?.close();
                }
            },
        });
    },
};

function createFargateServices(region: Region): Record<string, string> {
    region.admin("ecs", "CreateCluster", { clusterName: FARGATE_CLUSTER });
    return Object.fromEntries(
        FARGATE_SERVICES.map((s) => {
            const { taskDefinition } = region.admin("ecs", "RegisterTaskDefinition", {
                family: `${FARGATE_CLUSTER}-${s.name}`,
                networkMode: "awsvpc",
                requiresCompatibilities: ["FARGATE"],
                cpu: "256",
                memory: "512",
                containerDefinitions: [
                    { name: s.name, image: `public.ecr.aws/example/${s.name}:1`, essential: true },
                ],
            }) as { taskDefinition: { taskDefinitionArn: string } };
            const { service } = region.admin("ecs", "CreateService", {
                cluster: FARGATE_CLUSTER,
                serviceName: s.name,
                taskDefinition: taskDefinition.taskDefinitionArn,
                desiredCount: s.desiredCount,
                launchType: "FARGATE",
                deploymentConfiguration: {
                    minimumHealthyPercent: s.minimumHealthyPercent,
                    maximumPercent: 200,
                },
                networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0sim0000000000001"] } },
            }) as { service: { serviceArn: string } };
            return [s.name, service.serviceArn];
        }),
    );
}

/** RetirementNotifier as the component declares it, with the stack's retirement settings; returns the topic ARN. */
function deployNotifier(harness: SimHarness, settings: StackSettings, slackUrl: string | undefined): string {
    const region = harness.region;
    const s = settings.retirement;
    const prefix = `${settings.stack}-retirement`;
    const { TopicArn } = region.admin("sns", "CreateTopic", { Name: `${prefix}-topic` }) as {
        TopicArn: string;
    };
    const tableName = `${prefix}-events`;
    region.admin("dynamodb", "CreateTable", {
        TableName: tableName,
        KeySchema: [{ AttributeName: "communicationId", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "communicationId", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
    });
    region.admin("dynamodb", "UpdateTimeToLive", {
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
    const slackParameter = slackUrl === undefined ? undefined : `/${prefix}/slack-webhook`;
    if (slackParameter) {
        region.admin("ssm", "PutParameter", { Name: slackParameter, Type: "SecureString", Value: slackUrl });
    }
    const runtimeSettings: RetirementRuntimeSettings = {
        remediate: s.remediate,
        window: s.remediate ? { ...s.window, days: [...s.window.days] } : undefined,
        redeploySingleTask: s.redeploySingleTask,
        pageWaitSeconds: s.followUpMinutes * 60,
    };
    const functionArn = region.lambda.createFunction({
        name: `${prefix}-fn`,
        handler: coldStartOnFirstInvocation(
            retirementCallbackFactory(runtimeSettings, harness.lambdaRuntime),
        ),
        timeoutSeconds: 60,
        memoryMb: 256,
        reservedConcurrency: 2,
        environment: {
            TOPIC_ARN: TopicArn,
            TABLE_NAME: tableName,
            ...(slackParameter ? { SLACK_PARAMETER_NAME: slackParameter } : {}),
        },
    });
    const rules = [
        { Name: `${prefix}-health`, EventPattern: JSON.stringify(healthEventPattern(s.extraEventCodes)) },
        { Name: `${prefix}-follow-up`, ScheduleExpression: `rate(${s.followUpMinutes} minutes)` },
    ];
    for (const rule of rules) {
        region.admin("events", "PutRule", rule);
        region.admin("events", "PutTargets", { Rule: rule.Name, Targets: [{ Id: "fn", Arn: functionArn }] });
    }
    return TopicArn;
}

/** An AWS Health retirement event in the shape AWS sends (the seed's sample), for this account's services. */
function healthEvent(
    region: Region,
    retireAt: number,
): { detail: Record<string, unknown>; resources: string[] } {
    const date = new Date(retireAt).toUTCString();
    const resources = FARGATE_SERVICES.map((s) => `${FARGATE_CLUSTER} | ${s.name}`);
    return {
        resources,
        detail: {
            eventArn: `arn:aws:health:${region.ctx.region}::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/AWS_ECS_TASK_PATCHING_RETIREMENT_sim`,
            service: "ECS",
            eventScopeCode: "ACCOUNT_SPECIFIC",
            communicationId: COMMUNICATION_ID,
            lastUpdatedTime: new Date(region.clock.now()).toUTCString(),
            eventRegion: region.ctx.region,
            eventTypeCode: "AWS_ECS_TASK_PATCHING_RETIREMENT",
            eventTypeCategory: "scheduledChange",
            startTime: date,
            endTime: new Date(retireAt + 2 * 86_400_000).toUTCString(),
            eventDescription: [
                {
                    language: "en_US",
                    latestDescription: `A software update has been deployed to Fargate which includes CVE patches or other critical patches. Your tasks running as part of the following ECS Services will be automatically updated beginning ${date}.`,
                },
            ],
            affectedEntities: resources.map((entityValue) => ({ entityValue })),
        },
    };
}

function firstLineAbout(text: string, service: string): string {
    return (
        text.split("\n").find((line) => line.includes(service) && /downtime|at risk/.test(line)) ??
        `(no line about ${service})`
    );
}
