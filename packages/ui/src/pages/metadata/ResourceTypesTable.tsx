import { keys, useResourceTypes } from "../../api/queries.ts";
import type { ResourceType } from "../../api/types.ts";
import type { Column } from "../../components/DataTable.tsx";
import { ClientTable } from "./ClientTable.tsx";
import { EditableDescription } from "./EditableDescription.tsx";

const COLUMNS: Column<ResourceType>[] = [
  { key: "resource_type", header: "Resource type", sortField: "resource_type", render: (r) => <strong>{r.resource_type}</strong> },
  {
    key: "description",
    header: "Description",
    sortField: "description",
    render: (r) => (
      <EditableDescription value={r.description} path={`/resource_types/${r.resource_type_id}`} queryKey={keys.resourceTypes()} name={r.resource_type} />
    ),
  },
  { key: "blocks", header: "Used in product blocks", render: (r) => (r.product_blocks ?? []).map((b) => b.name).join(", ") },
];

export function ResourceTypesTable() {
  const { data, error, isPending } = useResourceTypes();
  return (
    <ClientTable
      caption="Resource types"
      rows={data}
      columns={COLUMNS}
      rowKey={(r) => r.resource_type_id}
      sortValue={(r, field) => r[field as keyof ResourceType]}
      initialSort={{ field: "resource_type", order: "asc" }}
      error={error}
      loading={isPending}
    />
  );
}
