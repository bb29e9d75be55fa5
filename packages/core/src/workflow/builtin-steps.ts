/**
 * The steps every subscription workflow shares, with orchestrator-core's names. For a product registered in the
 * SUBSCRIPTION_MODEL_REGISTRY they work on the subscription's model (so "Set subscription to 'active'" checks every
 * field the active lifecycle requires); for other products on the `subscriptions` row.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import {
  changeLifecycle,
  fromSubscription,
  saveSubscription,
  validateLifecycleChange,
  SUBSCRIPTION_MODEL_REGISTRY,
  type SubscriptionLifecycle,
} from "../domain/index.js";
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

async function loadSubscriptionRow(db: Kysely<Database>, id: string) {
  const row = await db
    .selectFrom("subscriptions as s")
    .innerJoin("products as p", "p.product_id", "s.product_id")
    .selectAll("s")
    .select("p.name as product_name")
    .where("s.subscription_id", "=", id)
    .executeTakeFirst();
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

/**
 * State key naming the subscription the engine locked (set out of sync) when it created the process (workflows with
 * `locksSubscription`): "Lock subscription" then finds it locked by this process and goes on.
 */
export const LOCKED_SUBSCRIPTION_KEY = "__locked_subscription__";

/**
 * Take the lock of a subscription in one conditional statement: true when this call set it out of sync, false when
 * it was out of sync already (another process holds it). Two callers can never both get true.
 */
export async function lockSubscription(db: Kysely<Database>, subscriptionId: string): Promise<boolean> {
  const locked = await db
    .updateTable("subscriptions")
    .set({ insync: false })
    .where("subscription_id", "=", subscriptionId)
    .where("insync", "=", true)
    .returning("subscription_id")
    .executeTakeFirst();
  return locked !== undefined;
}

/** Set `insync` on the subscription: through its model when its product is registered, else on the row. */
async function setInsync(ctx: StepContext, id: string, insync: boolean, check: boolean, state: State): Promise<State> {
  const db = await ctx.db();
  // locked by the statement that created this process: held already
  const heldAlready = !insync && state[LOCKED_SUBSCRIPTION_KEY] === id;
  const row = await loadSubscriptionRow(db, id);
  let wasInsync = row.insync;
  if (check && !heldAlready) {
    // atomic: of two processes locking at once, exactly one finds it in sync
    if (!(await lockSubscription(db, id))) throw new Error("Subscription is already out of sync, cannot continue!");
    wasInsync = true;
  }
  if (heldAlready) wasInsync = true;
  const backups = { ...((state[OLD_SUBSCRIPTIONS] as State | undefined) ?? {}) };
  if (SUBSCRIPTION_MODEL_REGISTRY.has(row.product_name)) {
    const model = await fromSubscription(db, id);
    // the backup is the subscription as it was before the lock
    if (check && !(id in backups)) backups[id] = { ...asJson(model), insync: wasInsync };
    model.insync = insync;
    await saveSubscription(db, model, { validate: false });
    // saved already (without the lifecycle check): what goes into the state is a plain copy
    return { subscription: asJson(model), ...(check ? { [OLD_SUBSCRIPTIONS]: backups } : {}) };
  }
  if (check && !(id in backups)) {
    const { product_name: _p, ...plain } = row;
    backups[id] = { ...asJson(plain), insync: wasInsync };
  }
  await db.updateTable("subscriptions").set({ insync }).where("subscription_id", "=", id).execute();
  return check ? { [OLD_SUBSCRIPTIONS]: backups } : {};
}

/** "Lock subscription": mark the subscription out of sync so no other workflow starts on it; refuses if it already is. */
export const unsync: Step = step("Lock subscription", (state, ctx) => setInsync(ctx, subscriptionIdOf(state), false, true, state));

/** "Lock subscription" without the in-sync check or backup (validate and reconcile workflows). */
export const unsyncUnchecked: Step = step("Lock subscription", (state, ctx) => setInsync(ctx, subscriptionIdOf(state), false, false, state));

/** "Unlock subscription": the subscription is in sync again. */
export const resync: Step = step("Unlock subscription", (state, ctx) => setInsync(ctx, subscriptionIdOf(state), true, false, state));

/**
 * "Set subscription to '<status>'": move the subscription to a lifecycle status. With a registered product the model
 * is checked for every field the status requires; always, the subscriptions using it must allow the change; start and
 * end dates are set on the way to active and terminated.
 */
export function setStatus(status: string): Step {
  return step(`Set subscription to '${status}'`, async (state, ctx) => {
    const id = subscriptionIdOf(state);
    const db = await ctx.db();
    const row = await loadSubscriptionRow(db, id);
    if (SUBSCRIPTION_MODEL_REGISTRY.has(row.product_name)) {
      // returned, so saved with the step (and checked for every field the new status requires)
      return { subscription: await changeLifecycle(db, await fromSubscription(db, id), status as SubscriptionLifecycle) };
    }
    await validateLifecycleChange(db, id, status as SubscriptionLifecycle);
    const now = new Date();
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
