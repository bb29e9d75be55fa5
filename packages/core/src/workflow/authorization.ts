/**
 * Who may start, resume and retry a process (orchestrator-core's authorisation callbacks). The API asks these before
 * acting; the engine itself does not know users.
 *
 * - Start: the workflow's `authorizeCallback`.
 * - Resume (a suspended process): the last `resumeAuthCallback` among the steps done so far and the current one, else
 *   the workflow's `authorizeCallback`.
 * - Retry (a failed or waiting process): the last `retryAuthCallback` (or, failing that, `resumeAuthCallback`) among
 *   those steps, else the workflow's `retryAuthCallback`.
 */
import type { Authorizer, Step } from "./steps.js";
import type { Workflow } from "./workflow.js";

export type AuthAction = "start_workflow" | "resume_workflow" | "retry_workflow";

/** The authoriser that decides `action` for a process whose next step is at `currentIndex`. */
export function effectiveAuthorizer(workflow: Workflow, action: AuthAction, currentIndex = 0): Authorizer {
  if (action === "start_workflow") return workflow.authorizeCallback;
  const evaluated: Step[] = workflow.steps.steps.slice(0, currentIndex + 1);
  let found: Authorizer | undefined;
  for (const step of evaluated) {
    const callback = action === "resume_workflow" ? step.resumeAuthCallback : (step.retryAuthCallback ?? step.resumeAuthCallback);
    if (callback) found = callback;
  }
  return found ?? (action === "resume_workflow" ? workflow.authorizeCallback : workflow.retryAuthCallback);
}

/** The original's refusal messages (HTTP 403). */
export const AUTH_MESSAGES = {
  start_workflow: (workflowName: string) => `User is not authorized to start '${workflowName}' workflow`,
  resume_workflow: () => "User is not authorized to resume step",
  retry_workflow: () => "User is not authorized to retry step",
} as const;

/** Ask the effective authoriser; resolves to true when `user` may do it. */
export async function isAuthorized(
  workflow: Workflow,
  action: AuthAction,
  user: unknown,
  currentIndex = 0,
): Promise<boolean> {
  const step = action === "start_workflow" ? undefined : workflow.steps.steps[currentIndex];
  return (await effectiveAuthorizer(workflow, action, currentIndex)({ user, workflowName: workflow.name, stepName: step?.name, action })) === true;
}
