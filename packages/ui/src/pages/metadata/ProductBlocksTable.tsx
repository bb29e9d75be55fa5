import { keys, useProductBlocks } from "../../api/queries.ts";
import type { ProductBlock } from "../../api/types.ts";
import type { Column } from "../../components/DataTable.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatDate } from "../../format.ts";
import { ClientTable } from "./ClientTable.tsx";
import { EditableDescription } from "./EditableDescription.tsx";

const COLUMNS: Column<ProductBlock>[] = [
  { key: "name", header: "Name", sortField: "name", render: (b) => <strong>{b.name}</strong> },
  { key: "tag", header: "Tag", sortField: "tag", render: (b) => b.tag ?? "" },
  {
    key: "description",
    header: "Description",
    sortField: "description",
    render: (b) => <EditableDescription value={b.description} path={`/product_blocks/${b.product_block_id}`} queryKey={keys.productBlocks()} name={b.name} />,
  },
  { key: "status", header: "Status", sortField: "status", render: (b) => <StatusBadge status={b.status} /> },
  { key: "resource_types", header: "Resource types", render: (b) => b.resource_types.map((r) => r.resource_type).join(", ") },
  { key: "depends_on", header: "Depends on", render: (b) => (b.depends_on ?? []).map((d) => d.name).join(", ") },
  { key: "created", header: "Created", sortField: "created_at", className: "nowrap", render: (b) => formatDate(b.created_at) },
  { key: "end", header: "End date", sortField: "end_date", className: "nowrap", render: (b) => formatDate(b.end_date) },
];

export function ProductBlocksTable() {
  const { data, error, isPending } = useProductBlocks();
  return (
    <ClientTable
      caption="Product blocks"
      rows={data}
      columns={COLUMNS}
      rowKey={(b) => b.product_block_id}
      sortValue={(b, field) => b[field as keyof ProductBlock]}
      initialSort={{ field: "name", order: "asc" }}
      error={error}
      loading={isPending}
    />
  );
}
