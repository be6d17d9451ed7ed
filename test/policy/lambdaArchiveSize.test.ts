import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { archiveEntries, zipBytes } from "../../policy/rules/archiveBytes";
import { checkLambdaArchiveSize, MAX_ARCHIVE_BYTES } from "../../policy/rules/lambdaArchiveSize";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

const lambda = (name: string): PlannedResource => ({
    type: "aws:lambda/function:Function",
    name,
    urn: `urn:pulumi:dev::ecs-lifecycle::aws:lambda/function:Function::${name}`,
    props: {},
});

describe("policy rule lambda-archive-size", () => {
    it("passes archives under 50 KiB and Lambdas with no measured size", () => {
        assert.equal(MAX_ARCHIVE_BYTES, 51200);
        assert.deepEqual(
            checkLambdaArchiveSize([lambda("drain"), lambda("capacity")], { archiveSizes: { drain: 51199 } }),
            [],
        );
        assert.deepEqual(checkLambdaArchiveSize([lambda("drain")]), []);
    });

    it("fails an archive of 50 KiB or more", () => {
        assert.deepEqual(checkLambdaArchiveSize([lambda("drain")], { archiveSizes: { drain: 51200 } }), [
            {
                resource: "urn:pulumi:dev::ecs-lifecycle::aws:lambda/function:Function::drain",
                message:
                    'aws:lambda/function:Function "drain": code archive is 51200 bytes; it must be under 51200 bytes (50 KiB)',
            },
        ]);
    });

    it("rejects a size that is not a whole number of bytes, naming the entry", () => {
        assert.throws(
            () => checkLambdaArchiveSize([lambda("drain")], { archiveSizes: { drain: -1 } }),
            /^Error: archiveSizes\["drain"\] must be a whole number of bytes ≥ 0, got -1$/,
        );
    });
});

describe("archive measurement", () => {
    it("sizes a zip as headers plus deflated content", () => {
        assert.equal(zipBytes([]), 22);
        // 22 end record + 92 per-entry headers + name "a" twice + 2-byte deflate of nothing.
        assert.equal(zipBytes([{ name: "a", content: Buffer.alloc(0) }]), 118);
        // 1000 repeated bytes deflate to 11.
        assert.equal(zipBytes([{ name: "a", content: Buffer.from("a".repeat(1000)) }]), 22 + 92 + 2 + 11);
    });

    it("reads an AssetArchive of string assets and a directory archive", async () => {
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), "archive-"));
        fs.mkdirSync(path.join(directory, "lib"));
        fs.writeFileSync(path.join(directory, "lib", "x.js"), "exports.x = 1;");
        const archive = {
            assets: Promise.resolve({
                "__index.js": { text: Promise.resolve("exports.handler = 1;") },
                "node_modules/pkg": { __pulumiArchive: true, path: Promise.resolve(directory) },
            }),
        };
        const entries = await archiveEntries(archive);
        fs.rmSync(directory, { recursive: true });
        assert.deepEqual(
            entries?.map((entry) => [entry.name, entry.content.toString()]),
            [
                ["__index.js", "exports.handler = 1;"],
                ["node_modules/pkg/lib/x.js", "exports.x = 1;"],
            ],
        );
    });

    it("cannot measure a remote asset or an unknown archive", async () => {
        assert.equal(
            await archiveEntries({ assets: Promise.resolve({ x: { uri: Promise.resolve("https://e/x") } }) }),
            undefined,
        );
        assert.equal(await archiveEntries(UNKNOWN), undefined);
    });
});
