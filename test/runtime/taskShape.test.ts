import assert from "node:assert/strict";
import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { mergeTaskShapes, taskShapeFromOverride, taskShapeOf } from "../../runtime/taskShape";

describe("taskShapeOf", () => {
    it("uses task-level cpu and memory when set (strings in the API, units accepted)", () => {
        const definition: TaskDefinition = {
            family: "web",
            cpu: "1 vCPU",
            memory: "2048",
            networkMode: "awsvpc",
            containerDefinitions: [
                { name: "app", cpu: 128, memory: 256, portMappings: [{ containerPort: 80, hostPort: 80 }] },
            ],
        };
        assert.deepEqual(taskShapeOf(definition), {
            name: "web",
            cpu: 1024,
            memory: 2048,
            tcpPorts: [],
            udpPorts: [],
            awsvpc: true,
        });
        assert.equal(taskShapeOf({ ...definition, cpu: "256", memory: "0.5 GB" }).memory, 512);
    });

    it("else sums containers: memoryReservation before memory, a missing cpu counts 0", () => {
        const definition: TaskDefinition = {
            family: "api",
            networkMode: "bridge",
            containerDefinitions: [
                { name: "app", cpu: 250, memory: 1024, memoryReservation: 400 },
                { name: "sidecar", memory: 128 },
            ],
        };
        assert.deepEqual(taskShapeOf(definition), {
            name: "api",
            cpu: 250,
            memory: 528,
            tcpPorts: [],
            udpPorts: [],
            awsvpc: false,
        });
    });

    it("static host ports only: bridge hostPort set, host mode's container ports; dynamic ones are free", () => {
        const bridge: TaskDefinition = {
            family: "edge",
            networkMode: "bridge",
            containerDefinitions: [
                {
                    name: "proxy",
                    memory: 128,
                    portMappings: [
                        { containerPort: 80, hostPort: 8080 },
                        { containerPort: 53, hostPort: 53, protocol: "udp" },
                        { containerPort: 9000, hostPort: 0 },
                        { containerPort: 9001 },
                    ],
                },
            ],
        };
        const shape = taskShapeOf(bridge);
        assert.deepEqual([shape.tcpPorts, shape.udpPorts], [["8080"], ["53"]]);
        const host = taskShapeOf({ ...bridge, networkMode: "host" });
        assert.deepEqual([host.tcpPorts, host.udpPorts], [["80", "9000", "9001"], ["53"]]);
    });

    it("rejects a definition with no memory and an unreadable task-level value, naming the field", () => {
        assert.throws(
            () => taskShapeOf({ family: "x", containerDefinitions: [{ name: "a", cpu: 10 }] }),
            /^Error: x\.memory: expected task-level memory or a memory\/memoryReservation on some container, got none$/,
        );
        assert.throws(
            () => taskShapeOf({ family: "x", cpu: "lots", memory: "512" }),
            /^Error: x\.cpu: expected "1024" or "1 vCPU", got "lots"$/,
        );
        assert.throws(
            () => taskShapeOf({ family: "x", memory: "2 TB" }),
            /^Error: x\.memory: expected "2048" or "2 GB", got "2 TB"$/,
        );
    });
});

describe("task shape overrides", () => {
    it("an override replaces every shape of its name and a new name is added", () => {
        const web1 = { name: "web", cpu: 256, memory: 512, tcpPorts: [], udpPorts: [], awsvpc: false };
        const web2 = { ...web1, memory: 1024 };
        const api = { ...web1, name: "api" };
        assert.deepEqual(
            mergeTaskShapes(
                [web1, api, web2],
                [
                    { name: "web", cpu: 512, memory: 2048, tcpPorts: [443] },
                    { name: "batch", cpu: 0, memory: 64, awsvpc: true },
                ],
            ),
            [
                api,
                { name: "web", cpu: 512, memory: 2048, tcpPorts: ["443"], udpPorts: [], awsvpc: false },
                { name: "batch", cpu: 0, memory: 64, tcpPorts: [], udpPorts: [], awsvpc: true },
            ],
        );
    });

    it("validates each field", () => {
        assert.throws(
            () => taskShapeFromOverride({ name: "", cpu: 1, memory: 1 }, "s"),
            /^Error: s\.name: expected a non-empty string$/,
        );
        assert.throws(
            () => taskShapeFromOverride({ name: "a", cpu: -1, memory: 1 }, "s"),
            /^Error: s\.cpu: expected an integer number of CPU units >= 0, got -1$/,
        );
        assert.throws(
            () => taskShapeFromOverride({ name: "a", cpu: 1, memory: 1, udpPorts: [70000] }, "s"),
            /^Error: s\.udpPorts\[0\]: expected a port 1-65535, got 70000$/,
        );
    });
});
