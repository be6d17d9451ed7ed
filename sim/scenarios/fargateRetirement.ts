/**
 * fargate-retirement: AWS Health announces that the tasks of the account's Fargate services will
 * be retired (a patched platform). The services are the stack's own, as Fargate runs them (their
 * image, task size and desired count, AppService's deployment: minimum 100 %, maximum 200 %), and
 * one single-task service from outside the stack with minimumHealthyPercent 0, the shape the
 * notice must call at risk. The stack's retirement notifier (RetirementNotifier, deployed as the
 * component declares it, with the stack's retirement settings) sends one notice per event
 * although AWS delivers it twice, with a verdict per service; at the retirement date ECS replaces
 * the tasks as AWS does (a new deployment, respecting each service's deployment settings). Shows
 * the notice, and that only the single-task service drops below its desired count.
 */
import { catalogEntry } from "./catalog";
import { workloadInstances } from "./serviceLoad";
import { retirementCallbackFactory, type RetirementRuntimeSettings } from "../../runtime/retirementHandler";
import { healthEventPattern } from "../../stack/retirement";
import type { StackSettings } from "../../stack/settings";
import type { SimHarness } from "../harness";
import { coldStartOnFirstInvocation } from "../pipelines/coldStart";
import type { Region } from "../region";
import { SlackReceiver } from "../slackReceiver";
import type { ScenarioCheck } from "./result";
import { runScenario, scaledDesiredCounts, servicesAtDesired, type Scenario } from "./scenario";

/** The account's Fargate cluster that the notice concerns. */
export const FARGATE_CLUSTER = "fargate-workloads";

export interface FargateService {
    readonly name: string;
    readonly image: string;
    readonly cpu: number;
    readonly memory: number;
    readonly desiredCount: number;
    readonly minimumHealthyPercent: number;
}

/** A single-task service outside the stack, which ECS cannot replace without a gap. */
export const SINGLE_TASK_SERVICE: FargateService = {
    name: "reports",
    image: "public.ecr.aws/example/reports:1",
    cpu: 256,
    memory: 512,
    desiredCount: 1,
    minimumHealthyPercent: 0,
};

/** The stack's services as Fargate would run them (AppService's deployment settings), and the single-task one. */
export function fargateServices(settings: StackSettings, instances: number): FargateService[] {
    const counts = scaledDesiredCounts(settings, instances);
    const own = settings.services
        .filter((s) => s.name !== SINGLE_TASK_SERVICE.name)
        .map((s) => ({
            name: s.name,
            image: s.image,
            cpu: s.cpu,
            memory: s.memory,
            desiredCount: counts[s.name],
            minimumHealthyPercent: 100,
        }));
    return [...own, SINGLE_TASK_SERVICE];
}

/** How the reports and charts name a Fargate service next to the stack's EC2 services. */
export function fargateLabel(name: string): string {
    return `${name} (Fargate)`;
}

/** Time from the notice to the retirement date (AWS gives the account's wait period; compressed here). */
const NOTICE_SECONDS = 3600;
const AFTER_RETIREMENT_SECONDS = 1800;
const COMMUNICATION_ID = "5c6a0d2e9b1f4e7a8c3d2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e";

