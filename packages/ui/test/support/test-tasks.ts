/**
 * Tasks for the browser tests, registered in code by server.ts (LazyWorkflowInstance) and in the database with
 * createTask: one whose middle step fails the first time each process runs it (for Retry), one that suspends on a
 * form (for the inline form of a suspended step).
 */
import { begin, choice, divider, formPage, inputStep, label, longText, step, task } from "@orchestrator-ts/core";
import { z } from "zod";

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

const reviewForm = () =>
  formPage(
    {
      intro: label("Check the system by hand, then fill in the review."),
      line: divider(),
      reviewer: z.string().min(2),
      checked_items: z.number().int().min(1),
      outcome: choice("Outcome", { good: "All good", repaired: "Repaired something" }),
      remarks: longText().optional(),
    },
    { title: "Review" },
  );

export const task_ask_review = task(
  {},
  begin.chain(
    step("Look around", () => ({ looked: true })),
    inputStep("Review by hand", reviewForm),
    step("Record the review", (state) => ({ recorded: `${String(state.reviewer)}: ${String(state.outcome)}` })),
  ),
);
