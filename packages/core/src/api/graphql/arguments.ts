/**
 * The list arguments of every connection field, with orchestrator-core's meaning: `filterBy: [{field, value}]`
 * (field camelCase or snake_case; value `a-b` or `a|b` for alternatives — `|` only for fields named *date*, *id or *_at,
 * whose values contain `-`; a leading `!` negates), `sortBy: [{field, order}]`, `first` (rows) and `after` (the offset
 * of the first). Unknown filter or sort fields are left out and reported as a `bad_request` error next to the data,
 * as the original does; a bad value (not a UUID, not a boolean, a negative `first`) is a `bad_request` error of the
 * field.
 */
import type { GraphQLResolveInfo } from "graphql";
import { snakeCase, type Filter, type ListQuery, type ListSpec, type SortKey } from "../list-query.js";
import { badRequest, registerError, type ErrorCollector } from "./errors.js";

export interface GraphqlFilter {
  field: string;
  value: string;
}

export interface GraphqlSort {
  field: string;
  order?: "ASC" | "DESC";
}

export interface ListArgs {
  filterBy?: GraphqlFilter[] | null;
  sortBy?: GraphqlSort[] | null;
  first?: number | null;
  after?: number | null;
  query?: string | null;
}

/** A list query with the page asked for: `list.limit` is one more than `first`, to know whether a next page exists. */
export interface PageRequest {
  list: ListQuery;
  first: number;
  after: number;
  spec: ListSpec;
}

export const camelCase = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** A `GraphqlFilter` value as a filter of `field` (snake_case). */
export function parseFilterValue(field: string, value: string): Filter {
  const negate = value.startsWith("!");
  const raw = negate ? value.slice(1) : value;
  // ids (UUIDs) and dates contain '-': their alternatives are separated by '|' only (also for timestamps named *_at)
  const separator = field.includes("date") || field.endsWith("id") || field.endsWith("_at") ? /\|/ : /[-|]/;
  const values = raw.split(separator).map((v) => v.trim()).filter((v) => v !== "");
  if (values.length === 0) throw badRequest(`Invalid filter value for ${field}: empty; give a value (alternatives separated by '-' or '|')`);
  return { field, raw, values, ...(negate ? { negate } : {}) };
}

export function parseListArgs(args: ListArgs, spec: ListSpec, context: ErrorCollector, info: GraphQLResolveInfo, defaultFirst = 10): PageRequest {
  const first = args.first ?? defaultFirst;
  const after = args.after ?? 0;
  if (!Number.isInteger(first) || first < 0) throw badRequest(`Invalid first: ${first}; give the number of rows, 0 or more`);
  if (!Number.isInteger(after) || after < 0) throw badRequest(`Invalid after: ${after}; give the offset of the first row, 0 or more`);

  const filters: Filter[] = [];
  const invalidFilters: string[] = [];
  for (const { field, value } of args.filterBy ?? []) {
    const key = snakeCase(field);
    if (!spec.filterFields.includes(key)) invalidFilters.push(field);
    else filters.push(parseFilterValue(key, value));
  }
  if (invalidFilters.length > 0) {
    registerError(context, info, `Invalid filter arguments (invalid_filters=${pyList(invalidFilters)} valid_filter_keys=${pyList(filterFields(spec))})`);
  }

  const sort: SortKey[] = [];
  const invalidSorting: string[] = [];
  for (const { field, order } of args.sortBy ?? []) {
    const key = snakeCase(field);
    if (!spec.sortFields.includes(key)) invalidSorting.push(field);
    else sort.push({ field: key, direction: order === "DESC" ? "desc" : "asc" });
  }
  if (invalidSorting.length > 0) {
    registerError(context, info, `Invalid sort arguments (invalid_sorting=${pyList(invalidSorting)} valid_sort_keys=${pyList(sortFields(spec))})`);
  }

  return {
    list: { offset: after, limit: first + 1, sort: sort.length ? sort : spec.defaultSort, filters },
    first,
    after,
    spec,
  };
}

/** `pageInfo.sortFields`: camelCase, sorted. */
export const sortFields = (spec: ListSpec) => [...new Set(spec.sortFields.map(camelCase))].sort();
/** `pageInfo.filterFields`: snake_case, sorted. */
export const filterFields = (spec: ListSpec) => [...spec.filterFields].sort();

/** A list as Python prints it (the original's messages). */
const pyList = (items: readonly string[]) => `[${items.map((i) => `'${i}'`).join(", ")}]`;
