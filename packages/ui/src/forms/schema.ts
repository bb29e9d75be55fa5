/**
 * Reading the JSON Schema of a form page as pydantic-forms shapes it: which widget a property needs, its choices, its
 * initial value, and the page data to send back. Pure functions, no React, so they are unit-tested directly.
 */

export type Schema = { [key: string]: unknown };

export type FieldKind =
  | "label"
  | "divider"
  | "summary"
  | "accept"
  | "readonly"
  | "choice"
  | "choices"
  | "list"
  | "object"
  | "boolean"
  | "integer"
  | "number"
  | "long"
  | "text";

export interface Choice {
  value: string | number | boolean | null;
  label: string;
}

/** A property of a page (or of a nested object), resolved and classified. */
export interface FieldSpec {
  name: string;
  /** The property schema with `$ref`s and the nullable `anyOf` resolved; the original keys win over the target's. */
  schema: Schema;
  kind: FieldKind;
  title: string;
  description: string | undefined;
  required: boolean;
  nullable: boolean;
  choices: Choice[];
  /** For "list" and "choices": the resolved item schema. */
  items: Schema | undefined;
  minItems: number | undefined;
  maxItems: number | undefined;
}

const isSchema = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

/** Follows a local `$ref` (`#/$defs/Name`, `#/definitions/Name`, any JSON pointer into the root). */
export function resolveRef(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let depth = 0; depth < 20 && typeof current.$ref === "string"; depth++) {
    const ref = current.$ref as string;
    if (!ref.startsWith("#")) break;
    let target: unknown = root;
    for (const raw of ref.slice(1).split("/").filter(Boolean)) {
      const segment = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      target = isSchema(target) ? target[segment] : undefined;
    }
    if (!isSchema(target)) break;
    const { $ref: _ignored, ...siblings } = current;
    current = { ...target, ...siblings };
  }
  return current;
}

const isNullType = (schema: unknown) => isSchema(schema) && schema.type === "null";

/**
 * Resolves a property schema: `$ref`, then a nullable `anyOf`/`oneOf` of one real type plus `{type: "null"}`
 * (pydantic's `Optional[X]`) into that type.
 */
export function resolveSchema(schema: Schema, root: Schema): { schema: Schema; nullable: boolean } {
  let current = resolveRef(schema, root);
  let nullable = false;
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = current[key];
    if (!Array.isArray(options) || !options.some(isNullType)) continue;
    const rest = options.filter((option) => !isNullType(option));
    if (rest.length !== 1 || !isSchema(rest[0])) continue;
    nullable = true;
    const { [key]: _ignored, ...outer } = current;
    const inner = resolveRef(rest[0], root);
    current = { ...inner, ...outer, type: inner.type ?? outer.type };
    if (current.type === undefined) delete current.type;
  }
  return { schema: current, nullable };
}

/** The choices of an enum or of an `anyOf`/`oneOf` whose options are all `const`; [] when it is not a choice. */
export function choicesOf(schema: Schema, root: Schema): Choice[] {
  const labels = isSchema(schema.options) ? (schema.options as Record<string, unknown>) : {};
  if (Array.isArray(schema.enum)) {
    return schema.enum.map((value) => ({
      value: value as Choice["value"],
      label: typeof labels[String(value)] === "string" ? (labels[String(value)] as string) : String(value),
    }));
  }
  for (const key of ["oneOf", "anyOf"] as const) {
    const options = schema[key];
    if (!Array.isArray(options) || options.length === 0) continue;
    const resolved = options.map((option) => (isSchema(option) ? resolveRef(option, root) : {}));
    if (!resolved.every((option) => "const" in option)) continue;
    return resolved.map((option) => ({
      value: option.const as Choice["value"],
      label: typeof option.title === "string" ? option.title : String(option.const),
    }));
  }
  return [];
}

