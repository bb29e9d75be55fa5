import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { OrchestratorError } from "../src/errors.js";
import {
  accept,
  ask,
  choice,
  choiceList,
  divider,
  firstPage,
  FormNotCompleteError,
  FormNotFoundError,
  FormOverflowError,
  formPage,
  formSchema,
  FormValidationError,
  generateForm,
  label,
  longText,
  postForm,
  readOnlyField,
  readOnlyList,
  registerForm,
  startForm,
  titleFromKey,
  type FormState,
  type InputForm,
} from "../src/forms/index.js";

/** Runs `fn`, expecting it to reject with an error of class `type`; returns that error. */
async function rejection<E extends Error>(fn: () => Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${type.name}, but nothing was thrown`);
}

const Speed = choice("SpeedChoice", { "1000": "1 Gbit/s", "10000": "10 Gbit/s" });
const Colour = choice("Colour", ["red", "green", "blue"]);

/** A two-page create form: the second page depends on the first. */
const createForm: InputForm = async function* (state) {
  const first = yield* ask(
    formPage(
      {
        customer_id: readOnlyField(String(state.customer_id)),
        group_name: z.string().min(1),
        speed: Speed,
        ports: z.int().default(2),
      },
      { title: "New group", meta: { hasNext: true } },
    ),
  );
  const second = yield* ask(
    formPage(
      {
        summary: label(`Group ${first.group_name} at ${first.speed}`),
        colours: choiceList(Colour, { minItems: 1, maxItems: 2 }),
        note: longText().optional(),
      },
      { title: "Details" },
    ),
  );
  return { ...first, ...second, seen_group_name: state.group_name };
};

describe("postForm: the multi-page protocol", () => {
  const state = { customer_id: "c-1", workflow_name: "create_group" };
  const page1 = { group_name: "core", speed: "1000" };
  const page2 = { colours: ["red"] };

  it("answers [] with the first page's JSON Schema and meta", async () => {
    const error = await rejection(() => postForm(createForm, state, []), FormNotCompleteError);
    assert.equal(error.code, "form_not_complete");
    assert.ok(error instanceof OrchestratorError);
    assert.equal(error.form.title, "New group");
    assert.deepEqual(Object.keys(error.form.properties as object), ["customer_id", "group_name", "speed", "ports"]);
    assert.deepEqual(error.meta, { hasNext: true });
    const problem = error.toProblem();
    assert.equal(problem.type, "FormNotCompleteError");
    assert.equal(problem.title, "Form not complete");
    assert.equal(problem.status, 510);
    assert.deepEqual(problem.form, error.form);
    assert.deepEqual(problem.meta, { hasNext: true });
    assert.equal(typeof problem.detail, "string");
  });

  it("answers [page1] with the second page, built from the first page's data", async () => {
    const error = await rejection(() => postForm(createForm, state, [page1]), FormNotCompleteError);
    assert.equal(error.form.title, "Details");
    const summary = (error.form.properties as Record<string, Record<string, unknown>>).summary!;
    assert.equal(summary.default, "Group core at 1000");
    assert.equal(error.meta, null);
    assert.equal(error.toProblem().meta, null);
  });

  it("answers [page1, page2] with the result, and the form sees the state updated by earlier pages", async () => {
    const result = await postForm(createForm, state, [page1, page2]);
    assert.deepEqual(result, {
      customer_id: "c-1",
      group_name: "core",
      speed: "1000",
      ports: 2,
      colours: ["red"],
      seen_group_name: "core",
    });
  });

  it("throws FormOverflowError for inputs left over", async () => {
    const error = await rejection(() => postForm(createForm, state, [page1, page2, {}, {}]), FormOverflowError);
    assert.equal(error.code, "form_overflow");
    assert.equal(error.message, "Did not process all user_inputs (2 remaining)");
    assert.equal(error.remaining, 2);
    assert.deepEqual(error.toProblem(), {
      type: "FormOverflowError",
      title: "Internal Server Error",
      detail: "Did not process all user_inputs (2 remaining)",
      status: 500,
    });
  });

  it("does not mutate the state passed in", async () => {
    const input = { customer_id: "c-1", nested: { list: [1, 2] } };
    const snapshot = structuredClone(input);
    await postForm(createForm, input, [page1, page2]);
    await rejection(() => postForm(createForm, input, [page1]), FormNotCompleteError);
    assert.deepEqual(input, snapshot);

    const mutating: InputForm = async function* (s) {
      (s.nested as { list: number[] }).list.push(3);
      yield formPage({});
      return {};
    };
    await postForm(mutating, input, [{}]);
    assert.deepEqual(input, snapshot);
  });

  it("returns {} without a form", async () => {
    assert.deepEqual(await postForm(undefined, {}, []), {});
    assert.deepEqual(await postForm(undefined, {}, [{}]), {});
  });

  it("validates every page on replay: a bad first page fails even with later pages", async () => {
    const error = await rejection(
      () => postForm(createForm, state, [{ group_name: "", speed: "1000" }, page2]),
      FormValidationError,
    );
    assert.deepEqual(error.errors.map((e) => e.loc), [["group_name"]]);
    assert.equal(error.errors[0]!.type, "string_too_short");
    assert.equal(error.errors[0]!.msg, "String should have at least 1 character");
  });

  it("accepts sync generators too", async () => {
    const form: InputForm = function* () {
      const a = (yield formPage({ a: z.int() })) as { a: number };
      const b = (yield formPage({ b: z.int() })) as { b: number };
      return { sum: a.a + b.b };
    };
    assert.deepEqual(await postForm(form, {}, [{ a: 1 }, { b: 2 }]), { sum: 3 });
    await rejection(() => postForm(form, {}, [{ a: 1 }]), FormNotCompleteError);
  });

  it("closes the generator when the protocol stops early", async () => {
    let closed = 0;
    const form: InputForm = async function* () {
      try {
        yield formPage({ a: z.string() });
        yield formPage({ b: z.string() });
        return {};
      } finally {
        closed++;
      }
    };
    await rejection(() => postForm(form, {}, [{ a: "x" }]), FormNotCompleteError);
    await rejection(() => postForm(form, {}, [{ a: 1 }]), FormValidationError);
    assert.equal(closed, 2);
  });

  it("treats a form that returns nothing as the empty result", async () => {
    const form: InputForm = async function* () {
      yield formPage({ a: z.string() });
    };
    assert.deepEqual(await postForm(form, {}, [{ a: "x" }]), {});
  });
});

describe("one-page forms (plain functions)", () => {
  it("uses the parsed page as the result", async () => {
    const form: InputForm = (state) => formPage({ name: z.string().default(String(state.default_name)), count: z.int() });
    const error = await rejection(() => postForm(form, { default_name: "x" }, []), FormNotCompleteError);
    assert.equal((error.form.properties as Record<string, { default?: unknown }>).name!.default, "x");
    assert.deepEqual(await postForm(form, { default_name: "x" }, [{ count: 3 }]), { name: "x", count: 3 });
  });

  it("accepts an async function returning a page", async () => {
    const form: InputForm = async () => formPage({ flag: z.boolean() });
    assert.deepEqual(await postForm(form, {}, [{ flag: true }]), { flag: true });
  });

  it("an empty page accepts {} and gives {}", async () => {
    const form: InputForm = () => formPage({});
    assert.deepEqual(await postForm(form, {}, [{}]), {});
    const error = await rejection(() => postForm(form, {}, []), FormNotCompleteError);
    assert.deepEqual(error.form, { type: "object", properties: {}, additionalProperties: false, title: "unknown" });
  });
});

describe("formSchema: pydantic-forms compatible JSON Schema", () => {
  const page = formPage(
    {
      group_name: z.string(),
      ports: z.int().default(2),
      colours: choiceList(Colour, { minItems: 1, maxItems: 2, uniqueItems: true }),
      speed: Speed.default("1000"),
      customer_id: readOnlyField("c-1"),
      vlan: readOnlyField(12),
      info: label("Read this"),
      line: divider(),
      note: z.string().nullable().default(null),
      description: longText().meta({ title: "Describe it", description: "free text" }),
      nested_model: z.object({ inner_value: z.number() }),
    },
    { title: "Page" },
  );
  const schema = formSchema(page);
  const properties = schema.properties as Record<string, Record<string, unknown>>;

  it("has the page title, strictness and no $schema", () => {
    assert.equal(schema.title, "Page");
    assert.equal(schema.type, "object");
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.$schema, undefined);
    assert.equal(formSchema(z.object({ a: z.string() })).title, "unknown");
  });

  it("lists as required only fields without a default", () => {
    assert.deepEqual(schema.required, ["group_name", "colours", "description", "nested_model"]);
  });

  it("derives field titles from keys like pydantic, unless given", () => {
    assert.equal(properties.group_name!.title, "Group Name");
    assert.equal(properties.customer_id!.title, "Customer Id");
    assert.equal(properties.description!.title, "Describe it");
    assert.equal(properties.description!.description, "free text");
    assert.equal(properties.description!.format, "long");
    const nested = properties.nested_model!.properties as Record<string, Record<string, unknown>>;
    assert.equal(nested.inner_value!.title, "Inner Value");
    assert.equal(titleFromKey("ipv4_address"), "Ipv4 Address");
    assert.equal(titleFromKey("ISIS_metric"), "Isis Metric");
    assert.equal(titleFromKey("groupName"), "Group Name");
  });

  it("emits plain fields and defaults like pydantic", () => {
    assert.deepEqual(properties.group_name, { type: "string", title: "Group Name" });
    assert.deepEqual(properties.ports, { type: "integer", default: 2, title: "Ports" });
    assert.deepEqual(properties.note, {
      anyOf: [{ type: "string" }, { type: "null" }],
      default: null,
      title: "Note",
    });
  });

  it("puts choices under $defs with enum and options", () => {
    assert.deepEqual(schema.$defs, {
      Colour: { enum: ["red", "green", "blue"], title: "Colour", type: "string" },
      SpeedChoice: {
        enum: ["1000", "10000"],
        title: "SpeedChoice",
        type: "string",
        options: { "1000": "1 Gbit/s", "10000": "10 Gbit/s" },
      },
    });
    assert.deepEqual(properties.speed, { $ref: "#/$defs/SpeedChoice", default: "1000", title: "Speed" });
    assert.deepEqual(properties.colours, {
      type: "array",
      items: { $ref: "#/$defs/Colour" },
      minItems: 1,
      maxItems: 2,
      uniqueItems: true,
      title: "Colours",
    });
    assert.deepEqual(formSchema(formPage({ c: choiceList(Colour) })).properties, {
      c: { type: "array", items: { $ref: "#/$defs/Colour" }, minItems: 0, title: "C" },
    });
  });

  it("marks read-only fields as pydantic-forms does", () => {
    assert.deepEqual(properties.customer_id, {
      const: "c-1",
      default: "c-1",
      title: "Customer Id",
      uniforms: { disabled: true, value: "c-1" },
      extraProperties: { disabled: true, value: "c-1" },
      type: "string",
    });
    assert.equal(properties.vlan!.type, "integer");
    assert.equal(properties.vlan!.const, 12);
    assert.deepEqual(formSchema(formPage({ ro: readOnlyList(["a", "b"]) })).properties, {
      ro: {
        default: ["a", "b"],
        items: { type: "string" },
        title: "Ro",
        uniforms: { disabled: true, value: ["a", "b"] },
        extraProperties: { disabled: true, value: ["a", "b"] },
        type: "array",
      },
    });
  });

  it("emits labels and dividers as optional string fields with a format", () => {
    assert.deepEqual(properties.info, {
      anyOf: [{ type: "string" }, { type: "null" }],
      format: "label",
      default: "Read this",
      title: "Info",
      type: "string",
    });
    assert.deepEqual(properties.line, {
      anyOf: [{ type: "string" }, { type: "null" }],
      format: "divider",
      default: null,
      title: "Line",
      type: "string",
    });
  });

  it("emits Accept like pydantic-forms", () => {
    assert.deepEqual(formSchema(formPage({ accept: accept() })).properties, {
      accept: { enum: ["ACCEPTED", "INCOMPLETE"], format: "accept", type: "string", title: "Accept" },
    });
  });
});

describe("validation errors", () => {
  const names = new Set(["taken"]);
  const page = formPage(
    {
      name: z.string().refine(async (value) => !names.has(value), "Name already in use"),
      count: z.int().min(1),
      colour: Colour,
      info: label("hi"),
    },
    { title: "NamePage" },
  );
  const form: InputForm = () => page;

  it("reports each field in pydantic-forms' shape", async () => {
    const error = await rejection(() => postForm(form, {}, [{ name: 5, count: "2", colour: "pink", bogus: 1 }]), FormValidationError);
    assert.equal(error.code, "form_invalid");
    assert.deepEqual(error.errors, [
      { loc: ["name"], msg: "Input should be a valid string", type: "string_type", input: 5 },
      { loc: ["count"], msg: "Input should be a valid integer", type: "int_type", input: "2" },
      {
        loc: ["colour"],
        msg: "Input should be 'red', 'green' or 'blue'",
        type: "enum",
        input: "pink",
        ctx: { expected: "'red', 'green' or 'blue'" },
      },
      { loc: ["bogus"], msg: "Extra inputs are not permitted", type: "extra_forbidden", input: 1 },
    ]);
    assert.equal(
      error.message,
      [
        "4 validation errors for NamePage",
        "name",
        "  Input should be a valid string (type=string_type)",
        "count",
        "  Input should be a valid integer (type=int_type)",
        "colour",
        "  Input should be 'red', 'green' or 'blue' (type=enum; expected='red', 'green' or 'blue')",
        "bogus",
        "  Extra inputs are not permitted (type=extra_forbidden)",
      ].join("\n"),
    );
    const problem = error.toProblem();
    assert.equal(problem.type, "FormValidationError");
    assert.equal(problem.title, "Form not valid");
    assert.equal(problem.status, 400);
    assert.equal(problem.detail, error.message);
    assert.deepEqual(problem.validation_errors, error.errors);
  });

  it("reports missing fields and range errors", async () => {
    const error = await rejection(() => postForm(form, {}, [{ count: 0 }]), FormValidationError);
    assert.deepEqual(
      error.errors.map(({ loc, msg, type }) => ({ loc, msg, type })),
      [
        { loc: ["name"], msg: "Field required", type: "missing" },
        { loc: ["count"], msg: "Input should be greater than or equal to 1", type: "greater_than_equal" },
        { loc: ["colour"], msg: "Field required", type: "missing" },
      ],
    );
  });

  it("runs async refinements", async () => {
    const error = await rejection(() => postForm(form, {}, [{ name: "taken", count: 1, colour: "red" }]), FormValidationError);
    assert.deepEqual(error.errors, [{ loc: ["name"], msg: "Name already in use", type: "value_error", input: "taken" }]);
    assert.deepEqual(await postForm(form, {}, [{ name: "free", count: 1, colour: "red" }]), {
      name: "free",
      count: 1,
      colour: "red",
    });
  });

  it("puts page-level refinements at __root__ and honours a custom error type", async () => {
    const strictPage = formPage({ a: z.int(), b: z.int() }).superRefine((value, ctx) => {
      if (value.a > value.b) ctx.addIssue({ code: "custom", message: "a must not exceed b", params: { type: "order" } });
    });
    const error = await rejection(() => postForm(() => strictPage, {}, [{ a: 2, b: 1 }]), FormValidationError);
    assert.deepEqual(error.errors.map(({ loc, msg, type }) => ({ loc, msg, type })), [
      { loc: ["__root__"], msg: "a must not exceed b", type: "order" },
    ]);
  });

  it("rejects an input that is not an object", async () => {
    const error = await rejection(() => postForm(form, {}, [null]), FormValidationError);
    assert.deepEqual(error.errors.map(({ loc, type }) => ({ loc, type })), [{ loc: ["__root__"], type: "dict_type" }]);
  });

  it("reports list bounds like pydantic", async () => {
    const listPage = formPage({ colours: choiceList(Colour, { minItems: 1, maxItems: 2, uniqueItems: true }) });
    const post = (colours: unknown) => postForm(() => listPage, {}, [{ colours }]);
    const tooShort = await rejection(() => post([]), FormValidationError);
    assert.equal(tooShort.errors[0]!.msg, "List should have at least 1 item after validation, not 0");
    assert.equal(tooShort.errors[0]!.type, "too_short");
    const tooLong = await rejection(() => post(["red", "green", "blue"]), FormValidationError);
    assert.equal(tooLong.errors[0]!.msg, "List should have at most 2 items after validation, not 3");
    const duplicate = await rejection(() => post(["red", "red"]), FormValidationError);
    assert.deepEqual(duplicate.errors[0], { loc: ["colours"], msg: "List must be unique", type: "unique_list", input: ["red", "red"] });
    const wrongItem = await rejection(() => post(["red", "pink"]), FormValidationError);
    assert.deepEqual(wrongItem.errors[0]!.loc, ["colours", 1]);
  });

  it("keeps zod messages given in the schema", async () => {
    const custom = formPage({ code: z.string().min(3, "Too short") });
    const error = await rejection(() => postForm(() => custom, {}, [{ code: "a" }]), FormValidationError);
    assert.equal(error.errors[0]!.msg, "Too short");
    assert.equal(error.errors[0]!.type, "string_too_short");
  });
});

describe("field helpers", () => {
  it("readOnlyField accepts only its value and fills it in when missing", async () => {
    const form: InputForm = () => formPage({ id: readOnlyField("abc"), n: readOnlyField(3), off: readOnlyField(false) });
    assert.deepEqual(await postForm(form, {}, [{}]), { id: "abc", n: 3, off: false });
    assert.deepEqual(await postForm(form, {}, [{ id: "abc", n: 3, off: false }]), { id: "abc", n: 3, off: false });
    const error = await rejection(() => postForm(form, {}, [{ id: "changed", n: 4 }]), FormValidationError);
    assert.deepEqual(error.errors, [
      { loc: ["id"], msg: "Input should be 'abc'", type: "literal_error", input: "changed", ctx: { expected: "'abc'" } },
      { loc: ["n"], msg: "Input should be 3", type: "literal_error", input: 4, ctx: { expected: "3" } },
    ]);
  });

  it("readOnlyList accepts only its values", async () => {
    const form: InputForm = () => formPage({ ro: readOnlyList([1, 2]) });
    assert.deepEqual(await postForm(form, {}, [{}]), { ro: [1, 2] });
    const error = await rejection(() => postForm(form, {}, [{ ro: [2, 1] }]), FormValidationError);
    assert.equal(error.errors[0]!.msg, "Cannot change values for a readonly list");
  });

  it("label, divider and friends are never in the result", async () => {
    const form: InputForm = async function* () {
      const page = yield* ask(formPage({ intro: label("Welcome"), line: divider(), name: z.string() }));
      assert.deepEqual(page, { name: "x" });
      return page;
    };
    assert.deepEqual(await postForm(form, {}, [{ intro: "ignored", line: null, name: "x" }]), { name: "x" });
    assert.deepEqual(await postForm(form, {}, [{ name: "x" }]), { name: "x" });
    const titled = formPage({ intro: label("Welcome").meta({ title: "Hello" }), name: z.string() });
    assert.deepEqual(await postForm(() => titled, {}, [{ intro: 1, name: "y" }]), { name: "y" });
  });

  it("accept must be ACCEPTED", async () => {
    const form: InputForm = () => formPage({ ok: accept() });
    assert.deepEqual(await postForm(form, {}, [{ ok: "ACCEPTED" }]), { ok: "ACCEPTED" });
    const error = await rejection(() => postForm(form, {}, [{ ok: "INCOMPLETE" }]), FormValidationError);
    assert.equal(error.errors[0]!.msg, "Not all tasks are done");
  });

  it("choice accepts only its values", async () => {
    const form: InputForm = () => formPage({ speed: Speed });
    assert.deepEqual(await postForm(form, {}, [{ speed: "10000" }]), { speed: "10000" });
    await rejection(() => postForm(form, {}, [{ speed: 1000 }]), FormValidationError);
  });

  it("names clashing choice definitions apart", () => {
    const a = choice("Pick", ["x"]);
    const b = choice("Pick", ["y"]);
    const schema = formSchema(formPage({ a, b, c: choice("Pick", ["x"]) }));
    assert.deepEqual(Object.keys(schema.$defs as object), ["Pick", "Pick2"]);
    assert.deepEqual(schema.properties, {
      a: { $ref: "#/$defs/Pick", title: "A" },
      b: { $ref: "#/$defs/Pick2", title: "B" },
      c: { $ref: "#/$defs/Pick", title: "C" },
    });
  });
});

describe("firstPage / generateForm", () => {
  it("gives the first page's schema, or null for a form without pages", async () => {
    const schema = await firstPage(createForm, { customer_id: "c-9" });
    assert.equal(schema?.title, "New group");
    assert.equal(await firstPage(undefined, {}), null);
    const noPages: InputForm = async function* () {
      return { done: true };
    };
    assert.equal(await firstPage(noPages, {}), null);
    assert.equal(await generateForm(createForm, { customer_id: "c-9" }, [{ group_name: "g", speed: "1000" }, { colours: ["red"] }]), null);
  });
});

describe("named forms", () => {
  it("registers and starts a form by key", async () => {
    const form: InputForm = async function* (state: FormState) {
      const page = yield* ask(formPage({ name: z.string() }));
      return { ...page, key: state.form_key };
    };
    registerForm("test_named_form", form);
    registerForm("test_named_form", form);
    assert.throws(() => registerForm("test_named_form", () => formPage({})));
    assert.deepEqual(await startForm("test_named_form", [{ name: "n" }]), { name: "n", key: "test_named_form" });
    const error = await rejection(() => startForm("no_such_form"), FormNotFoundError);
    assert.equal(error.code, "form_not_found");
    assert.equal(error.toProblem().status, 404);
  });
});
