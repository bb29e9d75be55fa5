/**
 * Replay: where a process is, from its step rows (pure: rows in, position out; no SQL). The engine continues a
 * resumed, retried or recovered process from here, and the API shows the steps still to come from it. The rows come
 * from the process store with every state in full (rebuilt from the deltas stored).
 *
 * orchestrator-core does the same in `orchestrator/workflow.py` (`_recoverwf`): the log of executed steps is matched
 * against the workflow's steps, and the state to go on with is the last step that completed.
 */
import { StepStatus } from "./status.js";
import type { State, Step, StepOutcome } from "./steps.js";
import { STEP_GROUP_KEY } from "./steps.js";

/** What replay needs of a step row. */
export interface ReplayRow {
  stepid: string;
  name: string;
  status: string;
  state: State;
}

/** Statuses of step rows that do not count as completed steps. */
export const NOT_CLEARED: readonly string[] = [StepStatus.FAILED, StepStatus.SUSPEND, StepStatus.WAITING, StepStatus.AWAITING_CALLBACK, StepStatus.ABORT];

export interface RecoveredState<R extends ReplayRow = ReplayRow> {
  /** The state to continue from and the status of the step it came from. */
  outcome: StepOutcome;
  /** How many steps of the workflow have completed: the next one to run is at this index. */
  completedSteps: number;
  /** The last row (to update on a repeated failure, or to continue a step group). */
  lastRow?: R;
}

/**
 * Rebuild where a process is from its step rows, in order: the state of the last completed step (or of a suspended /
 * awaiting step, with that status; or of the completing step), and how many steps completed. A step group's progress
 * rows carry `__step_group` and do not count until the group finishes.
 */
export function recoverState<R extends ReplayRow>(steps: readonly R[]): RecoveredState<R> {
  const cleared = steps.filter((s) => !NOT_CLEARED.includes(s.status));
  const completed = cleared.filter((s) => !(STEP_GROUP_KEY in s.state)).length;
  const last = steps.at(-1);
  if (last && (last.status === StepStatus.SUSPEND || last.status === StepStatus.AWAITING_CALLBACK)) {
    return { outcome: { status: last.status, state: last.state }, completedSteps: completed, lastRow: last };
  }
  if (last?.status === StepStatus.COMPLETE) {
    return { outcome: { status: StepStatus.COMPLETE, state: last.state }, completedSteps: completed, lastRow: last };
  }
  const lastCleared = cleared.at(-1);
  return {
    outcome: { status: StepStatus.SUCCESS, state: lastCleared ? lastCleared.state : {} },
    completedSteps: completed,
    lastRow: last,
  };
}

/** The progress row of `next` when it is a step group that completed some sub-steps: the row to go on in. */
export function groupProgressRow(rows: readonly ReplayRow[], next: Step | undefined): string | undefined {
  if (!next?.isGroup) return undefined;
  const progress = [...rows].reverse().find((r) => r.name === next.name && r.status === StepStatus.SUCCESS);
  return progress && progress.state[STEP_GROUP_KEY] === next.name ? progress.stepid : undefined;
}

/** Whether two failures are the same (class, message and details): a repeated one updates its row (`retries`). */
export function sameFailure(previous: State, next: State): boolean {
  return previous.class === next.class && previous.error === next.error && JSON.stringify(previous.details) === JSON.stringify(next.details);
}
