/**
 * steady-state: hours of mixed load. Every service's desired count follows its own daily-like
 * wave between minCount and maxCount (a 3-hour cycle, phase and noise from the seed), changed
 * every 15 minutes as target tracking would. The capacity scaler (or ECS's managed scaling)
 * follows; the run shows whether it keeps every task placed without scaling back and forth.
 */
import { catalogEntry, STEADY_HOURS } from "./catalog";
import { SeededRandom } from "../random";
import type { ScenarioCheck } from "./result";
import { runScenario, scaledDesiredCounts, servicesAtDesired, type Scenario } from "./scenario";
import { scaledRange, setDesiredCount, workloadInstances } from "./serviceLoad";

const CHANGE_EVERY_SECONDS = 900;
const CYCLE_SECONDS = 3 * 3600;
/** After the last change: time to place it before the final check. */
const FINAL_SETTLE_SECONDS = 1800;

export const steadyState: Scenario = {
    ...catalogEntry("steady-state"),
    run(settings, options) {
        const instances = options.instances ?? workloadInstances(settings);
        return runScenario({
            name: "steady-state",
            settings,
            options,
            deploy: {
                instances,
                desiredCounts: scaledDesiredCounts(settings, instances, options.hostPortServices),
            },
            sampleSeconds: 60,
            async body({ region, stack, recorder, step }) {
                const load = new SeededRandom(options.seed);
                const range = scaledRange(settings, instances, options.hostPortServices);
                const phases = Object.fromEntries(
                    Object.keys(range).map((name) => [name, load.next() * 2 * Math.PI]),
                );
                const changes = (STEADY_HOURS * 3600) / CHANGE_EVERY_SECONDS;
                for (let i = 0; i < changes; i++) {
                    const t = i * CHANGE_EVERY_SECONDS;
                    const counts = Object.entries(range).map(([name, { min, max }]) => {
                        const wave = 0.5 - 0.5 * Math.cos((2 * Math.PI * t) / CYCLE_SECONDS + phases[name]);
                        const noise = load.int(-1, 1);
                        const count = Math.min(
                            max,
                            Math.max(min, Math.round(min + (max - min) * wave) + noise),
                        );
                        setDesiredCount(region, stack, name, count);
                        return `${name} ${count}`;
                    });
                    step(`load: ${counts.join(", ")}`);
                    await recorder.run(CHANGE_EVERY_SECONDS);
                }
                await recorder.runUntil(() => servicesAtDesired(region, stack).passed, FINAL_SETTLE_SECONDS);
                const checks: ScenarioCheck[] = [servicesAtDesired(region, stack)];
                return checks;
            },
        });
    },
};
