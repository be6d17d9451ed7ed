/** Seeded PRNG (mulberry32): the only source of randomness in the simulated region. */
export class SeededRandom {
    private state: number;

    constructor(seed: number) {
        this.state = seed >>> 0;
    }

    /** Uniform in [0, 1). */
    next(): number {
        this.state = (this.state + 0x6d2b79f5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** Uniform integer in [min, max]. */
    int(min: number, max: number): number {
        return min + Math.floor(this.next() * (max - min + 1));
    }

    /** True with probability p. */
    chance(p: number): boolean {
        return p > 0 && this.next() < p;
    }

    /** A value in [base·(1−spread), base·(1+spread)]. */
    jitter(base: number, spread: number): number {
        return base * (1 - spread + 2 * spread * this.next());
    }

    pick<T>(items: readonly T[]): T {
        if (items.length === 0) throw new Error("pick: empty list");
        return items[Math.floor(this.next() * items.length)];
    }

    /** A hex id of `length` characters, for ARNs, tokens and message ids. */
    hex(length: number): string {
        let out = "";
        while (out.length < length) out += Math.floor(this.next() * 16).toString(16);
        return out;
    }
}
