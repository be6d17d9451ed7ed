/**
 * Runs the AWS CLI, a second client independent of the JavaScript SDK, against a loopback
 * endpoint with dummy credentials and no user configuration. Debian's `awscli` package speaks
 * query to SQS and CloudWatch; newer CLIs speak JSON: the region serves both.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** The `aws` executable on PATH, if any. */
export function findAwsCli(): string | undefined {
    for (const directory of (process.env.PATH ?? "").split(delimiter)) {
        const candidate = join(directory, "aws");
        try {
            accessSync(candidate, constants.X_OK);
            return candidate;
        } catch {
            continue;
        }
    }
    return undefined;
}

export interface CliResult {
    readonly exitCode: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Isolated from any ~/.aws of the machine, so that only the endpoint and these dummy credentials apply. */
function cliEnvironment(): NodeJS.ProcessEnv {
    const home = mkdtempSync(join(tmpdir(), "sim-aws-cli-"));
    return {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: join(home, "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
        AWS_ACCESS_KEY_ID: "AKIDSIMULATED",
        AWS_SECRET_ACCESS_KEY: "simulated-secret",
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_PAGER: "",
        AWS_EC2_METADATA_DISABLED: "true",
    };
}

/** `aws --endpoint-url ENDPOINT --output json ARGS…`. */
export function runAwsCli(cli: string, endpoint: string, args: readonly string[]): Promise<CliResult> {
    return new Promise((resolve) => {
        execFile(
            cli,
            ["--endpoint-url", endpoint, "--output", "json", ...args],
            { env: cliEnvironment(), timeout: 30_000 },
            (error, stdout, stderr) => {
                const exitCode = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
                resolve({ exitCode, stdout, stderr });
            },
        );
    });
}
