/** IPv4 CIDR arithmetic for subnet planning and validation; pure, no dependencies. */
export interface Cidr {
    readonly base: number;
    readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "10.0.0.0/16"; undefined when the text is not an aligned IPv4 CIDR block. */
export function parseCidr(text: string): Cidr | undefined {
    const match = CIDR_PATTERN.exec(text);
    if (!match) return undefined;
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    if ((base & ~maskOf(prefix)) >>> 0 !== 0) return undefined;
    return { base, prefix };
}

export function formatCidr(cidr: Cidr): string {
    const b = cidr.base;
    return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${cidr.prefix}`;
}

function maskOf(prefix: number): number {
    return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function size(cidr: Cidr): number {
    return 2 ** (32 - cidr.prefix);
}

/** True when every address of `inner` is in `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    return inner.prefix >= outer.prefix && (inner.base & maskOf(outer.prefix)) >>> 0 === outer.base;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
    return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** The `index`-th block of prefix `newPrefix` inside `parent`. */
export function subdivide(parent: Cidr, newPrefix: number, index: number): Cidr {
    if (newPrefix < parent.prefix || newPrefix > 32) {
        throw new Error(`cannot split /${parent.prefix} into /${newPrefix} blocks`);
    }
    const count = 2 ** (newPrefix - parent.prefix);
    if (index < 0 || index >= count) {
        throw new Error(
            `block ${index} is outside the ${count} /${newPrefix} blocks of ${formatCidr(parent)}`,
        );
    }
    return { base: (parent.base + index * 2 ** (32 - newPrefix)) >>> 0, prefix: newPrefix };
}
