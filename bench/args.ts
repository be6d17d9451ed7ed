/**
 * `npm run bench`'s command line, read before anything heavy is loaded: `--help` answers at once
 * and an unknown argument is refused (exit 2) instead of starting a four-minute run.
 */

export const BENCH_HELP = `usage: npm run bench [-- --speed] [-- --modes] [-- --drain] [-- -h|--help]

Runs this project's drain and capacity handlers against faithful ports of the book's chapter 11
and 12 Lambdas (bench/baselines/), side by side in the simulated region with the dev stack's
settings: rolling updates of 10, 100 and 1,000 instances, capacity evaluation and the termination
policy at 2,000 instances, each Lambda archive's size, and the two capacity management modes side
by side (the same scenarios and seeds with the stack's Lambdas and with ECS's capacity provider).
Prints tables and writes bench/results.json and README's drain and Which mode tables (about 2
minutes).

options:
  --speed      instead: how quickly the region answers, whole processes timed (3–5 runs each,
               min/median/max): rolling updates of 100 and 1,000 instances, 50 instances with
               every fault, npm test, a mistyped scenario answered; kept in bench/results.json
  --modes      instead: only the capacity management modes side by side (custom, managed, managed
               with targetCapacity 80; five scenarios, two workload sizes, seeds 1-5), about a
               minute; kept in bench/results.json
  --drain      instead: only the rolling-update drains (ours, ours losing 20 % of events, the
               previous design, the book's; 10, 100 and 1,000 instances); rewrites README's drain
               figures; kept in bench/results.json
  -h, --help   this text

exit codes: 0 done, 1 the bench failed, 2 a bad command line`;

export class BenchUsageError extends Error {
    override readonly name = "BenchUsageError";
}

export interface BenchArgs {
    readonly help: boolean;
    readonly speed: boolean;
    readonly modes: boolean;
    readonly drain: boolean;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
    let help = false;
    let speed = false;
    let modes = false;
    let drain = false;
    for (const arg of argv) {
        switch (arg) {
            case "-h":
            case "--help":
                help = true;
                break;
            case "--speed":
                speed = true;
                break;
            case "--modes":
                modes = true;
                break;
            case "--drain":
                drain = true;
                break;
            default:
                throw new BenchUsageError(
                    `unknown argument "${arg}" (npm run bench -- --help lists the options)`,
                );
        }
    }
    return { help, speed, modes, drain };
}
