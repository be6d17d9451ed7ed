/**
 * AWS Systems Manager Parameter Store in the simulated region: String, StringList and
 * SecureString parameters with versions; a SecureString read without WithDecryption returns
 * ciphertext, as AWS does, so a handler that forgets the flag sees garbage here too.
 */
import { AwsError } from "./errors";
import { InputReader, unknownOperation } from "./inputFields";
import type { RegionContext, ServiceModel } from "./types";

const CODES = { missing: "ValidationException", invalid: "ValidationException" };
const TYPES = ["String", "StringList", "SecureString"] as const;
type ParameterType = (typeof TYPES)[number];
const DEFAULT_KEY = "alias/aws/ssm";

interface Parameter {
    readonly name: string;
    readonly type: ParameterType;
    readonly value: string;
    readonly keyId: string | undefined;
    readonly version: number;
    readonly modifiedAt: number;
}

export class SsmModel implements ServiceModel {
    readonly service = "ssm" as const;
    readonly operations = ["PutParameter", "GetParameter", "DeleteParameter"] as const;

    private readonly parameters = new Map<string, Parameter>();

    constructor(private readonly ctx: RegionContext) {}

    call(operation: string, input: Record<string, unknown>): unknown {
        const reader = new InputReader(input, CODES);
        switch (operation) {
            case "PutParameter":
                return this.putParameter(reader);
            case "GetParameter":
                return this.getParameter(reader);
            case "DeleteParameter":
                this.parameterByName(reader.string("Name"));
                this.parameters.delete(reader.string("Name"));
                return {};
            default:
                throw unknownOperation("UnknownOperationException", "ssm", operation);
        }
    }

    private putParameter(reader: InputReader): unknown {
        const name = reader.string("Name");
        const value = reader.string("Value");
        const existing = this.parameters.get(name);
        if (existing && reader.optionalBoolean("Overwrite") !== true) {
            throw new AwsError(
                "ParameterAlreadyExists",
                "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
            );
        }
        const type = reader.optionalString("Type") ?? existing?.type;
        if (type === undefined)
            throw new AwsError(
                "ValidationException",
                "Parameter Type is required when creating a parameter.",
            );
        if (!(TYPES as readonly string[]).includes(type))
            throw reader.invalid("Type", TYPES.join(", "), type);
        const keyId = reader.optionalString("KeyId");
        if (keyId !== undefined && type !== "SecureString") {
            throw new AwsError(
                "ValidationException",
                "KeyId is required for SecureString type parameter only.",
            );
        }
        const parameter: Parameter = {
            name,
            type: type as ParameterType,
            value,
            keyId: type === "SecureString" ? (keyId ?? DEFAULT_KEY) : undefined,
            version: (existing?.version ?? 0) + 1,
            modifiedAt: this.ctx.lambda.invocationNow(),
        };
        this.parameters.set(name, parameter);
        return { Version: parameter.version, Tier: "Standard" };
    }

    private getParameter(reader: InputReader): unknown {
        const parameter = this.parameterByName(reader.string("Name"));
        const decrypt = reader.optionalBoolean("WithDecryption") === true;
        const value =
            parameter.type === "SecureString" && !decrypt
                ? Buffer.from(`${parameter.keyId}:${parameter.version}:${parameter.value}`).toString("base64")
                : parameter.value;
        return {
            Parameter: {
                Name: parameter.name,
                Type: parameter.type,
                Value: value,
                Version: parameter.version,
                LastModifiedDate: new Date(parameter.modifiedAt),
                ARN: `arn:aws:ssm:${this.ctx.region}:${this.ctx.accountId}:parameter/${parameter.name.replace(/^\//, "")}`,
                DataType: "text",
            },
        };
    }

    private parameterByName(name: string): Parameter {
        const parameter = this.parameters.get(name);
        if (!parameter) throw new AwsError("ParameterNotFound", `Parameter ${name} not found.`);
        return parameter;
    }
}
