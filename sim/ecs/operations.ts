/**
 * The ECS API operations the runtime and the CLI use, with `@aws-sdk/client-ecs` input and output
 * shapes, ECS's page sizes (100 per list/describe call, 10 for DescribeServices and ListServices'
 * default) and its error codes.
 */
import { AwsError } from "../errors";
import { launchChoice } from "./capacityProviders";
import { parseClusterQuery, type InstancePredicate, type QueryTarget } from "./filter";
import { InputReader, paginate } from "./input";
import type { EcsModel } from "./model";
import {
    BINPACK_FIELDS,
    RUN_TASK_DEFAULT_STRATEGY,
    SERVICE_DEFAULT_STRATEGY,
    SPREAD_FIELDS,
    placeTask,
} from "./placement";
import { chooseCapacityProvider } from "./provisioning";
import { taskRequirements } from "./resources";
import {
    clusterShape,
    containerInstanceShape,
    instanceAttributes,
    serviceShape,
    taskDefinitionShape,
    taskShape,
    instanceRunningTasksCount,
} from "./shapes";
import type {
    ClusterState,
    ContainerDefinitionState,
    ContainerInstanceState,
    NetworkMode,
    PlacementStrategyState,
    PortMappingState,
    ServiceState,
    TaskDefinitionState,
    TaskState,
    EcsState,
    ServiceLoadBalancerState,
} from "./state";

export type EcsOperation = (input: Record<string, unknown>) => unknown;

const INVALID = "InvalidParameterException";
const LIST_PAGE_MAX = 100;
const DEFAULT_STOP_TIMEOUT_S = 30;
const MAX_ATTRIBUTES_PER_CALL = 10;
/** ECS's limit of custom attributes on one container instance. */
const MAX_CUSTOM_ATTRIBUTES = 10;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_./\\-]{1,128}$/;
const ATTRIBUTE_VALUE = /^(?! )[A-Za-z0-9_.@/\\: -]{1,128}(?<! )$/;

