/**
 * The search of subscriptions the WFO UI's subscription list and start page use (orchestrator-core's
 * `POST /api/search/subscriptions`): a structured filter over named paths (`subscription.status`,
 * `subscription.product.name`, …) given either as orchestrator-core's filter tree (`{op: AND|OR, children}`) or as the
 * Elasticsearch bool query the UI's filter builder writes (`bool.must/should/must_not`, `term`, `range`, `wildcard`,
 * `regexp`, `exists`), free text, an order and cursor paging.
 *
 * orchestrator-core searches a flattened index of every subscription's values that has to be filled and rebuilt. Here
 * everything is SQL over the tables themselves: each path is a column, its conditions the REST lists' own
 * (./conditions.ts, through ./subscriptions.ts), and the free text PostgreSQL's full-text search (a `simple`
 * configuration tsvector with word prefixes) together with a substring match, which PostgreSQL and PGlite both have
 * without an extension.
 */
import { createHash } from "node:crypto";
import { sql, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { Database } from "../../db/index.js";
import type { Filter, SortKey } from "../list-query.js";
import { badRequest } from "../problem.js";
import type { SubscriptionListItem } from "../responses.js";
import { boolIs, dateCompare, storedCaseIn, textIn, uuidIn, type ColumnRef, type Condition } from "./conditions.js";
import { listSubscriptions } from "./subscriptions.js";

// limits -----------------------------------------------------------------------------------------------------------

export const SEARCH_LIMITS = {
  /** Rows per page (orchestrator-core: 1..100, default 10). */
  maxLimit: 100,
  defaultLimit: 10,
  /** Characters of the free text. */
  maxQuery: 512,
  /** Conditions (leaves) in a filter, and how deeply its groups nest. */
  maxConditions: 100,
  maxDepth: 10,
  /** Characters of a value compared with (a regular expression: fewer). */
  maxValue: 1000,
  maxPattern: 256,
  /** Words of the free text used for the full-text match. */
  maxWords: 16,
  /** Response columns asked for. */
  maxColumns: 50,
};

// paths --------------------------------------------------------------------------------------------------------------

/** The UI types of orchestrator-core's search (`ui_types` of a path, keys of the definitions). */
export type UiType = "string" | "number" | "boolean" | "datetime" | "component";

/** How a path's column is compared: text, a lower-case lifecycle, a UUID, a boolean, a timestamp, a number, JSON. */
type PathKind = "text" | "status" | "uuid" | "boolean" | "datetime" | "number" | "json";

export interface Customer {
  fullname: string;
  shortcode: string;
}

interface SearchPath {
  path: string;
  kind: PathKind;
  /** The column (qualified name over `s` subscriptions and `pr` products), or the value every row has. */
  column: ColumnRef;
  /** The REST list's sort field (./subscriptions.ts); undefined: the order of ids. */
  sort?: string;
  /** Its value in a row of the page. */
  value: (row: PageRow, customer: Customer) => unknown;
}

type PageRow = SubscriptionListItem & { score?: number; metadata?: unknown };

const iso = (value: Date | string | null) => (value === null ? null : value instanceof Date ? value.toISOString() : new Date(value).toISOString());

function subscriptionPaths(customer: Customer): SearchPath[] {
  return [
    { path: "subscription.subscription_id", kind: "uuid", column: "s.subscription_id", sort: "subscription_id", value: (r) => r.subscription_id },
    { path: "subscription.description", kind: "text", column: "s.description", sort: "description", value: (r) => r.description },
    { path: "subscription.status", kind: "status", column: "s.status", sort: "status", value: (r) => r.status },
    { path: "subscription.insync", kind: "boolean", column: "s.insync", sort: "insync", value: (r) => r.insync },
    { path: "subscription.start_date", kind: "datetime", column: "s.start_date", sort: "start_date", value: (r) => iso(r.start_date) },
    { path: "subscription.end_date", kind: "datetime", column: "s.end_date", sort: "end_date", value: (r) => iso(r.end_date) },
    { path: "subscription.note", kind: "text", column: "s.note", sort: "note", value: (r) => r.note },
    { path: "subscription.version", kind: "number", column: "s.version", sort: "version", value: (r) => r.version },
    { path: "subscription.customer_id", kind: "text", column: "s.customer_id", sort: "customer_id", value: (r) => r.customer_id },
    // orchestrator-core knows one customer, the default one of the settings: every subscription's
    { path: "subscription.customer_name", kind: "text", column: sql`${customer.fullname}::text`, value: (_r, c) => c.fullname },
    { path: "subscription.customer_abbreviation", kind: "text", column: sql`${customer.shortcode}::text`, value: (_r, c) => c.shortcode },
    { path: "subscription.metadata", kind: "json", column: "s.subscription_id", value: (r) => r.metadata ?? null },
    { path: "subscription.product.product_id", kind: "uuid", column: "s.product_id", sort: "product_id", value: (r) => r.product.product_id },
    { path: "subscription.product.name", kind: "text", column: "pr.name", sort: "product_name", value: (r) => r.product.name },
    { path: "subscription.product.tag", kind: "text", column: "pr.tag", sort: "tag", value: (r) => r.product.tag },
    { path: "subscription.product.product_type", kind: "text", column: "pr.product_type", sort: "product_type", value: (r) => r.product.product_type },
    { path: "subscription.product.description", kind: "text", column: "pr.description", value: (r) => r.product.description },
    { path: "subscription.product.status", kind: "status", column: "pr.status", value: (r) => r.product.status },
  ];
}

/** Names of the nested objects of the paths (`product`): orchestrator-core's components. */
const COMPONENTS = ["product"];

const UI_TYPE: Record<PathKind, UiType> = { text: "string", status: "string", uuid: "string", boolean: "boolean", datetime: "datetime", number: "number", json: "string" };

const OPERATORS: Record<PathKind, readonly Op[]> = {
  text: ["eq", "neq", "like", "regexp", "not_regexp"],
  status: ["eq", "neq", "like", "regexp", "not_regexp"],
  uuid: ["eq", "neq", "like", "regexp", "not_regexp"],
  boolean: ["eq", "neq"],
  datetime: ["eq", "neq", "lt", "lte", "gt", "gte", "between"],
  number: ["eq", "neq", "lt", "lte", "gt", "gte", "between"],
  json: [],
};

/** orchestrator-core's `GET /search/definitions`: per UI type, its operators and the kind of value each takes. */
export function searchDefinitions() {
  const schema = (kind: string) => ({ kind });
  const ordered = (kind: string) => ({
    operators: ["eq", "neq", "lt", "lte", "gt", "gte", "between"],
    value_schema: {
      ...Object.fromEntries(["eq", "neq", "lt", "lte", "gt", "gte"].map((op) => [op, schema(kind)])),
      between: { kind: "object", fields: { start: schema(kind), end: schema(kind) } },
    },
  });
  return {
    string: { operators: ["eq", "neq", "like"], value_schema: { eq: schema("string"), neq: schema("string"), like: schema("string") } },
    number: ordered("number"),
    boolean: { operators: ["eq", "neq"], value_schema: { eq: schema("boolean"), neq: schema("boolean") } },
    datetime: ordered("datetime"),
    component: { operators: ["has_component", "not_has_component"], value_schema: { has_component: schema("component"), not_has_component: schema("component") } },
  };
}

export type EntityType = "SUBSCRIPTION" | "PRODUCT" | "WORKFLOW" | "PROCESS";

/**
 * orchestrator-core's `GET /search/paths`: the leaves (a field's last name, its UI types and full paths) and the
 * components whose name or path contains `q` (case-insensitively; all without it), at most `limit` paths, those whose
 * leaf name is `q` first. Only subscriptions are searched here: the other entity types have no paths.
 */
export function searchPaths(entityType: EntityType, q: string | undefined, prefix: string | undefined, limit: number, customer: Customer) {
  if (entityType !== "SUBSCRIPTION") return { leaves: [], components: [] };
  const needle = (q ?? "").trim().toLowerCase();
  const start = (prefix ?? "").trim().toLowerCase();
  const leafName = (path: string) => path.slice(path.lastIndexOf(".") + 1);
  const matches = subscriptionPaths(customer)
    .map((p) => p.path)
    .filter((path) => path.toLowerCase().startsWith(start) && path.toLowerCase().includes(needle))
    .sort((a, b) => Number(leafName(b) === needle) - Number(leafName(a) === needle) || a.localeCompare(b))
    .slice(0, limit);
  const byName = new Map<string, { name: string; ui_types: UiType[]; paths: string[] }>();
  for (const path of matches) {
    const spec = pathSpec(path, customer)!;
    const name = leafName(path);
    const leaf = byName.get(name) ?? { name, ui_types: [], paths: [] };
    if (!leaf.ui_types.includes(UI_TYPE[spec.kind])) leaf.ui_types.push(UI_TYPE[spec.kind]);
    leaf.paths.push(path);
    byName.set(name, leaf);
  }
  const components = COMPONENTS.filter((c) => matches.some((path) => path.split(".").slice(1, -1).includes(c)) || (needle !== "" && c.includes(needle))).map((name) => ({
    name,
    ui_types: ["component" as const],
  }));
  return { leaves: [...byName.values()], components };
}

function pathSpec(path: string, customer: Customer): SearchPath | undefined {
  return subscriptionPaths(customer).find((p) => p.path === path);
}

/** The paths a filter's field names: a full path, or a field's last name (`status`: every path ending in it). */
function resolvePaths(field: string, at: string, customer: Customer): SearchPath[] {
  const all = subscriptionPaths(customer);
  const exact = all.find((p) => p.path === field);
  if (exact) return [exact];
  const byLeaf = field.includes(".") ? [] : all.filter((p) => p.path.endsWith(`.${field}`));
  if (byLeaf.length > 0) return byLeaf;
  throw badRequest(`Invalid filter at ${at}: unknown path ${JSON.stringify(field)}; searchable are ${all.map((p) => p.path).join(", ")} (or their last names)`, "filters");
}

// the request's filter, parsed -------------------------------------------------------------------------------------

type Op = "eq" | "neq" | "lt" | "lte" | "gt" | "gte" | "between" | "like" | "regexp" | "not_regexp" | "exists" | "has_component" | "not_has_component";
const FILTER_TREE_OPS: readonly Op[] = ["eq", "neq", "lt", "lte", "gt", "gte", "between", "like", "regexp", "not_regexp", "has_component", "not_has_component"];
/** Operators of orchestrator-core's path index, which has no counterpart over tables. */
const LTREE_OPS = ["matches_lquery", "is_ancestor", "is_descendant", "path_match", "ends_with"];

type Node =
  | { kind: "and" | "or"; children: Node[] }
  | { kind: "not"; child: Node }
  | { kind: "leaf"; field: string; op: Op; value: unknown; at: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], at: string): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw badRequest(`Invalid filter at ${at}: unknown key ${JSON.stringify(extra[0])}; allowed are ${allowed.join(", ")}`, "filters");
}

