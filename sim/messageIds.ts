/** Identifiers in AWS's shapes, drawn from the region's seeded random so runs repeat exactly. */
import { createHash } from "node:crypto";
import type { SeededRandom } from "./random";

/** A UUID-shaped id (message ids, request ids, event ids). */
export function uuid(random: SeededRandom): string {
    return `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-${random.pick(["8", "9", "a", "b"])}${random.hex(3)}-${random.hex(12)}`;
}

export function md5Hex(text: string | Buffer): string {
    return createHash("md5").update(text).digest("hex");
}

/** ISO-8601 with milliseconds, as SNS stamps notifications. */
export function isoMillis(epochMs: number): string {
    return new Date(epochMs).toISOString();
}

/** ISO-8601 to the second, as EventBridge stamps events ("2026-01-01T00:00:00Z"). */
export function isoSeconds(epochMs: number): string {
    return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
