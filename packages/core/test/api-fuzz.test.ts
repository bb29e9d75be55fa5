/**
 * Property-based fuzzing of the whole API, driven by the server's own OpenAPI document: every route and method, with
 * hostile and plausible values (fast-check, fixed seed) for each path parameter, query parameter and body, built from
 * the parameter's schema. Asserts no 5xx (510, the form protocol's "next page", is an answer, not an error), no hang
 * (a per-request timeout), and that the server still answers /api/health after each route. Prints
 * `fuzz: <cases> cases, <status>=<count>, …` per back-end.
 *
 * FUZZ_RUNS sets the cases per route (default 80), FUZZ_SEED the seed; FUZZ_ONLY=<text> fuzzes only the routes whose
 * "METHOD /path" contains it; FUZZ_VERBOSE=1 prints every case.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { PROCESS_LIST } from "../src/api/queries/processes.js";
import { SUBSCRIPTION_LIST } from "../src/api/queries/subscriptions.js";
import { startTestServer, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 80);
const REQUEST_TIMEOUT_MS = 10_000;
const VERBOSE = process.env.FUZZ_VERBOSE === "1";
const ONLY = process.env.FUZZ_ONLY;

// ---------------------------------------------------------------------------------------------------------------
// The OpenAPI document, as much of it as the fuzzer reads
// ---------------------------------------------------------------------------------------------------------------

interface JsonSchema {
  type?: string;
  format?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
}

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: JsonSchema;
}

function operationsOf(document: { paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: any }>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        body: operation.requestBody?.content?.["application/json"]?.schema,
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------------

/** Any UTF-16 code unit, lone surrogates included (fast-check's own units produce only whole code points). */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

const ONE_MB = "x".repeat(1024 * 1024);

/** What PostgreSQL text cannot hold, or is not Unicode. */
const unstorable = fc.oneof({ weight: 2, arbitrary: fc.constant("\u0000") }, { weight: 1, arbitrary: fc.constantFrom("\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uDFFF\uD800") });

/** `value` with an unstorable character, a separator or a lot more text put in somewhere. */
function tainted(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const insert = fc.oneof({ weight: 3, arbitrary: unstorable }, { weight: 1, arbitrary: fc.constantFrom(",", "-", "%", " ", "z".repeat(300), "z".repeat(3000)) });
  return fc.tuple(value, insert, fc.nat()).map(([v, extra, at]) => {
    const i = v.length === 0 ? 0 : at % (v.length + 1);
    return v.slice(0, i) + extra + v.slice(i);
  });
}

/** Strings that have broken servers: NUL, lone surrogates, separators, numbers as text, lengths around the limits. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: tainted(fc.string({ maxLength: 12 })) },
  { weight: 4, arbitrary: fc.constantFrom("", " ", "\u0000", "\uD800", "\uD83D\uDE00", "-", ",", ",,", "%", "%00", "\\", "'", "\"", "null", "true", "0", "-1", "NaN", "1e400", "99999999999999999999", "9007199254740993", "2147483648", "00000000-0000-0000-0000-000000000000", "../..", "__proto__", "constructor", "\u202e", "\uFEFF", "\r\n", "😀".repeat(3)) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(21, 51, 256, 2001, 5001, 10_001, 70_000).map((n) => "y".repeat(n)) },
  { weight: 1, arbitrary: fc.constant(ONE_MB) },
);

/** Numbers around the edges: int4, 2^53, floats, negative zero. */
const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 0.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, 1e20, 1e308, -1e308, Number.MIN_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** JSON nested past the server's depth limit (100); far deeper ones are raw bodies (see rawBody). */
const deepJson = fc.constantFrom(101, 1000).chain((depth) =>
  fc.constantFrom(JSON.parse("[".repeat(depth) + "]".repeat(depth)) as unknown, JSON.parse('{"a":'.repeat(depth) + "1" + "}".repeat(depth)) as unknown),
);

