/**
 * The retirement notifier deployed into a simulated region as RetirementNotifier declares it: its
 * topic, its DynamoDB table (TTL on), the Slack webhook URL in an SSM SecureString pointing at a
 * loopback receiver, the real handler built from `retirementCallbackFactory` with the component's
 * environment variables, the AWS Health rule and the follow-up schedule; plus Fargate services.
 */
import type { RetirementRuntimeSettings } from "../../../runtime/retirementHandler";
import { SimHarness } from "../../../sim/harness";
import { coldStartOnFirstInvocation } from "../../../sim/pipelines/coldStart";
import type { ApiCallObserver, Region } from "../../../sim/region";
import { SlackReceiver } from "../../../sim/slackReceiver";
import type { PublishedMessage } from "../../../sim/sns";
import type { SampleEntry } from "./seedEvents";
import { healthEventPattern } from "../../../stack/retirement";
import { retirementCallbackFactory } from "../../../runtime/retirementHandler";

export const TABLE_NAME = "retirement-events";
export const SLACK_PARAMETER = "/ecs-lifecycle/sim/retirement/slack-webhook";

export const DEFAULT_RUNTIME_SETTINGS: RetirementRuntimeSettings = {
    remediate: false,
    window: undefined,
    redeploySingleTask: false,
    pageWaitSeconds: 900,
};

export interface FargateServiceSpec {
    readonly cluster: string;
    readonly name: string;
    readonly desiredCount: number;
    readonly minimumHealthyPercent: number;
    readonly maximumPercent?: number;
}

export class NotifierScenario {
    private constructor(
        readonly harness: SimHarness,
        readonly slack: SlackReceiver,
        readonly topicArn: string,
        readonly functionArn: string,
    ) {}

    get region(): Region {
        return this.harness.region;
    }

    static async start(
        settings: RetirementRuntimeSettings = DEFAULT_RUNTIME_SETTINGS,
        followUpMinutes = 15,
        callObserver?: ApiCallObserver,
    ): Promise<NotifierScenario> {
        const harness = await SimHarness.start({ seed: 11, callObserver });
        const slack = await SlackReceiver.start();
        const region = harness.region;
        const { TopicArn } = region.admin("sns", "CreateTopic", { Name: "retirement-topic" }) as {
            TopicArn: string;
        };
        region.admin("dynamodb", "CreateTable", {
            TableName: TABLE_NAME,
            KeySchema: [{ AttributeName: "communicationId", KeyType: "HASH" }],
            AttributeDefinitions: [{ AttributeName: "communicationId", AttributeType: "S" }],
            BillingMode: "PAY_PER_REQUEST",
        });
        region.admin("dynamodb", "UpdateTimeToLive", {
            TableName: TABLE_NAME,
            TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
        });
        region.admin("ssm", "PutParameter", {
            Name: SLACK_PARAMETER,
            Type: "SecureString",
            Value: slack.url,
        });
        const functionArn = harness.deployFunction({
            name: "retirement-fn",
            handler: coldStartOnFirstInvocation(retirementCallbackFactory(settings, harness.lambdaRuntime)),
            timeoutSeconds: 60,
            memoryMb: 256,
            reservedConcurrency: 2,
            environment: { TOPIC_ARN: TopicArn, TABLE_NAME, SLACK_PARAMETER_NAME: SLACK_PARAMETER },
        });
        region.admin("events", "PutRule", {
            Name: "retirement-health",
            EventPattern: JSON.stringify(healthEventPattern([])),
        });
        region.admin("events", "PutTargets", {
            Rule: "retirement-health",
            Targets: [{ Id: "fn", Arn: functionArn }],
        });
        region.admin("events", "PutRule", {
            Name: "retirement-follow-up",
            ScheduleExpression: `rate(${followUpMinutes} minutes)`,
        });
        region.admin("events", "PutTargets", {
            Rule: "retirement-follow-up",
            Targets: [{ Id: "fn", Arn: functionArn }],
        });
        return new NotifierScenario(harness, slack, TopicArn, functionArn);
    }

    /** Creates the cluster if needed and a Fargate service of the spec; returns its ARN. */
    createFargateService(spec: FargateServiceSpec): string {
        this.region.admin("ecs", "CreateCluster", { clusterName: spec.cluster });
        const { taskDefinition } = this.region.admin("ecs", "RegisterTaskDefinition", {
            family: `${spec.cluster}-${spec.name}`,
            networkMode: "awsvpc",
            requiresCompatibilities: ["FARGATE"],
            cpu: "256",
            memory: "512",
            containerDefinitions: [
                { name: spec.name, image: `public.ecr.aws/example/${spec.name}:1`, essential: true },
            ],
        }) as { taskDefinition: { taskDefinitionArn: string } };
        const { service } = this.region.admin("ecs", "CreateService", {
            cluster: spec.cluster,
            serviceName: spec.name,
            taskDefinition: taskDefinition.taskDefinitionArn,
            desiredCount: spec.desiredCount,
            launchType: "FARGATE",
            deploymentConfiguration: {
                minimumHealthyPercent: spec.minimumHealthyPercent,
                maximumPercent: spec.maximumPercent ?? 200,
            },
            networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0sim0000000000001"] } },
        }) as { service: { serviceArn: string } };
        return service.serviceArn;
    }

    /**
     * The two services the seed's service event names (`test_cluster1 | service1` with 3 tasks,
     * `test_cluster2 | service2` with `service2DesiredCount`), both minimumHealthyPercent 100,
     * running their desired counts. Returns their ARNs in that order.
     */
    async settleSeedServices(service2DesiredCount: number): Promise<[string, string]> {
        const arns: [string, string] = [
            this.createFargateService({
                cluster: "test_cluster1",
                name: "service1",
                desiredCount: 3,
                minimumHealthyPercent: 100,
            }),
            this.createFargateService({
                cluster: "test_cluster2",
                name: "service2",
                desiredCount: service2DesiredCount,
                minimumHealthyPercent: 100,
            }),
        ];
        await this.settleServices(arns);
        return arns;
    }

    /** Runs until every given service runs its desired count of RUNNING tasks. */
    async settleServices(serviceArns: readonly string[]): Promise<void> {
        const state = this.region.ecs.state;
        const steady = () =>
            serviceArns.every((arn) => {
                const service = state.services.get(arn)!;
                const live = state.serviceTasks(service).filter((t) => t.desiredStatus === "RUNNING");
                return live.length === service.desiredCount && live.every((t) => t.lastStatus === "RUNNING");
            });
        if (!(await this.region.runUntil(steady, 600)))
            throw new Error("the Fargate services did not settle");
    }

    /** AWS Health emits a seed sample entry onto the default bus (source aws.health, as AWS sends it). */
    emitSample(entry: SampleEntry, detailChanges: Record<string, unknown> = {}): void {
        this.region.events.emit(
            "aws.health",
            entry.DetailType,
            { ...JSON.parse(entry.Detail), ...detailChanges },
            [...entry.Resources],
        );
    }

    messages(): readonly PublishedMessage[] {
        return this.region.sns.messagesFor(this.topicArn);
    }

    logLines(): string[] {
        return this.region.cloudwatch.logEvents("/aws/lambda/retirement-fn").map((e) => e.message);
    }

    async stop(): Promise<void> {
        await this.slack.close();
        await this.harness.stop();
    }
}
