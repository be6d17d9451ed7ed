import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { reservedConcurrencyOf } from "../../stack/concurrency";
import {
    checkProjectNamespace,
    clusterNameOf,
    CONFIG_KEYS,
    parseSettings,
    SettingsError,
} from "../../stack/settings";
import { REPO_ROOT, asPulumiConfig, stackFileValues } from "../../scripts/stackFile";

const web = { name: "web", image: "nginx:1.27", containerPort: 80 };

/** The problems parseSettings reports for `raw`, or [] when it accepts it. */
function problemsOf(raw: Record<string, unknown>): readonly string[] {
    try {
        parseSettings(raw, "test");
        return [];
    } catch (error) {
        assert.ok(error instanceof SettingsError, `expected SettingsError, got ${String(error)}`);
        return error.problems;
    }
}

describe("stack settings", () => {
    it("applies the documented defaults", () => {
        const s = parseSettings({}, "test");
        assert.deepEqual(s.network, {
            vpcCidr: "10.0.0.0/16",
            existingVpcId: undefined,
            existingPublicSubnetIds: undefined,
            availabilityZones: undefined,
            azCount: 3,
            natGateways: "perAz",
            publicSubnetCidrs: ["10.0.0.0/22", "10.0.4.0/22", "10.0.8.0/22"],
            privateSubnetCidrs: ["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"],
        });
        assert.deepEqual(s.cluster.instanceTypes, ["m5.large"]);
        assert.equal(s.cluster.minHealthyPercentage, 100);
        assert.equal(s.cluster.maxHealthyPercentage, 200);
        assert.equal(s.cluster.desiredCapacity, 2);
        assert.equal(s.logRetentionDays, 30);
        assert.deepEqual(s.services, []);
    });

    it("treats the declared empty defaults as unset, as Pulumi passes them", () => {
        const s = parseSettings(
            { vpcId: "", amiId: "", availabilityZones: "[]", publicSubnetCidrs: "[]", certificateArn: "" },
            "t",
        );
        assert.equal(s.network.existingVpcId, undefined);
        assert.equal(s.cluster.amiId, undefined);
        assert.equal(s.network.publicSubnetCidrs.length, 3);
        assert.equal(s.alb.certificateArn, undefined);
    });

    it("reads string values the way `pulumi config` stores them", () => {
        const s = parseSettings(
            {
                minSize: "2",
                maxSize: "5",
                desiredCapacity: "3",
                awsvpcTrunking: "true",
                accountSettingsOwner: "true",
                services: JSON.stringify([web]),
            },
            "t",
        );
        assert.equal(s.cluster.maxSize, 5);
        assert.equal(s.cluster.awsvpcTrunking, true);
        assert.equal(s.services[0].name, "web");
        assert.equal(s.services[0].pathPattern, "/*", "the first service takes the catch-all route");
    });

    it("names the key and the bound when sizes contradict each other", () => {
        assert.deepEqual(problemsOf({ minSize: 1, maxSize: 2, desiredCapacity: 3 }), [
            "ecs-lifecycle:maxSize (2) must be >= desiredCapacity (3)",
        ]);
        assert.deepEqual(problemsOf({ minSize: 4, maxSize: 10, desiredCapacity: 3 }), [
            "ecs-lifecycle:minSize (4) must be <= desiredCapacity (3)",
        ]);
    });

    it("rejects a subnet CIDR outside the VPC and overlapping subnets", () => {
        assert.deepEqual(
            problemsOf({ privateSubnetCidrs: ["10.0.128.0/20", "10.1.0.0/20", "10.0.160.0/20"] }),
            [
                "ecs-lifecycle:privateSubnetCidrs entry 10.1.0.0/20 is outside ecs-lifecycle:vpcCidr 10.0.0.0/16",
            ],
        );
        assert.deepEqual(
            problemsOf({ privateSubnetCidrs: ["10.0.0.0/20", "10.0.144.0/20", "10.0.160.0/20"] }),
            [
                "subnet CIDRs 10.0.0.0/22 and 10.0.0.0/20 overlap",
                "subnet CIDRs 10.0.4.0/22 and 10.0.0.0/20 overlap",
                "subnet CIDRs 10.0.8.0/22 and 10.0.0.0/20 overlap",
            ],
        );
        assert.deepEqual(problemsOf({ privateSubnetCidrs: ["10.0.128.0/20", "10.0.144.0/20"] }), [
            "ecs-lifecycle:privateSubnetCidrs has 2 CIDRs but the stack uses 3 AZs; give one per AZ",
        ]);
        assert.deepEqual(problemsOf({ vpcCidr: "10.0.0.1/16" }), [
            "ecs-lifecycle:vpcCidr (10.0.0.1/16) must be an aligned IPv4 CIDR block such as 10.0.0.0/16",
        ]);
        assert.deepEqual(problemsOf({ vpcCidr: "10.0.0.0/24" }), [
            "ecs-lifecycle:vpcCidr 10.0.0.0/24 is too small to derive publicSubnetCidrs; use /21 or larger, or set ecs-lifecycle:publicSubnetCidrs",
            "ecs-lifecycle:vpcCidr 10.0.0.0/24 is too small to derive privateSubnetCidrs; use /21 or larger, or set ecs-lifecycle:privateSubnetCidrs",
        ]);
    });

    it("bounds the AZ count to 2–6", () => {
        assert.deepEqual(problemsOf({ azCount: 7 }), ["ecs-lifecycle:azCount (7) must be in 2–6"]);
        assert.deepEqual(problemsOf({ azCount: 1 }), ["ecs-lifecycle:azCount (1) must be in 2–6"]);
        assert.deepEqual(problemsOf({ availabilityZones: ["us-east-1a"] }), [
            "ecs-lifecycle:availabilityZones must list 2–6 AZs, got 1",
        ]);
        assert.deepEqual(problemsOf({ availabilityZones: ["us-east-1a", "us-east-1a"] }), [
            "ecs-lifecycle:availabilityZones lists an AZ twice",
        ]);
    });

    it("bounds the instance refresh percentages as Auto Scaling does", () => {
        assert.deepEqual(problemsOf({ maxHealthyPercentage: 250 }), [
            "ecs-lifecycle:maxHealthyPercentage (250) must be in 100–200",
        ]);
        assert.deepEqual(problemsOf({ maxHealthyPercentage: 99 }), [
            "ecs-lifecycle:maxHealthyPercentage (99) must be in 100–200",
        ]);
        assert.deepEqual(problemsOf({ minHealthyPercentage: 50, maxHealthyPercentage: 200 }), [
            "ecs-lifecycle:maxHealthyPercentage (200) must be at most minHealthyPercentage + 100 (150), as instance refresh requires",
        ]);
    });

    it("requires every instance type to be in the ENI table", () => {
        const problems = problemsOf({ instanceTypes: ["m5.large", "x9.huge"] });
        assert.equal(problems.length, 1);
        assert.match(
            problems[0],
            /^ecs-lifecycle:instanceTypes entry x9\.huge is not in the ENI table \(runtime\/instanceTypes\.ts\); known: t2\.micro, /,
        );
    });

    it("checks the existing-VPC combination", () => {
        assert.deepEqual(problemsOf({ vpcId: "vpc-0123456789abcdef0" }), [
            "ecs-lifecycle:publicSubnetIds is required with ecs-lifecycle:vpcId (the NAT gateways and the ALB go in them)",
            "ecs-lifecycle:availabilityZones is required with ecs-lifecycle:vpcId, in the order of ecs-lifecycle:publicSubnetIds",
        ]);
        assert.deepEqual(
            problemsOf({
                vpcId: "vpc-0123456789abcdef0",
                availabilityZones: ["us-east-1a", "us-east-1b"],
                publicSubnetIds: ["subnet-0123456789abcdef0"],
                publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24"],
            }),
            [
                "ecs-lifecycle:publicSubnetIds has 1 subnets but ecs-lifecycle:availabilityZones has 2 AZs; give one public subnet per AZ",
                "ecs-lifecycle:publicSubnetCidrs has no effect with ecs-lifecycle:vpcId; remove it",
            ],
        );
        assert.deepEqual(
            problemsOf({ publicSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] }),
            [
                "ecs-lifecycle:publicSubnetIds needs ecs-lifecycle:vpcId; without it the stack creates its own VPC and public subnets",
            ],
        );
    });

    it("keeps the drain's heartbeat, poll interval, deadline and SQS receive budget consistent", () => {
        assert.deepEqual(parseSettings({}, "t").drain, {
            heartbeatTimeoutSeconds: 900,
            drainDeadlineSeconds: 3600,
            pollIntervalSeconds: 60,
            standaloneTaskPolicy: "wait",
            standaloneGraceSeconds: 600,
            sweepIntervalMinutes: 2,
            ecsRequestsPerSecond: 8,
        });
        assert.deepEqual(problemsOf({ ecsRequestsPerSecond: 4 }), [
            "ecs-lifecycle:ecsRequestsPerSecond (4) must be in 5–20",
        ]);
        assert.deepEqual(problemsOf({ drainSweepMinutes: 5 }), [
            "ecs-lifecycle:drainSweepMinutes (5) is too slow: a lost drain message must be re-driven (sweep interval + 3 polls = 480 s) within half of drainHeartbeatTimeoutSeconds (450 s)",
        ]);
        assert.deepEqual(problemsOf({ drainHeartbeatTimeoutSeconds: 20 }), [
            "ecs-lifecycle:drainHeartbeatTimeoutSeconds (20) must be in 30–7200",
        ]);
        assert.deepEqual(problemsOf({ drainHeartbeatTimeoutSeconds: 100, drainPollIntervalSeconds: 60 }), [
            "ecs-lifecycle:drainPollIntervalSeconds (60) must be at most half of drainHeartbeatTimeoutSeconds (100), so a heartbeat always has a poll to spare",
            "ecs-lifecycle:drainSweepMinutes (2) is too slow: a lost drain message must be re-driven (sweep interval + 3 polls = 300 s) within half of drainHeartbeatTimeoutSeconds (50 s)",
            "ecs-lifecycle:drainPollIntervalSeconds (60) plus the 120 s redelivery of a failed poll must fit in half of drainHeartbeatTimeoutSeconds (50 s)",
        ]);
        assert.deepEqual(
            problemsOf({ drainDeadlineSeconds: 48 * 3600 - 60, drainHeartbeatTimeoutSeconds: 7200 }),
            [
                "ecs-lifecycle:drainPollIntervalSeconds (60) is too short for drainDeadlineSeconds (172740): a drain would need 2970 deliveries of its message, over SQS's limit of 1000; poll less often or shorten the deadline",
            ],
        );
        assert.deepEqual(
            problemsOf({
                drainDeadlineSeconds: 48 * 3600 - 300,
                drainHeartbeatTimeoutSeconds: 7200,
                drainPollIntervalSeconds: 300,
            }),
            [],
        );
        assert.deepEqual(problemsOf({ standaloneTaskPolicy: "kill", standaloneGraceSeconds: 7200 }), [
            "ecs-lifecycle:standaloneGraceSeconds (7200) must be at most drainDeadlineSeconds (3600)",
            "ecs-lifecycle:standaloneTaskPolicy (kill) must be one of wait | stop",
        ]);
    });

    it("validates each service field by name", () => {
        assert.deepEqual(
            problemsOf({
                services: [
                    { ...web, cpu: 64, desiredCount: 9, maxCount: 4 },
                    { ...web, memory: 9000, healthCheckPath: "health", colour: "blue" },
                    {
                        name: "Bad_Name",
                        image: "x",
                        extraEgress: [{ protocol: "icmp", port: 70000, cidr: "nope" }],
                    },
                ],
            }),
            [
                "ecs-lifecycle:services[0].cpu (64) must be in 128–10240",
                "ecs-lifecycle:services[0].desiredCount (9) must be within minCount–maxCount (1–4)",
                "ecs-lifecycle:services[1].colour is not a service field (known: name, image, cpu, memory, containerPort, desiredCount, minCount, maxCount, healthCheckPath, pathPattern, cpuTargetPercent, extraEgress, environment)",
                "ecs-lifecycle:services[1].name (web) is used by another service; names must be unique",
                "ecs-lifecycle:services[1].memory (9000) does not fit any instance type in instanceTypes (largest registers 7681 MiB)",
                "ecs-lifecycle:services[1].healthCheckPath (health) must be a URL path starting with /",
                "ecs-lifecycle:services[2].name (Bad_Name) must be 1–17 lowercase letters, digits and hyphens, starting with a letter (the target group is auto-named svc-<name>-tg-xxxxxxx, and ELB allows 32 characters)",
                "ecs-lifecycle:services[2].extraEgress[0].port (70000) must be in 1–65535",
                "ecs-lifecycle:services[2].extraEgress[0].protocol (icmp) must be tcp or udp",
                "ecs-lifecycle:services[2].extraEgress[0].cidr (nope) must be an aligned IPv4 CIDR block",
            ],
        );
    });

    it("reports several errors at once, and unknown keys", () => {
        const problems = problemsOf({
            azCount: 9,
            natGateways: "two",
            logRetentionDays: 10,
            maxSize: 0,
            colour: "blue",
        });
        assert.deepEqual(problems, [
            "ecs-lifecycle:colour is not a known key (known: " +
                CONFIG_KEYS.map((k) => k.key).join(", ") +
                ")",
            "ecs-lifecycle:azCount (9) must be in 2–6",
            "ecs-lifecycle:natGateways (two) must be one of perAz | single",
            "ecs-lifecycle:maxSize (0) must be in 1–1000",
            "ecs-lifecycle:logRetentionDays (10) must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        ]);
        assert.throws(
            () => parseSettings({ azCount: 9, maxSize: 0 }, "t"),
            /^SettingsError: invalid stack configuration:\n {2}ecs-lifecycle:azCount/,
        );
    });

    it("suggests the key a typo was meant to be, by edit distance", () => {
        assert.deepEqual(problemsOf({ drainDeadlineSecond: 600 }), [
            'ecs-lifecycle:drainDeadlineSecond is not a known key: did you mean "drainDeadlineSeconds"?',
        ]);
        assert.deepEqual(problemsOf({ minSzie: 3 }), [
            'ecs-lifecycle:minSzie is not a known key: did you mean "minSize"?',
        ]);
        assert.deepEqual(problemsOf({ instancetype: ["m5.large"] }), [
            'ecs-lifecycle:instancetype is not a known key: did you mean "instanceTypes"?',
        ]);
        assert.deepEqual(problemsOf({ retirementWindowStartHour: 3 }), [
            'ecs-lifecycle:retirementWindowStartHour is not a known key: did you mean "retirementWindowStartHourUtc"?',
        ]);
    });

    it("refuses a project whose name is not the config namespace, naming both", () => {
        assert.doesNotThrow(() => checkProjectNamespace("ecs-lifecycle"));
        assert.throws(
            () => checkProjectNamespace("payments-ecs"),
            (e: Error) =>
                e instanceof SettingsError &&
                e.problems.length === 1 &&
                e.problems[0].startsWith(
                    'Pulumi.yaml names the project "payments-ecs", but the program reads its settings from the config namespace "ecs-lifecycle"',
                ),
        );
    });

    it("accepts the dev stack, as typed YAML and as pulumi config strings", () => {
        const typed = parseSettings(stackFileValues("dev"), "dev");
        const asStrings = Object.fromEntries(
            Object.entries(asPulumiConfig(stackFileValues("dev"))).map(([k, v]) => [
                k.replace("ecs-lifecycle:", ""),
                v,
            ]),
        );
        assert.deepEqual(parseSettings(asStrings, "dev"), typed);
        assert.deepEqual(typed.network.availabilityZones, ["us-east-1a", "us-east-1b", "us-east-1c"]);
        assert.deepEqual(
            typed.services.map((s) => [s.name, s.pathPattern]),
            [
                ["web", "/*"],
                ["api", "/api/*"],
            ],
        );
    });

    it("keeps Pulumi.yaml's declarations equal to the settings table", () => {
        const project = YAML.parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
            name: string;
            config: Record<
                string,
                { type: string; default?: unknown; description: string; items?: { type: string } }
            >;
        };
        assert.equal(project.name, "ecs-lifecycle");
        const declarable = CONFIG_KEYS.filter((k) => k.type !== "object" && !k.secret);
        assert.deepEqual(
            Object.keys(project.config),
            declarable.map((k) => k.key),
        );
        for (const spec of declarable) {
            const declared = project.config[spec.key];
            assert.equal(declared.type, spec.type, spec.key);
            assert.deepEqual(declared.default, spec.default, `${spec.key} default`);
            assert.ok(declared.description.startsWith(spec.description), `${spec.key} description`);
            if (spec.type === "array") assert.deepEqual(declared.items, { type: "string" });
        }
    });

    it("documents every key in README with its type and default (npm run config-docs)", () => {
        const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
        const rows = new Map(
            readme
                .split("\n")
                .filter((line) => line.startsWith("|"))
                .map((line) => line.split("|").map((cell) => cell.trim()))
                .map((cells) => [cells[1], cells] as const),
        );
        for (const spec of CONFIG_KEYS) {
            const cells = rows.get(`\`${spec.key}\``);
            assert.ok(cells, `README has no row for ${spec.key}`);
            assert.equal(cells[2], spec.type, `README type of ${spec.key}`);
            const documented = spec.default === undefined ? "—" : `\`${JSON.stringify(spec.default)}\``;
            assert.equal(cells[3], documented, `README default of ${spec.key}`);
        }
    });
});

