import * as pulumi from "@pulumi/pulumi";
import {
    checkProjectNamespace,
    clusterNameOf as stackClusterName,
    CONFIG_NAMESPACE,
    parseSettings,
    type StackSettings,
} from "../stack/settings";

// Internal to the SDK (runtime/config.ts), and the only way to ask whether a key was set with --secret.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as {
    isConfigSecret: (key: string) => boolean;
};

/**
 * The stack's settings from Pulumi config: every key of the namespace the engine passes (declared
 * defaults included), so a stray key (a typo) fails in `parseSettings` instead of being ignored,
 * and so does a project whose name is not that namespace.
 */
export function loadStackSettings(): StackSettings {
    checkProjectNamespace(pulumi.getProject());
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    // Raw values, secrets included: the parser only checks a secret is set; its value stays an Output elsewhere.
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        raw[key] = value;
        if (isConfigSecret(fullKey)) secretKeys.push(key);
    }
    return parseSettings(raw, pulumi.getStack(), { secretKeys });
}

/** The stack's ECS cluster name, derived from this project's name. */
export function clusterNameOf(settings: StackSettings): string {
    return stackClusterName(settings, pulumi.getProject());
}