/** The one `{field: spec}` pair of an Elasticsearch leaf query. */
function single(value: unknown, at: string): [string, unknown] {
  if (!isObject(value) || Object.keys(value).length !== 1) throw badRequest(`Invalid filter at ${at}: expected an object with one field, e.g. {"subscription.status": "active"}`, "filters");
  return Object.entries(value)[0]!;
}

class FilterParser {
  private leaves = 0;

  parse(filters: unknown): Node {
    return this.node(filters, "filters", 1);
  }

  private node(value: unknown, at: string, depth: number): Node {
    if (depth > SEARCH_LIMITS.maxDepth) throw badRequest(`Invalid filter at ${at}: groups nest deeper than ${SEARCH_LIMITS.maxDepth} levels`, "filters");
    if (!isObject(value)) throw badRequest(`Invalid filter at ${at}: expected an object (a filter tree {op, children}, or an Elasticsearch query such as {bool: …})`, "filters");
    if ("children" in value || "op" in value) return this.tree(value, at, depth);
    if ("path" in value || "condition" in value) return this.treeLeaf(value, at);
    const keys = Object.keys(value);
    if (keys.length !== 1) throw badRequest(`Invalid filter at ${at}: expected one of bool, term, range, wildcard, regexp, exists, or {op, children}`, "filters");
    const key = keys[0]!;
    const body = value[key];
    const here = `${at}.${key}`;
    switch (key) {
      case "bool":
        return this.bool(body, here, depth);
      case "term": {
        const [field, spec] = single(body, here);
        const v = isObject(spec) && "value" in spec ? spec.value : spec;
        return this.leaf(field, "eq", v, here);
      }
      case "range": {
        const [field, bounds] = single(body, here);
        if (!isObject(bounds) || Object.keys(bounds).length === 0) throw badRequest(`Invalid filter at ${here}: expected bounds, e.g. {"${field}": {"gte": "2024-01-01"}}`, "filters");
        onlyKeys(bounds, ["gt", "gte", "lt", "lte"], `${here}.${field}`);
        const parts = Object.entries(bounds).map(([op, v]) => this.leaf(field, op as Op, v, `${here}.${field}.${op}`));
        return parts.length === 1 ? parts[0]! : { kind: "and", children: parts };
      }
      case "wildcard": {
        const [field, spec] = single(body, here);
        const pattern = isObject(spec) ? spec.value : spec;
        if (typeof pattern !== "string") throw badRequest(`Invalid filter at ${here}: expected a pattern string ("*" any characters, "?" one)`, "filters");
        const like = pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll("*", "%").replaceAll("?", "_");
        return this.leaf(field, "like", like, here);
      }
      case "regexp": {
        const [field, spec] = single(body, here);
        return this.leaf(field, "regexp", isObject(spec) ? spec.value : spec, here);
      }
      case "exists": {
        if (!isObject(body)) throw badRequest(`Invalid filter at ${here}: expected {"field": "<path>"}`, "filters");
        onlyKeys(body, ["field"], here);
        if (typeof body.field !== "string") throw badRequest(`Invalid filter at ${here}.field: expected a path`, "filters");
        return this.leaf(body.field, "exists", undefined, here);
      }
      default:
        throw badRequest(`Invalid filter at ${at}: unknown query ${JSON.stringify(key)}; supported are bool, term, range, wildcard, regexp, exists, or a filter tree {op, children}`, "filters");
    }
  }

