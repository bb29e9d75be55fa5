/** The signed-in session for the components that show it (user menu) or use its token (websocket). */
import { createContext, useContext, useSyncExternalStore } from "react";
import type { AuthSession } from "./session.ts";

/** The session, or null when authentication is off. */
export const AuthContext = createContext<AuthSession | null>(null);

export const useAuth = (): AuthSession | null => useContext(AuthContext);

/** Re-renders when the session's user or failure changes; returns the user's name (empty without a session). */
export function useUserName(session: AuthSession | null): string {
  return useSyncExternalStore(
    (listener) => session?.subscribe(listener) ?? (() => undefined),
    () => session?.userName ?? "",
  );
}

/** Re-renders when the session's failure changes; returns it. */
export function useAuthFailure(session: AuthSession | null) {
  return useSyncExternalStore(
    (listener) => session?.subscribe(listener) ?? (() => undefined),
    () => session?.failure ?? null,
  );
}
