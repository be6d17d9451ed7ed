import * as assert from "node:assert/strict";
import { BENCH_HELP, BenchUsageError, parseBenchArgs } from "../../bench/args";

describe("bench: the command line", () => {
    it("runs the bench without arguments, the speed figures with --speed, the modes with --modes, and answers --help and -h", () => {
        assert.deepEqual(parseBenchArgs([]), { help: false, speed: false, modes: false, drain: false });
        assert.deepEqual(parseBenchArgs(["--speed"]), {
            help: false,
            speed: true,
            modes: false,
            drain: false,
        });
        assert.deepEqual(parseBenchArgs(["--modes"]), {
            help: false,
            speed: false,
            modes: true,
            drain: false,
        });
        assert.deepEqual(parseBenchArgs(["--drain"]), {
            help: false,
            speed: false,
            modes: false,
            drain: true,
        });
        assert.deepEqual(parseBenchArgs(["--help"]), {
            help: true,
            speed: false,
            modes: false,
            drain: false,
        });
        assert.deepEqual(parseBenchArgs(["-h"]), { help: true, speed: false, modes: false, drain: false });
        assert.match(BENCH_HELP, /^usage: npm run bench /);
        assert.match(BENCH_HELP, /writes bench\/results\.json/);
    });

    it("refuses an unknown argument instead of starting a four-minute run", () => {
        assert.throws(
            () => parseBenchArgs(["--instances", "10"]),
            new BenchUsageError('unknown argument "--instances" (npm run bench -- --help lists the options)'),
        );
    });
});
