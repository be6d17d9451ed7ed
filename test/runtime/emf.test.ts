import assert from "node:assert/strict";
import { emfLine, type EmfRecord } from "../../runtime/emf";

const RECORD: EmfRecord = {
    namespace: "EcsLifecycle",
    timestamp: 1_700_000_000_000,
    dimensions: { ClusterName: "demo" },
    metrics: {
        ContainerCapacity: { value: 3, unit: "Count" },
        IdleHostCapacity: { value: 0, unit: "Count" },
    },
};

describe("emfLine", () => {
    it("writes the metrics' directive and their values as top-level members", () => {
        assert.equal(
            emfLine(RECORD),
            '{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"EcsLifecycle",' +
                '"Dimensions":[["ClusterName"]],"Metrics":[{"Name":"ContainerCapacity","Unit":"Count"},' +
                '{"Name":"IdleHostCapacity","Unit":"Count"}]}]},"ClusterName":"demo","ContainerCapacity":3,"IdleHostCapacity":0}',
        );
    });

    it("puts every dimension in the one dimension set", () => {
        const line = JSON.parse(
            emfLine({ ...RECORD, dimensions: { ClusterName: "demo", FunctionName: "capacity" } }),
        ) as { _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] }; FunctionName: string };
        assert.deepEqual(line._aws.CloudWatchMetrics[0].Dimensions, [["ClusterName", "FunctionName"]]);
        assert.equal(line.FunctionName, "capacity");
    });

    it("rejects what CloudWatch would drop or misread, naming the field", () => {
        const cases: [Partial<EmfRecord>, RegExp][] = [
            [{ namespace: "" }, /^Error: namespace: expected 1-255 characters, got ""$/],
            [{ timestamp: 1.5 }, /^Error: timestamp: expected epoch milliseconds, got 1.5$/],
            [{ metrics: {} }, /^Error: metrics: expected 1-100 metrics, got 0$/],
            [
                { metrics: { X: { value: Number.NaN, unit: "Count" } } },
                /^Error: metrics\.X\.value: expected a finite number, got NaN$/,
            ],
            [
                { dimensions: { ClusterName: "" } },
                /^Error: dimensions\.ClusterName: expected a non-empty string$/,
            ],
            [
                { metrics: { ClusterName: { value: 1, unit: "Count" } } },
                /^Error: metrics\.ClusterName: a metric cannot share its name with a dimension$/,
            ],
            [
                { dimensions: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`D${i}`, "x"])) },
                /^Error: dimensions: expected at most 30, got 31$/,
            ],
        ];
        for (const [change, message] of cases)
            assert.throws(() => emfLine({ ...RECORD, ...change }), message);
    });
});