  private bool(body: unknown, at: string, depth: number): Node {
    if (!isObject(body)) throw badRequest(`Invalid filter at ${at}: expected {must?, should?, must_not?}`, "filters");
    onlyKeys(body, ["must", "should", "must_not", "filter"], at);
    const list = (key: string): Node[] => {
      const v = body[key];
      if (v === undefined || v === null) return [];
      const items = Array.isArray(v) ? v : [v];
      return items.map((item, i) => this.node(item, `${at}.${key}${Array.isArray(v) ? `.${i}` : ""}`, depth + 1));
    };
    const must = [...list("must"), ...list("filter")];
    const should = list("should");
    const mustNot = list("must_not").map((child): Node => ({ kind: "not", child }));
    if (must.length + should.length + mustNot.length === 0) throw badRequest(`Invalid filter at ${at}: a bool query needs at least one clause (must, should or must_not)`, "filters");
    const children = [...must, ...(should.length === 0 ? [] : should.length === 1 ? should : [{ kind: "or" as const, children: should }]), ...mustNot];
    return children.length === 1 ? children[0]! : { kind: "and", children };
  }

  private tree(value: Record<string, unknown>, at: string, depth: number): Node {
    onlyKeys(value, ["op", "children"], at);
    const op = value.op ?? "AND";
    if (op !== "AND" && op !== "OR") throw badRequest(`Invalid filter at ${at}.op: ${JSON.stringify(op)} is not AND or OR`, "filters");
    if (!Array.isArray(value.children) || value.children.length === 0) throw badRequest(`Invalid filter at ${at}.children: expected a non-empty list of conditions or groups`, "filters");
    const children = value.children.map((child, i) => this.node(child, `${at}.children.${i}`, depth + 1));
    return { kind: op === "AND" ? "and" : "or", children };
  }

