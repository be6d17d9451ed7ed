/**
 * The drain pipeline's cost in rolling updates (new AMI, instance refresh 100 %/200 %) of clusters
 * of several sizes, in the simulated region with the drain Lambda built from DrainHook's own
 * callback factory and talking to the region through the real SDK clients. Run:
 * `npx ts-node --transpile-only bench/drain.ts [sizes…]` (default: 10 1000).
 *
 * Per size it prints the ECS API calls per drain poll (the drain Lambda's ECS calls outside sweeps,
 * over the polls it reported with its DrainPolls metric), ECS calls and Lambda-billed seconds per
 * drained instance (sweeps included), drain durations (hook waiting → completed), lifecycle
 * results and the running service tasks killed by terminations (the region's invariant checker).
 * Throttling is off: this measures the pipeline's own demand, not ECS's rate limit.
 */
import { rollNewAmi, rollingClusterScenario, startDrainRun } from "../test/sim/drain/drainScenario";
import { DRAIN_METRIC_NAMESPACE } from "../runtime/drainHandler";

const DEFAULT_SIZES = [10, 1000];
const NEW_AMI = "ami-0bbbbbbbbbbbbbbb2";

interface Invocation {
    sweep: boolean;
    ecsCalls: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
    return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

async function benchRoll(size: number): Promise<Record<string, string | number>> {
    const wallStart = performance.now();
    const run = await startDrainRun({ seed: size, scenario: rollingClusterScenario(`bench${size}`, size) });
    const region = run.harness.region;
    const functionName = run.pipeline.functionArn.slice(run.pipeline.functionArn.lastIndexOf(":") + 1);

    // Attribute each API call to the drain Lambda invocation it belongs to: an invocation begins
    // with Lambda's START line, and only the sweep calls DescribeAutoScalingGroups.
    const invocations: Invocation[] = [];
    const logLine = region.cloudwatch.logLine.bind(region.cloudwatch);
    region.cloudwatch.logLine = (group, line) => {
        if (group === `/aws/lambda/${functionName}` && line.startsWith("START RequestId:"))
            invocations.push({ sweep: false, ecsCalls: 0 });
        logLine(group, line);
    };
    const call = region.call.bind(region);
    region.call = (service, operation, input) => {
        const current = invocations.at(-1);
        if (current !== undefined) {
            if (service === "ecs") current.ecsCalls++;
            if (operation === "DescribeAutoScalingGroups") current.sweep = true;
        }
        return call(service, operation, input);
    };

    const rollStartedAt = region.clock.now();
    const invocationsBefore = invocations.length;
    const billedBefore = region.lambda.stats(run.pipeline.functionArn).billedMs;
    const rollWallStart = performance.now();
    await rollNewAmi(run, NEW_AMI, 12 * 3600);
    const rollWallSeconds = (performance.now() - rollWallStart) / 1000;

    const rolled = invocations.slice(invocationsBefore);
    const polls = region.cloudwatch
        .series(DRAIN_METRIC_NAMESPACE, "DrainPolls", [
            { Name: "AutoScalingGroupName", Value: run.deployed.groupName },
        ])
        .filter((point) => point.at >= rollStartedAt)
        .reduce((sum, point) => sum + point.value, 0);
    const pollEcsCalls = rolled.filter((i) => !i.sweep).reduce((sum, i) => sum + i.ecsCalls, 0);
    const allEcsCalls = rolled.reduce((sum, i) => sum + i.ecsCalls, 0);
    const billedSeconds = (region.lambda.stats(run.pipeline.functionArn).billedMs - billedBefore) / 1000;

    const waitingAt = new Map(
        region.timeline
            .filter((e) => e.kind === "autoscaling.hook.waiting" && e.at >= rollStartedAt)
            .map((e) => [String(e.detail.instanceId), e.at]),
    );
    const completions = region.timeline.filter(
        (e) => e.kind === "autoscaling.hook.completed" && e.at >= rollStartedAt,
    );
    const durations = completions
        .map((e) => (e.at - waitingAt.get(String(e.detail.instanceId))!) / 1000)
        .sort((a, b) => a - b);
    const drained = completions.length;
    const report = region.invariants();
    const result = {
        instances: size,
        drained,
        "ECS calls per poll": (pollEcsCalls / polls).toFixed(2),
        polls,
        "ECS calls per drained instance": (allEcsCalls / drained).toFixed(1),
        "Lambda-billed s per drained instance": (billedSeconds / drained).toFixed(3),
        "drain p50 s": percentile(durations, 0.5).toFixed(0),
        "drain max s": durations[durations.length - 1].toFixed(0),
        CONTINUE: completions.filter((e) => e.detail.result === "CONTINUE").length,
        ABANDON: completions.filter((e) => e.detail.result === "ABANDON").length,
        "hook timeouts": report.terminatingWaitPastDeadline.length,
        "running tasks killed": report.tasksKilledByTermination,
        sweeps: rolled.filter((i) => i.sweep).length,
        "roll virtual s": ((region.clock.now() - rollStartedAt) / 1000).toFixed(0),
        "roll wall s": rollWallSeconds.toFixed(1),
        "total wall s": ((performance.now() - wallStart) / 1000).toFixed(1),
    };
    await run.harness.stop();
    return result;
}

async function main(): Promise<void> {
    const sizes = process.argv.slice(2).map(Number);
    for (const size of sizes.length > 0 ? sizes : DEFAULT_SIZES) {
        if (!Number.isInteger(size) || size < 1)
            throw new Error(`sizes: expected positive integers, got ${process.argv.slice(2).join(" ")}`);
        const result = await benchRoll(size);
        console.log(`rolling update of ${size} instances`);
        for (const [name, value] of Object.entries(result)) console.log(`  ${name.padEnd(38)} ${value}`);
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
