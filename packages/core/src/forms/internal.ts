/**
 * Bookkeeping shared by the forms modules, not part of the public API.
 *
 * Form helpers mark their zod schemas in a private zod registry. Zod registries look metadata up along the clone chain
 * (`.meta()`, `.describe()`, `.refine()` and friends keep a link to the schema they were made from), so a marked field
 * stays marked when a user adds a title or a refinement to it.
 */
import { z } from "zod";

/** JSON Schema as plain JSON. */
export type JsonSchema = { [key: string]: unknown };

export interface FormSpec {
  /** Shown in the form, never part of the validated page data (Label, Divider, MigrationSummary). */
  displayOnly?: boolean;
  /** A named single choice: emitted as `{"$ref": "#/$defs/<name>"}` with the definition under `$defs`. */
  choice?: { name: string; definition: JsonSchema };
  /** Extra data about a page, sent to the client next to the page's JSON Schema (`FormNotCompleteError.meta`). */
  page?: { meta: unknown };
}

export const formRegistry = z.registry<FormSpec>();

/** The form spec of a schema, looking through wrappers (optional, default, nullable, readonly, catch, pipe input). */
export function findSpec(schema: z.core.$ZodType): FormSpec | undefined {
  let current: z.core.$ZodType | undefined = schema;
  for (let depth = 0; current && depth < 32; depth++) {
    const spec = formRegistry.get(current);
    if (spec) return spec;
    const def = current._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    current = def.type === "pipe" ? def.in : def.innerType;
  }
  return undefined;
}

export function isZodSchema(value: unknown): value is z.core.$ZodType {
  return typeof value === "object" && value !== null && "_zod" in value && typeof (value as { _zod: unknown })._zod === "object";
}
