/**
 * Control characters in text from users: refused where text is stored through the API (api/schemas.ts) and made
 * visible where text is shown at a terminal (log lines, CLI tables), since a terminal acts on an escape sequence or a
 * bell in a name instead of showing it, and a newline splits a table's row.
 */

/** C0 control characters, DEL and the C1 range: what a terminal may act on. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** The same but tab and newline. */
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** The same but tab, newline and carriage return (what multi-line text may hold). */
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const escaped = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;

/**
 * `text` with its control characters written as `\xNN` (ESC as `\x1b`), tabs and newlines too unless `keepLines`
 * (a stack trace's lines).
 */
export function printable(text: string, options: { keepLines?: boolean } = {}): string {
  return text.replace(options.keepLines ? CONTROL_BUT_LINES : CONTROL, escaped);
}

/**
 * The first control character of `text` (its index in UTF-16 units and its code point as `U+001B`), or undefined;
 * with `allowLineBreaks`, tab, newline and carriage return do not count.
 */
export function findControlCharacter(text: string, options: { allowLineBreaks?: boolean } = {}): { index: number; code: string } | undefined {
  const pattern = options.allowLineBreaks ? CONTROL_BUT_LINE_BREAKS : new RegExp(CONTROL.source);
  const match = pattern.exec(text);
  if (!match) return undefined;
  return { index: match.index, code: `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}` };
}
