import * as pulumi from "@pulumi/pulumi";
import { CONFIG_KEYS, CONFIG_NAMESPACE, parseSettings, type StackSettings } from "./settings";

/**
 * The stack's settings from Pulumi config. Only declared keys are read; a stray key in the
 * namespace (a typo) still fails, because `parseSettings` sees everything the engine passes.
 */
export function loadStackSettings(): StackSettings {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const raw: Record<string, unknown> = {};
    for (const spec of CONFIG_KEYS) {
        const value = config.get(spec.key);
        if (value !== undefined) raw[spec.key] = value;
    }
    const prefix = `${CONFIG_NAMESPACE}:`;
    for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
        if (fullKey.startsWith(prefix) && !(fullKey.slice(prefix.length) in raw)) {
            raw[fullKey.slice(prefix.length)] = config.get(fullKey.slice(prefix.length));
        }
    }
    return parseSettings(raw, pulumi.getStack());
}

/** The ECS cluster name: fixed before anything is created, so Lambdas and IAM conditions can use it. */
export function clusterNameOf(settings: StackSettings): string {
    return settings.cluster.clusterName ?? `${pulumi.getProject()}-${settings.stack}`;
}
