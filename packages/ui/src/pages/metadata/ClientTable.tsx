/** A metadata table: a search field and a sortable table over a whole list. */
import { DataTable, type Column, type SortState } from "../../components/DataTable.tsx";
import { ErrorMessage, Loading } from "../../components/Feedback.tsx";
import { useClientTable } from "./useClientTable.ts";

interface ClientTableProps<Row> {
  caption: string;
  rows: readonly Row[] | undefined;
  columns: Column<Row>[];
  rowKey: (row: Row) => string;
  sortValue: (row: Row, field: string) => unknown;
  initialSort: SortState;
  error: unknown;
  loading: boolean;
}

export function ClientTable<Row>({ caption, rows, columns, rowKey, sortValue, initialSort, error, loading }: ClientTableProps<Row>) {
  const table = useClientTable(rows, sortValue, initialSort);
  if (loading) return <Loading what={`Loading ${caption.toLowerCase()}`} />;
  return (
    <>
      <div className="toolbar">
        <label>
          <span className="visually-hidden">Search {caption.toLowerCase()}</span>
          <input type="search" placeholder={`Search ${caption.toLowerCase()}`} value={table.query} onChange={(e) => table.setQuery(e.target.value)} />
        </label>
        <span className="muted">{table.rows.length} shown</span>
      </div>
      <ErrorMessage error={error} />
      <DataTable caption={caption} columns={columns} rows={table.rows} rowKey={rowKey} sort={table.sort} onSort={table.setSort} />
    </>
  );
}