  private treeLeaf(value: Record<string, unknown>, at: string): Node {
    onlyKeys(value, ["path", "condition", "value_kind"], at);
    if (typeof value.path !== "string") throw badRequest(`Invalid filter at ${at}.path: expected a path such as "subscription.status"`, "filters");
    const condition = value.condition;
    if (!isObject(condition)) throw badRequest(`Invalid filter at ${at}.condition: expected {op, value}`, "filters");
    onlyKeys(condition, ["op", "value"], `${at}.condition`);
    const op = condition.op;
    if (typeof op === "string" && LTREE_OPS.includes(op)) {
      throw badRequest(`Invalid filter at ${at}.condition.op: ${op} works on orchestrator-core's path index, which this server does not have; use ${FILTER_TREE_OPS.join(", ")}`, "filters");
    }
    if (typeof op !== "string" || !FILTER_TREE_OPS.includes(op as Op)) {
      throw badRequest(`Invalid filter at ${at}.condition.op: ${JSON.stringify(op)} is not an operator; use ${FILTER_TREE_OPS.join(", ")}`, "filters");
    }
    // orchestrator-core: a component operator without a value takes the path as the component's name
    const v = (op === "has_component" || op === "not_has_component") && condition.value === undefined ? value.path : condition.value;
    return this.leaf(value.path, op as Op, v, `${at}.condition`);
  }

