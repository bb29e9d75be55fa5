/** task_validate_awaiting_callbacks: fail processes whose callback did not arrive within the step's timeout. */
import { sql } from "kysely";
import { begin, step, task } from "../../workflow/index.js";

const find = step("Find timed-out awaiting-callback processes", async (_state, ctx) => {
  const db = await ctx.db();
  const rows = await sql<{ pid: string }>`
    SELECT p.pid FROM processes p
    JOIN LATERAL (
      SELECT s.state, s.completed_at FROM process_steps s WHERE s.pid = p.pid ORDER BY s.seq DESC LIMIT 1
    ) last ON true
    WHERE p.last_status = 'awaiting_callback'
      AND last.state ? '__callback_timeout'
      AND last.completed_at + make_interval(secs => (last.state->>'__callback_timeout')::float8) < now()`.execute(db);
  return { timed_out_process_ids: rows.rows.map((r) => r.pid) };
});

const fail = step("Fail timed-out callbacks", async (state, ctx) => {
  const failed: string[] = [];
  for (const pid of state.timed_out_process_ids as string[]) {
    await ctx.engine.failAwaitingProcess(pid, "Callback timed out");
    failed.push(pid);
  }
  return { failed_process_ids: failed };
});

export const task_validate_awaiting_callbacks = task({}, begin.chain(find, fail));