/** Form fields of the workflows under test, so that form pages are sometimes the right shape. */
const FORM_KEYS = ["product", "group_name", "username", "age", "user_group_ids", "confirmed", "comment", "name", "size", "ok"];

/** Any JSON value, with hostile leaves. */
const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.constantFrom(null, true, false),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom(...FORM_KEYS)), tie("value"), { maxKeys: 3 }),
  ),
})).value;

/** A value of any type but the expected one, or one at the edges. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 2, arbitrary: anyJson },
  { weight: 1, arbitrary: deepJson },
);

/** Ids and names that exist in the test database, so that plausible requests reach the handlers' writes. */
interface Fixtures {
  ids: Record<string, string[]>;
  workflowNames: string[];
  tags: string[];
  productTypes: string[];
  tokens: string[];
  customers: string[];
  /** Form pages that the workflows under test accept. */
  formPages: unknown[][];
  /** Known-good requests per operation (`PUT /api/processes/{process_id}/resume`). */
  examples: Record<string, Example[]>;
}

/** Plausible values of a parameter or field: what exists, by its name and the route's resource. */
function knownValues(fixtures: Fixtures, path: string, name: string): string[] {
  if (name === "id") return fixtures.ids[path.split("/")[2]!] ?? [];
  if (name === "workflow_key" || name === "name") return fixtures.workflowNames;
  if (name === "token") return fixtures.tokens;
  if (name === "customer_id") return fixtures.customers;
  if (name === "tag") return fixtures.tags;
  if (name === "product_type") return fixtures.productTypes;
  if (name === "product") return fixtures.ids.products ?? [];
  return fixtures.ids[name] ?? [];
}

/** Plausible values of a list filter, by field. */
function filterValue(field: string, fixtures: Fixtures): fc.Arbitrary<string> {
  if (["process_id", "pid", "subscription_id", "product_id"].includes(field)) {
    const ids = [...(fixtures.ids[field] ?? []), ...(field === "product_id" ? fixtures.ids.products ?? [] : [])];
    return fc.oneof(fc.uuid(), ...(ids.length ? [fc.constantFrom(...ids)] : []));
  }
  if (["is_task", "insync"].includes(field)) return fc.constantFrom("true", "false", "yes", "0");
  if (["last_status", "status"].includes(field)) return fc.constantFrom("completed", "failed-suspended", "active", "initial-provisioning");
  return fc.constantFrom("acme", "GROUP", "create_user_group", "SYSTEM", "Fuzz", "User Group", "CREATE-MODIFY");
}

/**
 * `range`, `sort`, `filter`, `query` and `target` in their grammar: plausible ones with the list's own fields, and
 * edge cases (huge or reversed ranges, empty filter values, unknown directions) for the hostile side.
 */
function listParameter(name: string, path: string, fixtures: Fixtures): { plausible: fc.Arbitrary<string>; edges: fc.Arbitrary<string> } | undefined {
  const spec = path.includes("subscriptions") ? SUBSCRIPTION_LIST : PROCESS_LIST;
  const pairs = (pair: fc.Arbitrary<string>) => fc.array(pair, { minLength: 1, maxLength: 2 }).map((p) => p.join(","));
  switch (name) {
    case "range":
      return {
        plausible: fc.tuple(fc.nat({ max: 100 }), fc.nat({ max: 50 })).map(([start, n]) => `${start},${start + n}`),
        edges: fc.constantFrom("0,99999999999999999999", "99999999999999999999,99999999999999999999", "9007199254740992,9007199254740993", "9007199254740991,9007199254740991", "2147483648,2147483649", "1,0", "-1,5", "1.5,2", ",", "0", "0,999", "0,1000", " 0 , 1 "),
      };
    case "sort": {
      const field = fc.constantFrom(...spec.sortFields);
      return {
        plausible: pairs(fc.tuple(field, fc.constantFrom("asc", "desc", "ASC")).map(([f, d]) => `${f},${d}`)),
        edges: fc.oneof(field, field.map((f) => `${f},up`), fc.constantFrom(",", "nope,asc", "startedAt,desc")),
      };
    }
    case "filter": {
      const field = fc.constantFrom(...spec.filterFields);
      return {
        plausible: pairs(field.chain((f) => filterValue(f, fixtures).map((v) => `${f},${v}`))),
        edges: fc.oneof(field.map((f) => `${f},`), field.map((f) => `${f},-`), field.map((f) => `${f},--`), field, fc.constantFrom(",", "nope,x", "customer_id,a,b")),
      };
    }
    case "query":
      return { plausible: fc.constantFrom("group", "Admins", "acme", "Fuzz", "user"), edges: fc.constantFrom("%", "_", "\\", "%%%", "' or 1=1 --") };
    case "target":
      return { plausible: fc.constantFrom("CREATE", "CREATE,MODIFY", "system-validate"), edges: fc.constantFrom("create,", "NOPE", ",", "-") };
    default:
      return undefined;
  }
}

