/** Display helpers: dates, durations, labels. */

/** A date from an ISO string or epoch seconds; null when absent or invalid. */
export function toDate(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `2026-11-27 14:03:09` in local time, "" when absent. */
export function formatDateTime(value: string | number | null | undefined): string {
  const date = toDate(value);
  if (!date) return "";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `2026-11-27`, "" when absent. */
export function formatDate(value: string | number | null | undefined): string {
  return formatDateTime(value).slice(0, 10);
}

/** A duration in milliseconds as `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${pad(Math.floor(seconds % 60))} s`;
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
}

/** The duration between two moments, "" unless both are known. */
export function durationBetween(start: string | number | null | undefined, end: string | number | null | undefined): string {
  const from = toDate(start);
  const to = toDate(end);
  return from && to ? formatDuration(to.getTime() - from.getTime()) : "";
}

/** `create_user_group` → `Create user group`; `in_use_by` → `In use by`. */
export function humanize(key: string): string {
  const text = key.replace(/_/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A short form of a uuid for tables (first 8 characters). */
export const shortId = (id: string): string => id.slice(0, 8);
