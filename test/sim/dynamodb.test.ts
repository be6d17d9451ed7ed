import {
    CreateTableCommand,
    DynamoDBClient,
    GetItemCommand,
    PutItemCommand,
    ScanCommand,
    UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import assert from "node:assert/strict";
import { SimHarness } from "../../sim/harness";

describe("sim/dynamodb through the real SDK client", () => {
    let harness: SimHarness;
    let client: DynamoDBClient;
    const key = { id: { S: "e1" } };

    before(async () => {
        harness = await SimHarness.start({ seed: 3 });
        client = new DynamoDBClient({});
        await client.send(
            new CreateTableCommand({
                TableName: "events",
                KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
                AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
                BillingMode: "PAY_PER_REQUEST",
            }),
        );
    });
    after(() => harness.stop());

    it("creates an item with UpdateItem: if_not_exists keeps the first value, ADD merges sets and adds numbers", async () => {
        const update = (page: string, text: string) =>
            client.send(
                new UpdateItemCommand({
                    TableName: "events",
                    Key: key,
                    UpdateExpression: "SET #t = if_not_exists(#t, :text) ADD pages :page, hits :one",
                    ConditionExpression: "attribute_not_exists(sentAt)",
                    ExpressionAttributeNames: { "#t": "text" },
                    ExpressionAttributeValues: {
                        ":text": { S: text },
                        ":page": { NS: [page] },
                        ":one": { N: "1" },
                    },
                    ReturnValues: "ALL_NEW",
                }),
            );
        await update("1", "first");
        const out = await update("2", "second");
        assert.deepEqual(out.Attributes, {
            id: { S: "e1" },
            text: { S: "first" },
            pages: { NS: ["1", "2"] },
            hits: { N: "2" },
        });
    });

    it("fails a condition with ConditionalCheckFailedException and leaves the item as it was", async () => {
        await client.send(
            new UpdateItemCommand({
                TableName: "events",
                Key: key,
                UpdateExpression: "SET sentAt = :now",
                ConditionExpression: "attribute_not_exists(sentAt)",
                ExpressionAttributeValues: { ":now": { N: "100" } },
            }),
        );
        await assert.rejects(
            client.send(
                new UpdateItemCommand({
                    TableName: "events",
                    Key: key,
                    UpdateExpression: "SET sentAt = :now",
                    ConditionExpression: "attribute_not_exists(sentAt)",
                    ExpressionAttributeValues: { ":now": { N: "200" } },
                }),
            ),
            { name: "ConditionalCheckFailedException" },
        );
        const { Item } = await client.send(new GetItemCommand({ TableName: "events", Key: key }));
        assert.deepEqual(Item?.sentAt, { N: "100" });
    });

    it("DELETEs from a set only while contains() holds, and drops an emptied set", async () => {
        await client.send(
            new UpdateItemCommand({
                TableName: "events",
                Key: key,
                UpdateExpression: "ADD pending :two",
                ExpressionAttributeValues: { ":two": { SS: ["a | x", "b | y"] } },
            }),
        );
        const take = (label: string) =>
            client.send(
                new UpdateItemCommand({
                    TableName: "events",
                    Key: key,
                    UpdateExpression: "DELETE pending :one",
                    ConditionExpression: "contains(pending, :label)",
                    ExpressionAttributeValues: { ":one": { SS: [label] }, ":label": { S: label } },
                    ReturnValues: "ALL_NEW",
                }),
            );
        assert.deepEqual((await take("a | x")).Attributes?.pending, { SS: ["b | y"] });
        await assert.rejects(take("a | x"), { name: "ConditionalCheckFailedException" });
        assert.equal((await take("b | y")).Attributes?.pending, undefined);
    });

    it("scans with a filter of OR-ed functions, and pages with Limit", async () => {
        await client.send(new PutItemCommand({ TableName: "events", Item: { id: { S: "e2" } } }));
        await client.send(
            new PutItemCommand({ TableName: "events", Item: { id: { S: "e3" }, sentAt: { N: "5" } } }),
        );
        const filtered = await client.send(
            new ScanCommand({
                TableName: "events",
                FilterExpression: "attribute_not_exists(sentAt) OR sentAt < :limit",
                ExpressionAttributeValues: { ":limit": { N: "50" } },
            }),
        );
        assert.deepEqual(
            filtered.Items?.map((i) => i.id.S),
            ["e2", "e3"],
        );
        const first = await client.send(new ScanCommand({ TableName: "events", Limit: 2 }));
        assert.deepEqual(
            [first.Items?.map((i) => i.id.S), first.LastEvaluatedKey],
            [["e1", "e2"], { id: { S: "e2" } }],
        );
        const rest = await client.send(
            new ScanCommand({ TableName: "events", Limit: 2, ExclusiveStartKey: first.LastEvaluatedKey }),
        );
        assert.deepEqual([rest.Items?.map((i) => i.id.S), rest.LastEvaluatedKey], [["e3"], undefined]);
    });

    it("rejects an expression it cannot parse, naming it", async () => {
        await assert.rejects(
            client.send(
                new UpdateItemCommand({
                    TableName: "events",
                    Key: key,
                    UpdateExpression: "SET a = :undefinedValue",
                }),
            ),
            {
                name: "ValidationException",
                message:
                    "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :undefinedValue",
            },
        );
    });
});
