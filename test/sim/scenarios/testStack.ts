/**
 * A fixed stack for the scenario tests (the dev stack's shape, pinned here so a change to
 * Pulumi.dev.yaml does not move the tests' exact figures): two awsvpc services on m5.large.
 */
import { parseSettings, type StackSettings } from "../../../stack/settings";

export const TEST_STACK_CONFIG: Readonly<Record<string, unknown>> = {
    availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
    natGateways: "single",
    instanceTypes: ["m5.large"],
    minSize: 2,
    maxSize: 12,
    desiredCapacity: 3,
    instanceWarmupSeconds: 180,
    services: [
        {
            name: "web",
            image: "nginx:1.27",
            cpu: 256,
            memory: 512,
            containerPort: 80,
            desiredCount: 3,
            minCount: 2,
            maxCount: 8,
        },
        {
            name: "api",
            image: "httpd:2.4",
            cpu: 512,
            memory: 1024,
            containerPort: 80,
            desiredCount: 2,
            minCount: 2,
            maxCount: 6,
        },
    ],
};

export function testStack(overrides: Readonly<Record<string, unknown>> = {}): StackSettings {
    return parseSettings({ ...TEST_STACK_CONFIG, ...overrides }, "test");
}
