/**
 * Control characters in text from users: refused where text is stored through the API (api/schemas.ts) and made
 * visible where text is shown at a terminal (log lines, CLI tables), since a terminal acts on an escape sequence or a
 * bell in a name instead of showing it, and a newline splits a table's row.
 */

/**
 * Characters that change how the text around them shows without showing themselves: line and paragraph separators,
 * the bidirectional controls (a right-to-left override reverses what follows), zero-width space and no-break space,
 * word joiner. Not the zero-width joiners (U+200C, U+200D: emoji sequences and some scripts need them).
 */
const INVISIBLE = "\\u061c\\u200b\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060\\u2066-\\u2069\\ufeff";
/** C0 control characters, DEL, the C1 range and the invisible ones: what a terminal may act on or hide. */
const CONTROL = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${INVISIBLE}]`, "g");
/** The same, for finding the first (a global pattern keeps state between calls). */
const FIRST_CONTROL = new RegExp(CONTROL.source);
/** The same but tab and newline. */
const CONTROL_BUT_LINES = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${INVISIBLE}]`, "g");
/** C0 control characters but tab, newline and carriage return, DEL and C1 (what multi-line text may not hold). */
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const escaped = (c: string) => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
};

/**
 * `text` with its control and invisible characters written as `\xNN` / `\uNNNN` (ESC as `\x1b`, a right-to-left
 * override as `\u202e`), tabs and newlines too unless `keepLines` (a stack trace's lines).
 */
export function printable(text: string, options: { keepLines?: boolean } = {}): string {
  return text.replace(options.keepLines ? CONTROL_BUT_LINES : CONTROL, escaped);
}

/** What the invisible characters are, for messages. */
const INVISIBLE_NAMES: Record<number, string> = {
  0x061c: "an Arabic letter mark",
  0x200b: "a zero-width space",
  0x200e: "a left-to-right mark",
  0x200f: "a right-to-left mark",
  0x2028: "a line separator",
  0x2029: "a paragraph separator",
  0x202a: "a left-to-right embedding",
  0x202b: "a right-to-left embedding",
  0x202c: "a pop directional formatting",
  0x202d: "a left-to-right override",
  0x202e: "a right-to-left override",
  0x2060: "a word joiner",
  0x2066: "a left-to-right isolate",
  0x2067: "a right-to-left isolate",
  0x2068: "a first strong isolate",
  0x2069: "a pop directional isolate",
  0xfeff: "a zero-width no-break space",
};

/** A control character found in a text: see findControlCharacter. */
export interface FoundControlCharacter {
  /** Where, in UTF-16 units. */
  index: number;
  /** Its code point as `U+001B`. */
  code: string;
  /** What it is, for an invisible one: `a right-to-left mark`. */
  name?: string;
}

/**
 * The first control character of `text`, or undefined; invisible ones (line separators, bidirectional controls,
 * zero-width space) count too. With `allowLineBreaks` (free text) tab, newline and carriage return do not count, nor
 * the invisible ones (right-to-left text may need them).
 */
export function findControlCharacter(text: string, options: { allowLineBreaks?: boolean } = {}): FoundControlCharacter | undefined {
  const pattern = options.allowLineBreaks ? CONTROL_BUT_LINE_BREAKS : FIRST_CONTROL;
  const match = pattern.exec(text);
  if (!match) return undefined;
  const point = match[0].charCodeAt(0);
  return { index: match.index, code: `U+${point.toString(16).toUpperCase().padStart(4, "0")}`, name: INVISIBLE_NAMES[point] };
}

/**
 * A found control character as a refusal names it: `U+001B at character 5`, `U+202E, a right-to-left override, at
 * character 3`.
 */
export function describeControlCharacter(found: FoundControlCharacter): string {
  return `${found.code}${found.name ? `, ${found.name},` : ""} at character ${found.index + 1}`;
}