describe("retirement settings", () => {
    it("defaults to a 7-day wait, no recipients, no remediation", () => {
        assert.deepEqual(parseSettings({}, "test").retirement, {
            waitPeriodDays: 7,
            emails: [],
            slackWebhookConfigured: false,
            extraEventCodes: [],
            remediate: false,
            window: { days: [], startHourUtc: 2, hours: 4 },
            redeploySingleTask: false,
            followUpMinutes: 15,
        });
    });

    it("reads every key, as pulumi config stores them (strings and JSON lists)", () => {
        const s = parseSettings(
            {
                accountSettingsOwner: "true",
                retirementWaitPeriodDays: "14",
                retirementEmails: '["ops@example.com","oncall@example.com"]',
                retirementSlackWebhook: { secure: "v1:AAAA" },
                retirementExtraEventCodes: '["AWS_ECS_SECURITY_NOTIFICATION"]',
                retirementRemediate: "true",
                retirementWindowDays: '["sat","sun"]',
                retirementWindowStartHourUtc: "22",
                retirementWindowHours: "3",
                retirementRedeploySingleTask: "true",
                retirementFollowUpMinutes: "10",
            },
            "test",
        ).retirement;
        assert.deepEqual(s, {
            waitPeriodDays: 14,
            emails: ["ops@example.com", "oncall@example.com"],
            slackWebhookConfigured: true,
            extraEventCodes: ["AWS_ECS_SECURITY_NOTIFICATION"],
            remediate: true,
            window: { days: [6, 0], startHourUtc: 22, hours: 3 },
            redeploySingleTask: true,
            followUpMinutes: 10,
        });
    });

    it("keeps the Slack webhook out of the settings: only whether it is set", () => {
        const s = parseSettings(
            { retirementSlackWebhook: "https://hooks.slack.com/services/T0/B0/secret" },
            "t",
            {
                secretKeys: ["retirementSlackWebhook"],
            },
        );
        assert.doesNotMatch(JSON.stringify(s), /hooks\.slack\.com/);
        assert.equal(
            parseSettings({ retirementSlackWebhook: "" }, "t").retirement.slackWebhookConfigured,
            false,
        );
    });

    it("names each bad value and the legal ones", () => {
        assert.deepEqual(
            problemsOf({
                retirementWaitPeriodDays: 3,
                retirementEmails: ["ops@example.com", "not-an-address"],
                retirementExtraEventCodes: ["AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED"],
                retirementWindowDays: ["sat", "Sunday"],
                retirementWindowStartHourUtc: 24,
                retirementRedeploySingleTask: "maybe",
            }),
            [
                "ecs-lifecycle:retirementWaitPeriodDays (3) must be one of 0, 7, 14, the values ECS accepts for fargateTaskRetirementWaitPeriod",
                "ecs-lifecycle:retirementEmails entries not-an-address must be e-mail addresses",
                "ecs-lifecycle:retirementExtraEventCodes entries AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED must be event type codes among AWS_ECS_OPERATIONAL_NOTIFICATION, AWS_ECS_SECURITY_NOTIFICATION",
                "ecs-lifecycle:retirementWindowDays entries Sunday must be days among sun, mon, tue, wed, thu, fri, sat",
                "ecs-lifecycle:retirementWindowStartHourUtc (24) must be in 0–23",
                "ecs-lifecycle:retirementRedeploySingleTask (maybe) must be true or false",
            ],
        );
    });

    it("requires window days with remediation, and a window that two follow-ups fit in", () => {
        assert.deepEqual(
            problemsOf({
                retirementRemediate: true,
                retirementWindowHours: 1,
                retirementFollowUpMinutes: 45,
            }),
            [
                "ecs-lifecycle:retirementWindowDays is required with ecs-lifecycle:retirementRemediate true: name the days of the maintenance window (sun, mon, tue, wed, thu, fri, sat)",
                "ecs-lifecycle:retirementWindowHours (1) must cover at least two follow-up runs (2 × retirementFollowUpMinutes = 90 minutes), so one always lands inside the window",
            ],
        );
        assert.deepEqual(problemsOf({ retirementWindowDays: ["mon", "mon"], retirementFollowUpMinutes: 2 }), [
            "ecs-lifecycle:retirementWindowDays lists a day twice",
            "ecs-lifecycle:retirementFollowUpMinutes (2) must be in 5–60",
        ]);
    });

    it("is declared as a secret, so Pulumi.yaml leaves it out and README documents it", () => {
        const spec = CONFIG_KEYS.find((k) => k.key === "retirementSlackWebhook");
        assert.equal(spec?.secret, true);
        assert.equal(spec?.default, undefined);
        const project = YAML.parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
            config: Record<string, unknown>;
        };
        assert.equal(project.config.retirementSlackWebhook, undefined);
    });
});

