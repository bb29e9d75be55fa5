/**
 * The list protocol of the REST API: `range=<start>,<end>` (inclusive), `sort=<field>,asc|desc`,
 * `filter=<field>,<value>,...` (a value may list alternatives joined by `-`), `query=<free text>`; the total comes
 * back in `Content-Range: <name> <start>-<end>/<total>`.
 */

export type SortOrder = "asc" | "desc";

export interface SortState {
  field: string;
  order: SortOrder;
}

export interface ListParams {
  /** Zero-based page number. */
  page: number;
  pageSize: number;
  sort?: { field: string; order: SortOrder } | undefined;
  /** Field/value pairs; a value may be a `-`-joined list of alternatives. */
  filters?: readonly (readonly [string, string])[];
  query?: string | undefined;
}

/** The query string (without `?`) for a list request. */
export function listQueryString(params: ListParams): string {
  const search = new URLSearchParams();
  const start = params.page * params.pageSize;
  search.set("range", `${start},${start + params.pageSize - 1}`);
  if (params.sort) search.set("sort", `${params.sort.field},${params.sort.order}`);
  const filters = (params.filters ?? []).filter(([, value]) => value !== "");
  if (filters.length > 0) search.set("filter", filters.flatMap(([field, value]) => [field, value]).join(","));
  const query = params.query?.trim();
  if (query) search.set("query", query);
  return search.toString();
}

export interface ContentRange {
  start: number;
  end: number;
  total: number;
}

/** Parses `Content-Range: items 0-14/42` (the name is ignored); null when absent or malformed. */
export function parseContentRange(header: string | null): ContentRange | null {
  if (!header) return null;
  const match = /(\d+)-(\d+)\/(\d+)\s*$/.exec(header.trim()) ?? /\*\/(\d+)\s*$/.exec(header.trim());
  if (!match) return null;
  if (match.length === 2) return { start: 0, end: -1, total: Number(match[1]) };
  return { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) };
}