/** The read-only marker of pydantic-forms (`uniforms`/`extraProperties` `{disabled: true}`) or JSON Schema's `readOnly`. */
function isReadOnly(schema: Schema): boolean {
  if (schema.readOnly === true) return true;
  for (const key of ["extraProperties", "uniforms"]) {
    const marker = schema[key];
    if (isSchema(marker) && marker.disabled === true) return true;
  }
  return false;
}

function kindOf(schema: Schema, root: Schema, choices: Choice[]): { kind: FieldKind; items: Schema | undefined } {
  const format = schema.format;
  if (format === "label") return { kind: "label", items: undefined };
  if (format === "divider") return { kind: "divider", items: undefined };
  if (format === "summary") return { kind: "summary", items: undefined };
  if (format === "accept") return { kind: "accept", items: undefined };
  if (isReadOnly(schema)) return { kind: "readonly", items: undefined };
  if (choices.length > 0) return { kind: "choice", items: undefined };
  if ("const" in schema) return { kind: "readonly", items: undefined };
  if (schema.type === "array") {
    const items = isSchema(schema.items) ? resolveSchema(schema.items, root).schema : {};
    return { kind: choicesOf(items, root).length > 0 ? "choices" : "list", items };
  }
  if (schema.type === "object" || isSchema(schema.properties)) return { kind: "object", items: undefined };
  if (schema.type === "boolean") return { kind: "boolean", items: undefined };
  if (schema.type === "integer") return { kind: "integer", items: undefined };
  if (schema.type === "number") return { kind: "number", items: undefined };
  if (format === "long" || format === "textarea") return { kind: "long", items: undefined };
  return { kind: "text", items: undefined };
}

/** Classifies one property. */
export function fieldSpec(name: string, property: Schema, root: Schema, required: boolean): FieldSpec {
  const { schema, nullable } = resolveSchema(property, root);
  const choices = choicesOf(schema, root);
  const { kind, items } = kindOf(schema, root, choices);
  return {
    name,
    schema,
    kind,
    title: typeof schema.title === "string" ? schema.title : name,
    description: typeof schema.description === "string" ? schema.description : undefined,
    required: required && !nullable,
    nullable,
    choices: kind === "choices" && items ? choicesOf(items, root) : choices,
    items,
    minItems: typeof schema.minItems === "number" ? schema.minItems : undefined,
    maxItems: typeof schema.maxItems === "number" ? schema.maxItems : undefined,
  };
}

/** The properties of an object schema (a page or a nested object), in order. */
export function fieldsOf(objectSchema: Schema, root: Schema): FieldSpec[] {
  const resolved = resolveRef(objectSchema, root);
  const properties = isSchema(resolved.properties) ? resolved.properties : {};
  const required = new Set(Array.isArray(resolved.required) ? (resolved.required as string[]) : []);
  return Object.entries(properties)
    .filter((entry): entry is [string, Schema] => isSchema(entry[1]))
    .map(([name, property]) => fieldSpec(name, property, root, required.has(name)));
}

const DISPLAY_ONLY: ReadonlySet<FieldKind> = new Set(["label", "divider", "summary"]);

export const isDisplayOnly = (field: FieldSpec): boolean => DISPLAY_ONLY.has(field.kind);

/** The value a read-only field shows and sends. */
export function readOnlyValue(schema: Schema): unknown {
  for (const key of ["extraProperties", "uniforms"]) {
    const marker = schema[key];
    if (isSchema(marker) && "value" in marker) return marker.value;
  }
  if ("const" in schema) return schema.const;
  return schema.default ?? null;
}

/**
 * The editing value of a field: what the widget holds. Text and number inputs hold strings, checkboxes booleans,
 * lists arrays, objects records. Starts from `value` (a value given before) or the schema's default.
 */
