/**
 * Which workflows of a subscription may start now, and why the others may not (orchestrator-core's
 * `subscription_workflows`): the subscription must be in sync, its related subscriptions too, its status must be
 * one the workflow's target allows, and a terminate is refused while other unterminated subscriptions use it.
 * Reasons are the original's codes; `TRANSLATIONS` gives their English texts.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { OrchestratorError } from "../errors.js";
import { Target } from "../targets.js";

/** Statuses in which a workflow of each target may run (per workflow: WF_USABLE_MAP). */
export const TARGET_DEFAULT_USABLE_MAP: Record<Target, readonly string[]> = {
  [Target.CREATE]: [],
  [Target.MODIFY]: ["active"],
  [Target.TERMINATE]: ["active", "provisioning"],
  [Target.SYSTEM]: ["active"],
  [Target.VALIDATE]: ["active"],
  [Target.RECONCILE]: ["active"],
};

/** Per-workflow overrides of the usable statuses (an app may add entries). */
export const WF_USABLE_MAP: Record<string, readonly string[]> = {};
/** Per-workflow override of "blocked while unterminated subscriptions use this one" (default: TERMINATE only). */
export const WF_BLOCKED_BY_IN_USE_BY_SUBSCRIPTIONS: Record<string, boolean> = {};
/** Workflows that may run while the subscription is out of sync. */
export const WF_USABLE_WHILE_OUT_OF_SYNC: string[] = ["modify_note"];

export const TRANSLATIONS: Record<string, string> = {
  "subscription.not_in_sync": "Subscription already has a running process or task",
  "subscription.relations_not_in_sync": "This subscription can not be modified because some related subscriptions are not insync",
  "subscription.no_modify_invalid_status": "This subscription can not be modified because of the status it has",
  "subscription.no_modify_parent_subscription": "This subscription can not be modified as it is used in other subscriptions",
  "subscription.no_modify_subscription_in_use_by_others": "This subscription can not be modified as it is used in other subscriptions",
  "subscription.no_modify_auto_negotiation": "This workflow is not valid for this subscription",
};

export interface RelatedSubscription {
  subscription_id: string;
  subscription_description: string;
}

export interface SubscriptionWorkflow {
  name: string;
  description: string;
  /** Why it may not start now (a TRANSLATIONS key); absent when it may. */
  reason?: string;
  usable_when?: readonly string[];
  status?: string;
  action?: "terminated" | "modified";
  locked_relations?: string[];
  locked_relations_detail?: RelatedSubscription[];
  unterminated_in_use_by_subscriptions?: string[];
  unterminated_in_use_by_subscriptions_detail?: RelatedSubscription[];
}

export interface SubscriptionWorkflows {
  create: SubscriptionWorkflow[];
  modify: SubscriptionWorkflow[];
  terminate: SubscriptionWorkflow[];
  system: SubscriptionWorkflow[];
  validate: SubscriptionWorkflow[];
  reconcile: SubscriptionWorkflow[];
  /** A reason for all workflows (not in sync, related subscriptions not in sync). */
  reason?: string;
  locked_relations?: string[];
  locked_relations_detail?: RelatedSubscription[];
}

const detail = (rows: { subscription_id: string; description: string }[]): RelatedSubscription[] =>
  rows.map((r) => ({ subscription_id: r.subscription_id, subscription_description: r.description }));

/** Subscriptions using this one (`in_use_by`) or used by it (`depends_on`) through block relations. */
async function related(db: Kysely<Database>, subscriptionId: string, direction: "in_use_by" | "depends_on") {
  const [mine, theirs] = direction === "in_use_by" ? (["depends_on_id", "in_use_by_id"] as const) : (["in_use_by_id", "depends_on_id"] as const);
  return db
    .selectFrom("subscription_instance_relations as r")
    .innerJoin("subscription_instances as own", "own.subscription_instance_id", `r.${mine}`)
    .innerJoin("subscription_instances as other", "other.subscription_instance_id", `r.${theirs}`)
    .innerJoin("subscriptions as s", "s.subscription_id", "other.subscription_id")
    .select(["s.subscription_id", "s.description", "s.status", "s.insync"])
    .distinct()
    .where("own.subscription_id", "=", subscriptionId)
    .where("other.subscription_id", "<>", subscriptionId)
    .execute();
}

