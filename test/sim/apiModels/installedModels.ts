/**
 * The suites that check the region against AWS's models need them installed (Debian's
 * python3-botocore, or BOTOCORE_DATA). Without them these suites are skipped, saying why; under
 * CI they always run (`.ci/run` installs the package), so a missing install fails instead.
 */
import { botocoreDataDir, missingModels } from "../../../sim/apiModels/botocore";

export const MODELS_DIR = botocoreDataDir();

const missing = process.env.CI ? undefined : missingModels(MODELS_DIR);

/** `describe`, or `describe.skip` with the reason in its title when the models are not installed. */
export function describeWithModels(title: string, suite: (this: Mocha.Suite) => void): void {
    if (missing === undefined) describe(title, suite);
    else describe.skip(`${title} (skipped: ${missing})`, suite);
}
