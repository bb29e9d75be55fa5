/**
 * Form pages: strict zod objects with a title, like pydantic-forms' `FormPage` (extra="forbid", title "unknown").
 */
import { z } from "zod";
import { describeControlCharacter, findControlCharacter } from "../printable.js";
import { FormValidationError } from "./errors.js";
import { findSpec, formRegistry } from "./internal.js";
import { pydanticErrorMap, toFieldErrors, type FormFieldError } from "./validation.js";

/** One page of a form: a zod schema for an object (normally made by `formPage`). */
export type FormPage = z.ZodType<Record<string, unknown>>;

export interface FormPageOptions {
  /** The page title shown above the form; "unknown" (pydantic-forms' default) when not given. */
  title?: string;
  description?: string;
  /** Extra data for the client about this page (pydantic-forms `meta__`), e.g. `{ hasNext: true }`. Not in the schema. */
  meta?: unknown;
  /** Any other key is added to the page's JSON Schema as is. */
  [jsonSchemaKey: string]: unknown;
}

/**
 * A form page: a strict object schema (unknown keys are validation errors) carrying its title. Fields are zod schemas
 * or the helpers in `fields.ts`; a field's title is derived from its key unless set with `.meta({ title })`.
 */
export function formPage<const Shape extends z.core.$ZodLooseShape>(
  shape: Shape,
  options: FormPageOptions = {},
): z.ZodObject<Shape, z.core.$strict> {
  const { meta, title, ...jsonSchema } = options;
  const page = z.strictObject(shape).meta({ ...jsonSchema, title: title ?? "unknown" });
  if (meta !== undefined) formRegistry.add(page, { page: { meta } });
  return page;
}

/** The `meta` of a page (`formPage(..., { meta })`), null if it has none. */
export function pageMeta(page: z.core.$ZodType): unknown {
  return formRegistry.get(page)?.page?.meta ?? null;
}

/** The title of a page, as used in validation error messages. */
export function pageTitle(page: z.core.$ZodType): string {
  const title = z.globalRegistry.get(page)?.title;
  return typeof title === "string" ? title : "unknown";
}

/** The keys of a page's display-only fields (labels, dividers, summaries). */
function displayOnlyKeys(page: z.core.$ZodType): string[] {
  const def = page._zod.def as { type: string; shape?: Record<string, z.core.$ZodType> };
  if (def.type !== "object" || !def.shape) return [];
  return Object.entries(def.shape)
    .filter(([, field]) => findSpec(field)?.displayOnly)
    .map(([key]) => key);
}

/**
 * The fields of `value` (parsed page data) whose text holds a control character other than tab, newline and carriage
 * return: such a value (an escape sequence in a group name) would act on the terminal of whoever lists it later.
 */
function controlCharacterErrors(value: unknown, loc: (string | number)[] = []): FormFieldError[] {
  if (typeof value === "string") {
    const found = findControlCharacter(value, { allowLineBreaks: true });
    if (!found) return [];
    const msg = `Value error, must not contain control characters but tab and line breaks (got ${describeControlCharacter(found)})`;
    return [{ loc, msg, type: "value_error", input: value }];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => controlCharacterErrors(item, [...loc, i]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => controlCharacterErrors(item, [...loc, key]));
  return [];
}

/**
 * Validates one user input against a page (asynchronously, so async refinements work) and returns the parsed data
 * without display-only fields. Throws `FormValidationError` with pydantic-forms' per-field errors, among them text with
 * control characters (tab and line breaks allowed), whatever the field's own type says.
 */
export async function validatePage(page: FormPage, input: unknown): Promise<Record<string, unknown>> {
  const result = await page.safeParseAsync(input, { reportInput: true, error: pydanticErrorMap as z.core.$ZodErrorMap });
  if (!result.success) throw new FormValidationError(pageTitle(page), toFieldErrors(result.error.issues));
  const controls = controlCharacterErrors(result.data);
  if (controls.length > 0) throw new FormValidationError(pageTitle(page), controls);
  const data: Record<string, unknown> = { ...result.data };
  for (const key of displayOnlyKeys(page)) delete data[key];
  return data;
}
