/**
 * Workflows or tasks (process lists): Active / Completed tabs, a status filter, search, server-side paging and
 * sorting; refreshed live. An empty tab says what the other one has. Tasks also offer "Retry all failed tasks".
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { Link } from "react-router";
import { api } from "../api/client.ts";
import type { ListParams } from "../api/list-params.ts";
import { useProcesses, useWorkflows } from "../api/queries.ts";
import type { ProcessListItem, ProcessStatus, ResumedTasks } from "../api/types.ts";
import { ConfirmButton } from "../components/ConfirmButton.tsx";
import { DataTable, Pager, type Column } from "../components/DataTable.tsx";
import { ErrorMessage } from "../components/Feedback.tsx";
import { SearchBox } from "../components/SearchBox.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { Tabs } from "../components/Tabs.tsx";
import { useToast } from "../components/Toasts.tsx";
import { useTableState, type TableDefaults } from "../components/useTableState.ts";
import { BreakableName, DateTime } from "../components/TableText.tsx";
import { shortId } from "../format.ts";
import { EmptyProcesses } from "./process/EmptyProcesses.tsx";

export const ACTIVE_STATUSES: ProcessStatus[] = [
  "created",
  "running",
  "suspended",
  "waiting",
  "failed",
  "resumed",
  "inconsistent_data",
  "api_unavailable",
  "awaiting_callback",
];
export const COMPLETED_STATUSES: ProcessStatus[] = ["completed", "aborted"];

const TABS = [
  { id: "active", label: "Active", statuses: ACTIVE_STATUSES },
  { id: "completed", label: "Completed", statuses: COMPLETED_STATUSES },
] as const;
type Tab = (typeof TABS)[number]["id"];

const DEFAULTS: TableDefaults<Tab> = { tab: "active", tabs: ["active", "completed"], sort: { field: "last_modified_at", order: "desc" }, filterKeys: ["status", "workflow"] };

/** Tasks belong to no product or subscription: their list leaves those columns out. */
const SUBSCRIPTION_COLUMNS = new Set(["product", "customer", "subscriptions"]);

/** The product of a process (its own, or its first subscription's): the name, the tag below it. */
function ProductCell({ process }: { process: ProcessListItem }) {
  const product = process.product ?? process.subscriptions[0]?.product;
  if (!product) return null;
  return (
    <>
      {product.name}
      <br />
      <span className="muted mono">{product.tag}</span>
    </>
  );
}

function columns(base: string, isTask: boolean): Column<ProcessListItem>[] {
  const all: Column<ProcessListItem>[] = [
    {
      key: "workflow",
      header: "Workflow",
      sortField: "workflow_name",
      className: "name-column",
      render: (p) => (
        <Link to={`${base}/${p.process_id}`}>
          <BreakableName name={p.workflow_name} />
        </Link>
      ),
    },
    { key: "step", header: "Step", sortField: "last_step", render: (p) => p.last_step ?? "" },
    { key: "status", header: "Status", sortField: "last_status", render: (p) => <StatusBadge status={p.last_status} /> },
    { key: "target", header: "Target", sortField: "workflow_target", render: (p) => p.workflow_target ?? "" },
    { key: "product", header: "Product", render: (p) => <ProductCell process={p} /> },
    {
      key: "customer",
      header: "Customer",
      render: (p) => (p.customer_id ? <span className="mono" title={p.customer_id}>{shortId(p.customer_id)}</span> : ""),
    },
    {
      key: "subscriptions",
      header: "Subscriptions",
      render: (p) => (
        <ul className="plain">
          {p.subscriptions.map((s) => (
            <li key={s.subscription_id}>
              <Link to={`/subscriptions/${s.subscription_id}`}>{s.description}</Link>
            </li>
          ))}
        </ul>
      ),
    },
    { key: "created_by", header: "Created by", sortField: "created_by", render: (p) => p.created_by ?? "" },
    { key: "assignee", header: "Assignee", sortField: "assignee", render: (p) => p.assignee ?? "" },
    { key: "started", header: "Started", sortField: "started_at", render: (p) => <DateTime value={p.started_at} /> },
    { key: "modified", header: "Last modified", sortField: "last_modified_at", render: (p) => <DateTime value={p.last_modified_at} /> },
    { key: "note", header: "Note", render: (p) => p.note ?? "" },
  ];
  return isTask ? all.filter((column) => !SUBSCRIPTION_COLUMNS.has(column.key)) : all;
}

