/**
 * SQL conditions of list filters, shared by the lists of every entity (REST and GraphQL): a filter names a field and
 * gives its alternatives (`Filter.values`); what it means per column type is orchestrator-core's (db/filters): text
 * compares case-insensitively, booleans are true/false, ids are UUIDs, dates and numbers take `>=`, `<=`, `>`, `<`
 * prefixes (or equal the value). A negated filter (`!value`, GraphQL only) is the condition's NOT.
 */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from "kysely";
import type { Database } from "../../db/index.js";
import { badRequest } from "../problem.js";
import { boolValue, uuidValues, type Filter, type ListQuery } from "../list-query.js";

export type Condition = RawBuilder<SqlBool>;

/** A column by its qualified name, or an expression standing for one (a value every row has). */
export type ColumnRef = string | RawBuilder<unknown>;
const columnSql = (column: ColumnRef) => (typeof column === "string" ? sql.ref(column) : column);

/** `column` (a qualified name such as "p.last_status") equals one of the values, case-insensitively. */
export function textIn(column: ColumnRef, values: readonly string[]): Condition {
  const exact = values.filter((v) => !isPrefix(v));
  const prefixes = values.filter(isPrefix);
  const ref = columnSql(column);
  const parts = [
    ...(exact.length ? [sql<SqlBool>`lower(${ref}) IN (${sql.join(exact.map((v) => v.toLowerCase()))})`] : []),
    // `word*`: starts with word (orchestrator-core's exact filters)
    ...prefixes.map((v) => sql<SqlBool>`${ref} ILIKE ${`${v.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`),
  ];
  return parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, sql` OR `)})`;
}

const isPrefix = (value: string) => value.length > 1 && value.endsWith("*");

/**
 * `column`, whose values are stored in one case (statuses lower-case, targets upper-case), is one of the values in
 * that case: compared as stored, so that an index on the column serves the filter.
 */
export function storedCaseIn(column: string, values: readonly string[], stored: "lower" | "upper"): Condition {
  return sql<SqlBool>`${sql.ref(column)} IN (${sql.join(values.map((v) => (stored === "lower" ? v.toLowerCase() : v.toUpperCase())))})`;
}

/** `column` is one of the filter's UUIDs (a malformed one is a 400). */
export function uuidIn(column: string, filter: Filter): Condition {
  return sql<SqlBool>`${sql.ref(column)} = ANY(${uuidValues(filter)}::uuid[])`;
}

/** `column` is the filter's boolean (true/false, 1/0, yes/no). */
export function boolIs(column: string, filter: Filter): Condition {
  return sql<SqlBool>`${sql.ref(column)} = ${boolValue(filter)}`;
}

const COMPARISON = /^(>=|<=|>|<)?\s*(.+)$/;

/**
 * A timestamp column against each alternative: `>=2024-01-01`, `<2024-02-01T12:00:00Z` (ISO-8601; without a zone,
 * UTC), or a bare date or time it must equal; alternatives are ORed.
 */
export function dateCompare(column: string, filter: Filter): Condition {
  const parts = filter.values.map((value) => {
    const [, op = "=", text] = COMPARISON.exec(value.trim())!;
    const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(text!) || !/T|\d:\d/.test(text!) ? text! : `${text}Z`;
    const at = new Date(/^\d{4}-\d\d-\d\d$/.test(iso) ? `${iso}T00:00:00Z` : iso);
    if (Number.isNaN(at.getTime())) throw badRequest(`Invalid filter value for ${filter.field}: "${value}" is not a date (ISO-8601, optionally prefixed by >=, <=, > or <)`, "filter");
    return sql<SqlBool>`${sql.ref(column)} ${sql.raw(op)} ${at}`;
  });
  return parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, sql` OR `)})`;
}

/** The condition, negated when the filter is (`!value`). */
export function maybeNot(filter: Filter, condition: Condition): Condition {
  return filter.negate ? sql<SqlBool>`NOT (${condition})` : condition;
}

/**
 * One page per parent of a grouped list: `inner` selects the rows with their `parent` and `rn` (their place in the
 * parent's order, from 1); this keeps rows offset < rn <= offset + limit of each parent, by parent and place.
 */
export async function pagePerParent<R extends { parent: string; rn: number }>(
  db: Kysely<Database>,
  inner: SelectQueryBuilder<Database, never, R>,
  list: Pick<ListQuery, "offset" | "limit">,
): Promise<R[]> {
  return (await db
    .selectFrom(inner.as("x"))
    .selectAll()
    .where(sql<SqlBool>`x.rn > ${list.offset} AND x.rn <= ${list.offset + list.limit}`)
    .orderBy("x.parent")
    .orderBy("x.rn")
    .execute()) as R[];
}
