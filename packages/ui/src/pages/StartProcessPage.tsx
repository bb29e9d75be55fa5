/**
 * Starting a workflow or task: the server's form, page by page (`POST /processes/{name}` with the pages so far).
 * `?product=` (create from the picker) or `?subscription_id=` (an action of a subscription) is the first page. On
 * success it opens the new process. While the engine is paused a banner says so and offers to resume it; the form
 * waits for it (the server refuses to start anything until then).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { submitForm } from "../api/client.ts";
import { useEngineStatus, useWorkflows } from "../api/queries.ts";
import type { JsonObject, StartedProcess } from "../api/types.ts";
import { EnginePausedBanner } from "../components/EnginePausedBanner.tsx";
import { SubscriptionLink } from "../components/SubscriptionLink.tsx";
import { FormFlow } from "../forms/FormFlow.tsx";

export function StartProcessPage({ isTask }: { isTask: boolean }) {
  const { workflowName = "" } = useParams();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const base = isTask ? "/tasks" : "/workflows";
  const product = search.get("product");
  const subscriptionId = search.get("subscription_id");
  const initialPages = useMemo<JsonObject[]>(
    () => (product ? [{ product }] : subscriptionId ? [{ subscription_id: subscriptionId }] : []),
    [product, subscriptionId],
  );
  const workflows = useWorkflows(isTask ? "is_task=true" : "");
  const workflow = workflows.data?.find((w) => w.name === workflowName);
  const engine = useEngineStatus();

  return (
    <section className="start-process">
      <p className="breadcrumb">
        <Link to={base}>{isTask ? "Tasks" : "Workflows"}</Link> /
      </p>
      <h1>{workflow?.description || workflowName}</h1>
      <p className="muted">
        {isTask ? "Task" : "Workflow"} <code>{workflowName}</code>
        {subscriptionId && (
          <>
            {" "}
            on <SubscriptionLink id={subscriptionId} />
          </>
        )}
      </p>
      <EnginePausedBanner />
      <div className="columns wide-left">
        <div className="card">
          <FormFlow<StartedProcess>
            key={`${workflowName}-${product ?? ""}-${subscriptionId ?? ""}`}
            initialPages={initialPages}
            submit={(pages) => submitForm<StartedProcess>("POST", `/processes/${encodeURIComponent(workflowName)}`, pages)}
            onDone={(result) => {
              void client.invalidateQueries({ queryKey: ["processes"] });
              void client.invalidateQueries({ queryKey: ["subscriptions"] });
              navigate(`${base}/${result.id}`);
            }}
            onCancel={() => navigate(subscriptionId ? `/subscriptions/${subscriptionId}` : base)}
            enginePaused={engine.data?.global_lock}
          />
        </div>
        {workflow?.steps && workflow.steps.length > 0 && (
          <aside className="card" aria-labelledby="planned-steps">
            <h2 id="planned-steps">Steps</h2>
            <ol className="planned-steps">
              {workflow.steps.map((step, index) => (
                <li key={`${index}-${step.name}`}>{step.name}</li>
              ))}
            </ol>
          </aside>
        )}
      </div>
    </section>
  );
}