  private leaf(field: string, op: Op, value: unknown, at: string): Node {
    if (++this.leaves > SEARCH_LIMITS.maxConditions) throw badRequest(`Invalid filter: more than ${SEARCH_LIMITS.maxConditions} conditions`, "filters");
    return { kind: "leaf", field, op, value, at };
  }
}

// the filter as SQL ----------------------------------------------------------------------------------------------

const RANGE_SQL: Record<string, string> = { lt: "<", lte: "<=", gt: ">", gte: ">=" };
const ref = (column: ColumnRef) => (typeof column === "string" ? sql.ref(column) : column);

function scalarText(value: unknown, at: string, path: string): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    const text = String(value);
    if (text.length > SEARCH_LIMITS.maxValue) throw badRequest(`Invalid filter value at ${at} (${path}): at most ${SEARCH_LIMITS.maxValue} characters`, "filters");
    return text;
  }
  throw badRequest(`Invalid filter value at ${at} (${path}): expected a string, number or boolean, got ${value === null ? "null" : Array.isArray(value) ? "a list" : typeof value}`, "filters");
}

function numberValue(value: unknown, at: string, path: string): number {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isFinite(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) throw badRequest(`Invalid filter value at ${at} (${path}): ${JSON.stringify(value)} is not a number`, "filters");
  return n;
}

/** The condition of one operator on one path. */
function pathCondition(spec: SearchPath, op: Op, value: unknown, at: string, customer: Customer): Condition {
  const column = spec.column;
  const filter = (text: string): Filter => ({ field: `${spec.path} at ${at}`, values: [text], raw: text });
  if (op === "exists") {
    if (spec.kind === "json") return sql<SqlBool>`EXISTS (SELECT 1 FROM subscription_metadata m WHERE m.subscription_id = s.subscription_id)`;
    return typeof column === "string" ? sql<SqlBool>`${sql.ref(column)} IS NOT NULL` : sql<SqlBool>`true`;
  }
  if (op === "has_component" || op === "not_has_component") {
    const name = scalarText(value, at, spec.path);
    const has = COMPONENTS.includes(name) || subscriptionPaths(customer).some((p) => p.path === name || p.path.startsWith(`${name}.`));
    return sql<SqlBool>`${sql.lit(op === "has_component" ? has : !has)}`;
  }
  if (!OPERATORS[spec.kind].includes(op)) {
    throw badRequest(
      `Invalid filter at ${at}: operator ${op} does not apply to ${spec.path} (${UI_TYPE[spec.kind]}); ${OPERATORS[spec.kind].length ? `use ${OPERATORS[spec.kind].join(", ")}` : "it can only be tested with exists"}`,
      "filters",
    );
  }
  switch (op) {
    case "eq":
    case "neq": {
      let condition: Condition;
      const text = scalarText(value, at, spec.path);
      switch (spec.kind) {
        case "boolean":
          condition = boolIs(column as string, filter(text));
          break;
        case "status":
          condition = storedCaseIn(column as string, [text], "lower");
          break;
        case "uuid":
          condition = uuidIn(column as string, filter(text));
          break;
        case "datetime":
          condition = dateCompare(column as string, filter(text));
          break;
        case "number":
          condition = sql<SqlBool>`${ref(column)} = ${numberValue(value, at, spec.path)}`;
          break;
        default:
          condition = textIn(column, [text]);
      }
      return op === "eq" ? condition : sql<SqlBool>`NOT COALESCE(${condition}, false)`;
    }
    case "lt":
    case "lte":
    case "gt":
    case "gte":
      if (spec.kind === "number") return sql<SqlBool>`${ref(column)} ${sql.raw(RANGE_SQL[op]!)} ${numberValue(value, at, spec.path)}`;
      return dateCompare(column as string, filter(`${RANGE_SQL[op]}${scalarText(value, at, spec.path)}`));
    case "between": {
      if (!isObject(value)) throw badRequest(`Invalid filter value at ${at} (${spec.path}): between takes {start, end}`, "filters");
      const start = value.start ?? value.from;
      const end = value.end ?? value.to;
      if (start === undefined || end === undefined) throw badRequest(`Invalid filter value at ${at} (${spec.path}): between takes {start, end}`, "filters");
      return sql<SqlBool>`(${pathCondition(spec, "gte", start, at, customer)} AND ${pathCondition(spec, "lte", end, at, customer)})`;
    }
    case "like": {
      const pattern = scalarText(value, at, spec.path);
      if (!/[%_]/.test(pattern)) throw badRequest(`Invalid filter value at ${at} (${spec.path}): a like pattern needs a wildcard (% any characters, _ one), e.g. "%fiber%"`, "filters");
      return sql<SqlBool>`${ref(column)}::text ILIKE ${pattern}`;
    }
    case "regexp":
    case "not_regexp": {
      const pattern = scalarText(value, at, spec.path);
      if (pattern.length > SEARCH_LIMITS.maxPattern) throw badRequest(`Invalid filter value at ${at} (${spec.path}): a regular expression of at most ${SEARCH_LIMITS.maxPattern} characters`, "filters");
      const matches = sql<SqlBool>`${ref(column)}::text ~* ${pattern}`;
      return op === "regexp" ? matches : sql<SqlBool>`NOT COALESCE(${matches}, false)`;
    }
  }
  throw badRequest(`Invalid filter at ${at}: unknown operator ${op}`, "filters");
}

