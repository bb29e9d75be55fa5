/** A coloured status word (process, step, subscription or engine status). */

const TONES: Record<string, string> = {
  completed: "ok",
  complete: "ok",
  success: "ok",
  active: "ok",
  running: "busy",
  resumed: "busy",
  created: "busy",
  provisioning: "busy",
  migrating: "busy",
  initial: "neutral",
  pending: "neutral",
  skipped: "neutral",
  terminated: "neutral",
  disabled: "neutral",
  suspended: "wait",
  suspend: "wait",
  waiting: "wait",
  awaiting_callback: "wait",
  failed: "bad",
  api_unavailable: "bad",
  inconsistent_data: "bad",
  aborted: "bad",
  abort: "bad",
  RUNNING: "ok",
  PAUSING: "wait",
  PAUSED: "bad",
};

export function StatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return null;
  return (
    <span className={`badge tone-${TONES[status] ?? "neutral"}`} data-status={status}>
      {status.replace(/_/g, " ")}
    </span>
  );
}

export function InSyncBadge({ insync }: { insync: boolean }) {
  return <span className={`badge tone-${insync ? "ok" : "bad"}`}>{insync ? "in sync" : "out of sync"}</span>;
}