export async function subscriptionWorkflows(db: Kysely<Database>, subscriptionId: string): Promise<SubscriptionWorkflows> {
  const subscription = await db.selectFrom("subscriptions").selectAll().where("subscription_id", "=", subscriptionId).executeTakeFirst();
  if (!subscription) throw new OrchestratorError("not_found", `Subscription ${subscriptionId} does not exist`);
  const defaults: Pick<SubscriptionWorkflows, "reason" | "locked_relations" | "locked_relations_detail"> = {};
  const inUseBy = await related(db, subscriptionId, "in_use_by");
  if (!subscription.insync) defaults.reason = "subscription.not_in_sync";
  else {
    const dependsOn = await related(db, subscriptionId, "depends_on");
    const locked = [...inUseBy, ...dependsOn].filter((s) => !s.insync);
    if (locked.length) {
      defaults.reason = "subscription.relations_not_in_sync";
      defaults.locked_relations = locked.map((s) => s.subscription_id);
      defaults.locked_relations_detail = detail(locked);
    }
  }
  const unterminated = inUseBy.filter((s) => s.status !== "terminated");
  const workflows = await db
    .selectFrom("products_workflows as pw")
    .innerJoin("workflows as w", "w.workflow_id", "pw.workflow_id")
    .select(["w.name", "w.description", "w.target", "w.is_task"])
    .where("pw.product_id", "=", subscription.product_id)
    .where("w.deleted_at", "is", null)
    .orderBy("w.name")
    .execute();
  const result: SubscriptionWorkflows = { create: [], modify: [], terminate: [], system: [], validate: [], reconcile: [] };
  for (const wf of workflows) {
    const target = wf.target as Target;
    const exempt = WF_USABLE_WHILE_OUT_OF_SYNC.includes(wf.name) || wf.is_task || target === Target.RECONCILE;
    const entry: SubscriptionWorkflow = { name: wf.name, description: wf.description, ...(exempt ? {} : defaults) };
    if (entry.reason === undefined) {
      const usableWhen = WF_USABLE_MAP[wf.name] ?? TARGET_DEFAULT_USABLE_MAP[target] ?? [];
      const action = target === Target.TERMINATE ? "terminated" : "modified";
      if (!usableWhen.includes(subscription.status)) {
        Object.assign(entry, { reason: "subscription.no_modify_invalid_status", usable_when: usableWhen, status: subscription.status, action });
      }
      const blockedByUsers = WF_BLOCKED_BY_IN_USE_BY_SUBSCRIPTIONS[wf.name] ?? target === Target.TERMINATE;
      if (blockedByUsers && unterminated.length) {
        Object.assign(entry, {
          reason: "subscription.no_modify_subscription_in_use_by_others",
          unterminated_in_use_by_subscriptions: unterminated.map((s) => s.subscription_id),
          unterminated_in_use_by_subscriptions_detail: detail(unterminated),
          action,
        });
      }
    }
    const key = target.toLowerCase() as keyof Omit<SubscriptionWorkflows, "reason" | "locked_relations" | "locked_relations_detail">;
    result[key]?.push(entry);
  }
  return { ...result, ...defaults };
}

/** The reason `workflowName` (of `target`) may not start on the subscription now, in English; undefined when it may. */
export async function workflowBlockedReason(
  db: Kysely<Database>,
  subscriptionId: string,
  workflowName: string,
  target: Target,
): Promise<{ notValid: true } | { reason: string; message: string } | undefined> {
  const all = await subscriptionWorkflows(db, subscriptionId);
  const key = target.toLowerCase() as keyof Omit<SubscriptionWorkflows, "reason" | "locked_relations" | "locked_relations_detail">;
  const entry = all[key]?.find((w) => w.name === workflowName);
  if (!entry) return { notValid: true };
  if (entry.reason) return { reason: entry.reason, message: TRANSLATIONS[entry.reason] ?? entry.reason };
  return undefined;
}
