/** `/api/processes`: the process list and detail, starting with the form protocol, resume/retry, abort, delete, callbacks. */
import { createHash } from "node:crypto";
import { z } from "zod";
import { withClusterLock } from "../../db/index.js";
import {
  isAuthorized,
  AUTH_MESSAGES,
  loadProcessRow,
  loadSteps,
  readGlobalLock,
  recoverState,
  getWorkflow,
  ProcessStatus,
} from "../../workflow/index.js";
import { PUBLIC_ROUTE, userName, type ApiContext, type ZodApp } from "../app.js";
import { contentRange, listQuerySchema, parseListQuery } from "../list-query.js";
import { enginePaused, HttpProblem, notFound } from "../problem.js";
import { identifier, text, uuid } from "../schemas.js";
import { listProcesses, PROCESS_LIST, processDetail } from "../queries/processes.js";
import { processDetailSchema, processListItemSchema, statusCountsSchema } from "../responses.js";

const processId = z.object({ process_id: uuid("process_id") });
const pageInputs = z.array(z.record(z.string(), z.unknown())).describe("The form pages submitted so far: [] asks for the first page");
const TASK_RETRY_STATUSES = [ProcessStatus.FAILED, ProcessStatus.WAITING, ProcessStatus.API_UNAVAILABLE, ProcessStatus.INCONSISTENT_DATA];
const tags = ["processes"];

