/**
 * Scheduled tasks: what the scheduler starts and when (a cron expression in UTC, or an interval), the next run, the
 * last run's outcome with its process; run one now, change or delete it, or add one.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api } from "../api/client.ts";
import { keys, useSchedules, useWorkflows } from "../api/queries.ts";
import type { Schedule } from "../api/types.ts";
import { ConfirmButton } from "../components/ConfirmButton.tsx";
import { EmptyList } from "../components/EmptyList.tsx";
import { ErrorMessage, Loading } from "../components/Feedback.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { formatDateTime } from "../format.ts";

/** The fields the form edits (the API's POST / PATCH body). */
export interface ScheduleFields {
  name: string;
  workflow_name: string;
  trigger: "cron" | "interval";
  cron: string | null;
  interval_seconds: number | null;
  /** The form pages the process is started with (a workflow's form; `[{}]` for a task without one). */
  user_inputs: unknown[];
}

/** The form pages as typed: a JSON list of objects, or why not. */
export function parsePages(text: string): { pages: Record<string, unknown>[] } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: "Form pages: not JSON; expected a list of pages, e.g. [{}]" };
  }
  if (!Array.isArray(parsed) || !parsed.every((page) => typeof page === "object" && page !== null && !Array.isArray(page))) {
    return { error: "Form pages: expected a list of pages (objects), e.g. [{}]" };
  }
  return { pages: parsed as Record<string, unknown>[] };
}

