/** Settings: the engine (running, pausing, paused) with pause / resume, and the workers. */
import { useSetEngineLock } from "../api/engine.ts";
import { useEngineStatus, useWorkerStatus } from "../api/queries.ts";
import { ConfirmButton } from "../components/ConfirmButton.tsx";
import { ErrorMessage, Loading } from "../components/Feedback.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { KeyValueList, type KeyValueRow } from "../components/KeyValueList.tsx";

function Engine() {
  const { data, error, isPending } = useEngineStatus();
  const setLock = useSetEngineLock();
  if (isPending) return <Loading what="Loading engine status" />;
  if (error || !data) return <ErrorMessage error={error} />;
  const paused = data.global_lock;
  return (
    <>
      <dl className="kv">
        <div className="kv-row">
          <dt>Status</dt>
          <dd>
            <span aria-live="polite" data-testid="engine-status">
              <StatusBadge status={data.global_status} />
            </span>
          </dd>
        </div>
        <div className="kv-row">
          <dt>Running processes</dt>
          <dd>{data.running_processes}</dd>
        </div>
      </dl>
      <p className="muted">
        {paused
          ? "New processes and resumes are refused; running ones finish their current step and stop."
          : "Pausing lets running processes finish their current step, then stops them; nothing new starts until resumed."}
      </p>
      {paused ? (
        <ConfirmButton label="Resume engine" question="Resume the engine? Paused processes continue." confirmLabel="Resume" className="primary" onConfirm={() => setLock.mutateAsync(false)} />
      ) : (
        <ConfirmButton label="Pause engine" question="Pause the engine? No process will start or continue until it is resumed." confirmLabel="Pause" onConfirm={() => setLock.mutateAsync(true)} />
      )}
    </>
  );
}

function Workers() {
  const { data, error, isPending } = useWorkerStatus();
  if (isPending) return <Loading what="Loading worker status" />;
  if (error || !data) return <ErrorMessage error={error} />;
  const rows: KeyValueRow[] = [
    ["Executor", data.executor_type],
    ["Workers online", data.number_of_workers_online],
    ["Queued jobs", data.number_of_queued_jobs],
    ["Running jobs", data.number_of_running_jobs],
  ];
  return (
    <>
      <KeyValueList rows={rows} />
      {data.workers.length > 0 && (
        <table aria-label="Worker processes">
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">PID</th>
              <th scope="col">Running</th>
              <th scope="col">Capacity</th>
              <th scope="col">Last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {data.workers.map((worker) => (
              <tr key={worker.worker_id}>
                <td>{worker.hostname}</td>
                <td>{worker.pid}</td>
                <td>{worker.running}</td>
                <td>{worker.capacity}</td>
                <td>{new Date(worker.heartbeat_at).toLocaleTimeString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function SettingsPage() {
  return (
    <section>
      <div className="page-header">
        <h1>Settings</h1>
      </div>
      <div className="columns">
        <section className="card" aria-labelledby="engine-heading">
          <h2 id="engine-heading">Engine</h2>
          <Engine />
        </section>
        <section className="card" aria-labelledby="workers-heading">
          <h2 id="workers-heading">Workers</h2>
          <Workers />
        </section>
      </div>
    </section>
  );
}
