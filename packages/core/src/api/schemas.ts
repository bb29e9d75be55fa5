/**
 * Shared zod schemas for request fields, carrying the limits of the columns they are stored in (see the schema
 * migrations), so that a value the database would refuse is a 422 naming the field and the limit instead of a
 * database error. NUL characters and lone surrogates are refused for every field by the input guard
 * (input-guard.ts), which also reaches values the schemas leave open (form pages, callback data); other control
 * characters by these schemas (a name with an escape sequence would act on the terminal of whoever lists it).
 */
import { z } from "zod";
import { describeControlCharacter, findControlCharacter } from "../printable.js";

/** The largest value of a PostgreSQL `integer` (int4) column. */
export const INT4_MAX = 2_147_483_647;
/** The smallest value of a PostgreSQL `integer` (int4) column. */
export const INT4_MIN = -2_147_483_648;

/**
 * Names and ids that are not UUIDs (workflow names, customer ids, callback tokens): stored in unbounded or
 * varchar(255) columns that are indexed, where a very long key fails the index, not the column.
 */
export const IDENTIFIER_MAX = 255;

/** Characters as PostgreSQL counts them for varchar(n): code points, so a surrogate pair is one. */
function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function longerThan(value: string, max: number): boolean {
  // a string has at least half as many code points as UTF-16 units, and at most as many
  if (value.length <= max) return false;
  if (value.length > 2 * max) return true;
  return codePoints(value) > max;
}

/**
 * Text stored in a varchar(`max`) column: at most `max` characters (code points, as PostgreSQL counts them), and at
 * least `min` (default 0), without control characters but tab, newline and carriage return (`oneLine`: none at all:
 * names, labels, ids). The limit is in the OpenAPI document as `maxLength`.
 */
export function text(max: number, min = 0, options: { oneLine?: boolean } = {}) {
  let schema = z.string();
  if (min > 0) schema = schema.min(min, { error: min === 1 ? "must not be empty" : `at least ${min} characters` });
  const allowLineBreaks = !options.oneLine;
  return schema
    .refine((value) => !longerThan(value, max), {
      error: (issue) => `at most ${max} characters (got ${codePoints(issue.input as string)})`,
    })
    .refine((value) => findControlCharacter(value, { allowLineBreaks }) === undefined, {
      error: (issue) => {
        const found = findControlCharacter(issue.input as string, { allowLineBreaks })!;
        const what = allowLineBreaks ? "no control characters but tab and line breaks" : "one line of printable characters";
        return `must be ${what} (got ${describeControlCharacter(found)})`;
      },
    })
    .meta({ maxLength: max });
}

/** A name or id that is not a UUID: 1 to IDENTIFIER_MAX characters on one line. */
export const identifier = () => text(IDENTIFIER_MAX, 1, { oneLine: true });

/** A UUID, with a message naming the field. */
export const uuid = (name: string) => z.uuid({ error: `${name} must be a UUID` });

/** A whole number that fits a PostgreSQL `integer` (int4) column. */
export const int4 = (name: string) =>
  z
    .number({ error: `${name} must be a number` })
    .refine(Number.isInteger, { error: `${name} must be a whole number` })
    .min(INT4_MIN, { error: `${name} must be at least ${INT4_MIN} (an int4 column)` })
    .max(INT4_MAX, { error: `${name} must be at most ${INT4_MAX} (an int4 column)` });
