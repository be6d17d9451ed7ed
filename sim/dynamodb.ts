/**
 * Amazon DynamoDB in the simulated region (JSON 1.0, `DynamoDB_20120810`): tables with a hash key
 * (and an optional range key), PutItem / GetItem / UpdateItem / DeleteItem with condition
 * expressions, Scan with a filter, and Time to Live settings. TTL is stored and reported but
 * deletes nothing: DynamoDB's own TTL sweeps take up to days, so no handler may count on it.
 * Items live in insertion order, which is the order Scan returns them in.
 */
import { AwsError } from "./errors";
import {
    parseCondition,
    parseUpdate,
    type AttributeValue,
    type ExpressionContext,
    type Item,
} from "./dynamodbExpressions";
import { InputReader, unknownOperation } from "./inputFields";
import type { RegionContext, ServiceModel } from "./types";

const CODES = { missing: "ValidationException", invalid: "ValidationException" };
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** DynamoDB's item size limit. */
const MAX_ITEM_BYTES = 400 * 1024;
const ATTRIBUTE_TYPES = ["S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "M", "L"];

interface KeySchema {
    readonly hash: string;
    readonly range: string | undefined;
}

interface Table {
    readonly name: string;
    readonly arn: string;
    readonly key: KeySchema;
    readonly createdAt: number;
    readonly billingMode: string;
    readonly items: Map<string, Item>;
    ttl: { readonly attribute: string; readonly enabled: boolean } | undefined;
}

export class DynamoDbModel implements ServiceModel {
    readonly service = "dynamodb" as const;
    readonly operations = [
        "CreateTable",
        "DescribeTable",
        "DeleteTable",
        "UpdateTimeToLive",
        "DescribeTimeToLive",
        "PutItem",
        "GetItem",
        "UpdateItem",
        "DeleteItem",
        "Scan",
    ] as const;

    private readonly tables = new Map<string, Table>();

    constructor(private readonly ctx: RegionContext) {}

    call(operation: string, input: Record<string, unknown>): unknown {
        const reader = new InputReader(input, CODES);
        switch (operation) {
            case "CreateTable":
                return { TableDescription: this.describe(this.createTable(reader)) };
            case "DescribeTable":
                return { Table: this.describe(this.table(reader)) };
            case "DeleteTable": {
                const table = this.table(reader);
                this.tables.delete(table.name);
                return { TableDescription: { ...this.describe(table), TableStatus: "DELETING" } };
            }
            case "UpdateTimeToLive":
                return this.updateTimeToLive(reader);
            case "DescribeTimeToLive": {
                const ttl = this.table(reader).ttl;
                return {
                    TimeToLiveDescription: ttl
                        ? {
                              TimeToLiveStatus: ttl.enabled ? "ENABLED" : "DISABLED",
                              AttributeName: ttl.attribute,
                          }
                        : { TimeToLiveStatus: "DISABLED" },
                };
            }
            case "PutItem":
                return this.putItem(reader);
            case "GetItem":
                return this.getItem(reader);
            case "UpdateItem":
                return this.updateItem(reader);
            case "DeleteItem":
                return this.deleteItem(reader);
            case "Scan":
                return this.scan(reader);
            default:
                throw unknownOperation("UnknownOperationException", "dynamodb", operation);
        }
    }

    /** Every item of a table, in insertion order (for tests and reports). */
    itemsOf(tableName: string): readonly Item[] {
        const table = this.tables.get(tableName);
        if (!table) throw new Error(`itemsOf: no table named ${tableName}`);
        return [...table.items.values()].map((item) => structuredClone(item));
    }

    private createTable(reader: InputReader): Table {
        const name = reader.string("TableName");
        if (!TABLE_NAME.test(name))
            throw new AwsError(
                "ValidationException",
                `TableName must be 3-255 letters, digits, '_', '-' or '.', got "${name}"`,
            );
        if (this.tables.has(name))
            throw new AwsError("ResourceInUseException", `Table already exists: ${name}`);
        const schema = reader.optionalList("KeySchema") ?? [];
        const hash = schema.find((k) => (k as Record<string, unknown>).KeyType === "HASH") as
            Record<string, string> | undefined;
        const range = schema.find((k) => (k as Record<string, unknown>).KeyType === "RANGE") as
            Record<string, string> | undefined;
        if (!hash || schema.length > 2)
            throw new AwsError(
                "ValidationException",
                "KeySchema must hold one HASH key and at most one RANGE key",
            );
        const definitions = (reader.optionalList("AttributeDefinitions") ?? []) as Record<string, string>[];
        for (const key of [hash, range].filter((k) => k !== undefined)) {
            const defined = definitions.find((d) => d.AttributeName === key.AttributeName);
            if (!defined || !["S", "N", "B"].includes(defined.AttributeType)) {
                throw new AwsError(
                    "ValidationException",
                    `One or more parameter values were invalid: key attribute ${key.AttributeName} needs an AttributeDefinitions entry of type S, N or B`,
                );
            }
        }
        const billingMode = reader.optionalString("BillingMode") ?? "PROVISIONED";
        if (billingMode === "PROVISIONED" && !reader.has("ProvisionedThroughput")) {
            throw new AwsError(
                "ValidationException",
                "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
            );
        }
        const table: Table = {
            name,
            arn: `arn:aws:dynamodb:${this.ctx.region}:${this.ctx.accountId}:table/${name}`,
            key: { hash: hash.AttributeName, range: range?.AttributeName },
            createdAt: this.ctx.lambda.invocationNow(),
            billingMode,
            items: new Map(),
            ttl: undefined,
        };
        this.tables.set(name, table);
        return table;
    }

    private updateTimeToLive(reader: InputReader): unknown {
        const table = this.table(reader);
        const spec = reader.rawField("TimeToLiveSpecification");
        if (typeof spec !== "object" || spec === null)
            throw reader.invalid("TimeToLiveSpecification", "an object");
        const { AttributeName, Enabled } = spec as { AttributeName?: unknown; Enabled?: unknown };
        if (typeof AttributeName !== "string" || typeof Enabled !== "boolean")
            throw reader.invalid("TimeToLiveSpecification", "{AttributeName, Enabled}");
        table.ttl = { attribute: AttributeName, enabled: Enabled };
        return { TimeToLiveSpecification: { AttributeName, Enabled } };
    }

    private putItem(reader: InputReader): unknown {
        const table = this.table(reader);
        const item = this.itemOf(reader, "Item");
        const key = this.keyString(table, item);
        const existing = table.items.get(key);
        this.checkCondition(reader, existing);
        this.checkSize(item);
        table.items.set(key, item);
        return reader.optionalString("ReturnValues") === "ALL_OLD" && existing
            ? { Attributes: existing }
            : {};
    }

    private getItem(reader: InputReader): unknown {
        const table = this.table(reader);
        const item = table.items.get(this.keyString(table, this.itemOf(reader, "Key")));
        return item ? { Item: structuredClone(item) } : {};
    }

    private updateItem(reader: InputReader): unknown {
        const table = this.table(reader);
        const key = this.itemOf(reader, "Key");
        const keyString = this.keyString(table, key);
        if (Object.keys(key).length !== (table.key.range ? 2 : 1))
            throw new AwsError("ValidationException", "The provided key element does not match the schema");
        const existing = table.items.get(keyString);
        const ctx = this.expressionContext(reader);
        const text = reader.optionalString("UpdateExpression");
        this.checkCondition(reader, existing, ctx);
        const updated =
            text === undefined
                ? { ...(existing ?? {}), ...key }
                : parseUpdate(text, ctx)({ ...(existing ?? {}), ...key });
        for (const name of [table.key.hash, table.key.range].filter((n) => n !== undefined)) {
            if (!sameAttribute(updated[name], key[name]))
                throw new AwsError(
                    "ValidationException",
                    `One or more parameter values were invalid: Cannot update attribute ${name}. This attribute is part of the key`,
                );
        }
        this.checkSize(updated);
        table.items.set(keyString, updated);
        switch (reader.optionalString("ReturnValues") ?? "NONE") {
            case "NONE":
                return {};
            case "ALL_NEW":
                return { Attributes: structuredClone(updated) };
            case "ALL_OLD":
                return existing ? { Attributes: existing } : {};
            default:
                throw reader.invalid("ReturnValues", "NONE, ALL_OLD or ALL_NEW");
        }
    }

    private deleteItem(reader: InputReader): unknown {
        const table = this.table(reader);
        const key = this.keyString(table, this.itemOf(reader, "Key"));
        const existing = table.items.get(key);
        this.checkCondition(reader, existing);
        table.items.delete(key);
        return reader.optionalString("ReturnValues") === "ALL_OLD" && existing
            ? { Attributes: existing }
            : {};
    }

    private scan(reader: InputReader): unknown {
        const table = this.table(reader);
        const limit = reader.optionalInteger("Limit", 1, Number.MAX_SAFE_INTEGER);
        const filterText = reader.optionalString("FilterExpression");
        const filter =
            filterText === undefined
                ? () => true
                : parseCondition(filterText, this.expressionContext(reader), "FilterExpression");
        const entries = [...table.items.entries()];
        const startKey = reader.has("ExclusiveStartKey")
            ? this.keyString(table, this.itemOf(reader, "ExclusiveStartKey"))
            : undefined;
        const from = startKey === undefined ? 0 : entries.findIndex(([k]) => k === startKey) + 1;
        const scanned = entries.slice(from, limit === undefined ? undefined : from + limit);
        const items = scanned.map(([, item]) => item).filter((item) => filter(item));
        const more = limit !== undefined && from + limit < entries.length;
        const last = scanned[scanned.length - 1]?.[1];
        return {
            Items: structuredClone(items),
            Count: items.length,
            ScannedCount: scanned.length,
            ...(more && last ? { LastEvaluatedKey: this.keyOf(table, last) } : {}),
        };
    }

    private table(reader: InputReader): Table {
        const name = reader.string("TableName");
        const table = this.tables.get(name);
        if (!table)
            throw new AwsError(
                "ResourceNotFoundException",
                `Requested resource not found: Table: ${name} not found`,
            );
        return table;
    }

    private itemOf(reader: InputReader, field: string): Item {
        const value = reader.rawField(field);
        if (typeof value !== "object" || value === null || Array.isArray(value))
            throw new AwsError("ValidationException", `${field}: expected a map of attribute values`);
        for (const [name, attribute] of Object.entries(value)) checkAttribute(`${field}.${name}`, attribute);
        return structuredClone(value) as Item;
    }

    private keyOf(table: Table, item: Item): Item {
        const key: Item = { [table.key.hash]: item[table.key.hash] };
        if (table.key.range) key[table.key.range] = item[table.key.range];
        return key;
    }

    private keyString(table: Table, item: Item): string {
        const missing = [table.key.hash, table.key.range].find(
            (n) => n !== undefined && item[n] === undefined,
        );
        if (missing)
            throw new AwsError("ValidationException", "The provided key element does not match the schema");
        return JSON.stringify(this.keyOf(table, item));
    }

    private expressionContext(reader: InputReader): ExpressionContext {
        const values = reader.has("ExpressionAttributeValues")
            ? this.itemOf(reader, "ExpressionAttributeValues")
            : {};
        return { names: reader.optionalStringMap("ExpressionAttributeNames") ?? {}, values };
    }

    private checkCondition(
        reader: InputReader,
        existing: Item | undefined,
        ctx = this.expressionContext(reader),
    ): void {
        const text = reader.optionalString("ConditionExpression");
        if (text === undefined) return;
        if (!parseCondition(text, ctx)(existing))
            throw new AwsError("ConditionalCheckFailedException", "The conditional request failed");
    }

    private checkSize(item: Item): void {
        const bytes = Buffer.byteLength(JSON.stringify(item));
        if (bytes > MAX_ITEM_BYTES)
            throw new AwsError(
                "ValidationException",
                `Item size has exceeded the maximum allowed size (${bytes} bytes)`,
            );
    }

    private describe(table: Table): Record<string, unknown> {
        return {
            TableName: table.name,
            TableArn: table.arn,
            TableStatus: "ACTIVE",
            CreationDateTime: new Date(table.createdAt),
            KeySchema: [
                { AttributeName: table.key.hash, KeyType: "HASH" },
                ...(table.key.range ? [{ AttributeName: table.key.range, KeyType: "RANGE" }] : []),
            ],
            ItemCount: table.items.size,
            BillingModeSummary: { BillingMode: table.billingMode },
        };
    }
}

function checkAttribute(path: string, attribute: unknown): void {
    const types = typeof attribute === "object" && attribute !== null ? Object.keys(attribute) : [];
    if (types.length !== 1 || !ATTRIBUTE_TYPES.includes(types[0]))
        throw new AwsError(
            "ValidationException",
            `${path}: expected an AttributeValue with exactly one of ${ATTRIBUTE_TYPES.join(", ")}`,
        );
    const value = (attribute as Record<string, unknown>)[types[0]];
    if ((types[0] === "SS" || types[0] === "NS") && (!Array.isArray(value) || value.length === 0))
        throw new AwsError(
            "ValidationException",
            `One or more parameter values were invalid: An string set may not be empty (${path})`,
        );
    if (types[0] === "N" && (typeof value !== "string" || !Number.isFinite(Number(value))))
        throw new AwsError("ValidationException", `${path}: a number attribute must be a numeric string`);
}

function sameAttribute(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}
