import { keys, useProducts } from "../../api/queries.ts";
import type { Product } from "../../api/types.ts";
import type { Column } from "../../components/DataTable.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatDate } from "../../format.ts";
import { ClientTable } from "./ClientTable.tsx";
import { EditableDescription } from "./EditableDescription.tsx";

const COLUMNS: Column<Product>[] = [
  { key: "name", header: "Name", sortField: "name", render: (p) => <strong>{p.name}</strong> },
  { key: "tag", header: "Tag", sortField: "tag", render: (p) => p.tag },
  {
    key: "description",
    header: "Description",
    sortField: "description",
    render: (p) => <EditableDescription value={p.description} path={`/products/${p.product_id}`} queryKey={keys.products()} name={p.name} />,
  },
  { key: "type", header: "Product type", sortField: "product_type", render: (p) => p.product_type },
  { key: "status", header: "Status", sortField: "status", render: (p) => <StatusBadge status={p.status} /> },
  {
    key: "fixed_inputs",
    header: "Fixed inputs",
    render: (p) => (
      <ul className="plain">
        {p.fixed_inputs.map((fi) => (
          <li key={fi.name}>
            {fi.name}: <strong>{fi.value}</strong>
          </li>
        ))}
      </ul>
    ),
  },
  { key: "blocks", header: "Product blocks", render: (p) => p.product_blocks.map((b) => b.name).join(", ") },
  { key: "workflows", header: "Workflows", render: (p) => (p.workflows ?? []).map((w) => w.name).join(", ") },
  { key: "created", header: "Created", sortField: "created_at", className: "nowrap", render: (p) => formatDate(p.created_at) },
];

export function ProductsTable() {
  const { data, error, isPending } = useProducts();
  return (
    <ClientTable
      caption="Products"
      rows={data}
      columns={COLUMNS}
      rowKey={(p) => p.product_id}
      sortValue={(p, field) => p[field as keyof Product]}
      initialSort={{ field: "name", order: "asc" }}
      error={error}
      loading={isPending}
    />
  );
}
