/** The UI's pure logic: form schemas (pydantic-forms shapes), list parameters, cache invalidation, block trees. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listQueryString, parseContentRange } from "../src/api/list-params.ts";
import { errorsByField, fieldsOf, initialValues, pageData, type Schema } from "../src/forms/schema.ts";
import { matches, parseInvalidate } from "../src/live/invalidate.ts";
import { blockTitle, blockTree } from "../src/pages/subscription/blocks.ts";

// A page as the server emits it for create_user (choice list of one group, optional age) plus display fields.
const page: Schema = {
  title: "User internal",
  type: "object",
  properties: {
    intro: { anyOf: [{ type: "string" }, { type: "null" }], type: "string", default: "Fill in the user", format: "label", title: "Intro" },
    line: { anyOf: [{ type: "string" }, { type: "null" }], type: "string", default: null, format: "divider", title: "Line" },
    username: { type: "string", title: "Username" },
    age: { anyOf: [{ type: "integer" }, { type: "null" }], default: null, title: "Age" },
    remarks: { type: "string", format: "long", title: "Remarks", default: "" },
    admin: { type: "boolean", title: "Admin", default: false },
    user_group_ids: { type: "array", items: { $ref: "#/$defs/UserGroupEnum" }, minItems: 1, maxItems: 1, title: "User Group Ids" },
    colour: { oneOf: [{ const: "r", title: "Red" }, { const: "g", title: "Green" }], title: "Colour" },
    fixed: { const: 7, default: 7, type: "integer", title: "Fixed", extraProperties: { disabled: true, value: 7 } },
    ports: { type: "array", items: { type: "integer" }, minItems: 2, title: "Ports" },
  },
  required: ["username", "user_group_ids", "colour", "ports"],
  $defs: { UserGroupEnum: { enum: ["g1", "g2"], options: { g1: "Group one", g2: "Group two" }, title: "UserGroupEnum", type: "string" } },
};

describe("form schema", () => {
  const fields = fieldsOf(page, page);
  const byName = Object.fromEntries(fields.map((f) => [f.name, f]));

  it("classifies every pydantic-forms field shape", () => {
    assert.deepEqual(
      fields.map((f) => [f.name, f.kind]),
      [
        ["intro", "label"],
        ["line", "divider"],
        ["username", "text"],
        ["age", "integer"],
        ["remarks", "long"],
        ["admin", "boolean"],
        ["user_group_ids", "choices"],
        ["colour", "choice"],
        ["fixed", "readonly"],
        ["ports", "list"],
      ],
    );
    assert.equal(byName.age?.nullable, true);
    assert.equal(byName.username?.required, true);
    assert.deepEqual(byName.user_group_ids?.choices, [
      { value: "g1", label: "Group one" },
      { value: "g2", label: "Group two" },
    ]);
    assert.deepEqual(byName.colour?.choices.map((c) => c.label), ["Red", "Green"]);
    assert.equal(byName.user_group_ids?.maxItems, 1);
  });

  it("starts from defaults and fills lists to their minimum", () => {
    const values = initialValues(page, page);
    assert.deepEqual(values, {
      username: "",
      age: "",
      remarks: "",
      admin: false,
      user_group_ids: [],
      colour: "",
      fixed: 7,
      ports: ["", ""],
    });
  });

  it("sends numbers as numbers and leaves out display-only and empty fields", () => {
    const values = { ...initialValues(page, page), username: "ann", age: "42", user_group_ids: ["g2"], colour: "g", ports: ["80", "x"] };
    assert.deepEqual(pageData(page, page, values), {
      username: "ann",
      age: 42,
      admin: false,
      user_group_ids: ["g2"],
      colour: "g",
      fixed: 7,
      ports: [80, "x"],
    });
    // a cleared optional number is sent as null (nullable), an empty required text is left out for the server to report
    assert.deepEqual(pageData(page, page, { ...values, username: "", age: "" }).age, null);
    assert.equal("username" in pageData(page, page, { ...values, username: "" }), false);
  });

  it("groups server validation errors by field", () => {
    const grouped = errorsByField(
      [
        { loc: ["username"], msg: "Field required" },
        { loc: ["ports", 1], msg: "Input should be a valid integer" },
        { loc: [], msg: "Form is wrong" },
        { loc: ["nope"], msg: "Extra inputs are not permitted" },
      ],
      fields.map((f) => f.name),
    );
    assert.deepEqual(grouped.get("username"), ["Field required"]);
    assert.deepEqual(grouped.get("ports"), ["1: Input should be a valid integer"]);
    assert.deepEqual(grouped.get(""), ["Form is wrong", "nope: Extra inputs are not permitted"]);
  });

  it("resolves nested objects and $ref chains", () => {
    const schema: Schema = {
      properties: { address: { $ref: "#/$defs/Address" } },
      required: ["address"],
      $defs: { Address: { type: "object", properties: { city: { type: "string" }, zip: { type: "integer" } }, required: ["city"] } },
    };
    const [address] = fieldsOf(schema, schema);
    assert.equal(address?.kind, "object");
    assert.deepEqual(initialValues(schema, schema), { address: { city: "", zip: "" } });
    assert.deepEqual(pageData(schema, schema, { address: { city: "Utrecht", zip: "3511" } }), { address: { city: "Utrecht", zip: 3511 } });
  });
});

describe("list parameters", () => {
  it("builds range, sort, filter and query", () => {
    const qs = listQueryString({
      page: 2,
      pageSize: 15,
      sort: { field: "start_date", order: "desc" },
      filters: [
        ["status", "initial-provisioning-migrating"],
        ["insync", ""],
      ],
      query: " ann ",
    });
    assert.equal(decodeURIComponent(qs).replace(/\+/g, " "), "range=30,44&sort=start_date,desc&filter=status,initial-provisioning-migrating&query=ann");
  });

  it("reads the total of Content-Range", () => {
    assert.deepEqual(parseContentRange("subscriptions 0-14/42"), { start: 0, end: 14, total: 42 });
    assert.equal(parseContentRange("items */0")?.total, 0);
    assert.equal(parseContentRange(null), null);
  });
});