export const fargateRetirement: Scenario = {
    ...catalogEntry("fargate-retirement"),
    run(settings, options) {
        const instances = options.instances ?? workloadInstances(settings);
        const services = fargateServices(settings, instances);
        return runScenario({
            name: "fargate-retirement",
            settings,
            options,
            deploy: { instances, desiredCounts: scaledDesiredCounts(settings, instances) },
            sampleSeconds: 30,
            extraServices: (region) => createFargateServices(region, services),
            async body({ harness, region, recorder, step, stack }) {
                const slack = settings.retirement.slackWebhookConfigured
                    ? await SlackReceiver.start()
                    : undefined;
                try {
                    const topicArn = deployNotifier(harness, settings, slack?.url);
                    const retireAt = region.clock.now() + NOTICE_SECONDS * 1000;
                    const event = healthEvent(region, retireAt, services);
                    step(
                        `AWS Health: retirement notice for ${services.map((s) => s.name).join(", ")} on Fargate (delivered twice)`,
                    );
                    region.events.emit("aws.health", "AWS Health Event", event.detail, event.resources);
                    await recorder.run(60);
                    region.events.emit("aws.health", "AWS Health Event", event.detail, event.resources);
                    await recorder.run(NOTICE_SECONDS - 60);
                    step("retirement date: ECS replaces the retired tasks (a new deployment per service)");
                    for (const s of services) {
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
                    const state = region.ecs.state;
                    const arnOf = (s: FargateService) => recorder.serviceArn(fargateLabel(s.name))!;
                    const lowest = (s: FargateService) => health[arnOf(s)]?.lowestHealthyFraction ?? null;
                    const oldTasks = services.flatMap((s) =>
                        state
                            .serviceTasks(state.services.get(arnOf(s))!)
                            .filter((t) => t.lastStatus === "RUNNING" && (t.startedAt ?? 0) < retireAt),
                    );
                    const safe = services.filter(
                        (s) => s.desiredCount >= 2 && s.minimumHealthyPercent >= 100,
                    );
                    const checks: ScenarioCheck[] = [
                        {
                            name: "one notice for the event, though AWS delivered it twice",
                            passed: notices.length === 1,
                            detail: `${notices.length} SNS message(s)${slack ? `, ${slack.posts.length} Slack post(s)` : ""}: ${notices[0]?.subject ?? "none"}`,
                        },
                        ...services.map((s) => verdictCheck(s, text, safe.includes(s))),
                        ...safe.map((s) => ({
                            name: `${fargateLabel(s.name)} never below its desired count while replaced`,
                            passed: lowest(s) === 1,
                            detail: `lowest healthy fraction ${lowest(s) ?? "n/a"}`,
                        })),
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

/** The notice's verdict for one service: safe with ≥ 2 tasks and minimumHealthyPercent 100, else at risk. */
function verdictCheck(service: FargateService, notice: string, safe: boolean): ScenarioCheck {
    const line = noticeLine(notice, service.name);
    const shape = `${service.desiredCount} task(s), minimum healthy ${service.minimumHealthyPercent} %`;
    return safe
        ? {
              name: `${service.name} (${shape}) is judged safe`,
              passed: line.includes("ECS replaces the tasks without downtime"),
              detail: line,
          }
        : {
              name: `${service.name} (${shape}) is judged at risk`,
              passed: line.includes("at risk"),
              detail: line,
          };
}

function createFargateServices(region: Region, services: readonly FargateService[]): Record<string, string> {
    region.admin("ecs", "CreateCluster", { clusterName: FARGATE_CLUSTER });
    return Object.fromEntries(
        services.map((s) => {
            const { taskDefinition } = region.admin("ecs", "RegisterTaskDefinition", {
                family: `${FARGATE_CLUSTER}-${s.name}`,
                networkMode: "awsvpc",
                requiresCompatibilities: ["FARGATE"],
                cpu: String(s.cpu),
                memory: String(s.memory),
                containerDefinitions: [{ name: s.name, image: s.image, essential: true }],
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
            return [fargateLabel(s.name), service.serviceArn];
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
    services: readonly FargateService[],
): { detail: Record<string, unknown>; resources: string[] } {
    const date = new Date(retireAt).toUTCString();
    const resources = services.map((s) => `${FARGATE_CLUSTER} | ${s.name}`);
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

/** The notice's line about one service ("- cluster | name: verdict"). */
function noticeLine(text: string, service: string): string {
    return (
        text.split("\n").find((line) => line.startsWith(`- ${FARGATE_CLUSTER} | ${service}: `)) ??
        `(no line about ${service})`
    );
}
