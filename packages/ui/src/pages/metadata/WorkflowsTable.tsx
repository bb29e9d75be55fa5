/** Workflows (create, modify, terminate, validate, reconcile) or tasks, with editable descriptions. */
import { useMemo } from "react";
import { useWorkflows } from "../../api/queries.ts";
import type { Workflow } from "../../api/types.ts";
import type { Column } from "../../components/DataTable.tsx";
import { formatDate } from "../../format.ts";
import { ClientTable } from "./ClientTable.tsx";
import { EditableDescription } from "./EditableDescription.tsx";

export function WorkflowsTable({ tasks }: { tasks: boolean }) {
  const filter = `is_task=${tasks}`;
  const { data, error, isPending } = useWorkflows(filter);
  const columns = useMemo<Column<Workflow>[]>(
    () => [
      { key: "name", header: "Name", sortField: "name", render: (w) => <strong>{w.name}</strong> },
      {
        key: "description",
        header: "Description",
        sortField: "description",
        render: (w) => <EditableDescription value={w.description} path={`/workflows/${w.workflow_id}`} queryKey={["workflows"]} name={w.name} />,
      },
      { key: "target", header: "Target", sortField: "target", render: (w) => w.target },
      ...(tasks
        ? []
        : [
            {
              key: "products",
              header: "Product tags",
              render: (w: Workflow) => [...new Set(w.products.map((p) => p.tag))].join(", "),
            },
          ]),
      { key: "created", header: "Created", sortField: "created_at", className: "nowrap", render: (w) => formatDate(w.created_at) },
    ],
    [tasks],
  );
  return (
    <ClientTable
      caption={tasks ? "Tasks" : "Workflows"}
      rows={data}
      columns={columns}
      rowKey={(w) => w.workflow_id}
      sortValue={(w, field) => w[field as keyof Workflow]}
      initialSort={{ field: "name", order: "asc" }}
      error={error}
      loading={isPending}
    />
  );
}
