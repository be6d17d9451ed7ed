/**
 * DynamoDB's expression language, the part the simulated table serves: condition and filter
 * expressions (comparisons, attribute_exists, attribute_not_exists, contains, begins_with, AND,
 * OR, NOT, parentheses) and update expressions (SET with if_not_exists and + / -, ADD to numbers
 * and sets, REMOVE, DELETE from sets), over top-level attributes named directly or by `#name`,
 * with `:value` placeholders. What it does not know is a ValidationException, as DynamoDB
 * answers an expression it cannot parse.
 */
import { AwsError } from "./errors";

/** An AttributeValue as the JSON protocol carries it ({S}, {N}, {SS}, {NS}, {BOOL}, {NULL}, {M}, {L}). */
export type AttributeValue = Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

export interface ExpressionContext {
    readonly names: Readonly<Record<string, string>>;
    readonly values: Readonly<Record<string, AttributeValue>>;
}

type Token = { readonly kind: "name" | "placeholder" | "value" | "word" | "symbol"; readonly text: string };

function invalid(what: string, message: string): AwsError {
    return new AwsError("ValidationException", `Invalid ${what}: ${message}`);
}

function tokenize(text: string, what: string): Token[] {
    const tokens: Token[] = [];
    const pattern =
        /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(<>|<=|>=|[=<>(),+-]))/y;
    let at = 0;
    while (at < text.length) {
        if (/^\s*$/.test(text.slice(at))) break;
        pattern.lastIndex = at;
        const m = pattern.exec(text);
        if (!m)
            throw invalid(
                what,
                `Syntax error; token: "${text.slice(at).trim()[0]}", near: "${text.slice(at, at + 10).trim()}"`,
            );
        if (m[1]) tokens.push({ kind: "name", text: m[1] });
        else if (m[2]) tokens.push({ kind: "value", text: m[2] });
        else if (m[3]) tokens.push({ kind: "word", text: m[3] });
        else tokens.push({ kind: "symbol", text: m[4] });
        at = pattern.lastIndex;
    }
    return tokens;
}

class Parser {
    private at = 0;
    constructor(
        private readonly tokens: Token[],
        private readonly what: string,
        private readonly ctx: ExpressionContext,
    ) {}

    done(): boolean {
        return this.at >= this.tokens.length;
    }

    peek(): Token | undefined {
        return this.tokens[this.at];
    }

    next(): Token {
        const token = this.tokens[this.at++];
        if (!token) throw invalid(this.what, "Syntax error; token: <EOF>");
        return token;
    }

    isWord(word: string): boolean {
        const token = this.peek();
        return token?.kind === "word" && token.text.toUpperCase() === word.toUpperCase();
    }

    expect(symbol: string): void {
        const token = this.next();
        if (token.text !== symbol)
            throw invalid(this.what, `Syntax error; expected "${symbol}", got "${token.text}"`);
    }

    /** A top-level attribute name: a bare word or a #placeholder from ExpressionAttributeNames. */
    path(): string {
        const token = this.next();
        if (token.kind === "word") return token.text;
        if (token.kind === "name") {
            const name = this.ctx.names[token.text];
            if (name === undefined)
                throw invalid(
                    this.what,
                    `An expression attribute name used in the document path is not defined; attribute name: ${token.text}`,
                );
            return name;
        }
        throw invalid(this.what, `Syntax error; expected an attribute name, got "${token.text}"`);
    }

    /** A :placeholder's value. */
    value(): AttributeValue {
        const token = this.next();
        const value = token.kind === "value" ? this.ctx.values[token.text] : undefined;
        if (token.kind !== "value")
            throw invalid(this.what, `Syntax error; expected a value, got "${token.text}"`);
        if (value === undefined)
            throw invalid(
                this.what,
                `An expression attribute value used in expression is not defined; attribute value: ${token.text}`,
            );
        return value;
    }
}

type Operand = (item: Item) => AttributeValue | undefined;

function operand(p: Parser): Operand {
    const token = p.peek();
    if (token?.kind === "value") {
        const value = p.value();
        return () => value;
    }
    const name = p.path();
    return (item) => item[name];
}

/** Parses a condition or filter expression into a predicate over an item (undefined item = none). */
export function parseCondition(
    text: string,
    ctx: ExpressionContext,
    what = "ConditionExpression",
): (item: Item | undefined) => boolean {
    const p = new Parser(tokenize(text, what), what, ctx);
    const predicate = orExpression(p);
    if (!p.done()) throw invalid(what, `Syntax error; token: "${p.peek()!.text}"`);
    return (item) => predicate(item ?? {});
}

