/**
 * Zod issues in pydantic's shape: `{loc, msg, type, input?, ctx?}` with pydantic's error types and English messages, so
 * a client written against pydantic-forms (orchestrator-ui) shows them next to the right field.
 *
 * Messages come from an error map passed to each parse; a message given in the schema itself (`.min(3, "Too short")`,
 * `.refine(fn, "Name already in use")`) wins over it. A custom issue's pydantic `type` is "value_error" unless its
 * `params.type` says otherwise.
 */
import type { z } from "zod";

export interface FormFieldError {
  /** Path of the offending field; `["__root__"]` for errors about the page as a whole. */
  loc: (string | number)[];
  msg: string;
  /** pydantic's error type: missing, extra_forbidden, string_type, int_type, enum, literal_error, too_short, value_error, … */
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

type AnyIssue = {
  code?: string;
  path?: PropertyKey[];
  input?: unknown;
  message?: string;
  [key: string]: unknown;
};

/** A value as Python's repr would show it in a pydantic message. */
function pyRepr(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return JSON.stringify(value) ?? String(value);
}

function joinOr(values: readonly unknown[]): string {
  const shown = values.map(pyRepr);
  if (shown.length <= 1) return shown[0] ?? "";
  return `${shown.slice(0, -1).join(", ")} or ${shown[shown.length - 1]}`;
}

const plural = (n: unknown) => (Number(n) === 1 ? "" : "s");

const TYPE_ERRORS: Record<string, [type: string, msg: string]> = {
  string: ["string_type", "Input should be a valid string"],
  number: ["float_type", "Input should be a valid number"],
  int: ["int_type", "Input should be a valid integer"],
  bigint: ["int_type", "Input should be a valid integer"],
  boolean: ["bool_type", "Input should be a valid boolean"],
  array: ["list_type", "Input should be a valid list"],
  tuple: ["tuple_type", "Input should be a valid tuple"],
  object: ["dict_type", "Input should be a valid dictionary"],
  record: ["dict_type", "Input should be a valid dictionary"],
  map: ["dict_type", "Input should be a valid dictionary"],
  set: ["set_type", "Input should be a valid set"],
  null: ["none_required", "Input should be None"],
  date: ["datetime_type", "Input should be a valid datetime"],
};

const INT_FORMATS = new Set(["safeint", "int32", "uint32", "int64", "uint64"]);

/** Whether a (raw) issue comes from an integer schema: zod reports a non-number input to z.int() as "expected number". */
function isIntSchema(inst: unknown): boolean {
  type Def = { format?: unknown; checks?: { _zod: { def: Def } }[] };
  const def = (inst as { _zod?: { def?: Def } } | undefined)?._zod?.def;
  if (!def) return false;
  const formats = [def.format, ...(def.checks ?? []).map((check) => check._zod.def.format)];
  return formats.some((format) => typeof format === "string" && INT_FORMATS.has(format));
}

interface Described {
  type: string;
  msg: string;
  ctx?: Record<string, unknown>;
}

/** pydantic's type, message and context for one zod issue (raw or final). */
function describe(issue: AnyIssue): Described {
  // A missing field reaches the field's schema as `undefined` (JSON has no undefined).
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined) {
    return { type: "missing", msg: "Field required" };
  }
  switch (issue.code) {
    case "invalid_type": {
      const expected = isIntSchema(issue.inst) ? "int" : String(issue.expected);
      if (expected === "int" && typeof issue.input === "number" && Number.isFinite(issue.input)) {
        return { type: "int_from_float", msg: "Input should be a valid integer, got a number with a fractional part" };
      }
      const known = TYPE_ERRORS[expected];
      if (known) return { type: known[0], msg: known[1] };
      return { type: `${expected}_type`, msg: `Input should be a valid ${expected}` };
    }
    case "invalid_value": {
      const values = Array.isArray(issue.values) ? issue.values : [];
      const expected = joinOr(values);
      return { type: values.length === 1 ? "literal_error" : "enum", msg: `Input should be ${expected}`, ctx: { expected } };
    }
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      const limit = small ? issue.minimum : issue.maximum;
      const origin = String(issue.origin);
      if (origin === "string") {
        const key = small ? "min_length" : "max_length";
        return {
          type: small ? "string_too_short" : "string_too_long",
          msg: `String should have at ${small ? "least" : "most"} ${limit} character${plural(limit)}`,
          ctx: { [key]: limit },
        };
      }
      if (origin === "array" || origin === "set") {
        const actual = Array.isArray(issue.input) ? issue.input.length : issue.input instanceof Set ? issue.input.size : undefined;
        const fieldType = origin === "set" ? "Set" : "List";
        const key = small ? "min_length" : "max_length";
        return {
          type: small ? "too_short" : "too_long",
          msg:
            `${fieldType} should have at ${small ? "least" : "most"} ${limit} item${plural(limit)} after validation` +
            (actual === undefined ? "" : `, not ${actual}`),
          ctx: { field_type: fieldType, [key]: limit, ...(actual === undefined ? {} : { actual_length: actual }) },
        };
      }
      const inclusive = issue.inclusive !== false;
      const key = small ? (inclusive ? "ge" : "gt") : inclusive ? "le" : "lt";
      const words = small ? "greater than" : "less than";
      return {
        type: `${small ? "greater_than" : "less_than"}${inclusive ? "_equal" : ""}`,
        msg: `Input should be ${words}${inclusive ? " or equal to" : ""} ${String(limit)}`,
        ctx: { [key]: limit },
      };
    }
    case "not_multiple_of":
      return { type: "multiple_of", msg: `Input should be a multiple of ${String(issue.divisor)}`, ctx: { multiple_of: issue.divisor } };
    case "invalid_format": {
      const format = String(issue.format);
      if (format === "regex" && typeof issue.pattern === "string") {
        return { type: "string_pattern_mismatch", msg: `String should match pattern '${issue.pattern}'`, ctx: { pattern: issue.pattern } };
      }
      if (format === "uuid" || format.startsWith("uuid")) return { type: "uuid_parsing", msg: "Input should be a valid UUID" };
      if (format === "email") return { type: "value_error", msg: "value is not a valid email address" };
      if (format === "url") return { type: "url_parsing", msg: "Input should be a valid URL" };
      return { type: "value_error", msg: `Input should be a valid ${format}` };
    }
    case "unrecognized_keys":
      return { type: "extra_forbidden", msg: "Extra inputs are not permitted" };
    case "invalid_union":
      return { type: "union_error", msg: "Input does not match any of the allowed types" };
    case "custom": {
      const params = issue.params as { type?: unknown } | undefined;
      const type = typeof params?.type === "string" ? params.type : "value_error";
      return { type, msg: "Invalid input" };
    }
    default:
      return { type: "value_error", msg: "Invalid input" };
  }
}

