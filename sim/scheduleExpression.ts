/**
 * EventBridge schedule expressions on the virtual clock: `rate(N minute|minutes|hour|hours|day|days)`
 * and six-field `cron(minutes hours day-of-month month day-of-week year)` in UTC, with `*`, `?`,
 * values, names (JAN, MON), ranges, lists and `/` steps; day-of-week 1–7 is SUN–SAT as in AWS.
 */
export interface Schedule {
    /** The first firing strictly after `afterMs` (a rate counts from `afterMs`, the previous firing or the rule's creation). */
    next(afterMs: number): number;
}

const MINUTE_MS = 60_000;
const RATE_UNITS: Record<string, number> = {
    minute: MINUTE_MS,
    minutes: MINUTE_MS,
    hour: 60 * MINUTE_MS,
    hours: 60 * MINUTE_MS,
    day: 24 * 60 * MINUTE_MS,
    days: 24 * 60 * MINUTE_MS,
};
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Parses an expression; throws an Error naming what is wrong. */
export function parseScheduleExpression(expression: string): Schedule {
    const rate = /^rate\((\d+)\s+(\w+)\)$/.exec(expression.trim());
    if (rate) {
        const value = Number(rate[1]);
        const unit = RATE_UNITS[rate[2]];
        if (unit === undefined)
            throw new Error(`rate unit must be minute(s), hour(s) or day(s), got "${rate[2]}"`);
        if (value < 1) throw new Error("rate value must be a positive integer");
        if ((value === 1) !== !rate[2].endsWith("s"))
            throw new Error(`use "${rate[2].replace(/s$/, "")}" for 1 and the plural otherwise`);
        return { next: (afterMs) => afterMs + value * unit };
    }
    const cron = /^cron\((.*)\)$/.exec(expression.trim());
    if (cron) return parseCron(cron[1]);
    throw new Error('expected "rate(N unit)" or "cron(minutes hours day-of-month month day-of-week year)"');
}

function parseCron(body: string): Schedule {
    const fields = body.trim().split(/\s+/);
    if (fields.length !== 6) throw new Error(`cron needs 6 fields, got ${fields.length}`);
    const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
    if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
        throw new Error("cron: exactly one of day-of-month and day-of-week must be ?");
    }
    const matchMinute = parseField(minutes, 0, 59, [], "minutes");
    const matchHour = parseField(hours, 0, 23, [], "hours");
    const matchDayOfMonth = parseField(dayOfMonth, 1, 31, [], "day-of-month");
    const matchMonth = parseField(month, 1, 12, MONTHS, "month");
    const matchDayOfWeek = parseField(dayOfWeek, 1, 7, DAYS, "day-of-week");
    const matchYear = parseField(year, 1970, 2199, [], "year");
    return {
        next(afterMs) {
            let t = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
            const limit = afterMs + 10 * 366 * 24 * 60 * MINUTE_MS;
            while (t <= limit) {
                const d = new Date(t);
                if (!matchYear(d.getUTCFullYear())) {
                    t = Date.UTC(d.getUTCFullYear() + 1, 0, 1);
                } else if (!matchMonth(d.getUTCMonth() + 1)) {
                    t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
                } else if (!matchDayOfMonth(d.getUTCDate()) || !matchDayOfWeek(d.getUTCDay() + 1)) {
                    t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
                } else if (!matchHour(d.getUTCHours())) {
                    t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
                } else if (!matchMinute(d.getUTCMinutes())) {
                    t += MINUTE_MS;
                } else {
                    return t;
                }
            }
            throw new Error(`cron(${body}) never fires in the next ten years`);
        },
    };
}

function parseField(
    field: string,
    min: number,
    max: number,
    names: readonly string[],
    label: string,
): (v: number) => boolean {
    if (field === "*" || field === "?") return () => true;
    const allowed = new Set<number>();
    const value = (text: string): number => {
        const byName = names.indexOf(text.toUpperCase());
        const parsed = byName >= 0 ? byName + 1 : Number(text);
        if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
            throw new Error(
                `cron ${label}: "${text}" is not a value from ${min} to ${max}${names.length ? " or a name" : ""}`,
            );
        }
        return parsed;
    };
    for (const part of field.split(",")) {
        const [range, stepText] = part.split("/");
        const step = stepText === undefined ? 1 : Number(stepText);
        if (!Number.isInteger(step) || step < 1)
            throw new Error(`cron ${label}: step "${stepText}" must be a positive integer`);
        let from: number;
        let to: number;
        if (range === "*") {
            [from, to] = [min, max];
        } else if (range.includes("-")) {
            const [a, b] = range.split("-");
            [from, to] = [value(a), value(b)];
        } else {
            from = value(range);
            to = stepText === undefined ? from : max;
        }
        for (let v = from; v <= to; v += step) allowed.add(v);
    }
    return (v) => allowed.has(v);
}
