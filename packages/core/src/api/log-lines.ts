/**
 * Log output for a person at a terminal. pino writes one JSON object per line, which suits log collectors but not
 * a developer watching `npm start`; `humanLogStream` turns each line into `12:34:56 INFO  message key=value`, with an
 * error's stack below it. `serverLogStream` picks it when standard output is a terminal and JSON otherwise.
 */
import pc from "picocolors";
import { printable } from "../printable.js";

/** Where pino writes: anything with `write(line)`. */
export interface LogStream {
  write(line: string): void;
}

const LEVELS: Record<number, { name: string; paint: (s: string) => string }> = {
  10: { name: "TRACE", paint: pc.gray },
  20: { name: "DEBUG", paint: pc.gray },
  30: { name: "INFO", paint: pc.green },
  40: { name: "WARN", paint: pc.yellow },
  50: { name: "ERROR", paint: pc.red },
  60: { name: "FATAL", paint: (s) => pc.bold(pc.red(s)) },
};

/** Fields every line has, or that the message already says (a request line names method, path, status and time). */
const SHOWN_ELSEWHERE = new Set(["level", "time", "pid", "hostname", "msg", "err", "reqId", "req", "res", "responseTime"]);

function clock(time: unknown): string {
  const date = typeof time === "number" ? new Date(time) : new Date();
  return date.toTimeString().slice(0, 8);
}

/**
 * A field's value: bare when it is one word, else as JSON; either way with control characters made visible (JSON
 * escapes C0 only, not DEL, C1 or the invisible ones).
 */
function fieldValue(value: unknown): string {
  const shown = typeof value === "string" && /^[^\s"=]+$/.test(value) ? value : (JSON.stringify(value) ?? String(value));
  return printable(shown);
}

/** One pino JSON line as a readable line (or lines, for an error's stack); text that is not JSON is kept as it is. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith("\n") ? line : `${line}\n`;
  }
  if (typeof entry !== "object" || entry === null) return `${line.trimEnd()}\n`;
  const level = LEVELS[entry.level as number] ?? { name: String(entry.level ?? "LOG").toUpperCase(), paint: (s: string) => s };
  const fields = Object.entries(entry)
    .filter(([key]) => !SHOWN_ELSEWHERE.has(key))
    .map(([key, value]) => pc.dim(`${key}=${fieldValue(value)}`));
  // the message and a stack may hold what a user sent (a name in an error): its control characters are made visible,
  // so that they neither act on the terminal nor make a line look like another
  const text = [pc.dim(clock(entry.time)), level.paint(level.name.padEnd(5)), printable(String(entry.msg ?? "")), ...fields].join(" ");
  const err = entry.err as { stack?: string; message?: string } | undefined;
  const stack = err?.stack ?? err?.message;
  return stack ? `${text}\n${printable(String(stack), { keepLines: true }).replace(/^/gm, "    ")}\n` : `${text}\n`;
}

/** A stream for pino that writes readable lines to `out` (default standard output). */
export function humanLogStream(out: { write(text: string): unknown } = process.stdout): LogStream {
  return {
    write: (chunk) => {
      for (const line of chunk.split("\n")) if (line.trim()) out.write(formatLogLine(line));
    },
  };
}

/** Readable lines when standard output is a terminal, pino's JSON lines (its default stream: undefined) otherwise. */
export function serverLogStream(): LogStream | undefined {
  return process.stdout.isTTY ? humanLogStream() : undefined;
}
