/** Every scenario `npm run simulate` knows, in the order `--scenario all` runs them. */
import { fargateRetirement } from "./fargateRetirement";
import { rollingUpdate } from "./rollingUpdate";
import type { Scenario } from "./scenario";
import { scaleIn } from "./scaleIn";
import { scaleOut } from "./scaleOut";
import { spotInterruption } from "./spotInterruption";
import { steadyState } from "./steadyState";

export const SCENARIOS: readonly Scenario[] = [
    rollingUpdate,
    scaleOut,
    scaleIn,
    spotInterruption,
    fargateRetirement,
    steadyState,
];

export const SCENARIO_NAMES: readonly string[] = SCENARIOS.map((s) => s.name);

/** The scenarios `--scenario NAME|all` selects; an unknown name is an error listing the known ones. */
export function selectScenarios(name: string): readonly Scenario[] {
    if (name === "all") return SCENARIOS;
    const scenario = SCENARIOS.find((s) => s.name === name);
    if (!scenario)
        throw new Error(`--scenario: expected all or one of ${SCENARIO_NAMES.join(", ")}, got "${name}"`);
    return [scenario];
}
