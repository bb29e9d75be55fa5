/**
 * task_validate_product_type and task_validate_subscriptions: start the validate workflow of subscriptions (those of
 * one product type, or all in-sync ones).
 */
import { z } from "zod";
import { choice, formPage, type InputForm } from "../../forms/index.js";
import { loadSettings } from "../../settings.js";
import { formDb, begin, step, type StepContext, task } from "../../workflow/index.js";

/** Subscriptions with a VALIDATE workflow linked to their product: [subscription_id, workflow name]. */
async function validations(ctx: StepContext, productType?: string): Promise<{ subscription_id: string; workflow: string }[]> {
  const db = await ctx.db();
  let query = db
    .selectFrom("subscriptions as s")
    .innerJoin("products as p", "p.product_id", "s.product_id")
    .innerJoin("products_workflows as pw", "pw.product_id", "p.product_id")
    .innerJoin("workflows as w", "w.workflow_id", "pw.workflow_id")
    .select(["s.subscription_id", "w.name as workflow"])
    .where("w.target", "=", "VALIDATE")
    .where("w.deleted_at", "is", null)
    .where("s.status", "in", ["active", "provisioning"])
    .orderBy("s.subscription_id");
  if (productType !== undefined) query = query.where("p.product_type", "=", productType);
  else if (!loadSettings().VALIDATE_OUT_OF_SYNC_SUBSCRIPTIONS) query = query.where("s.insync", "=", true);
  return query.execute();
}

async function startAll(ctx: StepContext, list: { subscription_id: string; workflow: string }[]): Promise<string[]> {
  const started: string[] = [];
  for (const { subscription_id, workflow } of list) {
    started.push(await ctx.engine.startProcess(workflow, [{ subscription_id }]));
  }
  return started;
}

const productTypeForm: InputForm = async () => {
  const rows = await formDb().selectFrom("products").select("product_type").distinct().orderBy("product_type").execute();
  const types = rows.map((r) => r.product_type);
  const field = types.length ? choice("ProductTypeEnum", types) : z.string();
  return formPage({ product_type: field.meta({ title: "Product Type" }) }, { title: "Validate all subscriptions of a product type" });
};

export const task_validate_product_type = task(
  { initialInputForm: productTypeForm },
  begin.chain(
    step("Validate Product Type", async (state, ctx) => {
      const started = await startAll(ctx, await validations(ctx, String(state.product_type)));
      return { started_validation_process_ids: started };
    }),
  ),
);

export const task_validate_subscriptions = task(
  {},
  begin.chain(
    step("Validate subscriptions", async (_state, ctx) => {
      const started = await startAll(ctx, await validations(ctx));
      return { started_validation_process_ids: started };
    }),
  ),
);