type Predicate = (item: Item) => boolean;

function orExpression(p: Parser): Predicate {
    const terms = [andExpression(p)];
    while (p.isWord("OR")) {
        p.next();
        terms.push(andExpression(p));
    }
    return terms.length === 1 ? terms[0] : (item) => terms.some((t) => t(item));
}

function andExpression(p: Parser): Predicate {
    const terms = [notExpression(p)];
    while (p.isWord("AND")) {
        p.next();
        terms.push(notExpression(p));
    }
    return terms.length === 1 ? terms[0] : (item) => terms.every((t) => t(item));
}

function notExpression(p: Parser): Predicate {
    if (p.isWord("NOT")) {
        p.next();
        const inner = notExpression(p);
        return (item) => !inner(item);
    }
    return primary(p);
}

function primary(p: Parser): Predicate {
    const token = p.peek();
    if (token?.text === "(") {
        p.next();
        const inner = orExpression(p);
        p.expect(")");
        return inner;
    }
    const functionName = token?.kind === "word" ? token.text : "";
    if (["attribute_exists", "attribute_not_exists", "contains", "begins_with"].includes(functionName)) {
        p.next();
        p.expect("(");
        const name = p.path();
        if (functionName === "attribute_exists" || functionName === "attribute_not_exists") {
            p.expect(")");
            const wanted = functionName === "attribute_exists";
            return (item) => (item[name] !== undefined) === wanted;
        }
        p.expect(",");
        const right = operand(p);
        p.expect(")");
        return functionName === "contains"
            ? (item) => contains(item[name], right(item))
            : (item) => {
                  const left = item[name];
                  const prefix = right(item);
                  return (
                      typeof left?.S === "string" &&
                      typeof prefix?.S === "string" &&
                      left.S.startsWith(prefix.S)
                  );
              };
    }
    const left = operand(p);
    const comparator = p.next().text;
    if (!["=", "<>", "<", "<=", ">", ">="].includes(comparator))
        throw invalid("expression", `Syntax error; expected a comparator, got "${comparator}"`);
    const right = operand(p);
    return (item) => compare(left(item), comparator, right(item));
}

function contains(haystack: AttributeValue | undefined, needle: AttributeValue | undefined): boolean {
    if (!haystack || !needle) return false;
    if (typeof haystack.S === "string" && typeof needle.S === "string") return haystack.S.includes(needle.S);
    if (Array.isArray(haystack.SS) && typeof needle.S === "string") return haystack.SS.includes(needle.S);
    if (Array.isArray(haystack.NS) && typeof needle.N === "string")
        return (haystack.NS as string[]).some((n) => Number(n) === Number(needle.N));
    if (Array.isArray(haystack.L)) return (haystack.L as AttributeValue[]).some((e) => sameValue(e, needle));
    return false;
}

function compare(
    left: AttributeValue | undefined,
    comparator: string,
    right: AttributeValue | undefined,
): boolean {
    // A comparison with a missing attribute is false, whatever the comparator.
    if (!left || !right) return false;
    if (comparator === "=") return sameValue(left, right);
    if (comparator === "<>") return !sameValue(left, right);
    let order: number;
    if (typeof left.N === "string" && typeof right.N === "string") order = Number(left.N) - Number(right.N);
    else if (typeof left.S === "string" && typeof right.S === "string")
        order = left.S < right.S ? -1 : left.S > right.S ? 1 : 0;
    else return false;
    return comparator === "<"
        ? order < 0
        : comparator === "<="
          ? order <= 0
          : comparator === ">"
            ? order > 0
            : order >= 0;
}

export function sameValue(a: AttributeValue, b: AttributeValue): boolean {
    if (typeof a.N === "string" && typeof b.N === "string") return Number(a.N) === Number(b.N);
    const sets = ["SS", "NS"].find((t) => Array.isArray(a[t]) && Array.isArray(b[t]));
    if (sets) {
        const x = (a[sets] as string[]).map(String).sort();
        const y = (b[sets] as string[]).map(String).sort();
        return JSON.stringify(x) === JSON.stringify(y);
    }
    return JSON.stringify(a) === JSON.stringify(b);
}

