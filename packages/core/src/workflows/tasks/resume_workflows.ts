/** task_resume_workflows: resume processes that wait for a retry, and restart ones stuck in created or resumed. */
import { begin, step, task } from "../../workflow/index.js";

const find = step("Find waiting workflows", async (_state, ctx) => {
  const db = await ctx.db();
  const rows = await db
    .selectFrom("processes")
    .select(["pid", "last_status"])
    .where("last_status", "in", ["waiting", "created", "resumed"])
    .where("pid", "<>", ctx.processId)
    .orderBy("started_at")
    .execute();
  const of = (status: string) => rows.filter((r) => r.last_status === status).map((r) => r.pid);
  return {
    number_of_waiting_processes: of("waiting").length,
    waiting_process_ids: of("waiting"),
    created_processes_stuck: of("created").length,
    created_state_process_ids: of("created"),
    resumed_processes_stuck: of("resumed").length,
    resumed_state_process_ids: of("resumed"),
  };
});

const resume = step("Resume found workflows", async (state, ctx) => {
  const resumed: string[] = [];
  for (const pid of [...(state.waiting_process_ids as string[]), ...(state.resumed_state_process_ids as string[])]) {
    try {
      await ctx.engine.resumeProcess(pid);
      resumed.push(pid);
    } catch {
      // another instance took it meanwhile, or it is no longer resumable: skip
    }
  }
  return { number_of_resumed_process_ids: resumed.length, resumed_process_ids: resumed };
});

const restart = step("Restart found CREATED workflows", async (state, ctx) => {
  const started: string[] = [];
  const recovered = await ctx.engine.recover();
  for (const pid of state.created_state_process_ids as string[]) if (recovered.includes(pid)) started.push(pid);
  return { number_of_started_process_ids: started.length, started_process_ids: started };
});

export const task_resume_workflows = task({}, begin.chain(find, resume, restart));
