/**
 * A task for the browser tests: its middle step fails the first time each process runs it, so the UI's Retry can be
 * shown to finish it. Registered in code by server.ts (LazyWorkflowInstance) and in the database with createTask.
 */
import { begin, step, task } from "@orchestrator-ts/core";

const attempts = new Map<string, number>();

export const task_flaky_once = task(
  {},
  begin.chain(
    step("Prepare", () => ({ prepared: true })),
    step("Call the flaky system", (state) => {
      const key = String(state.process_id);
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      if (attempt === 1) throw new Error("The flaky system did not answer (first attempt)");
      return { flaky_attempts: attempt };
    }),
  ),
);
