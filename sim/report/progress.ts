/**
 * The progress line of a long run on stderr: rewritten in place on a terminal, and one line
 * every PLAIN_EVERY_MS otherwise (a CI log should not fill with carriage returns).
 */
const PLAIN_EVERY_MS = 10_000;

export interface ProgressLine {
    update(line: string): void;
    /** Clears the line on a terminal (nothing to undo elsewhere). */
    done(): void;
}

export function progressLine(stream: NodeJS.WriteStream = process.stderr): ProgressLine {
    const terminal = stream.isTTY === true;
    let lastPlainAt = 0;
    let shown = false;
    return {
        update(line) {
            if (terminal) {
                stream.write(`\r\x1b[K${line}`);
                shown = true;
            } else if (Date.now() - lastPlainAt >= PLAIN_EVERY_MS) {
                lastPlainAt = Date.now();
                stream.write(`${line}\n`);
            }
        },
        done() {
            if (terminal && shown) stream.write("\r\x1b[K");
            shown = false;
        },
    };
}
