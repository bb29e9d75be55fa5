/**
 * `/api/schedules`: the scheduled tasks (orchestrator-core 4's `/api/schedules`): list, create, change, delete, and
 * run one now. A schedule names a workflow or task, a cron expression (UTC) or an interval, and the form pages to
 * start it with; bad values are 400s naming the field.
 */
import { z } from "zod";
import { FormNotCompleteError, FormOverflowError, FormValidationError } from "../../forms/index.js";
import {
  AUTH_MESSAGES,
  createSchedule,
  getWorkflow,
  isAuthorized,
  readGlobalLock,
  deleteSchedule,
  getSchedule,
  listSchedules,
  MAX_INTERVAL_SECONDS,
  MIN_INTERVAL_SECONDS,
  Scheduler,
  ScheduleValidationError,
  updateSchedule,
} from "../../workflow/index.js";
import { userName, type ApiContext, type ZodApp } from "../app.js";
import type { FastifyRequest } from "fastify";
import { enginePaused, HttpProblem, notFound } from "../problem.js";
import { identifier, text, uuid } from "../schemas.js";

const tags = ["schedules"];
const timestamp = z.date();

const scheduleSchema = z.object({
  schedule_id: z.string(),
  name: z.string(),
  workflow_name: z.string(),
  trigger: z.enum(["cron", "interval"]),
  cron: z.string().nullable().describe("Minute hour day month weekday, in UTC"),
  interval_seconds: z.number().nullable(),
  user_inputs: z.array(z.unknown()).describe("The form pages the process is started with"),
  next_run_at: timestamp.nullable(),
  last_run_at: timestamp.nullable(),
  last_result: z.string().nullable().describe('"started", or why the start failed'),
  last_process_id: z.string().nullable(),
  last_process_status: z.string().nullable(),
  created_at: timestamp,
});

/** The form pages a schedule stores, as JSON (characters). */
const MAX_USER_INPUTS_CHARS = 100_000;

const fields = {
  // stored trimmed: blank is empty (422 as the empty name is)
  name: text(500, 1, { oneLine: true }).refine((name) => name.trim() !== "", { error: "must not be empty (it is trimmed)" }),
  workflow_name: identifier(),
  trigger: z.enum(["cron", "interval"]),
  cron: text(200, 1, { oneLine: true }).nullable().optional(),
  // the bounds before int(): 1e20 is refused naming the limit, not the largest safe integer
  interval_seconds: z.number().min(MIN_INTERVAL_SECONDS).max(MAX_INTERVAL_SECONDS).int().nullable().optional(),
  user_inputs: z
    .array(z.record(z.string(), z.unknown()))
    .max(50)
    .refine((pages) => JSON.stringify(pages).length <= MAX_USER_INPUTS_CHARS, `at most ${MAX_USER_INPUTS_CHARS} characters as JSON`)
    .optional(),
};
const scheduleId = z.object({ schedule_id: uuid("schedule_id") });

/** A schedule that cannot be stored: 400 naming the field. */
function invalid(error: unknown): never {
  if (error instanceof ScheduleValidationError) throw new HttpProblem(400, error.message, { field: error.field });
  throw error;
}