export function ecsOperations(model: EcsModel): Record<string, EcsOperation> {
    const { state, ctx } = model;
    const reader = (input: Record<string, unknown>) => new InputReader(input, INVALID);
    const now = () => ctx.clock.now();

    function findInstance(cluster: ClusterState, ref: string): ContainerInstanceState | undefined {
        const arn = ref.startsWith("arn:")
            ? ref
            : `arn:aws:ecs:${ctx.region}:${ctx.accountId}:container-instance/${cluster.name}/${ref}`;
        const instance = state.containerInstances.get(arn);
        return instance?.clusterArn === cluster.arn ? instance : undefined;
    }

    function findTask(cluster: ClusterState, ref: string): TaskState | undefined {
        const arn = ref.startsWith("arn:")
            ? ref
            : `arn:aws:ecs:${ctx.region}:${ctx.accountId}:task/${cluster.name}/${ref}`;
        const task = state.tasks.get(arn);
        return task?.clusterArn === cluster.arn ? task : undefined;
    }

    function findService(cluster: ClusterState, ref: string): ServiceState | undefined {
        const arn = ref.startsWith("arn:")
            ? ref
            : `arn:aws:ecs:${ctx.region}:${ctx.accountId}:service/${cluster.name}/${ref}`;
        const service = state.services.get(arn);
        return service?.clusterArn === cluster.arn && service.status !== "INACTIVE" ? service : undefined;
    }

    function taskDefinition(ref: string): TaskDefinitionState {
        let key = ref;
        if (!ref.startsWith("arn:")) {
            const [family, revision] = ref.split(":");
            const rev =
                revision ??
                String(
                    Math.max(
                        0,
                        ...[...state.taskDefinitions.values()]
                            .filter((d) => d.family === family)
                            .map((d) => d.revision),
                    ),
                );
            key = `arn:aws:ecs:${ctx.region}:${ctx.accountId}:task-definition/${family}:${rev}`;
        }
        const found = state.taskDefinitions.get(key);
        if (!found) throw new AwsError("ClientException", "Unable to describe task definition.");
        return found;
    }

    /** CreateService `loadBalancers`: target groups (classic load balancers are not modelled), each on a port of a container. */
    function serviceLoadBalancers(
        r: InputReader,
        definition: TaskDefinitionState,
    ): ServiceLoadBalancerState[] {
        return (r.optionalObjectList("loadBalancers") ?? []).map((given, i) => {
            const lr: InputReader = r.nested(`loadBalancers[${i}]`, given);
            const targetGroupArn = lr.string("targetGroupArn");
            const containerName = lr.string("containerName");
            const containerPort = lr.optionalInt("containerPort", 0, 65535);
            if (containerPort === undefined)
                lr.fail(`loadBalancers[${i}].containerPort: a value is required`);
            model.targetGroups.get(targetGroupArn);
            const container = definition.containers.find((c) => c.name === containerName);
            if (!container?.portMappings.some((p) => p.containerPort === containerPort)) {
                throw new AwsError(
                    INVALID,
                    `The container ${containerName} does not have a container port ${containerPort} defined.`,
                );
            }
            return { targetGroupArn, containerName, containerPort };
        });
    }

    function pageSize(r: InputReader, fallback: number): number {
        return r.optionalInt("maxResults", 1, LIST_PAGE_MAX) ?? fallback;
    }

    function placementStrategies(
        r: InputReader,
        fallback: readonly PlacementStrategyState[],
    ): PlacementStrategyState[] {
        const given = r.optionalObjectList("placementStrategy");
        if (!given) return [...fallback];
        if (given.length > 5) r.fail("placementStrategy: at most 5 strategies are allowed");
        return given.map((s, i) => {
            const sr: InputReader = r.nested(`placementStrategy[${i}]`, s);
            const type = sr.optionalEnum("type", ["binpack", "spread", "random"] as const);
            if (!type) sr.fail(`placementStrategy[${i}].type: a value is required`);
            if (type === "random") return { type };
            const field = sr.string("field");
            const allowed = type === "spread" ? SPREAD_FIELDS : BINPACK_FIELDS;
            if (!allowed.includes(field)) {
                sr.fail(
                    `placementStrategy[${i}].field: expected one of ${allowed.join(", ")} for ${type}, got ${field}`,
                );
            }
            return { type, field };
        });
    }

    const operations: Record<string, EcsOperation> = {
        CreateCluster(input) {
            const r: InputReader = reader(input);
            const name = r.optionalString("clusterName") ?? "default";
            if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) {
                r.fail("clusterName: up to 255 letters, numbers, hyphens and underscores");
            }
            const arn = model.clusterArn(name);
            const existing = state.clusters.get(arn);
            if (existing && existing.status === "ACTIVE") return { cluster: clusterShape(existing, state) };
            const cluster: ClusterState = {
                arn,
                name,
                status: "ACTIVE",
                capacityProviders: [],
                defaultCapacityProviderStrategy: [],
            };
            state.clusters.set(arn, cluster);
            ctx.record("ecs.cluster.created", { clusterArn: arn });
            return { cluster: clusterShape(cluster, state) };
        },

        DescribeClusters(input) {
            const r: InputReader = reader(input);
            const refs = r.optionalStringList("clusters") ?? ["default"];
            if (refs.length > LIST_PAGE_MAX) r.fail("clusters: at most 100 clusters per call");
            const clusters = [];
            const failures = [];
            for (const ref of refs) {
                const cluster = state.clusters.get(model.clusterArn(ref));
                if (cluster) clusters.push(clusterShape(cluster, state));
                else failures.push({ arn: model.clusterArn(ref), reason: "MISSING" });
            }
            return { clusters, failures };
        },

        ListClusters(input) {
            const r: InputReader = reader(input);
            const arns = [...state.clusters.values()].filter((c) => c.status === "ACTIVE").map((c) => c.arn);
            const { page, nextToken } = paginate(
                arns,
                r.optionalString("nextToken"),
                pageSize(r, 100),
                r.fail.bind(r),
            );
            return { clusterArns: page, nextToken };
        },

        ListContainerInstances(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const status = r.optionalEnum("status", [
                "ACTIVE",
                "DRAINING",
                "REGISTERING",
                "DEREGISTERING",
                "REGISTRATION_FAILED",
            ] as const);
            const filterText = r.optionalString("filter");
            let predicate: InstancePredicate = () => true;
            if (filterText !== undefined) {
                try {
                    predicate = parseClusterQuery(filterText);
                } catch (error) {
                    r.fail(`filter: ${(error as Error).message}`);
                }
            }
            const arns = state
                .instancesOf(cluster.arn)
                .filter((ci) => (status ? ci.status === status : ci.status !== "INACTIVE"))
                .filter((ci) => predicate(new InstanceQueryTarget(ci, state)))
                .map((ci) => ci.arn);
            const { page, nextToken } = paginate(
                arns,
                r.optionalString("nextToken"),
                pageSize(r, 100),
                r.fail.bind(r),
            );
            return { containerInstanceArns: page, nextToken };
        },

        DescribeContainerInstances(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const refs = r.optionalStringList("containerInstances");
            if (!refs || refs.length === 0)
                r.fail("containerInstances: at least one container instance is required");
            if (refs.length > LIST_PAGE_MAX)
                r.fail("containerInstances: at most 100 container instances per call");
            const containerInstances = [];
            const failures = [];
            for (const ref of refs) {
                const instance = findInstance(cluster, ref);
                if (instance) containerInstances.push(containerInstanceShape(instance, state));
                else failures.push({ arn: ref, reason: "MISSING" });
            }
            return { containerInstances, failures };
        },

        UpdateContainerInstancesState(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const refs = r.optionalStringList("containerInstances");
            if (!refs || refs.length === 0)
                r.fail("containerInstances: at least one container instance is required");
            if (refs.length > 10) r.fail("containerInstances: at most 10 container instances per call");
            const status = r.optionalEnum("status", ["ACTIVE", "DRAINING"] as const);
            if (!status) r.fail("status: expected one of ACTIVE, DRAINING");
            const containerInstances = [];
            const failures = [];
            for (const ref of refs) {
                const instance = findInstance(cluster, ref);
                if (!instance) {
                    failures.push({ arn: ref, reason: "MISSING" });
                    continue;
                }
                if (instance.status === "INACTIVE") {
                    failures.push({ arn: instance.arn, reason: "INACTIVE" });
                    continue;
                }
                model.setStatus(instance, status);
                containerInstances.push(containerInstanceShape(instance, state));
            }
            return { containerInstances, failures };
        },

        ListTasks(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const desiredStatus =
                r.optionalEnum("desiredStatus", ["RUNNING", "PENDING", "STOPPED"] as const) ?? "RUNNING";
            const instanceRef = r.optionalString("containerInstance");
            const family = r.optionalString("family");
            const serviceName = r.optionalString("serviceName");
            const startedBy = r.optionalString("startedBy");
            const launchType = r.optionalEnum("launchType", ["EC2", "FARGATE", "EXTERNAL"] as const);
            if (family !== undefined && serviceName !== undefined) {
                r.fail("family and serviceName: only one of them may be given");
            }
            let instanceArn: string | undefined;
            if (instanceRef !== undefined) {
                const instance = findInstance(cluster, instanceRef);
                if (!instance)
                    r.fail(`containerInstance: ${instanceRef} is not a container instance of this cluster`);
                instanceArn = instance.arn;
            }
            let serviceArn: string | undefined;
            if (serviceName !== undefined) {
                const service = findService(cluster, serviceName);
                if (!service) throw new AwsError("ServiceNotFoundException", "Service not found.");
                serviceArn = service.arn;
            }
            // The narrowest index first; every filter still applies.
            const candidates =
                instanceArn !== undefined
                    ? state.tasksPlacedOn(instanceArn)
                    : serviceArn !== undefined
                      ? state.serviceTasks(state.services.get(serviceArn)!)
                      : model.clusterTasks(cluster);
            const arns = candidates
                .filter((t) => t.desiredStatus === desiredStatus)
                .filter((t) => instanceArn === undefined || t.containerInstanceArn === instanceArn)
                .filter(
                    (t) =>
                        family === undefined ||
                        state.taskDefinitions.get(t.taskDefinitionArn)!.family === family,
                )
                .filter((t) => serviceArn === undefined || t.serviceArn === serviceArn)
                .filter((t) => startedBy === undefined || t.startedBy === startedBy)
                .filter((t) => launchType === undefined || launchType === (t.launchType ?? "EC2"))
                .map((t) => t.arn);
            const { page, nextToken } = paginate(
                arns,
                r.optionalString("nextToken"),
                pageSize(r, 100),
                r.fail.bind(r),
            );
            return { taskArns: page, nextToken };
        },

        DescribeTasks(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const refs = r.optionalStringList("tasks");
            if (!refs || refs.length === 0) r.fail("tasks: at least one task is required");
            if (refs.length > LIST_PAGE_MAX) r.fail("tasks: at most 100 tasks per call");
            const tasks = [];
            const failures = [];
            for (const ref of refs) {
                const task = findTask(cluster, ref);
                if (task) tasks.push(taskShape(task, state));
                else failures.push({ arn: ref, reason: "MISSING" });
            }
            return { tasks, failures };
        },

        StopTask(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const ref = r.string("task");
            const task = findTask(cluster, ref);
            if (!task) r.fail(`task: the referenced task was not found: ${ref}`);
            const reason = r.optionalString("reason") ?? "Task stopped by user";
            model.lifecycle.stop(task, reason, "UserInitiated");
            return { task: taskShape(task, state) };
        },

        RunTask(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const definition = taskDefinition(r.string("taskDefinition"));
            const count = r.optionalInt("count", 1, 10) ?? 1;
            const launchType = r.optionalEnum("launchType", ["EC2", "FARGATE", "EXTERNAL"] as const);
            if (launchType !== undefined && launchType !== "EC2") {
                r.fail(`launchType: the simulated region runs EC2 tasks only, got ${launchType}`);
            }
            const strategy = launchChoice(r, cluster, launchType);
            if (definition.networkMode === "awsvpc" && !r.has("networkConfiguration")) {
                r.fail(
                    "networkConfiguration: Network Configuration must be provided when networkMode 'awsvpc' is specified.",
                );
            }
            const strategies = placementStrategies(r, RUN_TASK_DEFAULT_STRATEGY);
            const startedBy = r.optionalString("startedBy");
            const group = r.optionalString("group") ?? `family:${definition.family}`;
            const tasks = [];
            const failures = [];
            const launched: TaskState[] = [];
            for (let i = 0; i < count; i++) {
                const provider = strategy
                    ? chooseCapacityProvider(
                          strategy,
                          (name) => launched.filter((t) => t.capacityProviderName === name).length,
                      )
                    : undefined;
                const candidates = state
                    .instancesOf(cluster.arn)
                    .filter(
                        (ci) =>
                            ci.status === "ACTIVE" &&
                            ci.agentConnected &&
                            (provider === undefined || ci.capacityProviderName === provider),
                    );
                const result = placeTask({
                    candidates,
                    requirements: definition.requirements,
                    strategies,
                    groupTasksOn: (ci) =>
                        state.tasksOn(ci).filter((t) => t.group === group && t.desiredStatus === "RUNNING")
                            .length,
                    random: ctx.random,
                });
                const waits =
                    !result.placed &&
                    provider !== undefined &&
                    state.capacityProviders.get(provider)?.managedScaling.status === "ENABLED";
                if (!result.placed && !waits) {
                    failures.push(
                        result.shortfall === "NO_INSTANCES"
                            ? {
                                  reason: `No Container Instances were found in your ${provider === undefined ? "cluster" : "capacity provider"}.`,
                              }
                            : { arn: result.closest.arn, reason: `RESOURCE:${result.shortfall}` },
                    );
                    continue;
                }
                const task = model.lifecycle.start({
                    clusterArn: cluster.arn,
                    clusterName: cluster.name,
                    taskDefinitionArn: definition.arn,
                    instance: result.placed,
                    capacityProviderName: provider,
                    group,
                    startedBy,
                    daemon: false,
                });
                if (waits) model.provisioning.add(task, strategies);
                launched.push(task);
                tasks.push(taskShape(task, state));
            }
            return { tasks, failures };
        },

        RegisterTaskDefinition(input) {
            const r: InputReader = reader(input);
            const family = r.string("family");
            if (!/^[A-Za-z0-9_-]{1,255}$/.test(family))
                r.fail("family: up to 255 letters, numbers, hyphens and underscores");
            const networkMode =
                r.optionalEnum("networkMode", ["bridge", "host", "awsvpc", "none"] as const) ?? "bridge";
            const cpu = r.optionalString("cpu");
            const memory = r.optionalString("memory");
            if (cpu !== undefined && !/^\d+$/.test(cpu))
                r.fail(`cpu: expected CPU units as a string of digits, got ${cpu}`);
            if (memory !== undefined && !/^\d+$/.test(memory))
                r.fail(`memory: expected MiB as a string of digits, got ${memory}`);
            const rawContainers = r.optionalObjectList("containerDefinitions");
            if (!rawContainers || rawContainers.length === 0)
                r.fail("containerDefinitions: at least one container is required");
            const containers = rawContainers.map((raw, i) =>
                containerDefinition(
                    r.nested(`containerDefinitions[${i}]`, raw),
                    networkMode,
                    memory !== undefined,
                ),
            );
            const compat = r.optionalStringList("requiresCompatibilities") ?? [];
            const revision =
                Math.max(
                    0,
                    ...[...state.taskDefinitions.values()]
                        .filter((d) => d.family === family)
                        .map((d) => d.revision),
                ) + 1;
            const definition: TaskDefinitionState = {
                arn: `arn:aws:ecs:${ctx.region}:${ctx.accountId}:task-definition/${family}:${revision}`,
                family,
                revision,
                networkMode,
                cpu,
                memory,
                containers,
                requiresCompatibilities: compat,
                registeredAt: now(),
                requirements: taskRequirements(networkMode, cpu, memory, containers),
                input: { ...input },
            };
            state.taskDefinitions.set(definition.arn, definition);
            return { taskDefinition: taskDefinitionShape(definition), tags: [] };
        },

        DescribeTaskDefinition(input) {
            const r: InputReader = reader(input);
            return {
                taskDefinition: taskDefinitionShape(taskDefinition(r.string("taskDefinition"))),
                tags: [],
            };
        },

        CreateService(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const name = r.string("serviceName");
            if (!/^[A-Za-z0-9_-]{1,255}$/.test(name))
                r.fail("serviceName: up to 255 letters, numbers, hyphens and underscores");
            if (findService(cluster, name))
                throw new AwsError(INVALID, "Creation of service was not idempotent.");
            const definition = taskDefinition(r.string("taskDefinition"));
            const scheduling =
                r.optionalEnum("schedulingStrategy", ["REPLICA", "DAEMON"] as const) ?? "REPLICA";
            const launchType = r.optionalEnum("launchType", ["EC2", "FARGATE", "EXTERNAL"] as const);
            if (launchType === "EXTERNAL") {
                r.fail(`launchType: the simulated region runs EC2 and FARGATE services, got ${launchType}`);
            }
            if (scheduling === "DAEMON" && r.has("capacityProviderStrategy")) {
                // Inferred wording: a daemon runs on every instance, whatever its provider.
                r.fail(
                    "capacityProviderStrategy: the daemon scheduling strategy does not support capacity providers",
                );
            }
            const strategy = scheduling === "DAEMON" ? undefined : launchChoice(r, cluster, launchType);
            if (
                launchType === "FARGATE" &&
                (scheduling === "DAEMON" || definition.networkMode !== "awsvpc")
            ) {
                throw new AwsError(
                    INVALID,
                    "Fargate services need the REPLICA scheduling strategy and a task definition with networkMode awsvpc.",
                );
            }
            let desiredCount = r.optionalInt("desiredCount", 0, 5000);
            if (scheduling === "REPLICA" && desiredCount === undefined) desiredCount = 0;
            if (scheduling === "DAEMON" && desiredCount !== undefined) {
                r.fail(
                    "desiredCount: the daemon scheduling strategy does not support a desired count for services.",
                );
            }
            if (definition.networkMode === "awsvpc" && !r.has("networkConfiguration")) {
                r.fail(
                    "networkConfiguration: Network Configuration must be provided when networkMode 'awsvpc' is specified.",
                );
            }
            const loadBalancers = serviceLoadBalancers(r, definition);
            const deployment = deploymentConfiguration(r, scheduling === "DAEMON" ? [0, 100] : [100, 200]);
            const strategies =
                scheduling === "DAEMON" ? [] : placementStrategies(r, SERVICE_DEFAULT_STRATEGY);
            const service: ServiceState = {
                arn: `arn:aws:ecs:${ctx.region}:${ctx.accountId}:service/${cluster.name}/${name}`,
                name,
                clusterArn: cluster.arn,
                ...(launchType === "FARGATE" ? { launchType } : {}),
                ...(strategy ? { capacityProviderStrategy: strategy } : {}),
                schedulingStrategy: scheduling,
                createdAt: now(),
                placementStrategy: strategies,
                networkConfiguration: r.optionalObject("networkConfiguration"),
                loadBalancers,
                status: "ACTIVE",
                desiredCount: desiredCount ?? 0,
                minimumHealthyPercent: deployment.min,
                maximumPercent: deployment.max,
                taskDefinitionArn: definition.arn,
                deployments: [],
                events: [],
            };
            service.deployments.push(newDeployment(definition.arn));
            state.services.set(service.arn, service);
            ctx.record("ecs.service.created", {
                serviceArn: service.arn,
                desiredCount: service.desiredCount,
            });
            model.scheduler.reportHealth(service);
            model.scheduler.request();
            return { service: serviceShape(service, state) };
        },

        UpdateService(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const service = findService(cluster, r.string("service"));
            if (!service) throw new AwsError("ServiceNotFoundException", "Service not found.");
            if (service.status !== "ACTIVE")
                throw new AwsError("ServiceNotActiveException", "Service was not ACTIVE.");
            const desiredCount = r.optionalInt("desiredCount", 0, 5000);
            if (desiredCount !== undefined) {
                if (service.schedulingStrategy === "DAEMON") {
                    r.fail(
                        "desiredCount: the daemon scheduling strategy does not support a desired count for services.",
                    );
                }
                service.desiredCount = desiredCount;
            }
            const deployment = r.optionalObject("deploymentConfiguration");
            if (deployment) {
                const d = deploymentConfiguration(r, [service.minimumHealthyPercent, service.maximumPercent]);
                service.minimumHealthyPercent = d.min;
                service.maximumPercent = d.max;
            }
            const definitionRef = r.optionalString("taskDefinition");
            const newDefinition = definitionRef === undefined ? undefined : taskDefinition(definitionRef);
            const forceNew = r.optionalBoolean("forceNewDeployment") ?? false;
            if (forceNew || (newDefinition && newDefinition.arn !== service.taskDefinitionArn)) {
                if (newDefinition) service.taskDefinitionArn = newDefinition.arn;
                for (const d of service.deployments) if (d.status === "PRIMARY") d.status = "ACTIVE";
                service.deployments.unshift(newDeployment(service.taskDefinitionArn));
            }
            ctx.record("ecs.service.updated", {
                serviceArn: service.arn,
                desiredCount: service.desiredCount,
                forceNew,
            });
            model.scheduler.reportHealth(service);
            model.scheduler.request();
            return { service: serviceShape(service, state) };
        },

        DescribeServices(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const refs = r.optionalStringList("services");
            if (!refs || refs.length === 0) r.fail("services: at least one service is required");
            if (refs.length > 10) r.fail("services: at most 10 services per call");
            const services = [];
            const failures = [];
            for (const ref of refs) {
                const service = findService(cluster, ref);
                if (service) services.push(serviceShape(service, state));
                else
                    failures.push({
                        arn: ref.startsWith("arn:")
                            ? ref
                            : `arn:aws:ecs:${ctx.region}:${ctx.accountId}:service/${cluster.name}/${ref}`,
                        reason: "MISSING",
                    });
            }
            return { services, failures };
        },

        ListServices(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const scheduling = r.optionalEnum("schedulingStrategy", ["REPLICA", "DAEMON"] as const);
            const arns = [...state.services.values()]
                .filter((s) => s.clusterArn === cluster.arn && s.status === "ACTIVE")
                .filter((s) => scheduling === undefined || s.schedulingStrategy === scheduling)
                .map((s) => s.arn);
            const { page, nextToken } = paginate(
                arns,
                r.optionalString("nextToken"),
                pageSize(r, 10),
                r.fail.bind(r),
            );
            return { serviceArns: page, nextToken };
        },

        PutAccountSetting(input) {
            return accountSetting(input);
        },

        PutAccountSettingDefault(input) {
            return accountSetting(input);
        },

        PutAttributes(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const given = r.optionalObjectList("attributes");
            if (!given || given.length === 0) r.fail("attributes: at least one attribute is required");
            if (given.length > MAX_ATTRIBUTES_PER_CALL)
                r.fail(`attributes: at most ${MAX_ATTRIBUTES_PER_CALL} attributes per call`);
            const updates = given.map((raw, i) => {
                const ar: InputReader = r.nested(`attributes[${i}]`, raw);
                const name = ar.string("name");
                if (!ATTRIBUTE_NAME.test(name))
                    ar.fail(
                        `attributes[${i}].name: up to 128 letters, numbers, hyphens, underscores, slashes, backslashes or periods, got ${name}`,
                    );
                const value = ar.optionalString("value");
                if (value !== undefined && !ATTRIBUTE_VALUE.test(value))
                    ar.fail(
                        `attributes[${i}].value: up to 128 letters, numbers, hyphens, underscores, periods, at signs, slashes, backslashes, colons or inner spaces, got ${value}`,
                    );
                const targetType = ar.optionalEnum("targetType", ["container-instance"] as const);
                if (!targetType) ar.fail(`attributes[${i}].targetType: expected container-instance`);
                const targetId = ar.string("targetId");
                const instance = findInstance(cluster, targetId);
                if (!instance || instance.status === "INACTIVE")
                    throw new AwsError("TargetNotFoundException", `Could not find ${targetId}.`);
                return { instance, name, value };
            });
            for (const { instance } of updates) {
                const names = new Set(instance.customAttributes.keys());
                for (const update of updates) if (update.instance === instance) names.add(update.name);
                if (names.size > MAX_CUSTOM_ATTRIBUTES) {
                    throw new AwsError(
                        "AttributeLimitExceededException",
                        `You can apply up to ${MAX_CUSTOM_ATTRIBUTES} custom attributes per resource.`,
                    );
                }
            }
            for (const { instance, name, value } of updates) instance.customAttributes.set(name, value);
            return {
                attributes: updates.map(({ instance, name, value }) => ({
                    name,
                    value,
                    targetType: "container-instance",
                    targetId: instance.arn,
                })),
            };
        },

        ListAttributes(input) {
            const r: InputReader = reader(input);
            const cluster = model.cluster(r.optionalString("cluster"));
            const targetType = r.optionalEnum("targetType", ["container-instance"] as const);
            if (!targetType) r.fail("targetType: expected container-instance");
            const name = r.optionalString("attributeName");
            const value = r.optionalString("attributeValue");
            if (value !== undefined && name === undefined)
                r.fail("attributeValue: attributeName must be given with it");
            const attributes = state
                .instancesOf(cluster.arn)
                .filter((ci) => ci.status !== "INACTIVE")
                .flatMap((ci) => instanceAttributes(ci))
                .filter((a) => name === undefined || a.name === name)
                .filter((a) => value === undefined || a.value === value);
            const { page, nextToken } = paginate(
                attributes,
                r.optionalString("nextToken"),
                pageSize(r, 100),
                r.fail.bind(r),
            );
            return { attributes: page, nextToken };
        },
    };

    function accountSetting(input: Record<string, unknown>) {
        const r: InputReader = reader(input);
        const name = r.string("name");
        const value = r.string("value");
        if (name !== "awsvpcTrunking") {
            r.fail(`name: the simulated region models the awsvpcTrunking setting only, got ${name}`);
        }
        if (value !== "enabled" && value !== "disabled")
            r.fail(`value: expected enabled or disabled, got ${value}`);
        state.trunking = value === "enabled";
        ctx.record("ecs.accountSetting", { name, value });
        return {
            setting: { name, value, principalArn: `arn:aws:iam::${ctx.accountId}:root`, type: "user" },
        };
    }

    function deploymentConfiguration(
        r: InputReader,
        defaults: [number, number],
    ): { min: number; max: number } {
        const raw = r.optionalObject("deploymentConfiguration") ?? {};
        const dr: InputReader = r.nested("deploymentConfiguration", raw);
        const min = dr.optionalInt("minimumHealthyPercent", 0, 100) ?? defaults[0];
        const max = dr.optionalInt("maximumPercent", 100, 200) ?? defaults[1];
        return { min, max };
    }

    function newDeployment(taskDefinitionArn: string) {
        const h = ctx.random.hex(19);
        return {
            id: `ecs-svc/${BigInt(`0x${h}`) % 10n ** 19n}`,
            startedBy: String(BigInt(`0x${h}`) % 10n ** 19n),
            taskDefinitionArn,
            createdAt: now(),
            updatedAt: now(),
            status: "PRIMARY" as const,
        };
    }

    return operations;
}

