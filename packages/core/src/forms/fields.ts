/**
 * Field helpers: zod schemas whose validation and JSON Schema match pydantic-forms' field types, so the
 * pydantic-forms renderer shows the intended widget. Add a title or description to any of them with
 * `.meta({ title, description })`; without one the title is derived from the field's key.
 */
import { z } from "zod";
import { formRegistry, type JsonSchema } from "./internal.js";

type ReadOnlyValue = string | number | boolean | null;

function jsonType(value: ReadOnlyValue): string {
  if (value === null || typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  return Number.isInteger(value) ? "integer" : "number";
}

/** pydantic-forms' read-only marker: the old (`uniforms`) and new (`extraProperties`) spelling. */
function readOnlyMarker(value: unknown): JsonSchema {
  const marker = { disabled: true, value };
  return { uniforms: marker, extraProperties: marker };
}

/**
 * A read-only field (pydantic-forms `read_only_field`): shown disabled with `value`, accepts only `value` (a missing
 * field becomes `value`). JSON Schema: `const` and `default` = value, `uniforms`/`extraProperties` `{disabled, value}`.
 */
export function readOnlyField<const T extends ReadOnlyValue>(value: T) {
  if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError("readOnlyField needs a finite number");
  const schema = z.literal(value) as unknown as z.ZodLiteral<T>;
  return schema.default(value as never).meta({ ...readOnlyMarker(value), type: jsonType(value) });
}

/**
 * A read-only list (pydantic-forms `read_only_list`): accepts only `values` (same items, same order); a missing field
 * becomes `values`. Items must all be strings, all numbers or all booleans.
 */
export function readOnlyList<const T extends string | number | boolean>(values: readonly T[]) {
  const types = new Set(values.map((item) => typeof item));
  if (types.size > 1) throw new TypeError("All items in readOnlyList must be of the same type");
  const first = values[0];
  const item: z.ZodType<T> = (
    typeof first === "number"
      ? values.every((v) => Number.isInteger(v))
        ? z.int()
        : z.number()
      : typeof first === "boolean"
        ? z.boolean()
        : z.string()
  ) as unknown as z.ZodType<T>;
  const expected = JSON.stringify(values);
  return z
    .array(item)
    .refine((list) => JSON.stringify(list) === expected, "Cannot change values for a readonly list")
    .default([...values])
    .meta(readOnlyMarker([...values]));
}

/** A display-only field: accepts anything, is never part of the page data. */
function displayOnly(json: JsonSchema) {
  const schema = z
    .unknown()
    .optional()
    .meta({ anyOf: [{ type: "string" }, { type: "null" }], type: "string", default: null, ...json });
  formRegistry.add(schema, { displayOnly: true });
  return schema;
}

/** A text shown in the form (pydantic-forms `Label`); the text is the field's `default`, the title its caption. */
export function label(text: string | null = null) {
  return displayOnly({ format: "label", default: text });
}

/** A horizontal line in the form (pydantic-forms `Divider`). */
export function divider() {
  return displayOnly({ format: "divider" });
}

export interface SummaryData {
  headers?: string[];
  labels?: string[];
  columns?: (string | number | boolean)[][];
}

/** A static summary table (pydantic-forms `migration_summary`). Display-only. */
export function migrationSummary(data: SummaryData) {
  const extra = { data };
  const schema = z.unknown().optional().meta({ format: "summary", type: "string", default: null, uniforms: extra, extraProperties: extra });
  formRegistry.add(schema, { displayOnly: true });
  return schema;
}

/** A multi-line text input (pydantic-forms `LongText`). */
export function longText() {
  return z.string().meta({ format: "long" });
}

export type AcceptItemType =
  | "info"
  | "label"
  | "warning"
  | "url"
  | "checkbox"
  | ">checkbox"
  | "checkbox?"
  | ">checkbox?"
  | "skip"
  | "value"
  | "margin";
export type AcceptData = ([string, AcceptItemType] | [string, AcceptItemType, Record<string, unknown>])[];

/**
 * A checklist to work through before submitting (pydantic-forms `Accept`): the value must be "ACCEPTED";
 * "INCOMPLETE" fails with "Not all tasks are done". `data` lists the items to show.
 */
export function accept(data?: AcceptData) {
  return z
    .enum(["ACCEPTED", "INCOMPLETE"])
    .refine((value) => value === "ACCEPTED", "Not all tasks are done")
    .meta({ format: "accept", type: "string", ...(data ? { data } : {}) });
}

/** Choice options: `{ value: label }`, or a list of values and `[value, label]` pairs. */
export type ChoiceOptions<V extends string> = Readonly<Record<V, string>> | readonly (V | readonly [V, string])[];

/**
 * A single choice (pydantic-forms `Choice`): the value must be one of the options. JSON Schema: a `$ref` to a
 * definition `name` under `$defs` with `enum` (values), `type: "string"` and, when some label differs from its value,
 * `options` (value → label).
 */
export function choice<const V extends string>(name: string, options: ChoiceOptions<V>) {
  const pairs: [V, string][] = Array.isArray(options)
    ? (options as readonly (V | readonly [V, string])[]).map((option) =>
        typeof option === "string" ? [option, option] : [option[0], option[1]],
      )
    : (Object.entries(options) as [V, string][]);
  const values = pairs.map(([value]) => value);
  const definition: JsonSchema = { enum: values, title: name, type: "string" };
  if (pairs.some(([value, text]) => value !== text)) definition.options = Object.fromEntries(pairs);
  const schema = z.enum(values as [V, ...V[]]);
  formRegistry.add(schema, { choice: { name, definition } });
  return schema;
}

export interface ChoiceListOptions {
  /** Default 0 (always emitted, as pydantic-forms does). */
  minItems?: number;
  maxItems?: number;
  /** Reject duplicates ("List must be unique") and emit `uniqueItems: true`. */
  uniqueItems?: boolean;
}

/** A list of choices (pydantic-forms `choice_list`): `type: array`, `items` the choice, `minItems`/`maxItems`. */
export function choiceList<T extends z.ZodType>(item: T, options: ChoiceListOptions = {}) {
  let schema = z.array(item).min(options.minItems ?? 0);
  if (options.maxItems !== undefined) schema = schema.max(options.maxItems);
  if (options.uniqueItems) {
    schema = schema
      .refine((list) => new Set(list.map((entry) => JSON.stringify(entry))).size === list.length, {
        message: "List must be unique",
        params: { type: "unique_list" },
      })
      .meta({ uniqueItems: true });
  }
  return schema;
}
