/** Run predicates of the core tasks. */
import type { RunPredicate } from "../workflow/index.js";

/** Refuse a start while another process of the same workflow is not completed or aborted. */
export const noUncompletedInstance: RunPredicate = async ({ workflowName, db }) => {
  const row = await db
    .selectFrom("processes as p")
    .innerJoin("workflows as w", "w.workflow_id", "p.workflow_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("w.name", "=", workflowName)
    .where("p.last_status", "not in", ["completed", "aborted"])
    .executeTakeFirstOrThrow();
  const n = Number(row.n);
  return n === 0 ? true : `Workflow '${workflowName}' already has ${n} uncompleted instance(s)`;
};