function nodeCondition(node: Node, customer: Customer): Condition {
  switch (node.kind) {
    case "and":
    case "or":
      return sql<SqlBool>`(${sql.join(
        node.children.map((c) => nodeCondition(c, customer)),
        node.kind === "and" ? sql` AND ` : sql` OR `,
      )})`;
    case "not":
      return sql<SqlBool>`NOT COALESCE(${nodeCondition(node.child, customer)}, false)`;
    case "leaf": {
      if (node.op === "has_component" || node.op === "not_has_component") return pathCondition(subscriptionPaths(customer)[0]!, node.op, node.value, node.at, customer);
      // a field's last name stands for every path ending in it: any of them may match
      const parts = resolvePaths(node.field, node.at, customer).map((spec) => pathCondition(spec, node.op, node.value, node.at, customer));
      return parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, sql` OR `)})`;
    }
  }
}

/** The SQL condition of a request's `filters` (a filter tree or an Elasticsearch query); 400 naming the place otherwise. */
export function filterCondition(filters: unknown, customer: Customer): Condition {
  return nodeCondition(new FilterParser().parse(filters), customer);
}

// free text ------------------------------------------------------------------------------------------------------------

/** Everything a subscription is found by: its columns, its product's, and the values of its product blocks. */
const SEARCHED_TEXT = sql<string>`concat_ws(' ', s.description, pr.name, pr.tag, pr.product_type, s.note, s.customer_id, s.status, s.subscription_id::text,
  (SELECT string_agg(v.value, ' ') FROM subscription_instances si
    JOIN subscription_instance_values v ON v.subscription_instance_id = si.subscription_instance_id
    WHERE si.subscription_id = s.subscription_id))`;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The words of a free text (letters and digits), lower-case, at most maxWords. */
function words(text: string): string[] {
  return [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, SEARCH_LIMITS.maxWords))];
}

/**
 * The free text's condition and relevance: every word is the start of a word of the subscription (full text, the
 * `simple` configuration: no stemming, no stop words), or the whole text occurs in it. The score, from 0 to 1, is
 * higher when the whole text occurs (0.5) and with the full-text rank (`ts_rank`, normalised to below 0.5).
 */
function textMatch(text: string): { condition: Condition; rank: RawBuilder<number> } {
  const like = `%${escapeLike(text)}%`;
  const found = words(text);
  const substring = sql<SqlBool>`${SEARCHED_TEXT} ILIKE ${like}`;
  if (found.length === 0) return { condition: substring, rank: sql<number>`(CASE WHEN ${substring} THEN 0.5 ELSE 0 END)::float8` };
  // only letters and digits: the words need no quoting in a tsquery
  const query = sql`to_tsquery('simple', ${found.map((w) => `${w}:*`).join(" & ")})`;
  const vector = sql`to_tsvector('simple', ${SEARCHED_TEXT})`;
  return {
    condition: sql<SqlBool>`(${vector} @@ ${query} OR ${substring})`,
    rank: sql<number>`round(((CASE WHEN ${substring} THEN 0.5 ELSE 0 END) + ts_rank(${vector}, ${query}, 32) / 2)::numeric, 4)::float8`,
  };
}

export interface MatchingField {
  text: string;
  path: string;
  highlight_indices: [number, number][];
}

/** Where the text, or else its words (at the start of a word), occur in `value`: [start, end) pairs. */
function highlights(value: string, text: string): [number, number][] {
  const lower = value.toLowerCase();
  const whole = text.trim().toLowerCase();
  const found: [number, number][] = [];
  if (whole && lower.includes(whole)) {
    for (let i = lower.indexOf(whole); i >= 0; i = lower.indexOf(whole, i + whole.length)) found.push([i, i + whole.length]);
    return found;
  }
  for (const word of words(text)) {
    const at = new RegExp(`(?<![\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "gu");
    for (const m of lower.matchAll(at)) found.push([m.index, m.index + word.length]);
  }
  return found.sort((a, b) => a[0] - b[0]);
}

