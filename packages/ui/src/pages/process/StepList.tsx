/**
 * The steps of a process: a compact timeline across the top, then one disclosure per step with its status, start and
 * end times and duration, and its state delta or full state (keys starting with `__` hidden unless asked).
 */
import { useState } from "react";
import type { ProcessStep } from "../../api/types.ts";
import { JsonBlock } from "../../components/Feedback.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { durationBetween, formatDateTime } from "../../format.ts";

const ICONS: Record<string, string> = {
  success: "✓",
  complete: "✓",
  skipped: "↷",
  suspend: "‖",
  waiting: "…",
  awaiting_callback: "…",
  failed: "✕",
  abort: "■",
  pending: "○",
};

function visible(state: ProcessStep["state"], hidden: boolean): NonNullable<ProcessStep["state"]> {
  if (!state) return {};
  if (hidden) return state;
  return Object.fromEntries(Object.entries(state).filter(([key]) => !key.startsWith("__")));
}

export function StepTimeline({ steps }: { steps: ProcessStep[] }) {
  return (
    <ol className="timeline" aria-label="Step timeline">
      {steps.map((step, index) => (
        <li key={`${index}-${step.name}`} className={`timeline-step step-${step.status}`} title={`${step.name}: ${step.status}`}>
          <span className="timeline-icon" aria-hidden="true">
            {ICONS[step.status] ?? "•"}
          </span>
          <span className="visually-hidden">
            {step.name}: {step.status}
          </span>
        </li>
      ))}
    </ol>
  );
}

export function StepList({ steps }: { steps: ProcessStep[] }) {
  const [full, setFull] = useState(false);
  const [hidden, setHidden] = useState(false);
  return (
    <>
      <div className="toolbar">
        <label className="checkbox">
          <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} /> Show full state instead of delta
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={hidden} onChange={(e) => setHidden(e.target.checked)} /> Show hidden keys
        </label>
      </div>
      <ol className="steps" aria-label="Steps">
        {steps.map((step, index) => {
          const started = step.started ?? null;
          const completed = step.completed ?? step.executed ?? null;
          const data = visible(full ? step.state : step.state_delta, hidden);
          const pending = step.status === "pending";
          return (
            <li key={`${index}-${step.name}`} className={`step step-${step.status}`} data-step={step.name}>
              <details open={step.status === "failed" || undefined}>
                <summary>
                  <span className="step-icon" aria-hidden="true">
                    {ICONS[step.status] ?? "•"}
                  </span>
                  <span className="step-name">{step.name}</span>
                  <StatusBadge status={step.status} />
                  {!pending && (
                    <span className="step-times muted" title={completed ? `completed ${formatDateTime(completed)}` : undefined}>
                      <time>{formatDateTime(started ?? completed)}</time>
                      {durationBetween(started, completed) && <span className="duration"> · {durationBetween(started, completed)}</span>}
                    </span>
                  )}
                </summary>
                {pending ? (
                  <p className="muted">Not run yet.</p>
                ) : Object.keys(data).length === 0 ? (
                  <p className="muted">{full ? "Empty state." : "This step changed nothing in the state."}</p>
                ) : (
                  <JsonBlock value={data} label={`${full ? "State" : "State delta"} of ${step.name}`} />
                )}
                {step.created_by && <p className="muted">by {step.created_by}</p>}
              </details>
            </li>
          );
        })}
      </ol>
    </>
  );
}
