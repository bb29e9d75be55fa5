/**
 * The two stages of registering a workflow made visible: registered in code (LazyWorkflowInstance), in the database
 * (a migration), and linked to which product types; rows with a problem are flagged first.
 */
import { useRegistration } from "../../api/queries.ts";
import type { WorkflowRegistration } from "../../api/types.ts";
import type { Column } from "../../components/DataTable.tsx";
import { ClientTable } from "./ClientTable.tsx";

function YesNo({ value, what }: { value: boolean; what: string }) {
  return (
    <span className={`badge tone-${value ? "ok" : "bad"}`} aria-label={`${what}: ${value ? "yes" : "no"}`}>
      {value ? "yes" : "no"}
    </span>
  );
}

const COLUMNS: Column<WorkflowRegistration>[] = [
  { key: "name", header: "Workflow", sortField: "name", render: (r) => <strong>{r.name}</strong> },
  { key: "kind", header: "Kind", sortField: "is_task", render: (r) => (r.is_task ? "task" : "workflow") },
  { key: "in_code", header: "In code", sortField: "in_code", render: (r) => <YesNo value={r.in_code} what="registered in code" /> },
  { key: "in_database", header: "In database", sortField: "in_database", render: (r) => <YesNo value={r.in_database} what="registered in the database" /> },
  {
    key: "target",
    header: "Target (code / database)",
    render: (r) => `${r.target ?? "—"} / ${r.database_target ?? "—"}`,
  },
  { key: "product_types", header: "Product types", render: (r) => r.product_types.join(", ") },
  { key: "products", header: "Products", render: (r) => r.products.map((p) => p.name).join(", ") },
  {
    key: "problems",
    header: "Problems",
    sortField: "problems",
    render: (r) =>
      r.problems.length === 0 ? (
        <span className="badge tone-ok">ok</span>
      ) : (
        <ul className="plain problems">
          {r.problems.map((problem) => (
            <li key={problem}>
              <span className="badge tone-bad">!</span> {problem}
            </li>
          ))}
        </ul>
      ),
  },
];

export function RegistrationTable() {
  const { data, error, isPending } = useRegistration();
  const problems = (data ?? []).filter((r) => r.problems.length > 0).length;
  return (
    <>
      <p>
        A workflow runs only when it is registered twice: <strong>in code</strong> (a <code>LazyWorkflowInstance</code> in the app's
        workflows index) and <strong>in the database</strong> (a migration linking it to product types).{" "}
        {data && (problems === 0 ? "Every workflow is registered in both." : `${problems} of ${data.length} need attention.`)}
      </p>
      <ClientTable
        caption="Workflow registration"
        rows={data}
        columns={COLUMNS}
        rowKey={(r) => r.name}
        sortValue={(r, field) => (field === "problems" ? (r.problems.length > 0 ? `0${r.name}` : `1${r.name}`) : String(r[field as keyof WorkflowRegistration]))}
        initialSort={{ field: "problems", order: "asc" }}
        error={error}
        loading={isPending}
      />
    </>
  );
}
