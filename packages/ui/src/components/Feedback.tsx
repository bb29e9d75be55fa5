/** Loading, error and empty states, and a JSON block. */
import type { ReactNode } from "react";
import { ApiError } from "../api/client.ts";

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p role="status" className="muted">
      {what}…
    </p>
  );
}

export function ErrorMessage({ error, children }: { error?: unknown; children?: ReactNode }) {
  if (!error && !children) return null;
  const text = error instanceof ApiError ? `${error.message} (${error.status})` : error instanceof Error ? error.message : error ? String(error) : null;
  return (
    <div role="alert" className="error-box">
      {children}
      {text}
    </div>
  );
}

export function JsonBlock({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