export function initialValue(field: FieldSpec, root: Schema, value?: unknown): unknown {
  const given = value !== undefined ? value : field.schema.default;
  switch (field.kind) {
    case "label":
    case "divider":
    case "summary":
      return undefined;
    case "readonly":
      return readOnlyValue(field.schema);
    case "boolean":
      return given === true;
    case "accept":
      return given === "ACCEPTED" ? "ACCEPTED" : "INCOMPLETE";
    case "integer":
    case "number":
    case "text":
    case "long":
      return given === undefined || given === null ? "" : String(given);
    case "choice":
      return given === undefined || given === null ? "" : given;
    case "choices":
      return Array.isArray(given) ? given : [];
    case "list": {
      const items = Array.isArray(given) ? given : [];
      const itemField = fieldSpec("item", field.items ?? {}, root, true);
      const filled = items.map((item) => initialValue(itemField, root, item));
      while (filled.length < (field.minItems ?? 0)) filled.push(initialValue(itemField, root));
      return filled;
    }
    case "object": {
      const record = typeof given === "object" && given !== null ? (given as Record<string, unknown>) : {};
      return initialValues(field.schema, root, record);
    }
  }
}

/** The editing values of every field of an object schema. */
export function initialValues(objectSchema: Schema, root: Schema, values: Record<string, unknown> = {}): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of fieldsOf(objectSchema, root)) {
    const value = initialValue(field, root, values[field.name]);
    if (value !== undefined) result[field.name] = value;
  }
  return result;
}

const EMPTY = Symbol("empty");

/** The wire value of one field, or EMPTY to leave it out (the server then applies its default or says it's required). */
function wireValue(field: FieldSpec, root: Schema, value: unknown): unknown {
  switch (field.kind) {
    case "label":
    case "divider":
    case "summary":
      return EMPTY;
    case "readonly":
      return readOnlyValue(field.schema);
    case "boolean":
      return value === true;
    case "accept":
      return value === "ACCEPTED" ? "ACCEPTED" : "INCOMPLETE";
    case "integer":
    case "number": {
      const text = String(value ?? "").trim();
      if (text === "") return field.nullable ? null : EMPTY;
      const number = Number(text);
      return Number.isFinite(number) ? number : text;
    }
    case "text":
    case "long": {
      const text = String(value ?? "");
      if (text === "") return field.nullable ? null : EMPTY;
      return text;
    }
    case "choice": {
      if (value === "" || value === undefined) return field.nullable ? null : EMPTY;
      return value;
    }
    case "choices":
      return Array.isArray(value) ? value.filter((v) => v !== "") : [];
    case "list": {
      const itemField = fieldSpec("item", field.items ?? {}, root, true);
      const list = Array.isArray(value) ? value : [];
      return list.map((item) => {
        const wire = wireValue(itemField, root, item);
        return wire === EMPTY ? null : wire;
      });
    }
    case "object":
      return pageData(field.schema, root, typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {});
  }
}

/** The data of a page to send: display-only fields left out, numbers as numbers, empty inputs left out. */
export function pageData(objectSchema: Schema, root: Schema, values: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of fieldsOf(objectSchema, root)) {
    const wire = wireValue(field, root, values[field.name]);
    if (wire !== EMPTY) data[field.name] = wire;
  }
  return data;
}

/** A server validation error (`{loc, msg}` of a 400 "Form not valid"). */
export interface FieldError {
  loc: readonly (string | number)[];
  msg: string;
}

/**
 * Groups validation errors by top-level field; an error deeper in a field gets its path as a prefix ("1: …").
 * Errors naming no field of the page go under "" (shown above the form).
 */
export function errorsByField(errors: readonly FieldError[], fieldNames: readonly string[]): Map<string, string[]> {
  const known = new Set(fieldNames);
  const grouped = new Map<string, string[]>();
  for (const error of errors) {
    const [first, ...rest] = error.loc.filter((part) => part !== "body" && part !== "__root__");
    const key = first !== undefined && known.has(String(first)) ? String(first) : "";
    const prefix = key === "" ? error.loc.join(".") : rest.join(".");
    const message = prefix ? `${prefix}: ${error.msg}` : error.msg;
    grouped.set(key, [...(grouped.get(key) ?? []), message]);
  }
  return grouped;
}