/** A string as the schema allows it: an existing value, a format, an enum member, a length at the limit. */
function plausibleString(schema: JsonSchema, known: string[]): fc.Arbitrary<string> {
  const options: fc.WeightedArbitrary<string>[] = [];
  if (known.length > 0) options.push({ weight: 4, arbitrary: fc.constantFrom(...known) });
  if (schema.format === "uuid") options.push({ weight: 2, arbitrary: fc.uuid() });
  if (schema.enum) options.push({ weight: 4, arbitrary: fc.constantFrom(...(schema.enum as string[])) });
  if (schema.maxLength !== undefined) options.push({ weight: 1, arbitrary: fc.constantFrom(schema.maxLength, schema.maxLength + 1).map((n) => "z".repeat(n)) });
  options.push({ weight: 1, arbitrary: fc.string({ minLength: schema.minLength ?? 0, maxLength: 30 }) });
  return fc.oneof(...options);
}

/** A hostile value for a parameter or field: its plausible value tainted, or any hostile string. */
function hostileFor(plausible: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(tainted(plausible), hostileString);
}

/** A plausible JSON value for `schema`: existing ids, enum members, lengths at the limit, the forms' fields. */
function plausibleValue(schema: JsonSchema, fixtures: Fixtures, name: string, depth = 0): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => plausibleValue(s, fixtures, name, depth)));
  const nullable = (arb: fc.Arbitrary<unknown>) => (schema.nullable ? fc.oneof(arb, fc.constant(null)) : arb);
  const child = (s: JsonSchema | undefined, key: string) => plausibleValue(s ?? {}, fixtures, key, depth + 1);
  switch (schema.type) {
    case "string":
      return nullable(plausibleString(schema, knownValues(fixtures, "", name)));
    case "boolean":
      return nullable(fc.boolean());
    case "number":
    case "integer": {
      const edges = [schema.minimum, schema.maximum].filter((n): n is number => n !== undefined).flatMap((n) => [n, n + 1, n - 1]);
      return nullable(fc.oneof(fc.integer({ min: -5, max: 5 }), ...(edges.length ? [fc.constantFrom(...edges)] : [])));
    }
    case "array": {
      const generic = fc.array(child(schema.items, name), { maxLength: 3 });
      // form pages: the ones that get the workflows under test past their forms, or made up ones
      const pages = schema.items?.type === "object" && schema.items.additionalProperties !== false && depth === 0;
      return nullable(pages ? fc.oneof(fc.constantFrom(...fixtures.formPages), generic) : generic);
    }
    case "object": {
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, property] of Object.entries(schema.properties ?? {})) record[key] = child(property, key);
      const shaped = fc.record(record, { requiredKeys: schema.required ?? [] });
      if (schema.additionalProperties === false || depth > 2) return nullable(shaped);
      // an open object (form pages, callback data): fields of the forms under test
      const open = fc
        .subarray(FORM_KEYS, { maxLength: 3 })
        .chain((keys) => fc.record(Object.fromEntries(keys.map((key) => [key, child(undefined, key)]))));
      return nullable(fc.tuple(shaped, open).map(([a, b]) => ({ ...b, ...a })));
    }
    default:
      // any JSON: what a form field might hold
      return fc.oneof(plausibleString({}, knownValues(fixtures, "", name)), fc.integer({ min: -5, max: 5 }), fc.boolean());
  }
}