// the search -----------------------------------------------------------------------------------------------------------

export interface SearchInput {
  query?: string | null;
  filters?: unknown;
  limit: number;
  order_by?: { element: string; direction: "asc" | "desc" } | null;
  response_columns?: string[] | null;
  offset: number;
  includeColumns: boolean;
}

export interface SearchResultRow {
  entity_id: string;
  entity_type: "SUBSCRIPTION";
  entity_title: string;
  score: number;
  perfect_match: number;
  matching_fields: MatchingField[];
  response_columns: Record<string, unknown> | null;
}

/** Checks the response columns and the order of a request (400 naming them) before anything is read. */
export function checkColumns(input: Pick<SearchInput, "response_columns" | "order_by">, customer: Customer): void {
  (input.response_columns ?? []).forEach((path, i) => {
    if (!pathSpec(path, customer)) throw badRequest(`Invalid response_columns.${i}: unknown path ${JSON.stringify(path)}; available are ${subscriptionPaths(customer).map((p) => p.path).join(", ")}`, "response_columns");
  });
  if (input.order_by) {
    const spec = pathSpec(input.order_by.element, customer);
    const sortable = subscriptionPaths(customer).filter((p) => p.kind !== "json").map((p) => p.path);
    if (!spec || spec.kind === "json") throw badRequest(`Invalid order_by.element: ${JSON.stringify(input.order_by.element)} cannot be ordered by; use one of ${sortable.join(", ")}`, "order_by");
  }
}

