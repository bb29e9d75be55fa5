/**
 * `/api/workflows`: the workflows in the database (filter by target, is_task), their steps from the code, editable
 * descriptions, and the registration view: per workflow whether it is registered in code (LazyWorkflowInstance), in
 * the database (a migration), and for which products, with what is missing or inconsistent named — the report of
 * `workflows/registration.ts`, which `db check` and task_validate_products give too.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/index.js";
import { TARGETS } from "../../targets.js";
import { getWorkflow } from "../../workflow/index.js";
import { checkRegistration } from "../../workflows/index.js";
import type { ApiContext, ZodApp } from "../app.js";
import { notFound } from "../problem.js";
import { registrationCheckSchema, workflowRegistrationSchema, workflowSchema, type Workflow } from "../responses.js";
import { text, uuid } from "../schemas.js";

const tags = ["workflows"];

/** The step names of a workflow in code, or [] when the code does not have it (or cannot load it). */
async function stepsInCode(name: string): Promise<{ name: string }[]> {
  const workflow = await getWorkflow(name).catch(() => undefined);
  return workflow ? workflow.steps.steps.map((s) => ({ name: s.name })) : [];
}

async function workflows(db: Kysely<Database>, filter: { id?: string; target?: string; is_task?: boolean; name?: string }): Promise<Workflow[]> {
  let query = db.selectFrom("workflows").select(["workflow_id", "name", "target", "is_task", "description", "created_at"]).where("deleted_at", "is", null).orderBy("name");
  if (filter.id) query = query.where("workflow_id", "=", filter.id);
  if (filter.target) query = query.where("target", "in", filter.target.split(/[,-]/).map((t) => t.trim().toUpperCase()));
  if (filter.is_task !== undefined) query = query.where("is_task", "=", filter.is_task);
  if (filter.name) query = query.where("name", "=", filter.name);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const products = await db
    .selectFrom("products_workflows as pw")
    .innerJoin("products as p", "p.product_id", "pw.product_id")
    .select(["pw.workflow_id", "p.product_id", "p.name", "p.description", "p.tag", "p.product_type", "p.status"])
    .where("pw.workflow_id", "in", rows.map((r) => r.workflow_id))
    .orderBy("p.name")
    .execute();
  return Promise.all(
    rows.map(async (w) => ({
      ...w,
      // workflows.target holds a Target (see ../responses.ts)
      target: w.target as Workflow["target"],
      steps: await stepsInCode(w.name),
      products: products.filter((p) => p.workflow_id === w.workflow_id).map(({ workflow_id: _w, ...p }) => p),
    })),
  );
}

export async function workflowRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  const db = ctx.database.db;
  const target = z
    .string()
    .refine((v) => v.split(/[,-]/).every((t) => (TARGETS as readonly string[]).includes(t.trim().toUpperCase())), {
      message: `target must be one of ${TARGETS.join(", ")} (several separated by commas)`,
    });

  app.get(
    "/workflows",
    {
      schema: {
        tags,
        summary: "Workflows in the database with their products and steps",
        querystring: z.object({
          target: target.optional(),
          is_task: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
          name: z.string().optional(),
        }),
        response: { 200: z.array(workflowSchema) },
      },
    },
    async (request) => workflows(db, request.query),
  );

  // the same report as `db check` and task_validate_products (../../workflows/registration.ts)
  const registration = () => checkRegistration(db, { defaultWorkflows: ctx.settings.DEFAULT_PRODUCT_WORKFLOWS });
  app.get("/workflows/registration", { schema: { tags, summary: "Each workflow's registration in code and in the database", response: { 200: z.array(workflowRegistrationSchema) } } }, async () => (await registration()).workflows);
  app.get(
    "/workflows/registration/check",
    { schema: { tags, summary: "The registration verdict: every problem of workflows and products (what db check and task_validate_products report)", response: { 200: registrationCheckSchema } } },
    async () => {
      const report = await registration();
      return { ok: report.ok, problems: report.problems, products_without_all_workflows: report.productsWithoutAllWorkflows };
    },
  );

  const id = z.object({ workflow_id: uuid("workflow_id") });
  app.get("/workflows/:workflow_id", { schema: { tags, summary: "A workflow", params: id, response: { 200: workflowSchema } } }, async (request) => {
    const [workflow] = await workflows(db, { id: request.params.workflow_id });
    if (!workflow) throw notFound(`Workflow ${request.params.workflow_id} not found`);
    return workflow;
  });

  app.patch(
    "/workflows/:workflow_id",
    { schema: { tags, summary: "Change a workflow's description", params: id, body: z.strictObject({ description: text(2000) }), response: { 201: workflowSchema } } },
    async (request, reply) => {
      const result = await db
        .updateTable("workflows")
        .set({ description: request.body.description })
        .where("workflow_id", "=", request.params.workflow_id)
        .where("deleted_at", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound(`Workflow ${request.params.workflow_id} not found`);
      const [workflow] = await workflows(db, { id: request.params.workflow_id });
      if (!workflow) throw notFound(`Workflow ${request.params.workflow_id} not found`);
      return reply.status(201).send(workflow);
    },
  );
}
