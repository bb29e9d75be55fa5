/**
 * `/api/workflows`: the workflows in the database (filter by target, is_task), their steps from the code, editable
 * descriptions, and the registration view: per workflow whether it is registered in code (LazyWorkflowInstance), in
 * the database (a migration), and for which products, with what is missing or inconsistent named.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/types.js";
import { TARGETS } from "../../targets.js";
import { ALL_WORKFLOWS, getWorkflow } from "../../workflow/registry.js";
import type { ApiContext, ZodApp } from "../app.js";
import { notFound } from "../problem.js";
import { text, uuid } from "../schemas.js";

const tags = ["workflows"];

/** The step names of a workflow in code, or [] when the code does not have it (or cannot load it). */
async function stepsInCode(name: string): Promise<{ name: string }[]> {
  const workflow = await getWorkflow(name).catch(() => undefined);
  return workflow ? workflow.steps.steps.map((s) => ({ name: s.name })) : [];
}

async function workflows(db: Kysely<Database>, filter: { id?: string; target?: string; is_task?: boolean; name?: string }) {
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
    .select(["pw.workflow_id", "p.product_id", "p.name", "p.tag", "p.product_type", "p.status"])
    .where("pw.workflow_id", "in", rows.map((r) => r.workflow_id))
    .orderBy("p.name")
    .execute();
  return Promise.all(
    rows.map(async (w) => ({
      ...w,
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
      },
    },
    async (request) => workflows(db, request.query),
  );

  app.get("/workflows/registration", { schema: { tags, summary: "Each workflow's registration in code and in the database" } }, async () => {
    const rows = await workflows(db, {});
    const byName = new Map(rows.map((r) => [r.name, r]));
    const names = [...new Set([...ALL_WORKFLOWS.keys(), ...byName.keys()])].sort();
    return Promise.all(
      names.map(async (name) => {
        const row = byName.get(name);
        const lazy = ALL_WORKFLOWS.get(name);
        let code: { target?: string; loadError?: string } = {};
        if (lazy) {
          try {
            const workflow = await getWorkflow(name);
            code = { target: workflow?.target };
          } catch (error) {
            code = { loadError: (error as Error).message };
          }
        }
        const problems: string[] = [];
        if (!lazy) problems.push("in the database but not registered in code (no LazyWorkflowInstance)");
        if (!row) problems.push("registered in code but not in the database (write a migration: db migrate-workflows)");
        if (code.loadError) problems.push(code.loadError);
        if (row && code.target && row.target !== code.target) problems.push(`target differs: ${code.target} in code, ${row.target} in the database`);
        if (row && !row.is_task && row.products.length === 0) problems.push("not linked to any product");
        return {
          name,
          in_code: lazy !== undefined,
          module: lazy ? lazy.package : null,
          in_database: row !== undefined,
          workflow_id: row?.workflow_id ?? null,
          target: code.target ?? null,
          database_target: row?.target ?? null,
          is_task: row?.is_task ?? null,
          description: row?.description ?? null,
          product_types: [...new Set(row?.products.map((p) => p.product_type) ?? [])].sort(),
          products: row?.products.map((p) => ({ product_id: p.product_id, name: p.name })) ?? [],
          problems,
        };
      }),
    );
  });

  const id = z.object({ workflow_id: uuid("workflow_id") });
  app.get("/workflows/:workflow_id", { schema: { tags, summary: "A workflow", params: id } }, async (request) => {
    const [workflow] = await workflows(db, { id: request.params.workflow_id });
    if (!workflow) throw notFound(`Workflow ${request.params.workflow_id} not found`);
    return workflow;
  });

  app.patch(
    "/workflows/:workflow_id",
    { schema: { tags, summary: "Change a workflow's description", params: id, body: z.strictObject({ description: text(2000) }) } },
    async (request, reply) => {
      const result = await db
        .updateTable("workflows")
        .set({ description: request.body.description })
        .where("workflow_id", "=", request.params.workflow_id)
        .where("deleted_at", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound(`Workflow ${request.params.workflow_id} not found`);
      return reply.status(201).send((await workflows(db, { id: request.params.workflow_id }))[0]);
    },
  );
}
