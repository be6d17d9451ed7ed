/**
 * ECS's cluster query language as ListContainerInstances' `filter` takes it: expressions
 * `subject operator value` over ec2InstanceId, agentConnected, runningTasksCount and
 * attribute:<name>, with ==, !=, >, >=, <, <=, in, not_in, exists, !exists, joined by
 * and/or (&&, ||; and binds tighter) and grouped with parentheses.
 */
export interface QueryTarget {
    readonly ec2InstanceId: string;
    readonly agentConnected: boolean;
    readonly runningTasksCount: number;
    readonly attributes: ReadonlyMap<string, string | undefined>;
}

export type InstancePredicate = (target: QueryTarget) => boolean;

const OPERATORS = [
    "==",
    "equals",
    "!=",
    "not_equals",
    ">",
    ">=",
    "<",
    "<=",
    "in",
    "not_in",
    "exists",
    "!exists",
];

function tokenize(text: string): string[] {
    const tokens: string[] = [];
    const pattern = /\s*(\(|\)|\[|\]|,|==|!=|>=|<=|>|<|&&|\|\||!exists|[^\s()[\],=!<>&|]+)/y;
    let index = 0;
    while (index < text.length) {
        if (/^\s*$/.test(text.slice(index))) break;
        pattern.lastIndex = index;
        const match = pattern.exec(text);
        if (!match) throw new Error(`unexpected character at position ${index}: ${text.slice(index)}`);
        tokens.push(match[1]);
        index = pattern.lastIndex;
    }
    return tokens;
}

/** Parses a filter; throws an Error whose message says what is wrong (the API turns it into InvalidParameterException). */
export function parseClusterQuery(text: string): InstancePredicate {
    const tokens = tokenize(text);
    let position = 0;
    const peek = () => tokens[position];
    const next = () => {
        const token = tokens[position++];
        if (token === undefined) throw new Error("unexpected end of expression");
        return token;
    };

    function parseOr(): InstancePredicate {
        let left = parseAnd();
        while (peek() === "or" || peek() === "||") {
            next();
            const right = parseAnd();
            const l = left;
            left = (t) => l(t) || right(t);
        }
        return left;
    }

    function parseAnd(): InstancePredicate {
        let left = parseTerm();
        while (peek() === "and" || peek() === "&&") {
            next();
            const right = parseTerm();
            const l = left;
            left = (t) => l(t) && right(t);
        }
        return left;
    }

    function parseTerm(): InstancePredicate {
        if (peek() === "(") {
            next();
            const inner = parseOr();
            if (next() !== ")") throw new Error("expected )");
            return inner;
        }
        const subject = next();
        const read = subjectReader(subject);
        const operator = next();
        if (!OPERATORS.includes(operator)) throw new Error(`unknown operator ${operator} after ${subject}`);
        if (operator === "exists") return (t) => read(t) !== undefined;
        if (operator === "!exists") return (t) => read(t) === undefined;
        if (operator === "in" || operator === "not_in") {
            if (next() !== "[") throw new Error(`expected [ after ${operator}`);
            const values: string[] = [];
            while (peek() !== "]") {
                values.push(next());
                if (peek() === ",") next();
            }
            next();
            return operator === "in"
                ? (t) => values.includes(String(read(t)))
                : (t) => !values.includes(String(read(t)));
        }
        const value = next();
        switch (operator) {
            case "==":
            case "equals":
                return (t) => String(read(t)) === value;
            case "!=":
            case "not_equals":
                return (t) => String(read(t)) !== value;
            default:
                return compare(read, operator, value);
        }
    }

    const predicate = parseOr();
    if (position !== tokens.length) throw new Error(`unexpected ${tokens[position]}`);
    return predicate;
}

function compare(read: (t: QueryTarget) => unknown, operator: string, value: string): InstancePredicate {
    const bound = Number(value);
    if (!Number.isFinite(bound)) throw new Error(`${operator} needs a number, got ${value}`);
    return (t) => {
        const actual = Number(read(t));
        if (operator === ">") return actual > bound;
        if (operator === ">=") return actual >= bound;
        if (operator === "<") return actual < bound;
        return actual <= bound;
    };
}

function subjectReader(subject: string): (t: QueryTarget) => unknown {
    if (subject === "ec2InstanceId") return (t) => t.ec2InstanceId;
    if (subject === "agentConnected") return (t) => t.agentConnected;
    if (subject === "runningTasksCount") return (t) => t.runningTasksCount;
    if (subject.startsWith("attribute:")) {
        const name = subject.slice("attribute:".length);
        return (t) => (t.attributes.has(name) ? (t.attributes.get(name) ?? "") : undefined);
    }
    throw new Error(`unknown subject ${subject}`);
}
