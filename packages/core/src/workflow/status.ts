/** Status of one executed step, stored in `process_steps.status`. */
export const StepStatus = {
  SUCCESS: "success",
  SKIPPED: "skipped",
  SUSPEND: "suspend",
  WAITING: "waiting",
  AWAITING_CALLBACK: "awaiting_callback",
  FAILED: "failed",
  ABORT: "abort",
  COMPLETE: "complete",
} as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];

/** Status of a process, stored in `processes.last_status`. */
export const ProcessStatus = {
  CREATED: "created",
  RUNNING: "running",
  SUSPENDED: "suspended",
  WAITING: "waiting",
  AWAITING_CALLBACK: "awaiting_callback",
  ABORTED: "aborted",
  FAILED: "failed",
  API_UNAVAILABLE: "api_unavailable",
  INCONSISTENT_DATA: "inconsistent_data",
  COMPLETED: "completed",
  RESUMED: "resumed",
} as const;
export type ProcessStatus = (typeof ProcessStatus)[keyof typeof ProcessStatus];

/** The process status a step outcome leaves the process in. */
export function overallStatus(status: StepStatus): ProcessStatus {
  switch (status) {
    case StepStatus.SUCCESS:
    case StepStatus.SKIPPED:
      return ProcessStatus.RUNNING;
    case StepStatus.SUSPEND:
      return ProcessStatus.SUSPENDED;
    case StepStatus.WAITING:
      return ProcessStatus.WAITING;
    case StepStatus.AWAITING_CALLBACK:
      return ProcessStatus.AWAITING_CALLBACK;
    case StepStatus.ABORT:
      return ProcessStatus.ABORTED;
    case StepStatus.FAILED:
      return ProcessStatus.FAILED;
    case StepStatus.COMPLETE:
      return ProcessStatus.COMPLETED;
  }
}

/** Statuses from which a process may be resumed (or retried). */
export const RESUMABLE_STATUSES: readonly ProcessStatus[] = [
  ProcessStatus.SUSPENDED,
  ProcessStatus.WAITING,
  ProcessStatus.AWAITING_CALLBACK,
  ProcessStatus.FAILED,
  ProcessStatus.API_UNAVAILABLE,
  ProcessStatus.INCONSISTENT_DATA,
  ProcessStatus.RESUMED,
];

/** Who is expected to act on a process (orchestrator-core's Assignee). */
export const Assignee = { NOC: "NOC", SYSTEM: "SYSTEM", CHANGES: "CHANGES", KLANTSUPPORT: "KLANTSUPPORT" } as const;
export type Assignee = (typeof Assignee)[keyof typeof Assignee];
