/**
 * The first page the wrappers put before a workflow's own form: the product for a create workflow, the subscription
 * for modify / terminate / validate / reconcile. They check, like orchestrator-core, that the workflow may run for
 * that product or subscription now.
 */
import { z } from "zod";
import { ask, choice, formPage, FormValidationError, type FormState, type InputForm } from "../forms/index.js";
import { Target } from "../targets.js";
import { formDb } from "./form-context.js";
import { workflowBlockedReason } from "./subscription-workflows.js";

/** A validation error on one field of a wrapper page (HTTP 400, shown next to the field). */
function invalid(page: string, field: string, message: string, input: unknown): FormValidationError {
  return new FormValidationError(page, [{ loc: [field], msg: message, type: "value_error", input }]);
}

/** Run a user form inside a wrapper's generator (`yield*` it). */
async function* runUserForm(form: InputForm | undefined, state: FormState): AsyncGenerator<any, FormState, unknown> {
  if (!form) return {};
  const produced = form(state);
  if (typeof produced === "object" && produced !== null && typeof (produced as { next?: unknown }).next === "function") {
    const result = yield* produced as AsyncGenerator<any, FormState | void, unknown>;
    return result ?? {};
  }
  return (yield* ask(await (produced as Promise<z.ZodType<Record<string, unknown>>>))) as FormState;
}

/** Create workflows: page 1 chooses one of the products this workflow is linked to. */
export function wrapCreateInitialInputForm(userForm?: InputForm): InputForm {
  return (state) =>
    (async function* () {
      const db = formDb();
      const workflowName = String(state.workflow_name);
      const products = await db
        .selectFrom("products as p")
        .innerJoin("products_workflows as pw", "pw.product_id", "p.product_id")
        .innerJoin("workflows as w", "w.workflow_id", "pw.workflow_id")
        .select(["p.product_id", "p.name"])
        .where("w.name", "=", workflowName)
        .orderBy("p.name")
        .execute();
      const field =
        products.length > 0
          ? choice("ProductEnum", products.map((p) => [p.product_id, p.name] as const))
          : z.string().refine(() => false, { message: `No product is linked to workflow ${workflowName}` });
      const page = formPage({ product: field.meta({ title: "Product", format: "productId" }) }, { title: "Select a product" });
      const { product } = (yield* ask(page)) as { product: string };
      // the product's create workflow must be this one
      const creates = await db
        .selectFrom("products_workflows as pw")
        .innerJoin("workflows as w", "w.workflow_id", "pw.workflow_id")
        .select("w.name")
        .where("pw.product_id", "=", product)
        .where("w.target", "=", Target.CREATE)
        .orderBy("w.created_at")
        .execute();
      if (creates[0]?.name !== workflowName) throw invalid("Select a product", "product", "This workflow is not valid for this product", product);
      const productName = products.find((p) => p.product_id === product)!.name;
      const result = yield* runUserForm(userForm, { ...state, product, product_name: productName });
      return { product, product_name: productName, ...result };
    })();
}

/** Modify, terminate, validate and reconcile workflows: page 1 names the subscription (and optionally its version). */
export function wrapModifyInitialInputForm(userForm: InputForm | undefined, target: Target): InputForm {
  return (state) =>
    (async function* () {
      const db = formDb();
      const workflowName = String(state.workflow_name);
      const page = formPage(
        {
          subscription_id: z.uuid().meta({ title: "Subscription Id" }),
          version: z.number().int().optional().meta({ title: "Version" }),
        },
        { title: "Select a subscription" },
      );
      const { subscription_id, version } = (yield* ask(page)) as { subscription_id: string; version?: number };
      const subscription = await db.selectFrom("subscriptions").selectAll().where("subscription_id", "=", subscription_id).executeTakeFirst();
      if (!subscription) throw invalid("Select a subscription", "subscription_id", "Subscription not found", subscription_id);
      // may this workflow start on this subscription now? (the original's subscription_workflows)
      const blocked = await workflowBlockedReason(db, subscription_id, workflowName, target);
      if (blocked && "notValid" in blocked) {
        throw invalid("Select a subscription", "subscription_id", "This workflow is not valid for this subscription", subscription_id);
      }
      if (blocked) throw invalid("Select a subscription", "subscription_id", `This workflow cannot be started: ${blocked.message}`, subscription_id);
      if (version !== undefined && version !== subscription.version) {
        throw invalid("Select a subscription", "version", `Stale data: subscription ${subscription_id} has version ${subscription.version}, not ${version}`, version);
      }
      const base = { subscription_id, product: subscription.product_id, customer_id: subscription.customer_id, version: subscription.version };
      const result = yield* runUserForm(userForm, { ...state, ...base });
      return { ...base, ...result };
    })();
}
