import assert from "node:assert/strict";
import { cidrContains, cidrsOverlap, formatCidr, parseCidr, subdivide } from "../../stack/cidr";

describe("cidr", () => {
    it("parses aligned blocks and rejects the rest", () => {
        assert.deepEqual(parseCidr("10.0.0.0/16"), { base: 0x0a000000, prefix: 16 });
        assert.equal(parseCidr("10.0.0.1/16"), undefined, "host bits set");
        assert.equal(parseCidr("10.0.0.0/33"), undefined);
        assert.equal(parseCidr("256.0.0.0/8"), undefined);
        assert.equal(parseCidr("10.0.0.0"), undefined);
    });

    it("formats what it parses", () => {
        assert.equal(formatCidr(parseCidr("172.31.96.0/20")!), "172.31.96.0/20");
    });

    it("tells containment and overlap", () => {
        const vpc = parseCidr("10.0.0.0/16")!;
        assert.equal(cidrContains(vpc, parseCidr("10.0.128.0/20")!), true);
        assert.equal(cidrContains(vpc, parseCidr("10.1.0.0/24")!), false);
        assert.equal(
            cidrContains(parseCidr("10.0.0.0/24")!, vpc),
            false,
            "a larger block is not inside a smaller one",
        );
        assert.equal(cidrsOverlap(parseCidr("10.0.0.0/22")!, parseCidr("10.0.3.0/24")!), true);
        assert.equal(cidrsOverlap(parseCidr("10.0.0.0/22")!, parseCidr("10.0.4.0/24")!), false);
    });

    it("subdivides by index and refuses blocks outside the parent", () => {
        const vpc = parseCidr("10.0.0.0/16")!;
        assert.equal(formatCidr(subdivide(vpc, 20, 8)), "10.0.128.0/20");
        assert.equal(formatCidr(subdivide(vpc, 22, 5)), "10.0.20.0/22");
        assert.throws(() => subdivide(vpc, 20, 16), /outside the 16 \/20 blocks of 10\.0\.0\.0\/16/);
        assert.throws(() => subdivide(vpc, 8, 0), /cannot split \/16 into \/8/);
    });
});