/** Every place in a JSON value: its container and key (the root has none). */
function placesOf(root: unknown): { container?: Record<string, unknown> | unknown[]; key?: string | number; value: unknown }[] {
  const places: { container?: Record<string, unknown> | unknown[]; key?: string | number; value: unknown }[] = [{ value: root }];
  for (let i = 0; i < places.length; i++) {
    const { value } = places[i]!;
    if (Array.isArray(value)) value.forEach((item, index) => places.push({ container: value, key: index, value: item }));
    else if (typeof value === "object" && value !== null) for (const [key, item] of Object.entries(value)) places.push({ container: value as Record<string, unknown>, key, value: item });
  }
  return places;
}

/**
 * `values` with one place in each made hostile: a string tainted with NUL or a lone surrogate, a value replaced by one
 * of another type or at the edges, or an object given a hostile key.
 */
function mutated(values: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const mutation = fc.record({ pick: fc.nat(), how: fc.nat({ max: 3 }), taint: unstorable, at: fc.nat(), hostile: hostileValue, key: hostileString });
  return fc.tuple(values, mutation).map(([value, m]) => {
    const root = structuredClone(value);
    // a place inside the value (the whole value is replaced by requestArbitrary's other branch)
    const places = placesOf(root);
    const inner = places.length > 1 ? places.slice(1) : places;
    // text is where NUL and lone surrogates go: a string three times in four when there is one
    const strings = inner.filter((p) => typeof p.value === "string");
    const pool = strings.length > 0 && m.pick % 4 !== 0 ? strings : inner;
    const place = pool[Math.floor(m.pick / 4) % pool.length]!;
    let replacement: unknown = m.hostile;
    if (typeof place.value === "string" && m.how < 3) {
      const i = m.at % (place.value.length + 1);
      replacement = place.value.slice(0, i) + m.taint + place.value.slice(i);
    } else if (typeof place.value === "object" && place.value !== null && !Array.isArray(place.value) && m.how === 0) {
      (place.value as Record<string, unknown>)[m.key] = "x";
      return root;
    }
    if (place.container === undefined) return replacement;
    (place.container as Record<string | number, unknown>)[place.key!] = replacement;
    return root;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------------

interface FuzzRequest {
  method: string;
  url: string;
  contentType?: string;
  body?: string;
}

/** Percent-encodes like encodeURIComponent, but a lone surrogate as its three WTF-8 bytes instead of throwing. */
function encodeComponent(value: string): string {
  // the common case, and the megabyte strings, need no encoding
  if (/^[A-Za-z0-9._~-]*$/.test(value)) return value;
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    const pair = unit >= 0xd800 && unit <= 0xdbff && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else {
      out += encodeURIComponent(value[i]!);
    }
  }
  return out;
}

/** Bodies that are not the JSON the route expects: malformed, empty, other media types. */
const rawBody = fc.constantFrom<{ contentType?: string; body: string }>(
  { contentType: "application/json", body: "" },
  { contentType: "application/json", body: "[{" },
  { contentType: "application/json", body: '{"a":1,}' },
  { contentType: "application/json", body: "\u0000" },
  { contentType: "application/json", body: '{"__proto__":{"x":1}}' },
  { contentType: "application/json", body: "NaN" },
  { contentType: "application/json; charset=latin1", body: "{}" },
  { contentType: "text/plain", body: "[]" },
  { contentType: "text/plain", body: "a\u0000" },
  { contentType: "application/xml", body: "<a/>" },
  { contentType: "application/x-www-form-urlencoded", body: "a=1" },
  { contentType: "multipart/form-data; boundary=x", body: "--x--" },
  { contentType: "application/octet-stream", body: "\u00ff\u00fe" },
  { contentType: undefined, body: "{}" },
  { contentType: "application/json", body: "[".repeat(100_000) + "]".repeat(100_000) },
  { contentType: "application/json", body: '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000) },
);

/** A request known to get past validation: path parameters and body (the operation's `examples` in Fixtures). */
interface Example {
  path: Record<string, string>;
  body?: unknown;
}

/**
 * Requests for one operation. Each request aims at one part (a path parameter, a query parameter or the body) with a
 * hostile value and keeps the others plausible, so that the hostile part gets past the others' validation; one in
 * seven requests is entirely plausible. Half of them start from a known-good example of the operation when there
 * is one (a workflow's name with the form pages it accepts), so that a hostile part reaches the writes behind it.
 */
function requestArbitrary(operation: Operation, fixtures: Fixtures): fc.Arbitrary<FuzzRequest> {
  const pathParameters = operation.parameters.filter((p) => p.in === "path");
  const queryParameters = operation.parameters.filter((p) => p.in === "query");
  const hasBody = operation.body !== undefined || operation.method !== "GET";
  const parts = pathParameters.length + queryParameters.length + (hasBody ? 1 : 0);
  const examples = fixtures.examples[`${operation.method} ${operation.path}`] ?? [];

  const pathValue = (p: Parameter, hostile: boolean, example?: Example) => {
    const plausible = example ? fc.constant(example.path[p.name]!) : plausibleString(p.schema ?? {}, knownValues(fixtures, operation.path, p.name));
    return hostile ? hostileFor(plausible) : plausible;
  };
  const queryValue = (p: Parameter, hostile: boolean): fc.Arbitrary<string[] | undefined> => {
    const list = listParameter(p.name, operation.path, fixtures);
    const plausible = list?.plausible ?? plausibleString(p.schema ?? {}, knownValues(fixtures, operation.path, p.name));
    if (!hostile) return fc.option(plausible.map((v) => [v]), { nil: undefined, freq: 3 });
    return fc.oneof(
      { weight: 4, arbitrary: hostileFor(plausible).map((v) => [v]) },
      { weight: list ? 3 : 0, arbitrary: (list?.edges ?? plausible).map((v) => [v]) },
      // repeated: an array on the server
      { weight: 1, arbitrary: fc.array(plausible, { minLength: 2, maxLength: 2 }) },
    );
  };
  const bodyValue = (hostile: boolean, example?: Example) => {
    if (!hasBody) return fc.constant(undefined);
    const asJson = (value: unknown) => ({ contentType: "application/json" as string | undefined, body: JSON.stringify(value) ?? "null" });
    const plausible = example?.body !== undefined ? fc.constant(example.body) : operation.body ? plausibleValue(operation.body, fixtures, "") : undefined;
    if (!hostile) return plausible ? plausible.map(asJson) : fc.constant(undefined);
    return fc.oneof(
      { weight: 6, arbitrary: mutated(plausible ?? hostileValue).map(asJson) },
      { weight: 1, arbitrary: hostileValue.map(asJson) },
      { weight: 1, arbitrary: rawBody },
    );
  };

  // the body (when there is one) is aimed at as often as all parameters together
  const target = fc.oneof(
    { weight: hasBody ? 3 : 0, arbitrary: fc.constant(parts - 1) },
    { weight: parts > (hasBody ? 1 : 0) ? 3 : 0, arbitrary: fc.nat({ max: Math.max(parts - (hasBody ? 2 : 1), 0) }) },
    { weight: 1, arbitrary: fc.constant(-1) },
  );
  const example = examples.length ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...examples) }, { weight: 1, arbitrary: fc.constant(undefined) }) : fc.constant(undefined);
  return fc.tuple(target, example).chain(([aim, example]) =>
    fc
      .tuple(
        fc.tuple(...pathParameters.map((p, i) => pathValue(p, aim === i, example))),
        fc.tuple(...queryParameters.map((p, i) => queryValue(p, aim === pathParameters.length + i))),
        // now and then an unknown query parameter
        fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(hostileString, hostileString) }),
        bodyValue(aim === parts - 1 && hasBody, example),
      )
      .map(([pathValues, queryValues, extra, body]) => {
        let path = operation.path;
        pathParameters.forEach((p, i) => (path = path.replace(`{${p.name}}`, encodeComponent(pathValues[i]!))));
        const query: string[] = [];
        queryParameters.forEach((p, i) => {
          for (const value of queryValues[i] ?? []) query.push(`${encodeComponent(p.name)}=${encodeComponent(value)}`);
        });
        if (extra) query.push(`${encodeComponent(extra[0])}=${encodeComponent(extra[1])}`);
        return { method: operation.method, url: query.length ? `${path}?${query.join("&")}` : path, ...body };
      }),
  );
}

