/**
 * The JSON Schema of a form page, shaped like the schema pydantic-forms emits (so the pydantic-forms React renderer used
 * by orchestrator-ui can draw it): no `$schema`, a page `title` ("unknown" unless set), a `title` on every property
 * (derived from its key like pydantic does), named choices under `$defs`, nullable types as `anyOf`, and `required`
 * computed from the input side, so fields with a default are optional.
 */
import { z } from "zod";
import { formRegistry, type JsonSchema } from "./internal.js";

/** The title pydantic derives from a field name ("group_name" → "Group Name"); camelCase keys are split too. */
export function titleFromKey(key: string): string {
  const spaced = key.replace(/(\p{Ll}|\p{Nd})(\p{Lu})/gu, "$1_$2");
  let out = "";
  let previousCased = false;
  for (const ch of spaced) {
    const cased = ch.toLowerCase() !== ch.toUpperCase();
    out += cased ? (previousCased ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    previousCased = cased;
  }
  return out.replace(/_/g, " ").trim();
}

/** Collects `$defs` entries, renaming on a clash between two different definitions with the same name. */
class Definitions {
  readonly entries = new Map<string, JsonSchema>();

  add(name: string, definition: JsonSchema): string {
    const wanted = JSON.stringify(definition);
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? name : `${name}${n}`;
      const existing = this.entries.get(candidate);
      if (!existing) {
        this.entries.set(candidate, definition);
        return candidate;
      }
      if (JSON.stringify(existing) === wanted) return candidate;
    }
  }
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON Pointer segment escaping (RFC 6901). */
function pointerSegment(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

const SUBSCHEMA_LISTS = ["anyOf", "oneOf", "allOf", "prefixItems"] as const;
const SUBSCHEMA_MAPS = ["properties", "$defs", "definitions", "patternProperties"] as const;
const SUBSCHEMA_SINGLE = ["items", "additionalProperties", "not", "contains", "propertyNames"] as const;

/** Post-processing of zod's output, recursively over every subschema. */
function normalize(node: JsonSchema): void {
  // zod folds `anyOf: [{type: a}, {type: b}]` into `type: [a, b]`; pydantic (and the UI's field matching) use anyOf.
  if (Array.isArray(node.type) && node.anyOf === undefined) {
    node.anyOf = (node.type as unknown[]).map((type) => ({ type }));
    delete node.type;
  }
  // z.int() emits the safe-integer range; pydantic's int has no bounds.
  if (node.type === "integer") {
    if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
    if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
  }
  // Integer literals/enums are "integer" in pydantic, zod says "number".
  if (node.type === "number") {
    const values = "const" in node ? [node.const] : Array.isArray(node.enum) ? node.enum : [];
    if (values.length > 0 && values.every((v) => Number.isInteger(v))) node.type = "integer";
  }
  if (isObject(node.properties)) {
    for (const [key, property] of Object.entries(node.properties)) {
      if (isObject(property) && property.title === undefined) property.title = titleFromKey(key);
    }
  }
  for (const key of SUBSCHEMA_LISTS) {
    const list = node[key];
    if (Array.isArray(list)) for (const item of list) if (isObject(item)) normalize(item);
  }
  for (const key of SUBSCHEMA_MAPS) {
    const map = node[key];
    if (isObject(map)) for (const item of Object.values(map)) if (isObject(item)) normalize(item);
  }
  for (const key of SUBSCHEMA_SINGLE) {
    const item = node[key];
    if (isObject(item)) normalize(item);
  }
}

/**
 * The JSON Schema of a form page (any zod schema, normally one made with `formPage`). Computed for the input side
 * (`io: "input"`): defaulted fields are not `required`, pipes show what they accept. Schemas zod cannot express in
 * JSON Schema (dates, custom types) become `{}` instead of throwing.
 */
export function formSchema(page: z.core.$ZodType): JsonSchema {
  const definitions = new Definitions();
  const generated = z.toJSONSchema(page, {
    io: "input",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      const choice = formRegistry.get(zodSchema)?.choice;
      if (!choice) return;
      const name = definitions.add(choice.name, choice.definition);
      const json = jsonSchema as JsonSchema;
      for (const key of ["type", "enum", "const", "options"]) delete json[key];
      json.$ref = `#/$defs/${pointerSegment(name)}`;
    },
  }) as JsonSchema;

  const schema = JSON.parse(JSON.stringify(generated)) as JsonSchema;
  delete schema.$schema;
  if (definitions.entries.size > 0) {
    const existing = isObject(schema.$defs) ? schema.$defs : {};
    schema.$defs = { ...existing, ...Object.fromEntries(definitions.entries) };
  }
  if (schema.title === undefined) schema.title = "unknown";
  normalize(schema);
  return schema;
}