describe("cache invalidation", () => {
  it("parses invalidateCache messages only", () => {
    assert.deepEqual(parseInvalidate('{"name":"invalidateCache","value":{"type":"processes","id":"LIST"}}'), { type: "processes", id: "LIST" });
    assert.deepEqual(parseInvalidate('{"name":"invalidateCache","value":{"type":"engineStatus"}}'), { type: "engineStatus" });
    assert.equal(parseInvalidate("__pong__"), null);
    assert.equal(parseInvalidate('{"name":"other","value":{}}'), null);
  });

  it("maps a message to the queries it refreshes", () => {
    const list = ["processes", "LIST", { page: 0 }];
    assert.equal(matches(list, { type: "processes", id: "LIST" }), true);
    assert.equal(matches(["processes", "abc"], { type: "processes", id: "LIST" }), false);
    assert.equal(matches(["processes", "abc"], { type: "processes", id: "abc" }), true);
    assert.equal(matches(["subscriptions", "s1", "detail"], { type: "subscriptions" }), true);
    assert.equal(matches(["subscriptions", "s1", "detail"], { type: "subscriptions", id: "s2" }), false);
    // a process change refreshes open subscription pages (their process list and actions), not subscription lists
    assert.equal(matches(["subscriptions", "s1", "workflows"], { type: "processes", id: "p" }), true);
    assert.equal(matches(["subscriptions", "LIST", {}], { type: "processes", id: "p" }), false);
    assert.equal(matches(["engineStatus"], { type: "engineStatus" }), true);
  });
});

describe("block tree", () => {
  it("finds blocks by subscription_instance_id, nested and in lists", () => {
    const model = {
      subscription_id: "s1",
      description: "User ann",
      product: { name: "User internal" },
      user: {
        name: "UserBlock",
        subscription_instance_id: "i1",
        owner_subscription_id: "s1",
        label: null,
        in_use_by: [],
        username: "ann",
        group: { name: "UserGroupBlock", subscription_instance_id: "i2", owner_subscription_id: "s0", in_use_by: [{ subscription_id: "s1", subscription_instance_id: "i1" }], group_name: "devs" },
        ports: [
          { name: "Port", subscription_instance_id: "i3", owner_subscription_id: "s1", port: 1 },
          { name: "Port", subscription_instance_id: "i4", owner_subscription_id: "s1", port: 2 },
        ],
      },
    };
    const [user] = blockTree(model);
    assert.equal(user?.key, "user");
    assert.equal(blockTitle(user!), "UserBlock");
    assert.deepEqual(user?.fields, [["username", "ann"]]);
    assert.deepEqual(user?.children.map((c) => c.key), ["group", "ports[0]", "ports[1]"]);
    assert.equal(user?.children[0]?.ownerSubscriptionId, "s0");
    assert.deepEqual(user?.children[0]?.inUseBy, [{ subscription_id: "s1", subscription_instance_id: "i1" }]);
  });
});
