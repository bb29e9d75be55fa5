/**
 * A process: its fields, Retry / Abort / Delete (each confirmed, each refused while the engine is paused), the
 * error and traceback when it failed, the form of a suspended step (submitting it resumes the process), and its steps.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, apiGet, submitForm } from "../api/client.ts";
import { keys, useProcess } from "../api/queries.ts";
import type { EngineStatus, ProcessDetail } from "../api/types.ts";
import { ConfirmButton } from "../components/ConfirmButton.tsx";
import { ErrorMessage, Loading } from "../components/Feedback.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { useToast } from "../components/Toasts.tsx";
import { formatDateTime } from "../format.ts";
import { FormFlow } from "../forms/FormFlow.tsx";
import type { Schema } from "../forms/schema.ts";
import { StepList, StepTimeline } from "./process/StepList.tsx";
import { KeyValueList, type KeyValueRow } from "../components/KeyValueList.tsx";

const RETRYABLE = new Set(["failed", "api_unavailable", "inconsistent_data", "waiting"]);
const FINISHED = new Set(["completed", "aborted"]);

/** Refuses with a readable error while the engine is not running (as the original checks before every action). */
async function requireRunningEngine(): Promise<void> {
  const status = await apiGet<EngineStatus>("/settings/status");
  if (status.global_status !== "RUNNING") throw new Error(`The engine is ${status.global_status.toLowerCase()}: resume it in Settings first.`);
}

function Note({ process }: { process: ProcessDetail }) {
  const client = useQueryClient();
  const [text, setText] = useState(process.note ?? "");
  useEffect(() => setText(process.note ?? ""), [process.note]);
  const save = useMutation({
    mutationFn: () => api("PATCH", `/processes/${process.process_id}`, { note: text }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["processes"] }),
  });
  return (
    <form
      className="inline-edit"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <label>
        <span className="visually-hidden">Note</span>
        {/* a note is free text: its lines are kept (an input would drop them) */}
        <textarea value={text} onChange={(e) => setText(e.target.value)} placeholder="Add a note" rows={Math.min(8, Math.max(1, text.split("\n").length))} />
      </label>
      <button type="submit" disabled={save.isPending || text === (process.note ?? "")}>
        Save note
      </button>
      {save.error && <ErrorMessage error={save.error} />}
    </form>
  );
}

function Actions({ process }: { process: ProcessDetail }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const id = process.process_id;
  const refresh = () => client.invalidateQueries({ queryKey: ["processes"] });
  const retry = async () => {
    await requireRunningEngine();
    await api("PUT", `/processes/${id}/resume`, [{}]);
    toast("Process resumed");
    await refresh();
  };
  const abort = async () => {
    await requireRunningEngine();
    await api("PUT", `/processes/${id}/abort`);
    toast("Process aborted");
    await refresh();
  };
  const remove = async () => {
    await requireRunningEngine();
    await api("DELETE", `/processes/${id}`);
    toast("Task deleted");
    client.removeQueries({ queryKey: keys.process(id) });
    void refresh();
    navigate(process.is_task ? "/tasks" : "/workflows");
  };
  const status = process.last_status;
  return (
    <div className="actions">
      <ConfirmButton
        label="Retry"
        question={`Retry ${process.workflow_name} from the step that ${status === "waiting" ? "is waiting" : "failed"}?`}
        confirmLabel="Retry"
        disabled={!RETRYABLE.has(status)}
        onConfirm={retry}
      />
      <ConfirmButton label="Abort" question={`Abort ${process.workflow_name}? It cannot be resumed afterwards.`} confirmLabel="Abort" disabled={FINISHED.has(status)} onConfirm={abort} />
      {process.is_task && (
        <ConfirmButton label="Delete" question={`Delete this ${process.workflow_name} task and its steps?`} confirmLabel="Delete" disabled={status === "running"} onConfirm={remove} />
      )}
    </div>
  );
}

function Fields({ process }: { process: ProcessDetail }) {
  const rows: KeyValueRow[] = [
    ["Process id", <span className="mono">{process.process_id}</span>],
    ["Status", <StatusBadge status={process.last_status} />],
    ["Last step", process.last_step ?? ""],
    ["Target", process.workflow_target ?? ""],
    ["Product", process.product ? `${process.product.name} (${process.product.tag})` : ""],
    ["Customer", <span className="mono">{process.customer_id ?? ""}</span>],
    ["Created by", process.created_by ?? ""],
    ["Assignee", process.assignee ?? ""],
    ["Started", formatDateTime(process.started_at)],
    ["Last modified", formatDateTime(process.last_modified_at)],
    [
      "Subscriptions",
      <ul className="plain">
        {process.subscriptions.map((s) => (
          <li key={s.subscription_id}>
            <Link to={`/subscriptions/${s.subscription_id}`}>{s.description}</Link> <StatusBadge status={s.status} />
          </li>
        ))}
      </ul>,
    ],
    ["Note", <Note process={process} />],
  ];
  return <KeyValueList rows={rows} />;
}

function SuspendedForm({ process }: { process: ProcessDetail }) {
  const client = useQueryClient();
  const toast = useToast();
  return (
    <section className="card user-input" aria-labelledby="user-input-heading">
      <h2 id="user-input-heading">Input needed</h2>
      <FormFlow
        key={process.last_modified_at}
        form={process.form as Schema}
        submit={async (pages) => {
          await requireRunningEngine();
          return submitForm("PUT", `/processes/${process.process_id}/resume`, pages);
        }}
        onDone={() => {
          toast("Process resumed");
          void client.invalidateQueries({ queryKey: ["processes"] });
        }}
      />
    </section>
  );
}

export function ProcessDetailPage({ isTask }: { isTask: boolean }) {
  const { processId = "" } = useParams();
  const { data: process, error, isPending } = useProcess(processId);
  const list = isTask ? "/tasks" : "/workflows";
  if (isPending) return <Loading what="Loading process" />;
  if (error || !process) return <ErrorMessage error={error ?? "Process not found"} />;
  const failed = process.last_status === "failed" || process.last_status === "api_unavailable" || process.last_status === "inconsistent_data";
  return (
    <section className="process-detail">
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to={list}>{isTask ? "Tasks" : "Workflows"}</Link> /
          </p>
          <h1>
            {process.workflow_name} <StatusBadge status={process.last_status} />
          </h1>
        </div>
        <Actions process={process} />
      </div>
      <StepTimeline steps={process.steps} />
      {failed && (
        <section className="card failure" aria-labelledby="failure-heading">
          <h2 id="failure-heading">Error</h2>
          <p role="alert">{process.failed_reason ?? "The process failed."}</p>
          {process.traceback && (
            <details>
              <summary>Traceback</summary>
              <pre className="traceback">{process.traceback}</pre>
            </details>
          )}
        </section>
      )}
      {process.last_status === "suspended" && process.form && <SuspendedForm process={process} />}
      <div className="columns wide-right">
        <section className="card" aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <Fields process={process} />
        </section>
        <section className="card" aria-labelledby="steps-heading">
          <h2 id="steps-heading">Steps</h2>
          <StepList steps={process.steps} />
        </section>
      </div>
    </section>
  );
}