/** Where the error map leaves the pydantic type it decided on, for `toFieldErrors`. */
const PYDANTIC_TYPE = "pydantic_type";

/** Error map for `safeParseAsync(input, { error })`: pydantic's English messages for zod's built-in checks. */
export const pydanticErrorMap = (issue: AnyIssue): string | undefined => {
  if (issue.code === "custom") return undefined;
  const described = describe(issue);
  // The final issue keeps the raw issue's own keys, but not the schema: remember the type decided here.
  issue[PYDANTIC_TYPE] = described.type;
  return described.msg;
};


function toLoc(path: PropertyKey[] | undefined): (string | number)[] {
  return (path ?? []).map((segment) => (typeof segment === "number" ? segment : String(segment)));
}

/** Zod issues as pydantic-forms validation errors (one error per unknown key, page-level errors at `__root__`). */
export function toFieldErrors(issues: readonly z.core.$ZodIssue[]): FormFieldError[] {
  const errors: FormFieldError[] = [];
  for (const raw of issues) {
    const issue = raw as unknown as AnyIssue;
    const loc = toLoc(issue.path);
    const described = describe(issue);
    if (issue.code === "unrecognized_keys" && Array.isArray(issue.keys)) {
      const input = typeof issue.input === "object" && issue.input !== null ? (issue.input as Record<string, unknown>) : {};
      for (const key of issue.keys as string[]) {
        errors.push({ loc: [...loc, key], msg: described.msg, type: described.type, input: input[key] });
      }
      continue;
    }
    const error: FormFieldError = {
      loc: loc.length > 0 ? loc : ["__root__"],
      msg: issue.message ?? described.msg,
      type: typeof issue[PYDANTIC_TYPE] === "string" ? issue[PYDANTIC_TYPE] : described.type,
    };
    if (issue.input !== undefined) error.input = issue.input;
    if (described.ctx) error.ctx = described.ctx;
    errors.push(error);
  }
  return errors;
}

/** pydantic's `str(ValidationError)`: "2 validation errors for Page\nname\n  Field required (type=missing)\n…". */
export function formatFieldErrors(pageName: string, errors: readonly FormFieldError[]): string {
  const header = `${errors.length} validation error${errors.length === 1 ? "" : "s"} for ${pageName}`;
  const lines = errors.map((error) => {
    const context = error.ctx
      ? Object.entries(error.ctx)
          .map(([key, value]) => `; ${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
          .join("")
      : "";
    return `${error.loc.join(" -> ")}\n  ${error.msg} (type=${error.type}${context})`;
  });
  return [header, ...lines].join("\n");
}
