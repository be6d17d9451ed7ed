import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SettingsError } from "../stack/settings";

/** The stack config an explicit provider is given; it reads none by itself. */
const PASSED_ON = ["aws:region", "aws:profile"];

/**
 * The stack's AWS provider, carrying the stack's tags as its default tags: every resource that
 * takes tags gets them (its `tagsAll`), without each component threading them through. Default tags
 * never reach what a resource launches (an Auto Scaling group's instances and volumes), so the
 * cluster still sets those itself. An explicit provider reads no `aws:` stack config of its own:
 * `aws:region` and `aws:profile` are passed on, and any other `aws:` key, which it would silently
 * ignore, is refused.
 */
export function stackAwsProvider(name: string, tags: Readonly<Record<string, string>>): aws.Provider {
    const config = pulumi.runtime.allConfig();
    const ignored = Object.keys(config).filter((key) => key.startsWith("aws:") && !PASSED_ON.includes(key));
    if (ignored.length > 0)
        throw new SettingsError(
            ignored.map((key) =>
                key === "aws:defaultTags"
                    ? `${key} is set, but the program gives the provider the stack's tags as its default tags: set them as ecs-lifecycle:tags`
                    : `${key} is set, but the stack's AWS provider is explicit (components/awsProvider.ts) and reads only ${PASSED_ON.join(" and ")} from stack config: pass ${key.slice("aws:".length)} on there, or use its environment variable`,
            ),
        );
    return new aws.Provider(name, {
        region: config["aws:region"] as aws.Region | undefined,
        profile: config["aws:profile"],
        defaultTags: { tags: { ...tags } },
    });
}