export async function scheduleRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  const db = ctx.database.db;

  /**
   * Scheduling a workflow is starting it later: refused (403) to a user its authorizer does not let start it, as
   * `POST /processes/{name}` is. An unknown name is left to the schedule's validation (400 naming the field).
   */
  async function mayStart(request: FastifyRequest, workflowName: string): Promise<void> {
    const workflow = await getWorkflow(workflowName);
    if (workflow && !(await isAuthorized(workflow, "start_workflow", request.user))) {
      throw new HttpProblem(403, AUTH_MESSAGES.start_workflow(workflow.name));
    }
  }

  /**
   * The form pages must start the workflow as it is now (checked as a start would, nothing created): a schedule that
   * could never start is refused with a 400 naming user_inputs, instead of failing at each run. An unknown workflow is
   * left to the schedule's validation.
   */
  async function mayStartWith(request: FastifyRequest, workflowName: string, userInputs: unknown[]): Promise<void> {
    if (!(await getWorkflow(workflowName))) return;
    try {
      await ctx.engine.checkStartForm(workflowName, userInputs, userName(request.user));
    } catch (error) {
      if (error instanceof FormNotCompleteError || error instanceof FormValidationError || error instanceof FormOverflowError) {
        throw new HttpProblem(400, `user_inputs: they do not start ${workflowName}: ${error.message}`, { field: "user_inputs" });
      }
      throw error;
    }
  }

  app.get("/schedules", { schema: { tags, summary: "The scheduled tasks, the next to run first", response: { 200: z.array(scheduleSchema) } } }, async () => listSchedules(db));

  app.get("/schedules/:schedule_id", { schema: { tags, summary: "A scheduled task", params: scheduleId, response: { 200: scheduleSchema } } }, async (request) => {
    const schedule = await getSchedule(db, request.params.schedule_id);
    if (!schedule) throw notFound(`Schedule ${request.params.schedule_id} not found`);
    return schedule;
  });

  app.post(
    "/schedules",
    { schema: { tags, summary: "Schedule a task or workflow (cron or interval)", body: z.strictObject(fields), response: { 201: scheduleSchema } } },
    async (request, reply) => {
      await mayStart(request, request.body.workflow_name);
      await mayStartWith(request, request.body.workflow_name, request.body.user_inputs ?? [{}]);
      return reply.status(201).send(await createSchedule(db, request.body).catch(invalid));
    },
  );

  app.patch(
    "/schedules/:schedule_id",
    { schema: { tags, summary: "Change a scheduled task", params: scheduleId, body: z.strictObject(fields).partial(), response: { 200: scheduleSchema } } },
    async (request) => {
      const current = await getSchedule(db, request.params.schedule_id);
      if (!current) throw notFound(`Schedule ${request.params.schedule_id} not found`);
      await mayStart(request, request.body.workflow_name ?? current.workflow_name);
      if (request.body.workflow_name !== undefined || request.body.user_inputs !== undefined) {
        await mayStartWith(request, request.body.workflow_name ?? current.workflow_name, request.body.user_inputs ?? current.user_inputs);
      }
      const schedule = await updateSchedule(db, request.params.schedule_id, request.body).catch(invalid);
      if (!schedule) throw notFound(`Schedule ${request.params.schedule_id} not found`);
      return schedule;
    },
  );

  app.delete("/schedules/:schedule_id", { schema: { tags, summary: "Delete a scheduled task", params: scheduleId } }, async (request, reply) => {
    if (!(await deleteSchedule(db, request.params.schedule_id))) throw notFound(`Schedule ${request.params.schedule_id} not found`);
    return reply.status(204).send();
  });

  app.post(
    "/schedules/:schedule_id/run",
    {
      schema: {
        tags,
        summary: "Run a scheduled task now (its next run is unchanged)",
        params: scheduleId,
        response: { 200: z.object({ process_id: z.string().nullable(), schedule: scheduleSchema }) },
      },
    },
    async (request) => {
      const current = await getSchedule(db, request.params.schedule_id);
      if (!current) throw notFound(`Schedule ${request.params.schedule_id} not found`);
      await mayStart(request, current.workflow_name);
      if (await readGlobalLock(db)) throw enginePaused();
      const scheduler = new Scheduler({ db, startProcess: (name, inputs) => ctx.engine.startProcess(name, inputs, userName(request.user)) });
      const { processId, schedule } = await scheduler.force(request.params.schedule_id);
      // its stored pages no longer start it (the workflow's form or the data changed since): why, as recorded
      if (!processId) throw new HttpProblem(400, `Schedule ${schedule.name}: ${schedule.last_result ?? "not started"}`);
      return { process_id: processId, schedule };
    },
  );
}
