/**
 * A table whose sorting and paging happen on the server (or on a client-side list, the caller decides): sortable
 * column headers are buttons and carry `aria-sort`; a pager below shows the range and total. On narrow screens the
 * CSS stacks each row into a card: every cell carries its column's name (`data-label`) to show beside the value.
 */
import type { ReactNode } from "react";
import type { SortOrder, SortState } from "../api/list-params.ts";

export type { SortState };

export interface Column<Row> {
  key: string;
  header: ReactNode;
  /** The server's sort field; the column is sortable when set. */
  sortField?: string;
  render: (row: Row) => ReactNode;
  className?: string;
  /** The column's name beside its values when rows are stacked; defaults to `header` when that is text. */
  label?: string;
}

/** Whether a cell shows nothing (stacked rows leave such cells out). */
const isBlank = (value: ReactNode) => value === "" || value === null || value === undefined || value === false;

interface DataTableProps<Row> {
  caption: string;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  sort?: SortState | undefined;
  onSort?: (sort: SortState) => void;
  empty?: ReactNode;
  busy?: boolean;
}

export function DataTable<Row>({ caption, columns, rows, rowKey, sort, onSort, empty = "Nothing to show", busy }: DataTableProps<Row>) {
  function header(column: Column<Row>) {
    if (!column.sortField || !onSort) return column.header;
    const field = column.sortField;
    const active = sort?.field === field;
    const next: SortOrder = active && sort?.order === "asc" ? "desc" : "asc";
    return (
      <button type="button" className="sort-button" onClick={() => onSort({ field, order: next })}>
        {column.header}
        <span aria-hidden="true" className="sort-mark">
          {active ? (sort?.order === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    );
  }
  return (
    <div className="table-wrap">
      <table aria-busy={busy || undefined}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                className={[column.className, column.sortField && onSort ? "sortable" : undefined].filter(Boolean).join(" ") || undefined}
                aria-sort={sort?.field === column.sortField && column.sortField ? (sort?.order === "asc" ? "ascending" : "descending") : undefined}
              >
                {header(column)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="muted">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((column) => {
                  const value = column.render(row);
                  const className = [column.className, isBlank(value) ? "blank" : undefined].filter(Boolean).join(" ") || undefined;
                  return (
                    <td key={column.key} className={className} data-label={column.label ?? (typeof column.header === "string" ? column.header : column.key)}>
                      {value}
                    </td>
                  );
                })}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

const PAGE_SIZES = [5, 10, 15, 20, 25, 50, 100];

interface PagerProps {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
}

export function Pager({ page, pageSize, total, onPage, onPageSize }: PagerProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : page * pageSize + 1;
  const last = Math.min(total, (page + 1) * pageSize);
  return (
    <nav className="pager" aria-label="Pages">
      <span aria-live="polite">
        {first}–{last} of {total}
      </span>
      <button type="button" onClick={() => onPage(page - 1)} disabled={page <= 0} aria-label="Previous page">
        ‹
      </button>
      <span>
        page {page + 1} / {pages}
      </span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={page + 1 >= pages} aria-label="Next page">
        ›
      </button>
      <label>
        Rows per page{" "}
        <select value={pageSize} onChange={(e) => onPageSize(Number(e.target.value))}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}
