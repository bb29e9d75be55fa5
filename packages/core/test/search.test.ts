/**
 * `POST /api/search/subscriptions` over real HTTP, with the beginner's subscriptions made by its workflows: the
 * filters the WFO UI 9 sends (its tabs' Elasticsearch bool queries, the start page's out-of-sync card, the filter
 * builder's rules) and orchestrator-core's filter tree, free text, order, response columns and cursor paging as the UI
 * follows it; `GET /api/search/paths` and `/definitions`; bad input answered 4xx naming the field and the limit.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type ApiResponse, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";
import { seedBeginner, type BeginnerData } from "./support/graphql.js";

const LIST_COLUMNS = [
  "subscription.subscription_id",
  "subscription.description",
  "subscription.status",
  "subscription.insync",
  "subscription.product.name",
  "subscription.product.tag",
  "subscription.customer_name",
  "subscription.customer_abbreviation",
  "subscription.start_date",
  "subscription.end_date",
  "subscription.note",
  "subscription.metadata",
];

describe(`search of subscriptions (${backend})`, () => {
  let t: TestServer;
  let data: BeginnerData;
  /** Every subscription as the REST list gives it. */
  let all: any[];

  const search = (body: Record<string, unknown>, cursor?: string) => t.request("POST", `/api/search/subscriptions${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`, body);
  const ids = (r: ApiResponse) => r.body.data.map((row: any) => row.entity_id).sort();
  const idsOf = (rows: any[]) => rows.map((s) => s.subscription_id).sort();

  function assertProblem(response: ApiResponse, status: number, ...patterns: RegExp[]): void {
    assert.equal(response.status, status, JSON.stringify(response.body));
    assert.equal(response.body.status, status);
    for (const pattern of patterns) assert.match(response.body.detail, pattern);
  }

  before(async () => {
    t = await startTestServer({ env: { RUN_SCHEDULER: "false" } });
    data = await seedBeginner(t, 3);
    // one out of sync, one with a note, one with metadata
    await t.server.database.db.updateTable("subscriptions").set({ insync: false }).where("subscription_id", "=", data.users[1]!).execute();
    await t.server.database.db.updateTable("subscriptions").set({ note: "moved to 50% plan_b" }).where("subscription_id", "=", data.users[2]!).execute();
    await t.server.database.db.insertInto("subscription_metadata").values({ subscription_id: data.group, metadata: JSON.stringify({ owner: "ops" }) }).execute();
    all = (await t.request("GET", "/api/subscriptions")).body;
    assert.equal(all.length, 4);
  });
  after(() => t?.close());

  it("answers the subscription list's first page: the 12 columns, newest first, the count", async () => {
    const r = await search({ query: "", limit: 10, response_columns: LIST_COLUMNS, order_by: { element: "subscription.start_date", direction: "desc" } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.cursor.total_items, 4);
    assert.deepEqual(r.body.page_info, { has_next_page: false, next_page_cursor: null });
    assert.equal(r.body.search_metadata.search_type, "structured");
    const starts = r.body.data.map((row: any) => row.response_columns["subscription.start_date"]);
    assert.deepEqual(starts, [...starts].sort().reverse());
    const group = r.body.data.find((row: any) => row.entity_id === data.group);
    const rest = all.find((s) => s.subscription_id === data.group);
    assert.equal(group.entity_type, "SUBSCRIPTION");
    assert.equal(group.entity_title, rest.description);
    assert.equal(group.score, 1);
    assert.deepEqual(Object.keys(group.response_columns), LIST_COLUMNS);
    assert.equal(group.response_columns["subscription.description"], rest.description);
    assert.equal(group.response_columns["subscription.status"], rest.status);
    assert.equal(group.response_columns["subscription.insync"], true);
    assert.equal(group.response_columns["subscription.product.name"], "User Group");
    assert.equal(group.response_columns["subscription.product.tag"], rest.product.tag);
    assert.equal(group.response_columns["subscription.customer_name"], "Default::Orchestrator-Core Customer");
    assert.equal(group.response_columns["subscription.customer_abbreviation"], "default-cust");
    assert.equal(group.response_columns["subscription.start_date"], rest.start_date);
    assert.deepEqual(group.response_columns["subscription.metadata"], { owner: "ops" });
    const other = r.body.data.find((row: any) => row.entity_id === data.users[0]);
    assert.equal(other.response_columns["subscription.metadata"], null);
    // without columns
    const bare = await t.request("POST", "/api/search/subscriptions?include_columns=false", { response_columns: LIST_COLUMNS });
    assert.equal(bare.body.data[0].response_columns, null);
  });

  it("filters as the UI's tabs and cards send them (Elasticsearch bool queries)", async () => {
    const active = await search({ filters: { bool: { should: [{ term: { "subscription.status": "active" } }] } }, response_columns: ["subscription.status"] });
    assert.deepEqual(ids(active), idsOf(all.filter((s) => s.status === "active")));
    const transient = await search({
      filters: { bool: { should: ["initial", "provisioning", "migrating"].map((status) => ({ term: { "subscription.status": status } })) } },
    });
    assert.deepEqual(ids(transient), idsOf(all.filter((s) => ["initial", "provisioning", "migrating"].includes(s.status))));
    const outOfSync = await search({
      filters: {
        bool: {
          must: [
            { term: { "subscription.insync": false } },
            { bool: { should: [{ term: { "subscription.status": "active" } }, { term: { "subscription.status": "provisioning" } }] } },
          ],
        },
      },
      limit: 5,
      order_by: { element: "subscription.start_date", direction: "desc" },
      response_columns: ["subscription.subscription_id", "subscription.description", "subscription.start_date"],
    });
    assert.deepEqual(ids(outOfSync), [data.users[1]]);
    assert.equal(outOfSync.body.cursor.total_items, 1);
    // a tab with the user's rules: a date range, a wildcard, a must_not
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const withRules = (rules: unknown) => search({ filters: { bool: { must: [{ bool: { should: [{ term: { "subscription.status": "active" } }] } }, rules] } } });
    assert.equal((await withRules({ range: { "subscription.start_date": { gte: yesterday } } })).body.data.length, all.filter((s) => s.status === "active").length);
    const none = await withRules({ range: { "subscription.start_date": { lt: yesterday } } });
    assert.deepEqual(none.body, { data: [], page_info: { has_next_page: false, next_page_cursor: null }, search_metadata: none.body.search_metadata, cursor: null });
    assert.deepEqual(ids(await search({ filters: { wildcard: { "subscription.product.name": { value: "user int*" } } } })), idsOf(all.filter((s) => s.product.name === "User internal")));
    assert.deepEqual(ids(await search({ filters: { bool: { must_not: [{ term: { "subscription.product.name": "User Group" } }] } } })), [...data.users].sort());
    assert.deepEqual(ids(await search({ filters: { regexp: { "subscription.note": ".*50%.*" } } })), [data.users[2]]);
    assert.deepEqual(ids(await search({ filters: { exists: { field: "subscription.note" } } })), [data.users[2]]);
    assert.deepEqual(ids(await search({ filters: { exists: { field: "subscription.metadata" } } })), [data.group]);
    // a field's last name stands for the paths ending in it; booleans as the builder writes them
    assert.deepEqual(ids(await search({ filters: { term: { tag: all.find((s) => s.subscription_id === data.group).product.tag } } })), [data.group]);
    assert.deepEqual(ids(await search({ filters: { bool: { must: [{ term: { "subscription.insync": true } }] } } })), idsOf(all.filter((s) => s.insync)));
  });

  it("filters with orchestrator-core's filter tree: groups, like, ranges, between", async () => {
    const r = await search({
      filters: {
        op: "AND",
        children: [
          { path: "subscription.start_date", condition: { op: "gte", value: "2020-01-01" } },
          {
            op: "OR",
            children: [
              { path: "subscription.product.name", condition: { op: "like", value: "%group%" } },
              { path: "subscription.subscription_id", condition: { op: "eq", value: data.users[0] } },
            ],
          },
        ],
      },
    });
    assert.deepEqual(ids(r), [data.group, data.users[0]].sort());
    const between = await search({ filters: { op: "AND", children: [{ path: "subscription.version", condition: { op: "between", value: { start: 0, end: 1000 } } }] } });
    assert.equal(between.body.cursor.total_items, 4);
    assert.deepEqual(ids(await search({ filters: { op: "AND", children: [{ path: "subscription.note", condition: { op: "like", value: "%50\\%%" } }] } })), [data.users[2]]);
    assert.equal((await search({ filters: { op: "AND", children: [{ path: "product", condition: { op: "has_component" } }] } })).body.cursor.total_items, 4);
    assert.equal((await search({ filters: { op: "AND", children: [{ path: "subscription.customer_name", condition: { op: "eq", value: "default::orchestrator-core customer" } }] } })).body.cursor.total_items, 4);
  });

  it("orders by a path, either way", async () => {
    for (const direction of ["asc", "desc"] as const) {
      const r = await search({ order_by: { element: "subscription.description", direction }, response_columns: ["subscription.description"] });
      const descriptions = r.body.data.map((row: any) => row.response_columns["subscription.description"]);
      const expected = all.map((s) => s.description).sort((a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
      assert.deepEqual(descriptions.map((d: string) => d.toLowerCase()), (direction === "asc" ? expected : expected.reverse()).map((d: string) => d.toLowerCase()));
    }
  });

  it("pages with cursors as the UI does: the same body again, without limit, until there is no next page", async () => {
    const body = { query: "", filters: { bool: { should: [{ term: { "subscription.insync": true } }, { term: { "subscription.insync": false } }] } }, order_by: { element: "subscription.start_date", direction: "desc" } };
    const seen: string[] = [];
    let r = await search({ ...body, limit: 3 });
    assert.equal(r.body.cursor.total_items, 4);
    assert.equal(r.body.data.length, 3);
    assert.equal(r.body.page_info.has_next_page, true);
    seen.push(...r.body.data.map((row: any) => row.entity_id));
    r = await search(body, r.body.page_info.next_page_cursor);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.cursor.start_cursor, r.body.cursor.end_cursor], [3, 3]);
    seen.push(...r.body.data.map((row: any) => row.entity_id));
    assert.deepEqual(r.body.page_info, { has_next_page: false, next_page_cursor: null });
    assert.deepEqual([...seen].sort(), idsOf(all));
    // pages of one row
    let cursor: string | undefined;
    const single: string[] = [];
    do {
      const page = await search({ ...body, ...(cursor ? {} : { limit: 1 }) }, cursor);
      single.push(...page.body.data.map((row: any) => row.entity_id));
      cursor = page.body.page_info.next_page_cursor ?? undefined;
    } while (cursor);
    assert.deepEqual(single, seen);
  });

  it("finds subscriptions by free text: whole words, word starts, substrings, product block values, ranked", async () => {
    const group = all.find((s) => s.subscription_id === data.group);
    const r = await search({ query: "Admins", response_columns: ["subscription.description"] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.search_metadata.search_type, "fuzzy");
    assert.ok(ids(r).includes(data.group), JSON.stringify(r.body));
    const hit = r.body.data.find((row: any) => row.entity_id === data.group);
    assert.equal(hit.perfect_match, 1);
    assert.ok(hit.score > 0 && hit.score <= 1, String(hit.score));
    const field = hit.matching_fields.find((f: any) => f.path === "subscription.description");
    assert.ok(field, JSON.stringify(hit.matching_fields));
    const [start, end] = field.highlight_indices[0];
    assert.equal(group.description.slice(start, end).toLowerCase(), "admins");
    // a word's start; several words in any order
    assert.ok(ids(await search({ query: "adm" })).includes(data.group));
    assert.ok(ids(await search({ query: "group admins" })).includes(data.group));
    // a product block's value (the second user's user name), and a substring inside a word
    const byName = await search({ query: "user1" });
    assert.ok(ids(byName).includes(data.users[1]), JSON.stringify(byName.body));
    assert.ok(byName.body.data.find((row: any) => row.entity_id === data.users[1]).matching_fields.some((f: any) => f.text === "user1"));
    assert.deepEqual(ids(await search({ query: "plan_b" })), [data.users[2]]);
    assert.deepEqual(ids(await search({ query: "50%" })), [data.users[2]]);
    assert.deepEqual((await search({ query: "zzzqqq" })).body.data, []);
    // with a filter too; best first
    const filtered = await search({ query: "user", filters: { term: { "subscription.product.name": "User Group" } } });
    // failed once in CI (a second id came back, 1 run in 6 on 2026-12-01, not reproduced): the rows say which
    assert.deepEqual(ids(filtered), [data.group], JSON.stringify({ rows: filtered.body.data, all: all.map((s) => [s.subscription_id, s.product.name]) }));
    const ranked = await search({ query: "user" });
    const scores = ranked.body.data.map((row: any) => row.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    // the UI's retriever choice: fuzzy is what there is
    assert.equal((await search({ query: "Admins", retriever: "fuzzy" })).status, 200);
  });

  it("offers paths and definitions to the filter builder", async () => {
    const status = await t.request("GET", "/api/search/paths?q=status&entity_type=SUBSCRIPTION");
    assert.equal(status.status, 200);
    assert.deepEqual(status.body.leaves[0], { name: "status", ui_types: ["string"], paths: ["subscription.product.status", "subscription.status"] });
    const product = await t.request("GET", "/api/search/paths?q=product");
    assert.ok(product.body.components.some((c: any) => c.name === "product" && c.ui_types[0] === "component"));
    assert.ok(product.body.leaves.length <= 10);
    const exact = await t.request("GET", "/api/search/paths?q=subscription.insync&entity_type=SUBSCRIPTION");
    assert.deepEqual(exact.body.leaves, [{ name: "insync", ui_types: ["boolean"], paths: ["subscription.insync"] }]);
    assert.deepEqual((await t.request("GET", "/api/search/paths?q=status&entity_type=PRODUCT")).body, { leaves: [], components: [] });
    assert.equal((await t.request("GET", "/api/search/paths?q=date&limit=1")).body.leaves.length, 1);
    const definitions = await t.request("GET", "/api/search/definitions");
    assert.deepEqual(Object.keys(definitions.body).sort(), ["boolean", "component", "datetime", "number", "string"]);
    assert.deepEqual(definitions.body.string.operators, ["eq", "neq", "like"]);
    assert.deepEqual(definitions.body.datetime.value_schema.between, { kind: "object", fields: { start: { kind: "datetime" }, end: { kind: "datetime" } } });
  });

  it("refuses bad input with a 4xx naming the field and the limit, never a 500", async () => {
    const unknownPath = await search({ filters: { term: { "subscription.colour": "red" } } });
    assertProblem(unknownPath, 400, /filters\.term/, /unknown path "subscription\.colour"/, /subscription\.status/);
    assert.equal(unknownPath.body.field, "filters");
    assertProblem(await search({ filters: { bool: { must: [{ term: { colour: "red" } }] } } }), 400, /filters\.bool\.must\.0\.term/);
    assertProblem(await search({ filters: { range: { "subscription.description": { gt: "a" } } } }), 400, /operator gt does not apply to subscription\.description/, /eq, neq, like/);
    assertProblem(await search({ filters: { range: { "subscription.start_date": { after: "2024-01-01" } } } }), 400, /unknown key "after"/, /gt, gte, lt, lte/);
    assertProblem(await search({ filters: { op: "AND", children: [{ path: "subscription.status", condition: { op: "matches_lquery", value: "*" } }] } }), 400, /children\.0\.condition\.op/, /path index/);
    assertProblem(await search({ filters: { op: "AND", children: [{ path: "subscription.status", condition: { op: "resembles", value: "x" } }] } }), 400, /"resembles" is not an operator/);
    assertProblem(await search({ filters: { op: "XOR", children: [] } }), 400, /filters\.op/);
    assertProblem(await search({ filters: { fuzzy: { "subscription.description": "x" } } }), 400, /unknown query "fuzzy"/);
    assertProblem(await search({ filters: { bool: {} } }), 400, /at least one clause/);
    assertProblem(await search({ filters: { term: { "subscription.start_date": "yesterday" } } }), 400, /subscription\.start_date/, /not a date/);
    assertProblem(await search({ filters: { term: { "subscription.insync": "maybe" } } }), 400, /subscription\.insync/, /not true or false/);
    assertProblem(await search({ filters: { term: { "subscription.subscription_id": "abc" } } }), 400, /subscription\.subscription_id/, /not a UUID/);
    assertProblem(await search({ filters: { term: { "subscription.version": "ten" } } }), 400, /not a number/);
    assertProblem(await search({ filters: { op: "AND", children: [{ path: "subscription.note", condition: { op: "like", value: "plan" } }] } }), 400, /wildcard/);
    assertProblem(await search({ filters: { term: { "subscription.description": "x".repeat(1001) } } }), 400, /at most 1000 characters/);
    assertProblem(await search({ filters: { regexp: { "subscription.note": "(".repeat(300) } } }), 400, /at most 256 characters/);
    // an invalid regular expression is the database's refusal: a 400 naming the filters, not the safety net's
    const badRegexp = await search({ filters: { regexp: { "subscription.note": "(" } } });
    assertProblem(badRegexp, 400, /^Invalid filter: a regular expression PostgreSQL cannot use: /);
    assert.equal(badRegexp.body.field, "filters");
    let deep: unknown = { term: { "subscription.status": "active" } };
    for (let i = 0; i < 12; i++) deep = { bool: { must: [deep] } };
    assertProblem(await search({ filters: deep }), 400, /deeper than 10 levels/);
    const many = Array.from({ length: 101 }, () => ({ term: { "subscription.status": "active" } }));
    assertProblem(await search({ filters: { bool: { should: many } } }), 400, /more than 100 conditions/);
    // the body
    assertProblem(await search({ limit: 1000 }), 400, /body\.limit/, /at most 100/);
    assertProblem(await search({ limit: 0 }), 400, /body\.limit/, /at least 1/);
    assertProblem(await search({ limit: 2.5 }), 400, /body\.limit/, /whole number/);
    assertProblem(await search({ query: "x".repeat(513) }), 400, /body\.query/, /at most 512/);
    assertProblem(await search({ colour: "red" }), 400, /colour/);
    assertProblem(await search({ response_columns: ["subscription.colour"] }), 400, /response_columns\.0/, /subscription\.colour/);
    assertProblem(await search({ order_by: { element: "subscription.metadata", direction: "asc" } }), 400, /order_by\.element/);
    assertProblem(await search({ order_by: { element: "subscription.status", direction: "up" } }), 400, /order_by\.direction/);
    assertProblem(await search({ query: "x", order_by: { element: "subscription.status", direction: "asc" } }), 400, /order_by/, /query is empty/);
    assertProblem(await search({ query: "x", retriever: "semantic" }), 400, /retriever/, /embeddings/);
    assertProblem(await search({ retriever: "fuzzy" }), 400, /retriever/, /needs a query/);
    // NUL characters: refused for every route by the input guard, naming the field
    assertProblem(await search({ query: "a\u0000b" }), 422, /body\.query/, /NUL/);
    assertProblem(await search({ filters: { term: { "subscription.description": "\u0000" } } }), 422, /body\.filters\.term/, /NUL/);
    // cursors
    assertProblem(await search({}, "not-a-cursor"), 400, /Invalid cursor/);
    assertProblem(await search({}, "x".repeat(201)), 400, /cursor/, /at most 200/);
    assertProblem(await search({}, Buffer.from(JSON.stringify({ o: -1, l: 10, s: "x" })).toString("base64url")), 400, /Invalid cursor/);
    assertProblem(await search({}, Buffer.from(JSON.stringify({ o: 0, l: 100000, s: "x" })).toString("base64url")), 400, /Invalid cursor/, /1 to 100/);
    const first = await search({ limit: 1 });
    assertProblem(await search({ query: "other" }, first.body.page_info.next_page_cursor), 400, /another search/);
    // paths
    assertProblem(await t.request("GET", "/api/search/paths?q=a&limit=50"), 400, /querystring\.limit/, /1 to 10/);
    assertProblem(await t.request("GET", "/api/search/paths?entity_type=CUSTOMER"), 400, /entity_type/);
    assertProblem(await t.request("GET", `/api/search/paths?q=${"a".repeat(201)}`), 400, /querystring\.q/, /at most 200/);
  });
});