/** What a request is in a failure message: the long parts shortened. */
function describeRequest(request: FuzzRequest): string {
  const short = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}… (${s.length} characters)` : s);
  return `${request.method} ${short(request.url)} ${request.contentType ?? ""} ${short(request.body ?? "")}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------------------------

describe(`API fuzz from the OpenAPI document (${backend})`, () => {
  let t: TestServer;
  let fixtures: Fixtures;
  const counts = new Map<number, number>();

  before(async () => {
    t = await startTestServer({ testWorkflows: [{ name: "needs_input" }, { name: "with_callback" }, { name: "three_steps", isTask: true }] });
    const get = async (path: string) => (await t.request("GET", path)).body;
    const products = await get("/api/products");
    const groupPages = [{ product: products.find((p: any) => p.name === "User Group").product_id }, { group_name: "Fuzzers" }];
    const group = await t.request("POST", "/api/processes/create_user_group", groupPages);
    const created = await t.settle(group.body.id);
    const subscriptionId = created.subscriptions[0].subscription_id;
    await t.request("POST", "/api/subscription_customer_descriptions", { subscription_id: subscriptionId, customer_id: "acme", description: "Fuzz" });
    const suspended = (await t.request("POST", "/api/processes/needs_input", [{}])).body.id;
    const awaiting = (await t.request("POST", "/api/processes/with_callback", [{}])).body.id;
    const task = (await t.request("POST", "/api/processes/three_steps", [{}])).body.id;
    const token = (await t.settle(awaiting)).current_state.__callback_token as string;
    // processes to resume: each accepted resume uses one up
    const suspendedMore = [suspended];
    for (let i = 0; i < 9; i++) suspendedMore.push((await t.request("POST", "/api/processes/needs_input", [{}])).body.id);
    for (const id of suspendedMore) await t.settle(id);
    await t.settle(task);
    const workflows = await get("/api/workflows");
    const descriptions = (await get(`/api/subscriptions/${subscriptionId}`)).customer_descriptions;
    fixtures = {
      ids: {
        process_id: [created.process_id, ...suspendedMore, awaiting, task],
        subscription_id: [subscriptionId],
        workflow_id: workflows.map((w: any) => w.workflow_id),
        products: products.map((p: any) => p.product_id),
        product_blocks: (await get("/api/product_blocks")).map((b: any) => b.product_block_id),
        resource_types: (await get("/api/resource_types")).map((r: any) => r.resource_type_id),
        subscription_customer_descriptions: descriptions.map((d: any) => d.id),
      },
      workflowNames: [...workflows.map((w: any) => w.name), "needs_input", "with_callback", "nope"],
      tags: [...new Set<string>(products.map((p: any) => p.tag))],
      productTypes: [...new Set<string>(products.map((p: any) => p.product_type))],
      tokens: [token, "nope"],
      customers: ["acme", "nobody"],
      formPages: [groupPages, [{}], [], [{ confirmed: true, comment: "fuzzed" }]],
      examples: {
        "POST /api/processes/{workflow_key}": [
          { path: { workflow_key: "create_user_group" }, body: groupPages },
          { path: { workflow_key: "needs_input" }, body: [{}] },
          { path: { workflow_key: "three_steps" }, body: [{}] },
        ],
        "PUT /api/processes/{process_id}/resume": suspendedMore.map((process_id) => ({ path: { process_id }, body: [{ confirmed: true, comment: "fuzzed" }] })),
        "POST /api/processes/{process_id}/callback/{token}": [{ path: { process_id: awaiting, token }, body: { ok: true, detail: "done" } }],
        "POST /api/processes/{process_id}/callback/{token}/progress": [{ path: { process_id: awaiting, token }, body: { percent: 50, note: "half" } }],
        "PATCH /api/processes/{process_id}": [{ path: { process_id: created.process_id }, body: { note: "checked" } }],
        "POST /api/subscription_customer_descriptions": [{ path: {}, body: { subscription_id: subscriptionId, customer_id: "other", description: "Theirs" } }],
        "PUT /api/subscription_customer_descriptions": descriptions.map((d: any) => ({ path: {}, body: { ...d, description: "Changed" } })),
        "GET /api/subscription_customer_descriptions/customer/{customer_id}/subscription/{subscription_id}": [{ path: { customer_id: "acme", subscription_id: subscriptionId } }],
      },
    };
  });
  after(() => t?.close());

  async function send(request: FuzzRequest): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = request.contentType ? { "content-type": request.contentType } : {};
    try {
      const response = await fetch(`${t.url}${request.url}`, { method: request.method, headers, body: request.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      if ((error as Error).name === "TimeoutError") throw new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms: ${describeRequest(request)}`);
      throw new Error(`the connection failed (${(error as Error).message}, cause ${String((error as { cause?: unknown }).cause)}): ${describeRequest(request)}`);
    }
  }

  it("answers every route's hostile and plausible input without a 5xx or a hang", { timeout: 300_000 }, async (context) => {
    const document = (await t.request("GET", "/api/openapi.json")).body;
    const operations = operationsOf(document);
    assert.ok(operations.length >= 30 || ONLY, `only ${operations.length} operations in the OpenAPI document`);
    // the summary also when a route fails
    context.after(() => {
      const cases = [...counts.values()].reduce((a, b) => a + b, 0);
      const statuses = [...counts.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}=${n}`);
      console.log(`fuzz: ${cases} cases, ${statuses.join(", ")} (${backend}, seed ${SEED}, ${operations.length} routes)`);
    });
    for (const operation of operations) {
      if (ONLY && !`${operation.method} ${operation.path}`.includes(ONLY)) continue;
      await context.test(`${operation.method} ${operation.path}`, async () => {
        await fc.assert(
          fc.asyncProperty(requestArbitrary(operation, fixtures), async (request) => {
            try {
              const { status, text } = await send(request);
              counts.set(status, (counts.get(status) ?? 0) + 1);
              if (VERBOSE) console.log(status, describeRequest(request).slice(0, 200));
              // 510 is the form protocol's answer with the next page (orchestrator-core's FormNotCompleteError)
              if (status >= 500 && !(status === 510 && text.includes("FormNotCompleteError"))) {
                throw new Error(`${status} ${text.slice(0, 300)} for ${describeRequest(request)}`);
              }
            } finally {
              // pausing the engine is global: every later change of a process would be a 503 "Engine is locked"
              if (operation.path === "/api/settings/status" && operation.method === "PUT") await t.request("PUT", "/api/settings/status", { global_lock: false });
            }
          }),
          { seed: SEED, numRuns: RUNS_PER_ROUTE },
        );
        const health = await send({ method: "GET", url: "/api/health" });
        assert.equal(health.status, 200, `/api/health after ${operation.method} ${operation.path}: ${health.text}`);
      });
    }
  });
});
