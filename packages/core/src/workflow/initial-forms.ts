/**
 * The first page the wrappers put before a workflow's own form: the product for a create workflow, the subscription
 * for modify / terminate / validate / reconcile. They check, like orchestrator-core, that the workflow may run for
 * that product or subscription now.
 */
import { sql } from "kysely";
import { z } from "zod";
import { ask, choice, formPage, FormValidationError, type FormState, type InputForm } from "../forms/index.js";
import { Target } from "../targets.js";
import { formDb } from "./form-context.js";

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

/** Statuses a subscription must have for a workflow of a target to run on it (orchestrator-core's rules). */
export const USABLE_STATUSES: Partial<Record<Target, readonly string[]>> = {
  [Target.MODIFY]: ["active"],
  [Target.TERMINATE]: ["active", "provisioning"],
};

/** Why a workflow of `target` may not run on the subscription now, or undefined when it may. */
export interface BlockReason {
  /** Stable code of the original's translations, e.g. `subscription.not_in_sync`. */
  code: string;
  message: string;
}

const REASONS = {
  notInSync: { code: "subscription.not_in_sync", message: "Subscription already has a running process or task" },
  invalidStatus: {
    code: "subscription.no_modify_invalid_status",
    message: "This subscription can not be modified because of the status it has",
  },
  inUseByOthers: {
    code: "subscription.no_modify_subscription_in_use_by_others",
    message: "This subscription can not be modified as it is used in other subscriptions",
  },
} as const;

export async function subscriptionBlockReason(
  db: ReturnType<typeof formDb>,
  subscription: { subscription_id: string; status: string; insync: boolean },
  target: Target,
): Promise<BlockReason | undefined> {
  const outOfSyncAllowed = target === Target.VALIDATE || target === Target.RECONCILE || target === Target.SYSTEM;
  if (!subscription.insync && !outOfSyncAllowed) return REASONS.notInSync;
  const usable = USABLE_STATUSES[target];
  if (usable && !usable.includes(subscription.status)) return REASONS.invalidStatus;
  if (target === Target.TERMINATE) {
    const users = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM subscription_instance_relations r
      JOIN subscription_instances dep ON dep.subscription_instance_id = r.depends_on_id
      JOIN subscription_instances usr ON usr.subscription_instance_id = r.in_use_by_id
      JOIN subscriptions s ON s.subscription_id = usr.subscription_id
      WHERE dep.subscription_id = ${subscription.subscription_id}
        AND usr.subscription_id <> ${subscription.subscription_id}
        AND s.status NOT IN ('terminated', 'initial')`.execute(db);
    if (Number(users.rows[0]?.n ?? 0) > 0) return REASONS.inUseByOthers;
  }
  return undefined;
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
      if (!subscription) throw invalid("Select a subscription", "subscription_id", `Subscription ${subscription_id} does not exist`, subscription_id);
      const linked = await db
        .selectFrom("products_workflows as pw")
        .innerJoin("workflows as w", "w.workflow_id", "pw.workflow_id")
        .select("w.name")
        .where("pw.product_id", "=", subscription.product_id)
        .where("w.name", "=", workflowName)
        .executeTakeFirst();
      if (!linked) throw invalid("Select a subscription", "subscription_id", "This workflow is not valid for this subscription", subscription_id);
      const reason = await subscriptionBlockReason(db, subscription, target);
      if (reason) throw invalid("Select a subscription", "subscription_id", reason.message, subscription_id);
      if (version !== undefined && version !== subscription.version) {
        throw invalid("Select a subscription", "version", `Stale data: subscription ${subscription_id} has version ${subscription.version}, not ${version}`, version);
      }
      const base = { subscription_id, product: subscription.product_id, customer_id: subscription.customer_id, version: subscription.version };
      const result = yield* runUserForm(userForm, { ...state, ...base });
      return { ...base, ...result };
    })();
}
