/**
 * What an `invalidateCache` message refreshes. The server names a cache tag and optionally an id (`LIST` or an
 * object's id); our query keys start with the same tag, then the id.
 */
import type { Query, QueryClient } from "@tanstack/react-query";

export interface InvalidateMessage {
  type: string;
  id?: string;
}

/** Parses a websocket text frame; null for anything that is not an `invalidateCache` message. */
export function parseInvalidate(data: unknown): InvalidateMessage | null {
  if (typeof data !== "string" || !data.startsWith("{")) return null;
  try {
    const message = JSON.parse(data) as { name?: unknown; value?: unknown };
    if (message.name !== "invalidateCache" || typeof message.value !== "object" || message.value === null) return null;
    const value = message.value as { type?: unknown; id?: unknown };
    if (typeof value.type !== "string") return null;
    return typeof value.id === "string" ? { type: value.type, id: value.id } : { type: value.type };
  } catch {
    return null;
  }
}

/** Whether a query (by its key) is refreshed by a message. */
export function matches(queryKey: readonly unknown[], message: InvalidateMessage): boolean {
  const [tag, id] = queryKey;
  if (tag === message.type) return message.id === undefined || id === message.id;
  // A process changing also changes the subscription pages that show it (their process list, their actions).
  if (message.type === "processes" && tag === "subscriptions") return id !== "LIST";
  // The engine status counts running processes.
  if (message.type === "processStatusCounts" && tag === "engineStatus") return true;
  return false;
}

export function invalidate(client: QueryClient, message: InvalidateMessage): Promise<void> {
  return client.invalidateQueries({ predicate: (query: Query) => matches(query.queryKey, message) });
}
