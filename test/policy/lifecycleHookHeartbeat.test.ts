import assert from "node:assert/strict";
import { checkLifecycleHookHeartbeat } from "../../policy/rules/lifecycleHookHeartbeat";
import { PlannedResource } from "../../policy/rules/types";
import { UNKNOWN } from "../../policy/rules/known";

function hook(heartbeatTimeout: unknown): PlannedResource {
    return {
        type: "aws:autoscaling/lifecycleHook:LifecycleHook",
        name: "drain-hook",
        props: { lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING", heartbeatTimeout },
    };
}

describe("policy rule lifecycle-hook-heartbeat", () => {
    it("passes heartbeats at both ends of 30–7200 s and the unset default", () => {
        assert.deepEqual(checkLifecycleHookHeartbeat(hook(30)), []);
        assert.deepEqual(checkLifecycleHookHeartbeat(hook(7200)), []);
        assert.deepEqual(checkLifecycleHookHeartbeat(hook(undefined)), []);
    });

    it("fails a heartbeat outside 30–7200 s, naming the hook, property and range", () => {
        assert.deepEqual(checkLifecycleHookHeartbeat(hook(29)), [
            'aws:autoscaling/lifecycleHook:LifecycleHook "drain-hook": heartbeatTimeout is 29; it must be 30–7200 seconds',
        ]);
        assert.deepEqual(checkLifecycleHookHeartbeat(hook(7201)), [
            'aws:autoscaling/lifecycleHook:LifecycleHook "drain-hook": heartbeatTimeout is 7201; it must be 30–7200 seconds',
        ]);
    });

    it("does not judge a heartbeat unknown during preview", () => {
        assert.deepEqual(checkLifecycleHookHeartbeat(hook(UNKNOWN)), []);
    });

    it("checks hooks declared inline on the group", () => {
        const group: PlannedResource = {
            type: "aws:autoscaling/group:Group",
            name: "asg",
            props: { initialLifecycleHooks: [{ heartbeatTimeout: 900 }, { heartbeatTimeout: 10800 }] },
        };
        assert.deepEqual(checkLifecycleHookHeartbeat(group), [
            'aws:autoscaling/group:Group "asg": initialLifecycleHooks[1].heartbeatTimeout is 10800; it must be 30–7200 seconds',
        ]);
    });
});
