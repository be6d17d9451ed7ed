/**
 * The scenarios `npm run simulate` knows, by name and in the order `--scenario all` runs them,
 * with the sentence `--help` and the reports show. Light on purpose: the command line checks a
 * name against it before the simulator is loaded.
 */

/** Hours of load waves the steady-state scenario runs. */
export const STEADY_HOURS = 6;

export const SCENARIO_CATALOG = [
    {
        name: "rolling-update",
        summary:
            "a new AMI replaces every instance by instance refresh (100 %/200 %), each old one drained first",
    },
    {
        name: "scale-out",
        summary:
            "every service surges to its maxCount; the capacity scaler (or ECS's managed scaling) adds instances until all tasks run",
    },
    {
        name: "scale-in",
        summary:
            "after a surge, load falls to minCount; instances leave, each drained first (managed: only empty ones)",
    },
    {
        name: "spot-interruption",
        summary:
            "EC2 reclaims the busiest Spot instance with 2 minutes' notice; its tasks move before it goes",
    },
    {
        name: "fargate-retirement",
        summary:
            "AWS Health retires the Fargate tasks of the stack's services and a single-task one: one notice, a verdict each, ECS replaces them",
    },
    {
        name: "steady-state",
        summary: `${STEADY_HOURS} hours of mixed load: desired counts follow waves between minCount and maxCount`,
    },
] as const;

export type ScenarioName = (typeof SCENARIO_CATALOG)[number]["name"];

export const SCENARIO_NAMES: readonly ScenarioName[] = SCENARIO_CATALOG.map((s) => s.name);

/** The names `--scenario NAME|all` selects; an unknown name is an error listing the known ones. */
export function scenarioNamesFor(selection: string): readonly ScenarioName[] {
    if (selection === "all") return SCENARIO_NAMES;
    const name = SCENARIO_NAMES.find((known) => known === selection);
    if (name === undefined) {
        throw new Error(
            `--scenario: expected all or one of ${SCENARIO_NAMES.join(", ")}, got "${selection}"`,
        );
    }
    return [name];
}

/** A scenario's catalogue entry, for its module to declare itself with. */
export function catalogEntry(name: ScenarioName): { readonly name: ScenarioName; readonly summary: string } {
    return SCENARIO_CATALOG.find((entry) => entry.name === name)!;
}
