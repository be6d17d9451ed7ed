import assert from "node:assert/strict";
import { type ApiModel, loadApiModel, type Shape } from "../../../sim/apiModels/botocore";
import {
    NEWER_ENUM_VALUES,
    NEWER_MEMBERS,
    NEWER_SHAPES,
    withNewerMembers,
} from "../../../sim/apiModels/newerMembers";
import type { ServiceName } from "../../../sim/types";
import { describeWithModels, MODELS_DIR } from "./installedModels";

/** A shape with every shape it refers to, by name, as the model (or the supplement) defines them. */
function shapeGraph(
    name: string,
    shapes: Readonly<Record<string, Shape>>,
    graph: Record<string, unknown> = {},
): Record<string, unknown> {
    if (name in graph) return graph;
    const shape = shapes[name];
    assert.ok(shape, `no shape ${name}`);
    const { type, members, required, member, key, value, min, max, enum: values } = shape;
    const memberShapes = Object.fromEntries(Object.entries(members ?? {}).map(([m, ref]) => [m, ref.shape]));
    graph[name] = { type, members: memberShapes, required, member, key, value, min, max, enum: values };
    const refs = [...Object.values(members ?? {}), member, key, value].filter((ref) => ref !== undefined);
    for (const ref of refs) shapeGraph(ref.shape, shapes, graph);
    return graph;
}

describeWithModels("sim/apiModels members added since the installed models", () => {
    const models: Partial<Record<ServiceName, ApiModel>> = {};
    const modelOf = (service: ServiceName) => (models[service] ??= loadApiModel(MODELS_DIR, service));

    for (const newer of NEWER_MEMBERS) {
        it(`${newer.service} ${newer.structure}.${newer.member}: absent from the model, or modelled there as here`, () => {
            const model = modelOf(newer.service);
            const owner = model.shapes[newer.structure];
            assert.equal(owner?.type, "structure", `the model has no structure ${newer.structure}`);
            const supplemented = withNewerMembers(model, newer.service);
            assert.equal(supplemented.shapes[newer.structure].members?.[newer.member]?.shape, newer.shape);
            const modelled = owner.members?.[newer.member];
            if (modelled === undefined) return;
            assert.equal(modelled.shape, newer.shape);
            const supplement = { ...model.shapes, ...NEWER_SHAPES[newer.service] };
            assert.deepEqual(shapeGraph(newer.shape, model.shapes), shapeGraph(newer.shape, supplement));
        });
    }

    for (const [service, enums] of Object.entries(NEWER_ENUM_VALUES) as [
        ServiceName,
        Record<string, string[]>,
    ][]) {
        for (const [name, values] of Object.entries(enums)) {
            it(`${service} ${name}: ${values.join(", ")} known, from the model or added`, () => {
                const model = modelOf(service);
                assert.ok(model.shapes[name]?.enum, `the model has no enum ${name}`);
                const supplemented = withNewerMembers(model, service).shapes[name].enum!;
                assert.deepEqual(
                    supplemented.slice(0, model.shapes[name].enum!.length),
                    model.shapes[name].enum,
                );
                for (const value of values)
                    assert.equal(supplemented.filter((v) => v === value).length, 1, value);
            });
        }
    }
});