export async function processRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  const db = ctx.database.db;

  /** orchestrator-core refuses changes to processes while the engine is paused. */
  async function checkGlobalLock(): Promise<void> {
    if (await readGlobalLock(db)) throw enginePaused();
  }

  async function existing(id: string) {
    const row = await loadProcessRow(db, id);
    if (!row) throw notFound(`Process ${id} not found`);
    return row;
  }

  app.get(
    "/processes",
    {
      schema: {
        tags,
        summary: "List processes (range, sort, filter, query; Content-Range header)",
        querystring: listQuerySchema,
        response: { 200: z.array(processListItemSchema), 304: z.null().describe("Not modified: the page's ETag matches If-None-Match") },
      },
    },
    async (request, reply) => {
      const list = parseListQuery(request.query, PROCESS_LIST);
      const { items, total } = await ctx.reads.read(`processes ${JSON.stringify(list)}`, () => listProcesses(db, list));
      const etag = `W/"${createHash("sha1")
        .update(items.map((i) => `${i.process_id}:${i.last_modified_at.toISOString()}:${i.last_status}`).join(","))
        .update(String(total))
        .digest("hex")
        .slice(0, 16)}"`;
      if (request.headers["if-none-match"] === etag) return reply.status(304).send(null);
      return reply.header("Content-Range", contentRange("processes", list, items.length, total)).header("ETag", etag).send(items);
    },
  );

  app.get("/processes/status-counts", { schema: { tags, summary: "Processes and tasks per status", response: { 200: statusCountsSchema } } }, async () => {
    const rows = await ctx.reads.read("status-counts", () =>
      db
        .selectFrom("processes")
        .select(["is_task", "last_status", (eb) => eb.fn.countAll<number>().as("n")])
        .groupBy(["is_task", "last_status"])
        .execute(),
    );
    const counts = { process_counts: {} as Record<string, number>, task_counts: {} as Record<string, number> };
    for (const r of rows) (r.is_task ? counts.task_counts : counts.process_counts)[r.last_status] = Number(r.n);
    return counts;
  });

  app.put("/processes/resume-all", { schema: { tags, summary: "Retry every failed, waiting or unavailable task", response: { 200: z.object({ count: z.number().describe("Tasks resumed") }) } } }, async (request) => {
    await checkGlobalLock();
    // one at a time across every API process on the database (orchestrator-core: a distlock)
    const done = await withClusterLock(ctx.database, "resume-all", async () => {
      const rows = await db
        .selectFrom("processes")
        .select("pid")
        .where("is_task", "=", true)
        .where("last_status", "in", TASK_RETRY_STATUSES)
        .execute();
      let count = 0;
      for (const { pid } of rows) {
        try {
          await ctx.engine.resumeProcess(pid, [{}], userName(request.user));
          count++;
        } catch (error) {
          request.log.warn({ err: error, pid }, "could not resume task");
        }
      }
      return { count };
    });
    if (!done.ran) throw new HttpProblem(409, "Another request to resume all tasks is in progress");
    return done.value;
  });

  app.get("/processes/:process_id", { schema: { tags, summary: "A process with its steps", params: processId, response: { 200: processDetailSchema } } }, async (request) => {
    const detail = await processDetail(db, request.params.process_id);
    if (!detail) throw notFound(`Process ${request.params.process_id} not found`);
    return detail;
  });

  app.post(
    "/processes/:workflow_key",
    {
      schema: {
        tags,
        summary: "Start a workflow: 510 with the next form page until every page is submitted, then 201 {id}",
        params: z.object({ workflow_key: identifier() }),
        body: pageInputs,
        response: { 201: z.object({ id: z.string().describe("The new process") }) },
      },
    },
    async (request, reply) => {
      const workflow = await getWorkflow(request.params.workflow_key);
      if (!workflow) throw notFound("Workflow does not exist");
      if (!(await isAuthorized(workflow, "start_workflow", request.user))) {
        throw new HttpProblem(403, AUTH_MESSAGES.start_workflow(workflow.name));
      }
      if (await readGlobalLock(db)) {
        // while paused the form pages are still answered (510 / 400), so a user can fill in the form; the start is
        // refused once they are complete
        await ctx.engine.checkStartForm(workflow.name, request.body, userName(request.user));
        await checkGlobalLock();
      }
      const id = await ctx.engine.startProcess(workflow.name, request.body, userName(request.user));
      return reply.status(201).send({ id });
    },
  );

  app.put(
    "/processes/:process_id/resume",
    {
      schema: {
        tags,
        summary: "Resume a suspended process with its form pages, or retry a failed / waiting one",
        params: processId,
        // the WFO UI retries with a bare {}
        body: z.union([pageInputs, z.record(z.string(), z.unknown())]).optional(),
      },
    },
    async (request, reply) => {
      await checkGlobalLock();
      const row = await existing(request.params.process_id);
      const workflow = await getWorkflow(row.workflow_name);
      if (workflow) {
        const current = recoverState(await loadSteps(db, row.pid)).completedSteps;
        const action = row.last_status === ProcessStatus.SUSPENDED ? "resume_workflow" : "retry_workflow";
        if (!(await isAuthorized(workflow, action, request.user, current))) throw new HttpProblem(403, AUTH_MESSAGES[action]());
      }
      const body = request.body;
      const inputs = Array.isArray(body) ? body : [body ?? {}];
      await ctx.engine.resumeProcess(row.pid, inputs, userName(request.user));
      return reply.status(204).send();
    },
  );

  app.put("/processes/:process_id/abort", { schema: { tags, summary: "Abort a process", params: processId } }, async (request, reply) => {
    await checkGlobalLock();
    // the engine answers an unknown process with ProcessNotFoundError (404)
    await ctx.engine.abortProcess(request.params.process_id, userName(request.user));
    return reply.status(204).send();
  });

  app.delete("/processes/:process_id", { schema: { tags, summary: "Delete a task's process", params: processId } }, async (request, reply) => {
    await checkGlobalLock();
    const row = await existing(request.params.process_id);
    if (!row.is_task) throw new HttpProblem(400, `Only tasks can be deleted: process ${row.pid} runs the workflow ${row.workflow_name}`);
    await ctx.engine.deleteProcess(row.pid);
    return reply.status(204).send();
  });

  app.patch(
    "/processes/:process_id",
    {
      schema: {
        tags,
        summary: "Set the process's note",
        params: processId,
        body: z.strictObject({ note: text(5000).nullable() }),
        response: { 200: processDetailSchema },
      },
    },
    async (request) => {
      const result = await db.updateTable("processes").set({ note: request.body.note }).where("pid", "=", request.params.process_id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound(`Process ${request.params.process_id} not found`);
      ctx.hub.publish({ type: "processes", id: request.params.process_id });
      ctx.hub.publish({ type: "processes", id: "LIST" });
      return processDetail(db, request.params.process_id);
    },
  );

  const callbackParams = processId.extend({ token: identifier() });
  app.post(
    "/processes/:process_id/callback/:token",
    {
      // the token in the path authenticates the external system (it has no bearer token)
      ...PUBLIC_ROUTE,
      schema: {
        tags,
        summary: "An external system answers an awaiting callback step",
        params: callbackParams,
        body: z.record(z.string(), z.unknown()),
        response: { 200: z.object({ process_id: z.string() }) },
      },
    },
    async (request) => {
      await ctx.engine.continueAwaitingProcess(request.params.process_id, request.params.token, request.body);
      return { process_id: request.params.process_id };
    },
  );

  app.post(
    "/processes/:process_id/callback/:token/progress",
    {
      ...PUBLIC_ROUTE,
      schema: {
        tags,
        summary: "Progress of an awaiting callback step (a string or an object)",
        params: callbackParams,
        body: z.union([z.string(), z.record(z.string(), z.unknown())], { error: "expected a string or a JSON object" }),
        response: { 200: z.object({ process_id: z.string() }) },
      },
    },
    async (request) => {
      await ctx.engine.updateAwaitingProcessProgress(request.params.process_id, request.params.token, request.body);
      return { process_id: request.params.process_id };
    },
  );
}
