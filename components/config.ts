import * as pulumi from "@pulumi/pulumi";
import {
    clusterNameOf as stackClusterName,
    CONFIG_NAMESPACE,
    parseSettings,
    type StackSettings,
} from "../stack/settings";

/**
 * The stack's settings from Pulumi config: every key of the namespace the engine passes (declared
 * defaults included), so a stray key (a typo) fails in `parseSettings` instead of being ignored.
 */
export function loadStackSettings(): StackSettings {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, unknown> = {};
    // Raw values, secrets included: the parser only checks a secret is set; its value stays an Output elsewhere.
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (fullKey.startsWith(prefix)) raw[fullKey.slice(prefix.length)] = value;
    }
    return parseSettings(raw, pulumi.getStack());
}

/** The stack's ECS cluster name, derived from this project's name. */
export function clusterNameOf(settings: StackSettings): string {
    return stackClusterName(settings, pulumi.getProject());
}