/** Parses an update expression into a function that returns the updated copy of an item. */
export function parseUpdate(text: string, ctx: ExpressionContext): (item: Item) => Item {
    const what = "UpdateExpression";
    const p = new Parser(tokenize(text, what), what, ctx);
    // Each action writes the copy and reads the item as it was before the update, as DynamoDB evaluates it.
    const actions: ((target: Item, before: Item) => void)[] = [];
    const seen: string[] = [];
    const touch = (name: string) => {
        if (seen.includes(name))
            throw invalid(
                what,
                `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [${name}], path two: [${name}]`,
            );
        seen.push(name);
    };
    const clauses: string[] = [];
    while (!p.done()) {
        const clause = p.next().text.toUpperCase();
        if (!["SET", "ADD", "REMOVE", "DELETE"].includes(clause))
            throw invalid(what, `Syntax error; token: "${clause}", expected SET, ADD, REMOVE or DELETE`);
        if (clauses.includes(clause))
            throw invalid(what, `The "${clause}" section can only be used once in an update expression`);
        clauses.push(clause);
        do {
            const name = p.path();
            touch(name);
            if (clause === "SET") {
                p.expect("=");
                const value = setValue(p);
                actions.push((target, before) => {
                    target[name] = value(before);
                });
            } else if (clause === "REMOVE") {
                actions.push((target) => {
                    delete target[name];
                });
            } else {
                const value = p.value();
                actions.push((target, before) => {
                    const updated =
                        clause === "ADD"
                            ? add(before[name], value, name)
                            : removeFromSet(before[name], value, name);
                    if (updated === undefined) delete target[name];
                    else target[name] = updated;
                });
            }
        } while (p.peek()?.text === "," && p.next());
    }
    if (actions.length === 0) throw invalid(what, "The expression can not be empty");
    return (item) => {
        const copy: Item = structuredClone(item);
        for (const action of actions) action(copy, item);
        return copy;
    };
}

function setValue(p: Parser): (before: Item) => AttributeValue {
    if (p.isWord("if_not_exists")) {
        p.next();
        p.expect("(");
        const name = p.path();
        p.expect(",");
        const fallback = operand(p);
        p.expect(")");
        return (before) => before[name] ?? required(fallback(before), "if_not_exists");
    }
    const left = operand(p);
    const sign = p.peek()?.text;
    if (sign !== "+" && sign !== "-") return (before) => required(left(before), "SET");
    p.next();
    const right = operand(p);
    return (before) => {
        const a = left(before);
        const b = right(before);
        if (typeof a?.N !== "string" || typeof b?.N !== "string")
            throw invalid(
                "UpdateExpression",
                `Incorrect operand type for operator or function; operator: ${sign}`,
            );
        return { N: String(sign === "+" ? Number(a.N) + Number(b.N) : Number(a.N) - Number(b.N)) };
    };
}

function required(value: AttributeValue | undefined, where: string): AttributeValue {
    if (value === undefined)
        throw invalid(
            "UpdateExpression",
            `The provided expression refers to an attribute that does not exist in the item (${where})`,
        );
    return value;
}

function add(current: AttributeValue | undefined, value: AttributeValue, name: string): AttributeValue {
    if (typeof value.N === "string") {
        if (current !== undefined && typeof current.N !== "string")
            throw invalid(
                "UpdateExpression",
                `Incorrect operand type for operator or function; operator: ADD, operand type: ${Object.keys(current)[0]}, path: ${name}`,
            );
        return { N: String(Number(current?.N ?? 0) + Number(value.N)) };
    }
    const type = ["SS", "NS"].find((t) => Array.isArray(value[t]));
    if (!type)
        throw invalid(
            "UpdateExpression",
            `Incorrect operand type for operator or function; operator: ADD, operand type: ${Object.keys(value)[0]}`,
        );
    if (current !== undefined && !Array.isArray(current[type]))
        throw invalid(
            "UpdateExpression",
            `An operand in the update expression has an incorrect data type (${name})`,
        );
    const merged = [...((current?.[type] as string[]) ?? [])];
    for (const element of value[type] as string[]) {
        if (!merged.some((m) => (type === "NS" ? Number(m) === Number(element) : m === element)))
            merged.push(element);
    }
    return { [type]: merged };
}

function removeFromSet(
    current: AttributeValue | undefined,
    value: AttributeValue,
    name: string,
): AttributeValue | undefined {
    const type = ["SS", "NS"].find((t) => Array.isArray(value[t]));
    if (!type)
        throw invalid(
            "UpdateExpression",
            `Incorrect operand type for operator or function; operator: DELETE, operand type: ${Object.keys(value)[0]}`,
        );
    if (current === undefined) return undefined;
    if (!Array.isArray(current[type]))
        throw invalid(
            "UpdateExpression",
            `An operand in the update expression has an incorrect data type (${name})`,
        );
    const removed = value[type] as string[];
    const left = (current[type] as string[]).filter(
        (e) => !removed.some((r) => (type === "NS" ? Number(r) === Number(e) : r === e)),
    );
    return left.length > 0 ? { [type]: left } : undefined;
}
