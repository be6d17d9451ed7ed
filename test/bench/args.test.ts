import * as assert from "node:assert/strict";
import { BENCH_HELP, BenchUsageError, parseBenchArgs } from "../../bench/args";

describe("bench: the command line", () => {
    it("runs the bench without arguments and answers --help and -h", () => {
        assert.deepEqual(parseBenchArgs([]), { help: false });
        assert.deepEqual(parseBenchArgs(["--help"]), { help: true });
        assert.deepEqual(parseBenchArgs(["-h"]), { help: true });
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
