/** English texts for the reason codes `GET /subscriptions/workflows/{id}` gives for a blocked action. */

const TEXTS: Record<string, string> = {
  "subscription.not_in_sync": "The subscription is not in sync: a process or task is running on it, or one failed.",
  "subscription.relations_not_in_sync": "Subscriptions related to this one are not in sync.",
  "subscription.no_modify_invalid_status": "Not possible in the subscription's current status.",
  "subscription.no_modify_parent_subscription": "Not possible: other subscriptions use this one.",
  "subscription.no_modify_subscription_in_use_by_others": "Not possible: it is in use by other subscriptions that are not terminated.",
  "subscription.no_modify_auto_negotiation": "This workflow does not apply to this subscription.",
  "subscription.running_process": "A process is running on this subscription.",
};

/** The text of a reason code, with the details the entry carries (statuses allowed). Unknown codes are shown as is. */
export function reasonText(reason: string, entry: { usable_when?: unknown; status?: unknown } = {}): string {
  const text = TEXTS[reason] ?? reason;
  if (reason === "subscription.no_modify_invalid_status" && Array.isArray(entry.usable_when)) {
    const allowed = entry.usable_when.length ? entry.usable_when.join(", ") : "none";
    return `${text} It is ${String(entry.status ?? "?")}; allowed: ${allowed}.`;
  }
  return text;
}