function containerDefinition(
    r: InputReader,
    networkMode: NetworkMode,
    taskMemorySet: boolean,
): ContainerDefinitionState {
    const name = r.string("name");
    const image = r.string("image");
    const cpu = r.optionalInt("cpu", 0, 10 * 1024 * 192) ?? 0;
    const memory = r.optionalInt("memory", 6, 1024 * 1024);
    const memoryReservation = r.optionalInt("memoryReservation", 6, 1024 * 1024);
    if (memory === undefined && memoryReservation === undefined && !taskMemorySet) {
        throw new AwsError(
            "ClientException",
            `Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
        );
    }
    if (memory !== undefined && memoryReservation !== undefined && memoryReservation > memory) {
        throw new AwsError(
            "ClientException",
            `Invalid setting for container '${name}'. 'memory' must be greater than or equal to 'memoryReservation'.`,
        );
    }
    const portMappings: PortMappingState[] = (r.optionalObjectList("portMappings") ?? []).map((raw, i) => {
        const pr: InputReader = r.nested(`portMappings[${i}]`, raw);
        const containerPort = pr.int("containerPort", 1, 65535);
        const hostPort = pr.optionalInt("hostPort", 0, 65535);
        const protocol = pr.optionalEnum("protocol", ["tcp", "udp"] as const) ?? "tcp";
        if (
            (networkMode === "awsvpc" || networkMode === "host") &&
            hostPort !== undefined &&
            hostPort !== containerPort
        ) {
            throw new AwsError(
                "ClientException",
                `When networkMode=${networkMode}, the containerPort and hostPort values must match.`,
            );
        }
        return {
            containerPort,
            hostPort: hostPort ?? (networkMode === "bridge" ? 0 : containerPort),
            protocol,
        };
    });
    return {
        name,
        image,
        cpu,
        memory,
        memoryReservation,
        essential: r.optionalBoolean("essential") ?? true,
        portMappings,
        stopTimeout: r.optionalInt("stopTimeout", 2, 120) ?? DEFAULT_STOP_TIMEOUT_S,
    };
}

/** What a cluster query reads of an instance: the costly members only when the query asks for them. */
class InstanceQueryTarget implements QueryTarget {
    constructor(
        private readonly instance: ContainerInstanceState,
        private readonly state: EcsState,
    ) {}

    get ec2InstanceId(): string {
        return this.instance.ec2InstanceId;
    }

    get agentConnected(): boolean {
        return this.instance.agentConnected;
    }

    get runningTasksCount(): number {
        return instanceRunningTasksCount(this.state.tasksOn(this.instance));
    }

    get attributes(): ReadonlyMap<string, string | undefined> {
        return new Map(instanceAttributes(this.instance).map((a) => [a.name!, a.value]));
    }
}
