/** Every scenario `npm run simulate` runs, in the catalogue's order. */
import { scenarioNamesFor, type ScenarioName } from "./catalog";
import { fargateRetirement } from "./fargateRetirement";
import { rollingUpdate } from "./rollingUpdate";
import type { Scenario } from "./scenario";
import { scaleIn } from "./scaleIn";
import { scaleOut } from "./scaleOut";
import { spotInterruption } from "./spotInterruption";
import { steadyState } from "./steadyState";

const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
    "rolling-update": rollingUpdate,
    "scale-out": scaleOut,
    "scale-in": scaleIn,
    "spot-interruption": spotInterruption,
    "fargate-retirement": fargateRetirement,
    "steady-state": steadyState,
};

/** The scenarios `--scenario NAME|all` selects; an unknown name is an error listing the known ones. */
export function selectScenarios(selection: string): readonly Scenario[] {
    return scenarioNamesFor(selection).map((name) => SCENARIOS[name]);
}
