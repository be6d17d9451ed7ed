/**
 * Auto Scaling group tags, and DescribeAutoScalingGroups' filters over them (Amazon EC2 Auto
 * Scaling API Reference, "Filter"): `tag-key` (groups with any of these tag keys), `tag-value`
 * (any of these values), `tag:<key>` (that key with any of these values). Filters are ANDed, the
 * values of one filter ORed, and values are case-sensitive. A name outside these is refused with
 * ValidationError (inferred: the operation's documented names are the only ones it takes).
 */
import type { TagDescription } from "@aws-sdk/client-auto-scaling";
import type { InputReader } from "../ecs/input";
import type { GroupState, GroupTag } from "./state";

/** "Tags per Auto Scaling group: 50" (Amazon EC2 Auto Scaling quotas). */
const MAX_TAGS = 50;

/** The `Tags` of a CreateAutoScalingGroup request. */
export function readTags(r: InputReader): GroupTag[] {
    const tags = r.optionalObjectList("Tags") ?? [];
    if (tags.length > MAX_TAGS) r.fail(`Tags: at most ${MAX_TAGS} tags per Auto Scaling group`);
    return tags.map((tag, i) => {
        const tr: InputReader = r.nested(`Tags[${i}]`, tag);
        const key = tr.string("Key");
        if (key.length > 128) tr.fail(`Tags[${i}].Key: at most 128 characters`);
        const value = tr.optionalString("Value") ?? "";
        if (value.length > 256) tr.fail(`Tags[${i}].Value: at most 256 characters`);
        return { key, value, propagateAtLaunch: tr.optionalBoolean("PropagateAtLaunch") ?? false };
    });
}

export function tagDescriptions(group: GroupState): TagDescription[] {
    return group.tags.map((tag) => ({
        ResourceId: group.name,
        ResourceType: "auto-scaling-group",
        Key: tag.key,
        Value: tag.value,
        PropagateAtLaunch: tag.propagateAtLaunch,
    }));
}

type GroupFilter = (group: GroupState) => boolean;

/** The `Filters` of a DescribeAutoScalingGroups request, as one predicate over groups. */
export function readGroupFilters(r: InputReader): GroupFilter {
    const filters = (r.optionalObjectList("Filters") ?? []).map((filter, i) => {
        const fr: InputReader = r.nested(`Filters[${i}]`, filter);
        const name = fr.string("Name");
        const values = fr.optionalStringList("Values") ?? [];
        return groupFilter(name, values, fr);
    });
    return (group) => filters.every((matches) => matches(group));
}

function groupFilter(name: string, values: readonly string[], fr: InputReader): GroupFilter {
    if (name === "tag-key") return (group) => group.tags.some((tag) => values.includes(tag.key));
    if (name === "tag-value") return (group) => group.tags.some((tag) => values.includes(tag.value));
    if (name.startsWith("tag:")) {
        const key = name.slice("tag:".length);
        return (group) => group.tags.some((tag) => tag.key === key && values.includes(tag.value));
    }
    fr.fail(`Filter name ${name} is not valid: expected tag-key, tag-value or tag:<key>`);
}
