/**
 * The bench's task: five steps that each await STEP_MS (an external call, 20 ms by default). With LOG_STEPS=1 each
 * also logs its run in the step's transaction, so the bench can count steps that ran twice (a step killed before its
 * checkpoint logs nothing); the throughput phases leave that out (the workload is five awaits).
 */
import { sql } from "kysely";
import { begin, done, step, task } from "@orchestrator-ts/core";

const stepMs = () => Number(process.env.STEP_MS ?? 20);

export const bench_sleepy = task(
  {},
  begin.chain(
    ...["One", "Two", "Three", "Four", "Five"].map((name) =>
      step(name, async (_state, ctx) => {
        await new Promise((resolve) => setTimeout(resolve, stepMs()));
        if (process.env.LOG_STEPS !== "1") return;
        const db = await ctx.db();
        await sql`INSERT INTO bench_log (pid, step) VALUES (${ctx.processId}, ${name})`.execute(db);
      }),
    ),
    done,
  ),
);
