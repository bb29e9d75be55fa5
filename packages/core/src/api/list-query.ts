/**
 * The list parameters of orchestrator-core's REST lists: `range=<start>,<end>` (inclusive; answered with a
 * `Content-Range` header), `sort=<field>,asc|desc[,<field>,asc|desc…]`, `filter=<field>,<value>[,<field>,<value>…]`
 * where a value may list alternatives separated by `-`, and `query=<free text>`. Field names are snake_case or
 * camelCase. Anything the list does not know is a 400 naming the field and what is allowed.
 */
import type { RawBuilder, SqlBool } from "kysely";
import { z } from "zod";
import { badRequest } from "./problem.js";

export const listQuerySchema = z.object({
  range: z.string().optional().describe("Rows to return, inclusive, e.g. 0,14"),
  sort: z.string().optional().describe("field,asc|desc pairs, e.g. started_at,desc"),
  filter: z.string().optional().describe("field,value pairs; a value may list alternatives separated by '-'"),
  query: z.string().optional().describe("Free text search"),
});
export type RawListQuery = z.infer<typeof listQuerySchema>;

export interface SortKey {
  field: string;
  direction: "asc" | "desc";
}

export interface Filter {
  field: string;
  /** The alternatives of the value (split on '-'); `raw` is the value as given. */
  values: string[];
  raw: string;
  /** The filter matches what its value does not (GraphQL's `!value`). */
  negate?: boolean;
}

export interface ListQuery {
  offset: number;
  limit: number;
  sort: SortKey[];
  filters: Filter[];
  /** Free text, matched as a substring of the list's text columns (REST). */
  query?: string;
  /** Further conditions, all of which a row meets (GraphQL's parsed `query`). */
  where?: readonly RawBuilder<SqlBool>[];
}

export interface ListSpec {
  sortFields: readonly string[];
  filterFields: readonly string[];
  defaultSort: SortKey[];
  /** Rows per page without a range. */
  defaultLimit?: number;
}

/** Largest page a range may ask for. */
export const MAX_PAGE = 1000;

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function parseListQuery(raw: RawListQuery, spec: ListSpec): ListQuery {
  let offset = 0;
  let limit = spec.defaultLimit ?? 100;
  if (raw.range !== undefined) {
    const match = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(raw.range);
    if (!match) throw badRequest(`Invalid range "${raw.range}": expected <start>,<end>, e.g. 0,14`, "range");
    const [start, end] = [Number(match[1]), Number(match[2])];
    // past 2^53 a number is no longer exact (and past 2^63 not a PostgreSQL OFFSET)
    if (end > Number.MAX_SAFE_INTEGER) throw badRequest(`Invalid range "${raw.range}": start and end must be at most ${Number.MAX_SAFE_INTEGER}`, "range");
    if (end < start) throw badRequest(`Invalid range "${raw.range}": the end is before the start`, "range");
    if (end - start + 1 > MAX_PAGE) throw badRequest(`Invalid range "${raw.range}": at most ${MAX_PAGE} rows at a time`, "range");
    offset = start;
    limit = end - start + 1;
  }

  const sort: SortKey[] = [];
  if (raw.sort !== undefined && raw.sort.trim() !== "") {
    const parts = raw.sort.split(",").map((s) => s.trim());
    if (parts.length % 2 !== 0) throw badRequest("Invalid number of sort arguments: expected field,asc|desc pairs", "sort");
    for (let i = 0; i < parts.length; i += 2) {
      const field = snakeCase(parts[i]!);
      const direction = parts[i + 1]!.toLowerCase();
      if (!spec.sortFields.includes(field)) {
        throw badRequest(`Invalid sort field "${parts[i]}": sortable are ${spec.sortFields.join(", ")}`, "sort");
      }
      if (direction !== "asc" && direction !== "desc") throw badRequest(`Invalid sort direction "${parts[i + 1]}": use asc or desc`, "sort");
      sort.push({ field, direction });
    }
  }

  const filters: Filter[] = [];
  if (raw.filter !== undefined && raw.filter.trim() !== "") {
    const parts = raw.filter.split(",");
    if (parts.length % 2 !== 0) throw badRequest("Invalid number of filter arguments", "filter");
    for (let i = 0; i < parts.length; i += 2) {
      const field = snakeCase(parts[i]!.trim());
      if (!spec.filterFields.includes(field)) {
        throw badRequest(`Invalid filter field "${parts[i]}": filterable are ${spec.filterFields.join(", ")}`, "filter");
      }
      const value = parts[i + 1]!.trim();
      const values = value.split("-").filter((v) => v !== "");
      if (values.length === 0) throw badRequest(`Invalid filter value for ${field}: empty; give a value (alternatives separated by '-')`, "filter");
      filters.push({ field, raw: value, values });
    }
  }

  const query = raw.query?.trim() ? raw.query.trim() : undefined;
  return { offset, limit, sort: sort.length ? sort : spec.defaultSort, filters, query };
}

/** `Content-Range: <name> <start>-<end>/<total>` for a page of `count` rows. */
export function contentRange(name: string, query: ListQuery, count: number, total: number): string {
  const end = count === 0 ? query.offset : query.offset + count - 1;
  return `${name} ${query.offset}-${end}/${total}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filter values as UUIDs (a filter on an id with a malformed value is a 400, not a database error). */
export function uuidValues(filter: Filter): string[] {
  // UUIDs contain '-': the alternatives of an id filter are separated by the raw value's UUID boundaries
  const ids = filter.raw.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? [];
  const rest = filter.raw.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "").replace(/[-|]/g, "");
  if (ids.length === 0 || rest.trim() !== "") throw badRequest(`Invalid filter value for ${filter.field}: "${filter.raw}" is not a UUID`, "filter");
  return ids;
}

/** Boolean filter values: true/false (any case), 1/0, yes/no. */
export function boolValue(filter: Filter): boolean {
  const v = filter.raw.toLowerCase();
  if (["true", "1", "yes"].includes(v)) return true;
  if (["false", "0", "no"].includes(v)) return false;
  throw badRequest(`Invalid filter value for ${filter.field}: "${filter.raw}" is not true or false`, "filter");
}

/** An ILIKE pattern matching `text` anywhere (its own %, _ and \\ taken literally). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
