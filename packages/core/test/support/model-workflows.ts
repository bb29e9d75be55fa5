/** Workflows of the domain tests: steps that load a subscription model, change it and return it. */
import { fromSubscription, step, task, type StepContext } from "../../src/index.js";

async function renamed(ctx: StepContext) {
  const db = await ctx.db();
  const row = await db.selectFrom("subscriptions as s").innerJoin("products as p", "p.product_id", "s.product_id").select("s.subscription_id").where("p.name", "=", "User Group").executeTakeFirstOrThrow();
  const group = await fromSubscription(db, row.subscription_id);
  (group as unknown as { user_group: { group_name: string } }).user_group.group_name = "Renamed";
  return group;
}

export const rename_group = task({}, step("Rename group", async (_state, ctx) => ({ subscription: await renamed(ctx) })));

export const rename_group_then_fail = task(
  {},
  step("Rename group and fail", async (_state, ctx) => {
    const { saveSubscription } = await import("../../src/index.js");
    await saveSubscription(await ctx.db(), await renamed(ctx));
    throw new Error("failing after the save");
  }),
);