function RetryAllFailedTasks() {
  const client = useQueryClient();
  const toast = useToast();
  const mutation = useMutation({
    mutationFn: () => api<ResumedTasks>("PUT", "/processes/resume-all"),
    onSuccess: (result) => {
      toast(`${result?.count ?? 0} failed tasks resumed`);
      void client.invalidateQueries({ queryKey: ["processes"] });
    },
  });
  return <ConfirmButton label="Retry all failed tasks" question="Retry all failed tasks?" confirmLabel="Retry all" onConfirm={() => mutation.mutateAsync()} />;
}

export function ProcessesPage({ isTask }: { isTask: boolean }) {
  const base = isTask ? "/tasks" : "/workflows";
  const [state, update] = useTableState(DEFAULTS);
  const tab = TABS.find((t) => t.id === state.tab) ?? TABS[0];
  const statusFilter = state.filters.status ?? "";
  const workflowFilter = state.filters.workflow ?? "";
  const workflows = useWorkflows(`is_task=${isTask}`);
  const statuses = statusFilter && (tab.statuses as readonly string[]).includes(statusFilter) ? statusFilter : tab.statuses.join("-");
  const listParams = (lastStatus: string): ListParams => ({
    page: state.page,
    pageSize: state.pageSize,
    sort: state.sort,
    filters: [
      ["is_task", String(isTask)],
      ["last_status", lastStatus],
      ["workflow_name", workflowFilter],
    ],
    query: state.query,
  });
  const { data, error, isFetching, isPlaceholderData } = useProcesses(listParams(statuses));
  const otherTab = TABS.find((t) => t.id !== tab.id) ?? TABS[1];
  const empty = data !== undefined && data.total === 0 && !isPlaceholderData;
  const onSearch = useCallback((query: string) => update({ query }), [update]);
  const title = isTask ? "Tasks" : "Workflows";

  return (
    <section>
      <div className="page-header">
        <h1>{title}</h1>
        <div className="actions">
          {isTask && <RetryAllFailedTasks />}
          <Link className="button primary" to={`${base}/new`}>
            {isTask ? "New task" : "New workflow"}
          </Link>
        </div>
      </div>
      <Tabs
        label={`${title} status`}
        tabs={TABS}
        active={state.tab}
        onChange={(next) => update({ tab: next })}
      >
        <div className="toolbar">
          <SearchBox value={state.query} onSearch={onSearch} label={`Search ${title.toLowerCase()}`} />
          <label htmlFor="status-filter">Status</label>
          <select id="status-filter" value={statusFilter} onChange={(event) => update({ filters: { ...state.filters, status: event.target.value } })}>
              <option value="">all {tab.label.toLowerCase()}</option>
              {tab.statuses.map((status) => (
                <option key={status} value={status}>
                  {status.replace(/_/g, " ")}
                </option>
              ))}
          </select>
          <label htmlFor="workflow-filter">{isTask ? "Task" : "Workflow"}</label>
          <select id="workflow-filter" value={workflowFilter} onChange={(event) => update({ filters: { ...state.filters, workflow: event.target.value } })}>
              <option value="">all</option>
              {(workflows.data ?? [])
                .map((w) => w.name)
                .sort()
                .map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
          </select>
        </div>
        <ErrorMessage error={error} />
        {empty ? (
          <EmptyProcesses
            isTask={isTask}
            tabLabel={tab.label}
            otherLabel={otherTab.label}
            otherParams={listParams(otherTab.statuses.join("-"))}
            filtered={Boolean(state.query || statusFilter || workflowFilter)}
            // the search and the workflow filter go along; a status belongs to its tab
            onShowOther={() => update({ tab: otherTab.id, filters: { ...state.filters, status: "" } })}
            onClearFilters={() => update({ query: "", filters: {} })}
          />
        ) : (
          <>
            <DataTable
              caption={title}
              columns={columns(base, isTask)}
              rows={data?.items ?? []}
              rowKey={(p) => p.process_id}
              sort={state.sort}
              onSort={(sort) => update({ sort })}
              busy={isFetching}
              empty={isFetching ? "Loading…" : `No ${title.toLowerCase()} on this page`}
            />
            <Pager page={state.page} pageSize={state.pageSize} total={data?.total ?? 0} onPage={(page) => update({ page })} onPageSize={(pageSize) => update({ pageSize })} />
          </>
        )}
      </Tabs>
    </section>
  );
}
