/** task_clean_up_tasks: delete completed tasks older than TASK_LOG_RETENTION_DAYS. */
import { sql } from "kysely";
import { loadSettings } from "../../settings.js";
import { step, task } from "../../workflow/index.js";

const cleanUp = step("Clean up completed tasks older than TASK_LOG_RETENTION_DAYS", async (_state, ctx) => {
  const days = loadSettings().TASK_LOG_RETENTION_DAYS;
  const db = await ctx.db();
  const deleted = await db
    .deleteFrom("processes")
    .where("is_task", "=", true)
    .where("last_status", "=", "completed")
    .where("last_modified_at", "<=", sql<Date>`now() - make_interval(days => ${days})`)
    .where("pid", "<>", ctx.processId)
    .returning("pid")
    .execute();
  return { tasks_removed: deleted.length, deleted_process_id_list: deleted.map((r) => r.pid) };
});

export const task_clean_up_tasks = task({}, cleanUp);
