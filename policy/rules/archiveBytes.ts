import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

/** One file of a deployment archive. */
export interface ArchiveEntry {
    name: string;
    content: Buffer;
}

/** Per-file zip overhead: local header 30, data descriptor 16, central directory header 46. */
const PER_ENTRY_BYTES = 30 + 16 + 46;
const END_OF_CENTRAL_DIRECTORY_BYTES = 22;

/**
 * The size of a deflate zip of `entries`, as Lambda receives it: each file deflated, plus the
 * headers (name twice) and the end record. Within a few bytes per file of the engine's archive.
 */
export function zipBytes(entries: ArchiveEntry[]): number {
    return entries.reduce(
        (total, entry) =>
            total +
            PER_ENTRY_BYTES +
            2 * Buffer.byteLength(entry.name) +
            zlib.deflateRawSync(entry.content).length,
        END_OF_CENTRAL_DIRECTORY_BYTES,
    );
}

function filesUnder(directory: string, prefix: string): ArchiveEntry[] {
    return fs.readdirSync(directory, { withFileTypes: true }).flatMap((item) => {
        const full = path.join(directory, item.name);
        const name = `${prefix}${item.name}`;
        if (item.isDirectory()) {
            return filesUnder(full, `${name}/`);
        }
        return item.isFile() ? [{ name, content: fs.readFileSync(full) }] : [];
    });
}

/**
 * The files of a Pulumi asset or archive (AssetArchive of StringAsset/FileAsset/FileArchive,
 * recognised by shape so this module needs no Pulumi import). Undefined when a part cannot be
 * read here: a remote asset, or an archive still unknown during preview.
 */
export async function archiveEntries(archive: unknown, prefix = ""): Promise<ArchiveEntry[] | undefined> {
    if (typeof archive !== "object" || archive === null) {
        return undefined;
    }
    const parts = archive as {
        assets?: Promise<Record<string, unknown>>;
        text?: Promise<string>;
        path?: Promise<string>;
    };
    const isArchive = (archive as { __pulumiArchive?: boolean }).__pulumiArchive === true;
    if (parts.assets !== undefined) {
        const members = await parts.assets;
        const nested = await Promise.all(
            Object.entries(members).map(([name, member]) => archiveEntries(member, `${prefix}${name}`)),
        );
        return nested.some((entries) => entries === undefined)
            ? undefined
            : nested.flatMap((entries) => entries ?? []);
    }
    if (parts.text !== undefined) {
        return [{ name: prefix, content: Buffer.from(await parts.text) }];
    }
    if (parts.path !== undefined) {
        const location = await parts.path;
        if (isArchive && fs.statSync(location).isDirectory()) {
            return filesUnder(location, prefix === "" ? "" : `${prefix}/`);
        }
        return [{ name: prefix || path.basename(location), content: fs.readFileSync(location) }];
    }
    return undefined;
}