/** A trigger as a person reads it: "cron 10 0 * * * (UTC)" or "every 30 s". */
export function describeTrigger(schedule: Pick<Schedule, "trigger" | "cron" | "interval_seconds">): string {
  if (schedule.trigger === "cron") return `cron ${schedule.cron} (UTC)`;
  const seconds = schedule.interval_seconds ?? 0;
  if (seconds % 86400 === 0) return `every ${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}

function ScheduleForm({ initial, submitLabel, onSubmit, onCancel }: { initial: ScheduleFields; submitLabel: string; onSubmit: (fields: ScheduleFields) => Promise<unknown>; onCancel?: () => void }) {
  // tasks first: what is usually scheduled; workflows may be too
  const workflows = useWorkflows();
  const choices = [...(workflows.data ?? [])].sort((a, b) => Number(b.is_task) - Number(a.is_task) || a.name.localeCompare(b.name));
  const [fields, setFields] = useState(initial);
  const [pagesText, setPagesText] = useState(() => JSON.stringify(initial.user_inputs ?? [{}]));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<ScheduleFields>) => setFields((current) => ({ ...current, ...change }));
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // only the fields the API takes (`initial` may be a whole schedule)
      const { name, workflow_name, trigger } = fields;
      const timing = trigger === "cron" ? { cron: fields.cron, interval_seconds: null } : { cron: null, interval_seconds: fields.interval_seconds };
      const pages = parsePages(pagesText);
      if ("error" in pages) {
        setError(pages.error);
        return;
      }
      await onSubmit({ name, workflow_name, trigger, ...timing, user_inputs: pages.pages });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="schedule-form" onSubmit={submit} aria-label={submitLabel}>
      <label>
        Name <input required value={fields.name} onChange={(e) => set({ name: e.target.value })} />
      </label>
      <label>
        Task{" "}
        <select required value={fields.workflow_name} onChange={(e) => set({ workflow_name: e.target.value })}>
          <option value="">Choose a task</option>
          {choices.map((workflow) => (
            <option key={workflow.workflow_id} value={workflow.name}>
              {workflow.is_task ? workflow.name : `${workflow.name} (workflow)`}
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>Trigger</legend>
        <label>
          <input type="radio" name="trigger" checked={fields.trigger === "interval"} onChange={() => set({ trigger: "interval" })} /> Interval
        </label>
        <label>
          <input type="radio" name="trigger" checked={fields.trigger === "cron"} onChange={() => set({ trigger: "cron" })} /> Cron (UTC)
        </label>
      </fieldset>
      {fields.trigger === "interval" ? (
        <label>
          Every (seconds){" "}
          <input type="number" min={1} required value={fields.interval_seconds ?? ""} onChange={(e) => set({ interval_seconds: e.target.value === "" ? null : Number(e.target.value) })} />
        </label>
      ) : (
        <label>
          Cron expression <input required placeholder="10 0 * * *" value={fields.cron ?? ""} onChange={(e) => set({ cron: e.target.value })} />
        </label>
      )}
      <label>
        Form pages (JSON){" "}
        <textarea rows={2} spellCheck={false} value={pagesText} onChange={(e) => setPagesText(e.target.value)} aria-describedby="schedule-pages-hint" />
      </label>
      <p id="schedule-pages-hint" className="muted">
        What the workflow's form is answered with, a page each, e.g. <code>{'[{"product": "<product id>"}, {"group_name": "Admins"}]'}</code>; <code>[{}]</code> for a task without a form.
      </p>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}

function LastResult({ schedule, isTask }: { schedule: Schedule; isTask: boolean }) {
  if (!schedule.last_result) return <span className="muted">never run</span>;
  if (!schedule.last_process_id) return <span className="error">{schedule.last_result}</span>;
  return (
    <Link to={`/${isTask ? "tasks" : "workflows"}/${schedule.last_process_id}`}>
      {schedule.last_process_status ? <StatusBadge status={schedule.last_process_status} /> : schedule.last_result}
    </Link>
  );
}

export function SchedulesPage() {
  const client = useQueryClient();
  const { data, error, isPending } = useSchedules();
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const refresh = () => client.invalidateQueries({ queryKey: keys.schedules() });
  const runNow = useMutation({ mutationFn: (id: string) => api("POST", `/schedules/${id}/run`), onSettled: refresh });
  const workflows = useWorkflows();
  const isTask = (name: string) => workflows.data?.find((w) => w.name === name)?.is_task ?? true;
  if (isPending) return <Loading what="Loading scheduled tasks" />;
  if (error || !data) return <ErrorMessage error={error} />;
  const current = data.find((s) => s.schedule_id === editing);
  return (
    <section>
      <div className="page-header">
        <h1>Scheduled tasks</h1>
        {!adding && (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            New schedule
          </button>
        )}
      </div>
      {adding && (
        <ScheduleForm
          initial={{ name: "", workflow_name: "", trigger: "interval", cron: null, interval_seconds: 3600, user_inputs: [{}] }}
          submitLabel="Create schedule"
          onCancel={() => setAdding(false)}
          onSubmit={async (fields) => {
            await api("POST", "/schedules", fields);
            await refresh();
            setAdding(false);
          }}
        />
      )}
      {current && (
        <ScheduleForm
          key={current.schedule_id}
          initial={current}
          submitLabel={`Save ${current.name}`}
          onCancel={() => setEditing(null)}
          onSubmit={async (fields) => {
            await api("PATCH", `/schedules/${current.schedule_id}`, fields);
            await refresh();
            setEditing(null);
          }}
        />
      )}
      {data.length === 0 ? (
        <EmptyList>
          No scheduled tasks. Add one, or create the core's with <code>npx tsx main.ts scheduler load-initial-schedule</code>.
        </EmptyList>
      ) : (
        <table aria-label="Scheduled tasks">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Task</th>
              <th scope="col">Trigger</th>
              <th scope="col">Next run (local time)</th>
              <th scope="col">Last run (local time)</th>
              <th scope="col">Last result</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.map((schedule) => (
              <tr key={schedule.schedule_id}>
                <td>{schedule.name}</td>
                <td>{schedule.workflow_name}</td>
                <td>{describeTrigger(schedule)}</td>
                <td>{formatDateTime(schedule.next_run_at)}</td>
                <td>{formatDateTime(schedule.last_run_at)}</td>
                <td>
                  <LastResult schedule={schedule} isTask={isTask(schedule.workflow_name)} />
                </td>
                <td>
                  <div className="actions nowrap">
                  <button type="button" onClick={() => runNow.mutate(schedule.schedule_id)} disabled={runNow.isPending && runNow.variables === schedule.schedule_id} aria-label={`Run ${schedule.name} now`}>
                    Run now
                  </button>
                  <button type="button" onClick={() => setEditing(schedule.schedule_id)} aria-label={`Edit ${schedule.name}`}>
                    Edit
                  </button>
                  <ConfirmButton
                    label="Delete"
                    title={`Delete ${schedule.name}`}
                    question={`Delete the schedule "${schedule.name}"? The task itself stays.`}
                    confirmLabel="Delete"
                    onConfirm={async () => {
                      await api("DELETE", `/schedules/${schedule.schedule_id}`);
                      await refresh();
                    }}
                  />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {runNow.error && (
        <p role="alert" className="error">
          {runNow.error.message}
        </p>
      )}
    </section>
  );
}
