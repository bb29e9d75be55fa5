/** `/api/subscriptions` and `/api/subscription_customer_descriptions`. */
import { z } from "zod";
import {
  setCustomerDescription,
  ProductNotInRegistryError,
  modelFromStored,
  loadStoredSubscription,
  type StoredBlock,
  type StoredSubscription,
} from "../../domain/index.js";
import { subscriptionWorkflows } from "../../workflow/index.js";
import type { ApiContext, ZodApp } from "../app.js";
import { contentRange, listQuerySchema, parseListQuery } from "../list-query.js";
import { HttpProblem, notFound } from "../problem.js";
import { identifier, int4, text, uuid } from "../schemas.js";
import { listSubscriptions, SUBSCRIPTION_LIST, subscriptionDetail } from "../queries/subscriptions.js";
import {
  customerDescriptionSchema,
  domainModelSchema,
  subscriptionDetailSchema,
  subscriptionListItemSchema,
  subscriptionWorkflowsSchema,
} from "../responses.js";

const subscriptionId = z.object({ subscription_id: uuid("subscription_id") });
const tags = ["subscriptions"];

export async function subscriptionRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  const db = ctx.database.db;

  async function mustExist(id: string): Promise<void> {
    const row = await db.selectFrom("subscriptions").select("subscription_id").where("subscription_id", "=", id).executeTakeFirst();
    if (!row) throw notFound(`Subscription ${id} not found`);
  }

  app.get(
    "/subscriptions",
    { schema: { tags, summary: "List subscriptions (range, sort, filter, query; Content-Range header)", querystring: listQuerySchema, response: { 200: z.array(subscriptionListItemSchema) } } },
    async (request, reply) => {
      const list = parseListQuery(request.query, SUBSCRIPTION_LIST);
      const { items, total } = await ctx.reads.read(`subscriptions ${JSON.stringify(list)}`, () => listSubscriptions(db, list));
      return reply.header("Content-Range", contentRange("subscriptions", list, items.length, total)).send(items);
    },
  );

  app.get(
    "/subscriptions/domain-model/:subscription_id",
    { schema: { tags, summary: "The subscription as its domain model, with its product-block tree", params: subscriptionId, response: { 200: domainModelSchema } } },
    async (request) => {
      const stored = await loadStoredSubscription(db, request.params.subscription_id);
      try {
        return modelFromStored(stored);
      } catch (error) {
        // a product without a model in this app's registry: show what is stored
        if (error instanceof ProductNotInRegistryError) return storedAsJson(stored);
        throw error;
      }
    },
  );

  app.get(
    "/subscriptions/workflows/:subscription_id",
    { schema: { tags, summary: "The workflows the subscription may run now, with the reason when one may not", params: subscriptionId, response: { 200: subscriptionWorkflowsSchema } } },
    // an unknown subscription is an OrchestratorError "not_found" (404)
    async (request) => subscriptionWorkflows(db, request.params.subscription_id),
  );

  app.get("/subscriptions/:subscription_id", { schema: { tags, summary: "A subscription", params: subscriptionId, response: { 200: subscriptionDetailSchema } } }, async (request) => {
    const detail = await subscriptionDetail(db, request.params.subscription_id);
    if (!detail) throw notFound(`Subscription ${request.params.subscription_id} not found`);
    return detail;
  });

  app.put(
    "/subscriptions/:subscription_id/set_in_sync",
    { schema: { tags, summary: "Mark the subscription in sync (after a failed process was dealt with by hand)", params: subscriptionId, response: { 200: z.null() } } },
    async (request) => {
      const result = await db.updateTable("subscriptions").set({ insync: true }).where("subscription_id", "=", request.params.subscription_id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound(`Subscription ${request.params.subscription_id} not found`);
      ctx.hub.subscriptionChanged(request.params.subscription_id);
      return null;
    },
  );

  // customer descriptions ---------------------------------------------------------------------------------------
  const descriptionTags = ["subscription_customer_descriptions"];
  const descriptionBody = z.strictObject({
    subscription_id: uuid("subscription_id"),
    customer_id: identifier(),
    // subscription_customer_descriptions.description is varchar(2000)
    description: text(2000, 1),
  });
  const descriptionId = z.object({ id: uuid("id") });

  app.post(
    "/subscription_customer_descriptions",
    { schema: { tags: descriptionTags, summary: "Add a customer's description of a subscription", body: descriptionBody } },
    async (request, reply) => {
      await mustExist(request.body.subscription_id);
      const existing = await db
        .selectFrom("subscription_customer_descriptions")
        .select("id")
        .where("subscription_id", "=", request.body.subscription_id)
        .where("customer_id", "=", request.body.customer_id)
        .executeTakeFirst();
      if (existing) throw new HttpProblem(409, `Customer ${request.body.customer_id} already has a description of this subscription (id ${existing.id}); use PUT to change it`);
      await setCustomerDescription(db, request.body);
      ctx.hub.subscriptionChanged(request.body.subscription_id);
      return reply.status(204).send();
    },
  );

  app.put(
    "/subscription_customer_descriptions",
    {
      schema: {
        tags: descriptionTags,
        summary: "Change a customer's description of a subscription",
        // created_at and version are sent back as read (the database keeps its own)
        body: descriptionBody.extend({ id: uuid("id"), created_at: text(64).optional(), version: int4("version").optional() }),
      },
    },
    async (request, reply) => {
      // checked first: the update would otherwise fail on the foreign key or the (customer, subscription) key
      await mustExist(request.body.subscription_id);
      const other = await db
        .selectFrom("subscription_customer_descriptions")
        .select("id")
        .where("subscription_id", "=", request.body.subscription_id)
        .where("customer_id", "=", request.body.customer_id)
        .where("id", "!=", request.body.id)
        .executeTakeFirst();
      if (other) throw new HttpProblem(409, `Customer ${request.body.customer_id} already has a description of this subscription (id ${other.id})`);
      const result = await db
        .updateTable("subscription_customer_descriptions")
        .set({ description: request.body.description, customer_id: request.body.customer_id, subscription_id: request.body.subscription_id })
        .where("id", "=", request.body.id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound(`Customer description ${request.body.id} not found`);
      ctx.hub.subscriptionChanged(request.body.subscription_id);
      return reply.status(204).send();
    },
  );

  app.get("/subscription_customer_descriptions/:id", { schema: { tags: descriptionTags, summary: "A customer description", params: descriptionId, response: { 200: customerDescriptionSchema } } }, async (request) => {
    const row = await db.selectFrom("subscription_customer_descriptions").selectAll().where("id", "=", request.params.id).executeTakeFirst();
    if (!row) throw notFound(`Customer description ${request.params.id} not found`);
    return row;
  });

  app.get(
    "/subscription_customer_descriptions/customer/:customer_id/subscription/:subscription_id",
    {
      schema: {
        tags: descriptionTags,
        summary: "A customer's description of a subscription",
        params: subscriptionId.extend({ customer_id: identifier() }),
        response: { 200: customerDescriptionSchema },
      },
    },
    async (request) => {
      const row = await db
        .selectFrom("subscription_customer_descriptions")
        .selectAll()
        .where("subscription_id", "=", request.params.subscription_id)
        .where("customer_id", "=", request.params.customer_id)
        .executeTakeFirst();
      if (!row) throw notFound(`Customer ${request.params.customer_id} has no description of subscription ${request.params.subscription_id}`);
      return row;
    },
  );

  app.delete(
    "/subscription_customer_descriptions/:id",
    { schema: { tags: descriptionTags, summary: "Remove a customer description", params: descriptionId } },
    async (request, reply) => {
      const row = await db.deleteFrom("subscription_customer_descriptions").where("id", "=", request.params.id).returning("subscription_id").executeTakeFirst();
      if (!row) throw notFound(`Customer description ${request.params.id} not found`);
      ctx.hub.subscriptionChanged(row.subscription_id);
      return reply.status(204).send();
    },
  );
}

/** A stored subscription as JSON when its product has no model: blocks keyed by their block name. */
function storedAsJson(stored: StoredSubscription): Record<string, unknown> {
  const { blocks, fixed_inputs, product_id: _productId, ...fields } = stored;
  const result: Record<string, unknown> = { ...fields, ...fixed_inputs };
  for (const block of blocks) result[snake(block.name)] = blockAsJson(block);
  return result;
}

function blockAsJson(block: StoredBlock): Record<string, unknown> {
  const result: Record<string, unknown> = {
    name: block.name,
    subscription_instance_id: block.subscription_instance_id,
    owner_subscription_id: block.owner_subscription_id,
    label: block.label,
    in_use_by: block.in_use_by,
  };
  for (const [key, values] of Object.entries(block.values)) result[key] = values.length === 1 ? values[0] : values;
  for (const [key, children] of Object.entries(block.relations)) result[key] = children.length === 1 ? blockAsJson(children[0]!) : children.map(blockAsJson);
  return result;
}

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
