/**
 * Executable documentation: a page's `sh` blocks are commands, the `text` block after each one is everything they print
 * (standard output and standard error, in order). The output is compared exactly, after these rules, and no others:
 *
 * - a UUID becomes `<id>`, a revision id (12 hexadecimal characters standing alone, `_` counts as a separator) `<rev>`,
 *   a date `2026-11-30` `<date>`, a time of day `14:03:09` (with fractions) `<time>`, a duration such as `12 ms` or
 *   `1.5 s` `<duration>`;
 * - the caller's own strings (such as its temporary folder) become the names the page uses;
 * - trailing spaces and blank lines at the end are dropped.
 *
 * In the page, a line holding only `…` stands for one or more lines cut from the output. An `sh` block without a
 * `text` block before the next `sh` block must print nothing.
 */

/** One step of the page: the commands of an `sh` block and the output the page shows for them. */
export interface DocStep {
  commands: string;
  /** The `text` block after the commands; undefined when the page shows none (they must print nothing). */
  expected: string | undefined;
  /** 1-based line of the `sh` block in the page, for messages. */
  line: number;
}

export const CUT = "…";

/** The `sh` blocks of a Markdown page, each with the `text` block that follows it (before the next `sh` block). */
export function docSteps(markdown: string): DocStep[] {
  const steps: DocStep[] = [];
  for (const match of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const [, lang, body = ""] = match;
    const line = markdown.slice(0, match.index).split("\n").length;
    const last = steps.at(-1);
    if (lang === "sh") steps.push({ commands: body, expected: undefined, line });
    else if (lang === "text") {
      if (!last) throw new Error(`line ${line}: a text block before any sh block`);
      if (last.expected !== undefined) throw new Error(`line ${line}: a second text block for the commands of line ${last.line}`);
      last.expected = body;
    }
  }
  return steps;
}

const RULES: [RegExp, string][] = [
  [/(?<![0-9A-Za-z])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9A-Za-z])/g, "<id>"],
  [/(?<![0-9A-Za-z])[0-9a-f]{12}(?![0-9A-Za-z])/g, "<rev>"],
  [/(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)/g, "<date>"],
  [/(?<!\d)\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?!\d)/g, "<time>"],
  [/\b\d+(?:\.\d+)?\s?(?:ms|s)\b/g, "<duration>"],
];

/** Output as the page shows it: `replacements` first (the caller's strings), then the rules above. */
export function normaliseOutput(output: string, replacements: readonly (readonly [string, string])[] = []): string {
  let text = output.replace(/\r\n/g, "\n");
  for (const [from, to] of replacements) if (from) text = text.replaceAll(from, to);
  for (const [pattern, to] of RULES) text = text.replace(pattern, to);
  return text
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n+$/, "");
}

/** Where `segment` (lines) occurs in `lines` at or after `from`; -1 when it does not. */
function findSegment(lines: readonly string[], segment: readonly string[], from: number): number {
  for (let at = from; at + segment.length <= lines.length; at++) {
    if (segment.every((l, i) => lines[at + i] === l)) return at;
  }
  return -1;
}

/**
 * Whether `actual` is exactly what `expected` shows, a `…` line standing for one or more lines. Both are already
 * normalised. Returns undefined when they agree, else what differs.
 */
export function compareOutput(expected: string, actual: string): string | undefined {
  const shown = expected.replace(/\n+$/, "");
  const wanted = shown === "" ? [] : shown.split("\n").map((l) => l.trimEnd());
  const got = actual === "" ? [] : actual.split("\n");
  const segments: string[][] = [[]];
  for (const line of wanted) {
    if (line.trim() === CUT) segments.push([]);
    else segments.at(-1)!.push(line);
  }
  if (segments.length === 1) {
    const at = wanted.findIndex((l, i) => got[i] !== l);
    if (at === -1 && got.length === wanted.length) return undefined;
    const line = at === -1 ? wanted.length : at;
    return `line ${line + 1} differs: the page shows ${JSON.stringify(wanted[line] ?? "(nothing)")}, the commands printed ${JSON.stringify(got[line] ?? "(nothing)")}`;
  }
  const first = segments[0]!;
  const last = segments.at(-1)!;
  if (findSegment(got, first, 0) !== 0) return `the output does not start with the lines before the first ${CUT}`;
  // the middle segments, each after at least one cut line; the earliest match leaves the most room for the rest
  let position = first.length;
  for (const segment of segments.slice(1, -1)) {
    const at = findSegment(got, segment, position + 1);
    if (at === -1) return `these lines are not in the output (in this order, with something cut before them): ${JSON.stringify(segment)}`;
    position = at + segment.length;
  }
  const tail = got.length - last.length;
  if (tail < position + 1 || findSegment(got, last, tail) !== tail) return `the output does not end with the lines after the last ${CUT} (or nothing is left for the cut)`;
  return undefined;
}