describe("settings that keep a deploy from failing on a real account (issue 14)", () => {
    it("reserves no Lambda concurrency unless the stack opts in", () => {
        assert.equal(parseSettings({}, "t").reserveLambdaConcurrency, false);
        assert.equal(parseSettings({ reserveLambdaConcurrency: "true" }, "t").reserveLambdaConcurrency, true);
        assert.equal(reservedConcurrencyOf("drain", false), undefined);
        assert.deepEqual(
            (["drain", "termination", "retirement", "capacity"] as const).map((fn) =>
                reservedConcurrencyOf(fn, true),
            ),
            [10, 5, 2, 3],
        );
    });

    it("lets the stack create its own Auto Scaling role, or name an existing one", () => {
        assert.equal(parseSettings({}, "t").cluster.serviceLinkedRoleArn, undefined);
        const arn =
            "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
        assert.equal(
            parseSettings({ autoScalingServiceLinkedRoleArn: arn }, "t").cluster.serviceLinkedRoleArn,
            arn,
        );
        assert.deepEqual(
            problemsOf({ autoScalingServiceLinkedRoleArn: "arn:aws:iam::123456789012:role/deployer" }),
            [
                "ecs-lifecycle:autoScalingServiceLinkedRoleArn (arn:aws:iam::123456789012:role/deployer) must be the ARN of an Auto Scaling service-linked role (…:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling[_suffix])",
            ],
        );
    });

    it("accepts only service names whose target group name fits ELB's 32 characters", () => {
        const named = (name: string) => problemsOf({ services: [{ ...web, name }] });
        assert.deepEqual(named("a".repeat(17)), [], "svc-<17>-tg-xxxxxxx is 32 characters");
        assert.deepEqual(named("a".repeat(18)), [
            `ecs-lifecycle:services[0].name (${"a".repeat(18)}) must be 1–17 lowercase letters, digits and hyphens, starting with a letter (the target group is auto-named svc-<name>-tg-xxxxxxx, and ELB allows 32 characters)`,
        ]);
    });

    it("keeps each task definition family <cluster>-<service> within ECS's 255 characters", () => {
        assert.deepEqual(
            problemsOf({ clusterName: "c".repeat(250), services: [{ ...web, name: "api-gateway" }] }),
            [
                "ecs-lifecycle:services[0].name (api-gateway) makes the task definition family <cluster>-<service> 262 characters, over ECS's 255: shorten ecs-lifecycle:clusterName or the service name",
            ],
        );
    });

    it("refuses a stack name that makes a cluster name ECS rejects, naming the stack and the rule", () => {
        const rule =
            "stack feature.x gives the ECS cluster name ecs-lifecycle-feature.x (<project>-<stack>), which ECS rejects: a cluster name is 1–255 letters, digits, hyphens and underscores; set ecs-lifecycle:clusterName, or use a stack name of only those characters";
        try {
            parseSettings({}, "feature.x");
            assert.fail("expected a SettingsError");
        } catch (error) {
            assert.ok(error instanceof SettingsError);
            assert.deepEqual(error.problems, [rule]);
        }
        const named = parseSettings({ clusterName: "feature-x" }, "feature.x");
        assert.equal(clusterNameOf(named), "feature-x");
        assert.throws(
            () => clusterNameOf({ ...parseSettings({}, "ok"), stack: "feature.x" }),
            (e: Error) => e instanceof SettingsError && e.problems[0] === rule,
        );
    });

    it("lets only the account settings owner ask for account-wide values", () => {
        assert.equal(parseSettings({}, "t").accountSettingsOwner, false);
        assert.deepEqual(problemsOf({ awsvpcTrunking: true, retirementWaitPeriodDays: 14 }), [
            "ecs-lifecycle:awsvpcTrunking true sets an account-wide ECS setting: only the stack with ecs-lifecycle:accountSettingsOwner true (one per account and region) declares it",
            "ecs-lifecycle:retirementWaitPeriodDays (14) sets the account-wide fargateTaskRetirementWaitPeriod: only the stack with ecs-lifecycle:accountSettingsOwner true (one per account and region) declares it; leave it at 7 elsewhere",
        ]);
        assert.deepEqual(
            problemsOf({ awsvpcTrunking: true, retirementWaitPeriodDays: 14, accountSettingsOwner: true }),
            [],
        );
        assert.deepEqual(
            problemsOf({ retirementWaitPeriodDays: 7 }),
            [],
            "AWS's default asks nothing of the account",
        );
    });

    it("ends a drain before Auto Scaling's global timeout of min(48 h, 100 × heartbeat timeout)", () => {
        const drain = {
            drainHeartbeatTimeoutSeconds: 900,
            drainPollIntervalSeconds: 120,
            drainSweepMinutes: 1,
        };
        assert.deepEqual(problemsOf({ ...drain, drainDeadlineSeconds: 89880 }), []);
        assert.deepEqual(problemsOf({ ...drain, drainDeadlineSeconds: 89881 }), [
            "ecs-lifecycle:drainDeadlineSeconds (89881) must be at most 89880 s: Auto Scaling ends a lifecycle action at min(48 h, 100 × drainHeartbeatTimeoutSeconds) = 90000 s, and the drain's last poll (standaloneTaskPolicy, ABANDON with retention) needs one drainPollIntervalSeconds (120) before that",
        ]);
    });

    it("refuses the Slack webhook in plain text, with the command that stores it encrypted", () => {
        const url = "https://hooks.slack.com/services/T0/B0/secret";
        assert.deepEqual(problemsOf({ retirementSlackWebhook: url }), [
            "ecs-lifecycle:retirementSlackWebhook is set in plain text, so Pulumi.test.yaml and the state hold it unencrypted: set it with `pulumi config set --secret ecs-lifecycle:retirementSlackWebhook <value>`",
        ]);
        assert.equal(
            parseSettings({ retirementSlackWebhook: { secure: "v1:AAAA" } }, "t").retirement
                .slackWebhookConfigured,
            true,
            "a stack file's secure: value",
        );
        assert.equal(
            parseSettings({ retirementSlackWebhook: url }, "t", { secretKeys: ["retirementSlackWebhook"] })
                .retirement.slackWebhookConfigured,
            true,
            "a key Pulumi holds as a secret",
        );
    });

    it("sends alerts to the stack's topic with e-mail subscriptions, or to an existing topic", () => {
        assert.deepEqual(parseSettings({}, "t").alerts, { emails: [], existingTopicArn: undefined });
        assert.deepEqual(parseSettings({ alertEmails: ["oncall@example.com"] }, "t").alerts.emails, [
            "oncall@example.com",
        ]);
        assert.deepEqual(
            problemsOf({
                alertEmails: ["oncall"],
            }),
            ["ecs-lifecycle:alertEmails entries oncall must be e-mail addresses"],
        );
        assert.deepEqual(
            problemsOf({
                alertEmails: ["a@example.com"],
                alertsTopicArn: "arn:aws:sns:us-east-1:123456789012:oncall",
            }),
            [
                "ecs-lifecycle:alertEmails subscribes to the stack's own topic, which ecs-lifecycle:alertsTopicArn replaces: subscribe the addresses to arn:aws:sns:us-east-1:123456789012:oncall instead",
            ],
        );
    });
});
