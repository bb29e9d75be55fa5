/**
 * Bad input is a 4xx problem detail naming the field and the limit, never a 5xx, and a refused request leaves the
 * database as it was: NUL characters and lone surrogates in query strings, filter values, path parameters, JSON
 * bodies and form fields; empty filter values; ranges past 2^53; numbers past int4; strings longer than their column;
 * 1 MB identifiers; malformed UUIDs and URLs; malformed and too deep JSON; wrong content types. Also the safety net
 * that turns the database's own refusals into 400 / 409.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { databaseRefusal } from "../src/api/problem.js";
import { startTestServer, type ApiResponse, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";

describe(`bad input answers 4xx and writes nothing (${backend})`, () => {
  let t: TestServer;
  let productId: string;
  let blockId: string;
  let resourceTypeId: string;
  let workflowId: string;
  let subscriptionId: string;
  let processId: string;

  /** A request with a raw body, content type and URL (the test client sends only JSON). */
  async function raw(method: string, path: string, body?: string, contentType = "application/json"): Promise<ApiResponse> {
    const response = await fetch(`${t.url}${path}`, { method, body, headers: body === undefined ? {} : { "content-type": contentType } });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the assertion on the body shape says so
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** A problem detail with the status and a detail matching every pattern. */
  function assertProblem(response: ApiResponse, status: number, ...patterns: RegExp[]): void {
    assert.equal(response.status, status, JSON.stringify(response.body));
    assert.equal(typeof response.body, "object", `not a problem detail: ${JSON.stringify(response.body)}`);
    assert.equal(response.body.status, status);
    assert.equal(typeof response.body.title, "string");
    for (const pattern of patterns) assert.match(response.body.detail, pattern);
  }

  /** Rows of the tables a refused request could have touched, to compare before and after. */
  async function snapshot(): Promise<unknown> {
    const db = t.server.database.db;
    const [processes, inputs, steps, descriptions, products, blocks, types, workflows] = await Promise.all([
      db.selectFrom("processes").select(["pid", "note", "last_status"]).orderBy("pid").execute(),
      db.selectFrom("input_states").select(["input_state_id"]).orderBy("input_state_id").execute(),
      db.selectFrom("process_steps").select(["stepid"]).orderBy("stepid").execute(),
      db.selectFrom("subscription_customer_descriptions").selectAll().orderBy("id").execute(),
      db.selectFrom("products").select(["product_id", "description", "status"]).orderBy("product_id").execute(),
      db.selectFrom("product_blocks").select(["product_block_id", "description"]).orderBy("product_block_id").execute(),
      db.selectFrom("resource_types").select(["resource_type_id", "description"]).orderBy("resource_type_id").execute(),
      db.selectFrom("workflows").select(["workflow_id", "description"]).orderBy("workflow_id").execute(),
    ]);
    return { processes, inputs, steps, descriptions, products, blocks, types, workflows };
  }

  /** Runs `requests` and asserts the database did not change. */
  async function unchanged(requests: () => Promise<void>): Promise<void> {
    const before = await snapshot();
    await requests();
    assert.deepEqual(await snapshot(), before, "a refused request changed the database");
  }

  before(async () => {
    t = await startTestServer({ testWorkflows: [{ name: "needs_input" }] });
    const products = (await t.request("GET", "/api/products")).body;
    productId = products.find((p: any) => p.name === "User Group").product_id;
    blockId = (await t.request("GET", "/api/product_blocks")).body[0].product_block_id;
    resourceTypeId = (await t.request("GET", "/api/resource_types")).body[0].resource_type_id;
    workflowId = (await t.request("GET", "/api/workflows")).body[0].workflow_id;
    const group = await t.request("POST", "/api/processes/create_user_group", [{ product: productId }, { group_name: "Admins" }]);
    assert.equal(group.status, 201, JSON.stringify(group.body));
    subscriptionId = (await t.settle(group.body.id)).subscriptions[0].subscription_id;
    const started = await t.request("POST", "/api/processes/needs_input", [{}]);
    processId = started.body.id;
    assert.equal((await t.settle(processId)).last_status, "suspended");
    const description = await t.request("POST", "/api/subscription_customer_descriptions", { subscription_id: subscriptionId, customer_id: "acme", description: "Our admins" });
    assert.equal(description.status, 204, JSON.stringify(description.body));
  });
  after(() => t?.close());

  it("refuses NUL in query strings and filter values (422 naming the parameter)", async () => {
    assertProblem(await t.request("GET", "/api/processes?query=%00"), 422, /query\.query/, /NUL/);
    assertProblem(await t.request("GET", "/api/subscriptions?query=a%00"), 422, /query\.query/, /NUL/);
    assertProblem(await t.request("GET", "/api/processes?filter=workflow_name,a%00b"), 422, /query\.filter/, /NUL/);
    assertProblem(await t.request("GET", "/api/subscriptions?filter=customer_id,%00"), 422, /query\.filter/, /NUL/);
    assertProblem(await t.request("GET", "/api/subscriptions?filter=description,x%00"), 422, /query\.filter/, /NUL/);
    assertProblem(await t.request("GET", "/api/products?tag=%00"), 422, /query\.tag/, /NUL/);
    assertProblem(await t.request("GET", "/api/workflows?name=%00"), 422, /query\.name/, /NUL/);
  });

  it("refuses NUL in path parameters", async () => {
    assertProblem(await t.request("GET", `/api/subscription_customer_descriptions/customer/a%00/subscription/${subscriptionId}`), 422, /params\.customer_id/, /NUL/);
    await unchanged(async () => {
      assertProblem(await t.request("POST", "/api/processes/create_user_group%00", []), 422, /params\.workflow_key/, /NUL/);
      assertProblem(await t.request("POST", `/api/processes/${processId}/callback/%00`, {}), 422, /params\.token/, /NUL/);
    });
  });

  it("refuses NUL and lone surrogates in notes, descriptions and customer descriptions, writing nothing", async () => {
    await unchanged(async () => {
      assertProblem(await t.request("PATCH", `/api/processes/${processId}`, { note: "a\u0000b" }), 422, /body\.note/, /NUL/);
      assertProblem(await t.request("PATCH", `/api/processes/${processId}`, { note: "a\uD800b" }), 422, /body\.note/, /lone surrogate \\uD800/);
      assertProblem(await t.request("PATCH", `/api/products/${productId}`, { description: "\u0000" }), 422, /body\.description/, /NUL/);
      // before: stored as U+FFFD by the driver, silently
      assertProblem(await t.request("PATCH", `/api/products/${productId}`, { description: "x\uDC00" }), 422, /body\.description/, /lone surrogate \\uDC00/);
      assertProblem(await t.request("PATCH", `/api/product_blocks/${blockId}`, { description: "\u0000" }), 422, /body\.description/);
      assertProblem(await t.request("PATCH", `/api/resource_types/${resourceTypeId}`, { description: "\u0000" }), 422, /body\.description/);
      assertProblem(await t.request("PATCH", `/api/workflows/${workflowId}`, { description: "\uD83D" }), 422, /body\.description/);
      const description = { subscription_id: subscriptionId, customer_id: "other", description: "a\u0000" };
      assertProblem(await t.request("POST", "/api/subscription_customer_descriptions", description), 422, /body\.description/, /NUL/);
      assertProblem(await t.request("POST", "/api/subscription_customer_descriptions", { ...description, description: "ok", customer_id: "\u0000" }), 422, /body\.customer_id/);
    });
    // a surrogate pair is a character like any other
    const emoji = await t.request("PATCH", `/api/processes/${processId}`, { note: "ok \uD83D\uDE00" });
    assert.equal(emoji.status, 200, JSON.stringify(emoji.body));
    assert.equal(emoji.body.note, "ok \uD83D\uDE00");
  });

  it("refuses control characters in text fields (a terminal acts on them): none in names and ids, tab and line breaks in free text", async () => {
    await unchanged(async () => {
      assertProblem(await t.request("PATCH", `/api/processes/${processId}`, { note: "red \u001b[31m" }), 422, /body\.note: must be no control characters but tab and line breaks \(got U\+001B at character 5\)/);
      assertProblem(await t.request("PATCH", `/api/products/${productId}`, { description: "bell\u0007" }), 422, /body\.description/, /U\+0007/);
      assertProblem(await t.request("PATCH", `/api/workflows/${workflowId}`, { description: "c1 \u009b" }), 422, /body\.description/, /U\+009B/);
      const description = { subscription_id: subscriptionId, customer_id: "two\nlines", description: "ok" };
      const twoLines = await t.request("POST", "/api/subscription_customer_descriptions", description);
      assertProblem(twoLines, 422, /body\.customer_id: must be one line of printable characters \(got U\+000A at character 4\)/);
      // the field named apart, as the 400s of checks beyond the schema name it
      assert.equal(twoLines.body.field, "customer_id");
      const nul = await t.request("PATCH", `/api/processes/${processId}`, { note: "a\u0000b" });
      assert.equal(nul.body.field, "note");
      // in names and ids also what changes how the text around it shows: line separators, a right-to-left override,
      // zero-width space (a name made of it looks empty)
      for (const [customer_id, code] of [["a\u2028b", "U+2028, a line separator,"], ["\u202egnp.exe", "U+202E, a right-to-left override,"], ["\u200b", "U+200B, a zero-width space,"], ["del\u007f", "U+007F at"]] as const) {
        const refused = await t.request("POST", "/api/subscription_customer_descriptions", { subscription_id: subscriptionId, customer_id, description: "ok" });
        assertProblem(refused, 422, /body\.customer_id: must be one line of printable characters/, new RegExp(code.replace("+", "\\+")));
      }
    });
    // free text keeps its lines and tabs (and the direction marks right-to-left text may need); an emoji's joiners stay
    const lines = await t.request("PATCH", `/api/processes/${processId}`, { note: "first\r\nsecond\tcolumn \u202bשלום\u202c" });
    assert.equal(lines.status, 200, JSON.stringify(lines.body));
    assert.equal(lines.body.note, "first\r\nsecond\tcolumn \u202bשלום\u202c");
    const family = { subscription_id: subscriptionId, customer_id: "\u{1F468}\u200D\u{1F469}", description: "ok" };
    const joined = await t.request("POST", "/api/subscription_customer_descriptions", family);
    assert.ok(joined.status < 300, JSON.stringify(joined.body));
  });

  it("refuses NUL and lone surrogates in form fields when starting and resuming, creating no process", async () => {
    await unchanged(async () => {
      const pages = (groupName: string) => [{ product: productId }, { group_name: groupName }];
      assertProblem(await t.request("POST", "/api/processes/create_user_group", pages("a\u0000b")), 422, /body\.1\.group_name/, /NUL/);
      assertProblem(await t.request("POST", "/api/processes/create_user_group", pages("a\uD800")), 422, /body\.1\.group_name/, /lone surrogate/);
      assertProblem(await t.request("POST", "/api/processes/create_user_group", [{ product: productId, "key\u0000": 1 }]), 422, /body\.0/, /key/);
      assertProblem(await t.request("PUT", `/api/processes/${processId}/resume`, [{ confirmed: true, comment: "a\u0000" }]), 422, /body\.0\.comment/, /NUL/);
      assertProblem(await t.request("PUT", `/api/processes/${processId}/resume`, [{ confirmed: true, comment: "\uDBFF" }]), 422, /body\.0\.comment/);
      // control characters: the form's own answer (pydantic-forms' 400, the field in loc), whatever the field's type
      const escape = await t.request("POST", "/api/processes/create_user_group", pages("evil\u001b[31mred"));
      assert.equal(escape.status, 400, JSON.stringify(escape.body));
      assert.equal(escape.body.type, "FormValidationError");
      assert.deepEqual(escape.body.validation_errors.map((e: { loc: unknown[] }) => e.loc), [["group_name"]]);
      assert.match(escape.body.validation_errors[0].msg, /control characters but tab and line breaks \(got U\+001B at character 5\)/);
      const c1 = await t.request("PUT", `/api/processes/${processId}/resume`, [{ confirmed: true, comment: "\u009b2J" }]);
      assert.equal(c1.status, 400, JSON.stringify(c1.body));
      assert.deepEqual(c1.body.validation_errors.map((e: { loc: unknown[] }) => e.loc), [["comment"]]);
    });
    assert.equal((await t.request("GET", `/api/processes/${processId}`)).body.last_status, "suspended");
  });

  it("refuses empty filter values (400 naming the field)", async () => {
    assertProblem(await t.request("GET", "/api/processes?filter=last_status,"), 400, /last_status/, /empty/);
    assertProblem(await t.request("GET", "/api/processes?filter=workflow_name,-"), 400, /workflow_name/, /empty/);
    assertProblem(await t.request("GET", "/api/subscriptions?filter=status,"), 400, /status/, /empty/);
    assertProblem(await t.request("GET", "/api/subscriptions?filter=status,active,tag,"), 400, /tag/, /empty/);
  });

  it("refuses ranges past 2^53 (400 naming the limit)", async () => {
    for (const list of ["processes", "subscriptions"]) {
      assertProblem(await t.request("GET", `/api/${list}?range=99999999999999999999,99999999999999999999`), 400, /range/, /9007199254740991/);
      assertProblem(await t.request("GET", `/api/${list}?range=0,99999999999999999999`), 400, /9007199254740991/);
      assertProblem(await t.request("GET", `/api/${list}?range=9007199254740992,9007199254740993`), 400, /9007199254740991/);
    }
    const far = await t.request("GET", "/api/processes?range=9007199254740990,9007199254740991");
    assert.equal(far.status, 200);
    assert.deepEqual(far.body, []);
  });

  it("refuses numbers past int4 where the column is int4", async () => {
    const [stored] = (await t.request("GET", `/api/subscriptions/${subscriptionId}`)).body.customer_descriptions;
    await unchanged(async () => {
      for (const version of [2 ** 31, -(2 ** 31) - 1, 1e30]) {
        const r = await t.request("PUT", "/api/subscription_customer_descriptions", { ...stored, description: "changed", version });
        assertProblem(r, 422, /body\.version/, /2147483647|-2147483648/);
      }
    });
  });

  it("refuses strings longer than their column (422 naming the field and the limit)", async () => {
    await unchanged(async () => {
      const description = { subscription_id: subscriptionId, customer_id: "other", description: "d".repeat(2001) };
      assertProblem(await t.request("POST", "/api/subscription_customer_descriptions", description), 422, /body\.description/, /at most 2000 characters/);
      assertProblem(await t.request("POST", "/api/subscription_customer_descriptions", { ...description, description: "d", customer_id: "c".repeat(256) }), 422, /body\.customer_id/, /at most 255/);
      assertProblem(await t.request("PATCH", `/api/products/${productId}`, { description: "d".repeat(2001) }), 422, /body\.description/, /at most 2000/);
      assertProblem(await t.request("PATCH", `/api/processes/${processId}`, { note: "n".repeat(5001) }), 422, /body\.note/, /at most 5000/);
    });
    // the limit counts characters as PostgreSQL does: 2000 emoji (4000 UTF-16 units) fit varchar(2000)
    const emoji = "\uD83D\uDE00".repeat(2000);
    const patched = await t.request("PATCH", `/api/product_blocks/${blockId}`, { description: emoji });
    assert.equal(patched.status, 201, JSON.stringify(patched.body).slice(0, 300));
    assert.equal(patched.body.description, emoji);
  });

  it("refuses 1 MB identifiers: in a JSON body (422) and in the URL (400 naming the limit)", async () => {
    const huge = "x".repeat(1024 * 1024);
    await unchanged(async () => {
      const body = { subscription_id: subscriptionId, customer_id: huge, description: "d" };
      assertProblem(await t.request("POST", "/api/subscription_customer_descriptions", body), 422, /body\.customer_id/, /at most 255/);
      assertProblem(await t.request("POST", `/api/processes/${huge}`, []), 400, /at most \d+ bytes/);
      assertProblem(await raw("GET", `/api/subscription_customer_descriptions/customer/${huge}/subscription/${subscriptionId}`), 400, /at most \d+ bytes/);
      assertProblem(await raw("GET", `/api/processes?query=${huge}`), 400, /at most \d+ bytes/);
      // longer than the router's default parameter limit, shorter than the URL's
      assertProblem(await t.request("POST", `/api/processes/${"w".repeat(1000)}`, []), 422, /params\.workflow_key/, /at most 255/);
      assertProblem(await t.request("POST", `/api/processes/${processId}/callback/${"t".repeat(1000)}`, {}), 422, /params\.token/, /at most 255/);
    });
  });

  it("refuses malformed UUIDs and URLs that are not UTF-8", async () => {
    assertProblem(await t.request("GET", "/api/processes/not-a-uuid"), 422, /params\.process_id/, /UUID/);
    assertProblem(await t.request("GET", `/api/subscriptions/${"0".repeat(1000)}`), 422, /params\.subscription_id/, /UUID/);
    assertProblem(await t.request("GET", "/api/processes?filter=process_id,123"), 400, /process_id/, /UUID/);
    assertProblem(await t.request("PUT", "/api/subscription_customer_descriptions", { id: "nope", subscription_id: subscriptionId, customer_id: "a", description: "b" }), 422, /body\.id/, /UUID/);
    // an encoded lone surrogate is not UTF-8: the router refuses the path
    assertProblem(await raw("GET", "/api/processes/%ED%A0%80"), 400, /valid url/i);
    assertProblem(await raw("GET", "/api/processes/%E0%A4%A"), 400);
  });

  it("refuses malformed and too deeply nested JSON, changing nothing", async () => {
    await unchanged(async () => {
      assertProblem(await raw("POST", "/api/processes/create_user_group", "[{"), 400, /JSON/);
      assertProblem(await raw("PATCH", `/api/processes/${processId}`, '{"note": "a",}'), 400, /JSON/);
      // no body where one is needed
      assertProblem(await raw("PATCH", `/api/processes/${processId}`, ""), 422, /body/);
      const deep = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
      assertProblem(await raw("PUT", `/api/processes/${processId}/resume`, `[${deep}]`), 422, /body\.0\.a/, /nested deeper than 100 levels/);
      assertProblem(await raw("POST", `/api/processes/${processId}/callback/token/progress`, deep), 422, /nested deeper than 100 levels/);
      // a progress report is a string or an object: a number is told so
      assertProblem(await raw("POST", `/api/processes/${processId}/callback/token/progress`, "123"), 422, /^body: expected a string or a JSON object$/);
    });
  });

  it("refuses wrong content types (400 naming what to send)", async () => {
    await unchanged(async () => {
      assertProblem(await raw("POST", "/api/processes/create_user_group", "<pages/>", "application/xml"), 400, /application\/xml/, /application\/json/);
      assertProblem(await raw("PATCH", `/api/processes/${processId}`, "note=x", "application/x-www-form-urlencoded"), 400, /application\/json/);
      assertProblem(await raw("PUT", `/api/processes/${processId}/resume`, "--b\r\n", "multipart/form-data; boundary=b"), 400, /application\/json/);
      // text is read as a JSON string, which is the wrong type here
      assertProblem(await raw("PATCH", `/api/processes/${processId}`, '{"note":"x"}', "text/plain"), 422, /body/);
    });
    // an empty body with a JSON content type (clients that set it on every request) is no body: a route without one
    // answers as usual (FastAPI reads it so), one that needs one says the body is missing
    assertProblem(await raw("DELETE", "/api/processes/00000000-0000-4000-8000-000000000000", ""), 404, /not found/i);
    assertProblem(await raw("POST", "/api/processes/create_user_group", ""), 422, /body/);
  });

  it("answers the database's own refusals as 400 / 409 naming the column (the safety net)", async () => {
    const db = t.server.database.db;
    const refusal = async (query: Promise<unknown>) => {
      const error = await query.then(
        () => assert.fail("the database accepted it"),
        (e: unknown) => e,
      );
      return databaseRefusal(error);
    };
    assert.equal((await refusal(sql`select ${"a\u0000"}::text`.execute(db)))?.status, 400);
    assert.equal((await refusal(sql`select ${"99999999999"}::int4`.execute(db)))?.status, 400);
    assert.equal((await refusal(sql`select ${"x"}::uuid`.execute(db)))?.status, 400);
    assert.equal((await refusal(sql`select ${"{\"a\":\"\\u0000\"}"}::jsonb`.execute(db)))?.status, 400);
    const tooLong = await refusal(db.updateTable("processes").set({ note: "n".repeat(5001) }).where("pid", "=", processId).execute());
    assert.equal(tooLong?.status, 400);
    assert.match(tooLong!.detail, /too long/);
    const notNull = await refusal(sql`insert into processes (pid, workflow_id, last_status) values (gen_random_uuid(), ${workflowId}, null)`.execute(db));
    assert.equal(notNull, undefined, "only values the client sent are its fault");
    const duplicate = await refusal(sql`insert into subscription_customer_descriptions (subscription_id, customer_id, description) values (${subscriptionId}, 'acme', 'again')`.execute(db));
    assert.equal(duplicate?.status, 409);
    assert.equal(databaseRefusal(new Error("not from the database")), undefined);
    assert.equal(databaseRefusal(Object.assign(new Error("reset"), { code: "ECONNRESET" })), undefined);
  });

  it("still answers after all of it", async () => {
    assert.equal((await t.request("GET", "/api/health")).body, "OK");
  });
});
