/**
 * The steps every subscription workflow shares, with orchestrator-core's names. Until the domain models exist they
 * work on the `subscriptions` table directly, in the step's transaction.
 */
import { OrchestratorError } from "../errors.js";
import { step, type State, type Step, type StepContext } from "./steps.js";

/** The subscription a step works on: `state.subscription_id`, or the id of `state.subscription`. */
export function subscriptionIdOf(state: State): string {
  const direct = state.subscription_id;
  if (typeof direct === "string" && direct) return direct;
  const sub = state.subscription as { subscription_id?: unknown } | undefined;
  if (sub && typeof sub.subscription_id === "string") return sub.subscription_id;
  throw new OrchestratorError("missing_subscription", "Could not find key 'subscription_id' in state (nor a subscription with an id)");
}

async function loadSubscriptionRow(ctx: StepContext, id: string) {
  const db = await ctx.db();
  const row = await db.selectFrom("subscriptions").selectAll().where("subscription_id", "=", id).executeTakeFirst();
  if (!row) throw new OrchestratorError("not_found", `Subscription ${id} does not exist`);
  return row;
}

function asJson(row: object): State {
  return JSON.parse(JSON.stringify(row)) as State;
}

/** "Create Process Subscription relation": record that this process touched the subscription. */
export function storeProcessSubscription(): Step {
  return step("Create Process Subscription relation", async (state, ctx) => {
    const subscriptionId = subscriptionIdOf(state);
    const db = await ctx.db();
    await db.insertInto("processes_subscriptions").values({ pid: ctx.processId, subscription_id: subscriptionId }).execute();
  });
}

const OLD_SUBSCRIPTIONS = "__old_subscriptions__";

/** "Lock subscription": mark the subscription out of sync so no other workflow starts on it; refuses if it already is. */
export const unsync: Step = step("Lock subscription", async (state, ctx) => {
  const id = subscriptionIdOf(state);
  const row = await loadSubscriptionRow(ctx, id);
  if (!row.insync) throw new Error("Subscription is already out of sync, cannot continue!");
  const backups = { ...((state[OLD_SUBSCRIPTIONS] as State | undefined) ?? {}) };
  if (!(id in backups)) backups[id] = asJson(row);
  const db = await ctx.db();
  await db.updateTable("subscriptions").set({ insync: false }).where("subscription_id", "=", id).execute();
  return { [OLD_SUBSCRIPTIONS]: backups };
});

/** "Lock subscription" without the in-sync check or backup (validate and reconcile workflows). */
export const unsyncUnchecked: Step = step("Lock subscription", async (state, ctx) => {
  const id = subscriptionIdOf(state);
  await loadSubscriptionRow(ctx, id);
  const db = await ctx.db();
  await db.updateTable("subscriptions").set({ insync: false }).where("subscription_id", "=", id).execute();
});

/** "Unlock subscription": the subscription is in sync again. */
export const resync: Step = step("Unlock subscription", async (state, ctx) => {
  const id = subscriptionIdOf(state);
  await loadSubscriptionRow(ctx, id);
  const db = await ctx.db();
  await db.updateTable("subscriptions").set({ insync: true }).where("subscription_id", "=", id).execute();
});

/** "Set subscription to '<status>'": move the subscription to a lifecycle status (start/end date set on the way). */
export function setStatus(status: string): Step {
  return step(`Set subscription to '${status}'`, async (state, ctx) => {
    const id = subscriptionIdOf(state);
    const row = await loadSubscriptionRow(ctx, id);
    const now = new Date();
    const db = await ctx.db();
    await db
      .updateTable("subscriptions")
      .set({
        status,
        ...(status === "active" && !row.start_date ? { start_date: now } : {}),
        ...(status === "terminated" && !row.end_date ? { end_date: now } : {}),
      })
      .where("subscription_id", "=", id)
      .execute();
  });
}

/** Search-index refreshes of the original. orchestrator-ts has no separate search index, so these record the step only. */
export const refreshSubscriptionSearchIndex: Step = step("Refresh subscription search index", () => undefined);
export const refreshProcessSearchIndex: Step = step("Refresh process search index", () => undefined);
