/** An EventBridge schedule every `minutes` minutes (AWS wants "minute" for 1, "minutes" otherwise). */
export function rateExpression(minutes: number): string {
    return `rate(${minutes} minute${minutes === 1 ? "" : "s"})`;
}
