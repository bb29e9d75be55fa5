/**
 * A subscription: general fields with the in-sync state (and "Set in sync"), fixed inputs, the product-block tree,
 * the processes that ran on it, and the Actions menu.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api } from "../api/client.ts";
import { useDomainModel, useSubscription, useSubscriptionWorkflows } from "../api/queries.ts";
import type { SubscriptionDetail, SubscriptionProcessRef } from "../api/types.ts";
import { ConfirmButton } from "../components/ConfirmButton.tsx";
import { DataTable, type Column } from "../components/DataTable.tsx";
import { ErrorMessage, JsonBlock, Loading } from "../components/Feedback.tsx";
import { InSyncBadge, StatusBadge } from "../components/StatusBadge.tsx";
import { formatDate, formatDateTime } from "../format.ts";
import { ActionsMenu } from "./subscription/ActionsMenu.tsx";
import { BlockTree } from "./subscription/BlockTree.tsx";
import { blockTree } from "./subscription/blocks.ts";
import { KeyValueList, type KeyValueRow } from "../components/KeyValueList.tsx";

const processPath = (p: { is_task: boolean; process_id: string }) => `/${p.is_task ? "tasks" : "workflows"}/${p.process_id}`;

const PROCESS_COLUMNS: Column<SubscriptionProcessRef>[] = [
  { key: "workflow", header: "Workflow", render: (p) => <Link to={processPath(p)}>{p.workflow_name}</Link> },
  { key: "target", header: "Target", render: (p) => p.workflow_target ?? "" },
  { key: "status", header: "Status", render: (p) => <StatusBadge status={p.last_status} /> },
  { key: "started", header: "Started", render: (p) => formatDateTime(p.started_at) },
  { key: "modified", header: "Last modified", render: (p) => formatDateTime(p.last_modified_at) },
];

function InSync({ subscription }: { subscription: SubscriptionDetail }) {
  const client = useQueryClient();
  const setInSync = useMutation({
    mutationFn: () => api("PUT", `/subscriptions/${subscription.subscription_id}/set_in_sync`),
    onSuccess: () => client.invalidateQueries({ queryKey: ["subscriptions"] }),
  });
  const unfinished = (subscription.processes ?? []).filter((p) => p.last_status !== "completed" && p.last_status !== "aborted").at(-1);
  return (
    <span className="insync">
      <InSyncBadge insync={subscription.insync} />
      {!subscription.insync && (
        <>
          {unfinished && (
            <>
              {" "}
              last process: <Link to={processPath(unfinished)}>{unfinished.workflow_name}</Link>
            </>
          )}{" "}
          <ConfirmButton
            label="Set in sync"
            question={`Set "${subscription.description}" in sync? Do this only when no process should still change it.`}
            confirmLabel="Set in sync"
            onConfirm={() => setInSync.mutateAsync()}
          />
        </>
      )}
    </span>
  );
}

function General({ subscription }: { subscription: SubscriptionDetail }) {
  const rows: KeyValueRow[] = [
    ["Subscription id", <span className="mono">{subscription.subscription_id}</span>],
    ["Description", subscription.description],
    ["Status", <StatusBadge status={subscription.status} />],
    ["In sync", <InSync subscription={subscription} />],
    ["Product", subscription.product.name],
    ["Product type", subscription.product.product_type],
    ["Tag", subscription.product.tag],
    ["Customer", <span className="mono">{subscription.customer_id}</span>],
    ["Start date", formatDate(subscription.start_date)],
    ["End date", formatDate(subscription.end_date)],
    ["Note", subscription.note ?? ""],
  ];
  if (subscription.version !== undefined) rows.push(["Version", String(subscription.version)]);
  return <KeyValueList rows={rows} />;
}

export function SubscriptionDetailPage() {
  const { subscriptionId = "" } = useParams();
  const subscription = useSubscription(subscriptionId);
  const model = useDomainModel(subscriptionId);
  const workflows = useSubscriptionWorkflows(subscriptionId);

  if (subscription.isPending) return <Loading what="Loading subscription" />;
  if (subscription.error || !subscription.data) return <ErrorMessage error={subscription.error ?? "Subscription not found"} />;
  const s = subscription.data;
  const fixedInputs = s.product.fixed_inputs ?? [];

  return (
    <section className="subscription-detail">
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/subscriptions">Subscriptions</Link> /
          </p>
          <h1>{s.description}</h1>
        </div>
        <div className="actions">
          <ActionsMenu subscriptionId={s.subscription_id} workflows={workflows.data} />
        </div>
      </div>
      <ErrorMessage error={workflows.error} />
      <div className="columns">
        <section aria-labelledby="general-heading" className="card">
          <h2 id="general-heading">General</h2>
          <General subscription={s} />
        </section>
        <section aria-labelledby="fixed-heading" className="card">
          <h2 id="fixed-heading">Fixed inputs</h2>
          {fixedInputs.length === 0 ? (
            <p className="muted">None</p>
          ) : (
            <dl className="kv">
              {fixedInputs.map((fi) => (
                <div key={fi.name} className="kv-row">
                  <dt>{fi.name}</dt>
                  <dd>{fi.value}</dd>
                </div>
              ))}
            </dl>
          )}
          {(s.customer_descriptions ?? []).length > 0 && (
            <>
              <h3>Customer descriptions</h3>
              <ul className="plain">
                {s.customer_descriptions!.map((d) => (
                  <li key={d.customer_id}>
                    <span className="mono">{d.customer_id}</span>: <span className="multiline">{d.description}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          {s.metadata && Object.keys(s.metadata).length > 0 && (
            <>
              <h3>Metadata</h3>
              <JsonBlock value={s.metadata} label="Metadata" />
            </>
          )}
        </section>
      </div>
      <section aria-labelledby="blocks-heading" className="card">
        <h2 id="blocks-heading">Product blocks</h2>
        {model.isPending ? <Loading /> : model.error ? <ErrorMessage error={model.error} /> : <BlockTree nodes={blockTree(model.data ?? {})} subscriptionId={s.subscription_id} />}
      </section>
      <section aria-labelledby="processes-heading" className="card">
        <h2 id="processes-heading">Processes</h2>
        <DataTable caption="Processes of this subscription" columns={PROCESS_COLUMNS} rows={s.processes ?? []} rowKey={(p) => p.process_id} empty="No processes" />
      </section>
    </section>
  );
}
