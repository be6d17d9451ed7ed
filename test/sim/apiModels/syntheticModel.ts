/** A small botocore-shaped model exercising every trait the checks read, for tests that need no installed models. */
import type { ApiModel } from "../../../sim/apiModels/botocore";

export const SYNTHETIC_MODEL: ApiModel = {
    service: "synthetic",
    apiVersion: "2020-01-01",
    operations: {
        ListThings: {
            name: "ListThings",
            input: { shape: "ListThingsRequest" },
            output: { shape: "ListThingsResponse" },
            errors: [{ shape: "InvalidNextToken" }, { shape: "ThingNotFoundFault" }],
        },
        DeleteThing: { name: "DeleteThing", input: { shape: "DeleteThingRequest" } },
    },
    shapes: {
        ListThingsRequest: {
            type: "structure",
            members: {
                NextToken: { shape: "String" },
                MaxRecords: { shape: "MaxRecords" },
                Names: { shape: "Names" },
                Since: { shape: "Timestamp" },
                Payload: { shape: "Blob" },
            },
        },
        ListThingsResponse: {
            type: "structure",
            required: ["Things"],
            members: { Things: { shape: "Things" }, NextToken: { shape: "String" } },
        },
        DeleteThingRequest: { type: "structure", required: ["Name"], members: { Name: { shape: "Name" } } },
        Things: { type: "list", member: { shape: "Thing" } },
        Thing: {
            type: "structure",
            required: ["Name"],
            members: {
                Name: { shape: "Name" },
                State: { shape: "State" },
                Weight: { shape: "Weight" },
                Ratio: { shape: "Ratio" },
                Enabled: { shape: "Boolean" },
                CreatedAt: { shape: "Timestamp" },
                Labels: { shape: "Labels" },
            },
        },
        Names: { type: "list", member: { shape: "Name" }, min: 1, max: 2 },
        Name: { type: "string", min: 1, max: 8, pattern: "^[a-z]+$" },
        State: { type: "string", enum: ["on", "off"] },
        Weight: { type: "integer", min: 0, max: 10 },
        Ratio: { type: "double" },
        MaxRecords: { type: "integer", min: 1, max: 100 },
        Labels: { type: "map", key: { shape: "Name" }, value: { shape: "String" }, max: 2 },
        Note: { type: "string", max: 2 },
        String: { type: "string" },
        Boolean: { type: "boolean" },
        Timestamp: { type: "timestamp" },
        Blob: { type: "blob" },
        InvalidNextToken: {
            type: "structure",
            members: {},
            exception: true,
            error: { code: "InvalidNextToken" },
        },
        ThingNotFoundFault: {
            type: "structure",
            members: {},
            exception: true,
            error: { code: "ThingNotFound" },
        },
    },
    paginators: {
        ListThings: { input_token: "NextToken", output_token: "NextToken", limit_key: "MaxRecords" },
    },
};
