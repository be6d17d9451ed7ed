/**
 * A bad value as an error message shows it: JSON, cut to 80 characters. (Not named `describe`:
 * the closure serializer would take a free `describe` for the test runner's global.)
 */
export function describeValue(value: unknown): string {
    if (value === undefined) return "nothing";
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