/** One page of the search and the number of rows in all: three statements at most (count, page, blocks or metadata). */
export async function searchSubscriptions(db: Kysely<Database>, input: SearchInput, customer: Customer): Promise<{ rows: SearchResultRow[]; total: number }> {
  checkColumns(input, customer);
  const where: Condition[] = [];
  if (input.filters !== undefined && input.filters !== null) where.push(filterCondition(input.filters, customer));
  const text = input.query?.trim() ? input.query.trim() : undefined;
  const match = text ? textMatch(text) : undefined;
  if (match) where.push(match.condition);

  let sort: SortKey[] = [];
  if (!match) {
    const spec = input.order_by ? pathSpec(input.order_by.element, customer) : undefined;
    const direction = input.order_by?.direction ?? "desc";
    // a path every row has the same value of (the customer's name) orders by nothing but the tie-breaker, the id
    sort = spec ? [{ field: spec.sort ?? "subscription_id", direction }] : [{ field: "start_date", direction: "desc" }];
  }
  const { items, total } = await listSubscriptions(db, { offset: input.offset, limit: input.limit, sort, filters: [], where }, match?.rank);
  const rows = items as PageRow[];
  const ids = rows.map((r) => r.subscription_id);
  const columns = input.includeColumns ? (input.response_columns ?? []) : [];
  const [metadata, values] = await Promise.all([
    ids.length > 0 && columns.includes("subscription.metadata")
      ? db.selectFrom("subscription_metadata").select(["subscription_id", "metadata"]).where("subscription_id", "in", ids).execute()
      : [],
    ids.length > 0 && text
      ? db
          .selectFrom("subscription_instances as si")
          .innerJoin("subscription_instance_values as v", "v.subscription_instance_id", "si.subscription_instance_id")
          .innerJoin("resource_types as rt", "rt.resource_type_id", "v.resource_type_id")
          .innerJoin("product_blocks as pb", "pb.product_block_id", "si.product_block_id")
          .select(["si.subscription_id", "pb.name as block", "rt.resource_type", "v.value"])
          .where("si.subscription_id", "in", ids)
          .orderBy("pb.name")
          .orderBy("rt.resource_type")
          .execute()
      : [],
  ]);
  for (const m of metadata) {
    const row = rows.find((r) => r.subscription_id === m.subscription_id);
    if (row) row.metadata = m.metadata;
  }
  return {
    total,
    rows: rows.map((row) => {
      const fields: MatchingField[] = [];
      if (text) {
        const candidates: [string, unknown][] = [
          ["subscription.description", row.description],
          ["subscription.product.name", row.product.name],
          ["subscription.product.tag", row.product.tag],
          ["subscription.product.product_type", row.product.product_type],
          ["subscription.note", row.note],
          ["subscription.customer_id", row.customer_id],
          ["subscription.status", row.status],
          ["subscription.subscription_id", row.subscription_id],
          ...values.filter((v) => v.subscription_id === row.subscription_id).map((v): [string, unknown] => [`subscription.${snake(v.block)}.${v.resource_type}`, v.value]),
        ];
        for (const [path, value] of candidates) {
          if (typeof value !== "string") continue;
          const found = highlights(value, text);
          if (found.length > 0) fields.push({ text: value, path, highlight_indices: found });
        }
      }
      const whole = text?.toLowerCase();
      return {
        entity_id: row.subscription_id,
        entity_type: "SUBSCRIPTION" as const,
        entity_title: row.description,
        score: row.score ?? 1,
        perfect_match: whole && fields.some((f) => f.text.toLowerCase().includes(whole)) ? 1 : 0,
        matching_fields: fields,
        response_columns: input.includeColumns ? Object.fromEntries(columns.map((path) => [path, pathSpec(path, customer)!.value(row, customer)])) : null,
      };
    }),
  };
}

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/\s+/g, "_").toLowerCase();

// cursors ----------------------------------------------------------------------------------------------------------------

/** What a search's pages have in common (not the page size): a cursor belongs to one search. */
export function searchFingerprint(input: Pick<SearchInput, "query" | "filters" | "order_by">): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(canonical) : isObject(value) ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])])) : value;
  return createHash("sha256")
    .update(JSON.stringify(canonical({ q: input.query?.trim() || null, f: input.filters ?? null, o: input.order_by ?? null })))
    .digest("base64url")
    .slice(0, 16);
}

interface Cursor {
  offset: number;
  limit: number;
  search: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ o: cursor.offset, l: cursor.limit, s: cursor.search })).toString("base64url");
}

/**
 * The page a cursor points at. Cursors hold no state on the server: the client sends the same search again with the
 * cursor (as the UI does), and a cursor of another search is refused.
 */
export function decodeCursor(text: string, search: string): Cursor {
  const invalid = (why: string) => badRequest(`Invalid cursor: ${why}; send the search without a cursor for its first page`, "cursor");
  if (text.length > 200 || !/^[A-Za-z0-9_-]+={0,2}$/.test(text)) throw invalid("not a cursor of this server");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw invalid("not a cursor of this server");
  }
  if (!isObject(parsed) || !Number.isSafeInteger(parsed.o) || (parsed.o as number) < 0 || !Number.isSafeInteger(parsed.l) || typeof parsed.s !== "string") {
    throw invalid("not a cursor of this server");
  }
  const limit = parsed.l as number;
  if (limit < 1 || limit > SEARCH_LIMITS.maxLimit) throw invalid(`its page size is not 1 to ${SEARCH_LIMITS.maxLimit}`);
  if (parsed.s !== search) throw invalid("it belongs to another search (query, filters or order_by differ)");
  return { offset: parsed.o as number, limit, search };
}
