/** Subscriptions: tabs by status group, server-side paging, sorting and free-text search. */
import { useCallback } from "react";
import { Link } from "react-router";
import type { ListParams } from "../api/list-params.ts";
import { useSubscriptions } from "../api/queries.ts";
import type { SubscriptionListItem } from "../api/types.ts";
import { DataTable, Pager, type Column } from "../components/DataTable.tsx";
import { ErrorMessage } from "../components/Feedback.tsx";
import { SearchBox } from "../components/SearchBox.tsx";
import { InSyncBadge, StatusBadge } from "../components/StatusBadge.tsx";
import { Tabs } from "../components/Tabs.tsx";
import { useTableState, type TableDefaults } from "../components/useTableState.ts";
import { formatDate, shortId } from "../format.ts";

const TABS = [
  { id: "active", label: "Active", status: "active" },
  { id: "terminated", label: "Terminated", status: "terminated" },
  { id: "transient", label: "Transient", status: "initial-provisioning-migrating" },
  { id: "all", label: "All", status: "" },
] as const;
type Tab = (typeof TABS)[number]["id"];

const DEFAULTS: TableDefaults<Tab> = { tab: "active", tabs: TABS.map((t) => t.id), sort: { field: "start_date", order: "desc" } };

const COLUMNS: Column<SubscriptionListItem>[] = [
  {
    key: "description",
    header: "Description",
    sortField: "description",
    render: (s) => <Link to={`/subscriptions/${s.subscription_id}`}>{s.description}</Link>,
  },
  { key: "status", header: "Status", sortField: "status", render: (s) => <StatusBadge status={s.status} /> },
  { key: "insync", header: "In sync", sortField: "insync", render: (s) => <InSyncBadge insync={s.insync} /> },
  { key: "product", header: "Product", sortField: "product", render: (s) => s.product.name },
  { key: "tag", header: "Tag", sortField: "tag", render: (s) => s.product.tag },
  { key: "customer", header: "Customer", sortField: "customer_id", render: (s) => <span className="mono" title={s.customer_id}>{shortId(s.customer_id)}</span> },
  { key: "start", header: "Start date", sortField: "start_date", className: "nowrap", render: (s) => formatDate(s.start_date) },
  { key: "end", header: "End date", sortField: "end_date", className: "nowrap", render: (s) => formatDate(s.end_date) },
  { key: "note", header: "Note", sortField: "note", render: (s) => s.note ?? "" },
];

export function SubscriptionsPage() {
  const [state, update] = useTableState(DEFAULTS);
  const status = TABS.find((t) => t.id === state.tab)?.status ?? "";
  const params: ListParams = {
    page: state.page,
    pageSize: state.pageSize,
    sort: state.sort,
    filters: status ? [["status", status]] : [],
    query: state.query,
  };
  const { data, error, isFetching } = useSubscriptions(params);
  const onSearch = useCallback((query: string) => update({ query }), [update]);

  return (
    <section>
      <div className="page-header">
        <h1>Subscriptions</h1>
      </div>
      <Tabs label="Subscription status" tabs={TABS} active={state.tab} onChange={(tab) => update({ tab })}>
        <div className="toolbar">
          <SearchBox value={state.query} onSearch={onSearch} label="Search subscriptions" />
        </div>
        <ErrorMessage error={error} />
        <DataTable
          caption="Subscriptions"
          columns={COLUMNS}
          rows={data?.items ?? []}
          rowKey={(s) => s.subscription_id}
          sort={state.sort}
          onSort={(sort) => update({ sort })}
          busy={isFetching}
          empty={isFetching ? "Loading…" : "No subscriptions"}
        />
        <Pager page={state.page} pageSize={state.pageSize} total={data?.total ?? 0} onPage={(page) => update({ page })} onPageSize={(pageSize) => update({ pageSize })} />
      </Tabs>
    </section>
  );
}
