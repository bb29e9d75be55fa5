/**
 * Keeping the secrets of a connection string out of every message: `redactUri` for printing a URI, `scrubSecrets` /
 * `scrubError` for text that a driver built from it (pg's errors echo the host it parsed, which may be a piece of a
 * password that was not percent-encoded).
 *
 * The secrets of a URI are the password of its userinfo and the value of every query parameter whose name contains
 * `pass`, `secret` or `token` (`?password=…`, `&sslpassword=…`, any case). A password may hold unencoded `@`, `:` or
 * `/`, so the userinfo is taken to end at the string's last `@`: an `@` in a query value then hides more of the URI,
 * never less.
 */

const MASK = "***";

/** Query parameters whose values are secret. */
const SECRET_PARAM = /pass|secret|token/i;

/** [start, end) ranges of `uri` that are secret, sorted and merged. */
function secretSpans(uri: string): [number, number][] {
  const spans: [number, number][] = [];
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(uri);
  const rest = scheme ? scheme[0].length : 0;
  const at = uri.lastIndexOf("@");
  const colon = uri.indexOf(":", rest);
  if (at >= rest && colon !== -1 && colon < at) spans.push([colon + 1, at]);
  for (const match of uri.matchAll(/[?&;]([^=&?#;]*)=([^&]*)/g)) {
    if (!SECRET_PARAM.test(match[1]!)) continue;
    const start = match.index + match[0].length - match[2]!.length;
    spans.push([start, start + match[2]!.length]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  return merged;
}

/**
 * A URI (or any setting value) safe to print: the userinfo password and secret query values replaced by `***`.
 * `postgresql://user:p@ss:w@rd@host/db?password=x` → `postgresql://user:***@host/db?password=***`. Text without
 * secrets is returned unchanged. Never throws.
 */
export function redactUri(uri: string): string {
  let out = "";
  let from = 0;
  for (const [start, end] of secretSpans(uri)) {
    out += uri.slice(from, start) + MASK;
    from = end;
  }
  return out + uri.slice(from);
}

/** A text as written and as a driver may decode it (percent-encoding; `+` as a space in a query value). */
function readings(text: string): string[] {
  const out = [text];
  for (const form of [text, text.replaceAll("+", " ")]) {
    try {
      out.push(decodeURIComponent(form));
    } catch {
      // not valid percent-encoding: only the text as written
    }
  }
  return out;
}

/**
 * Every text a message built from `uri` must not contain: each secret as written and percent-decoded, and the pieces
 * between the URI delimiters inside it (what a driver takes for a host or database when a password was not
 * encoded). Longest first.
 */
export function uriSecrets(uri: string): string[] {
  const found = new Set<string>();
  for (const [start, end] of secretSpans(uri)) {
    const raw = uri.slice(start, end);
    for (const whole of readings(raw)) {
      found.add(whole);
      for (const piece of whole.split(/[@:/?#&=]/)) found.add(piece);
    }
  }
  found.delete("");
  return [...found].sort((a, b) => b.length - a.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `text` with every secret of `uri` (see uriSecrets) replaced by `***`. A secret shorter than 4 characters is
 * replaced only where it stands alone (not inside a longer word or number), so that a one-letter piece of a password
 * does not mangle the rest of the message.
 */
export function scrubSecrets(text: string, uri: string): string {
  let out = text;
  for (const secret of uriSecrets(uri)) {
    const pattern = escapeRegExp(secret);
    const regexp = secret.length >= 4 ? new RegExp(pattern, "g") : new RegExp(`(?<![A-Za-z0-9])${pattern}(?![A-Za-z0-9])`, "g");
    out = out.replace(regexp, MASK);
  }
  return out;
}

/**
 * Scrub an error that a driver raised for `uri`, in place: its message, stack and every string property (pg errors
 * carry `hostname`, `address`…), then its `cause` and, for an AggregateError, its `errors`. Returns the same error, so
 * that it can still be kept as the `cause` of an error of ours. Values that are not objects are returned unchanged.
 */
export function scrubError<T>(error: T, uri: string, depth = 0): T {
  if (typeof error !== "object" || error === null || depth > 3) return error;
  const record = error as Record<string, unknown>;
  for (const key of new Set([...Object.getOwnPropertyNames(error), "message", "stack"])) {
    const value = record[key];
    if (typeof value !== "string") continue;
    try {
      record[key] = scrubSecrets(value, uri);
    } catch {
      // a read-only property: left as it is
    }
  }
  if ("cause" in record) scrubError(record.cause, uri, depth + 1);
  if (Array.isArray(record.errors)) for (const inner of record.errors) scrubError(inner, uri, depth + 1);
  return error;
}
