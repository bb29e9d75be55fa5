/**
 * Shows the app once startAuth (start.ts) has decided how: as it is with authentication off, with the session in
 * AuthContext when signed in, else the page for signing in, a sign-in that failed, or a sign-out.
 */
import { useEffect, useState, type ReactNode } from "react";
import { AuthContext, useAuthFailure } from "./AuthContext.ts";
import { AuthErrorPage, SignedOutPage, SigningInPage } from "./AuthPages.tsx";
import type { AuthStart } from "./start.ts";

export function AuthGate({ start, children }: { start: Promise<AuthStart>; children: ReactNode }) {
  const [state, setState] = useState<AuthStart | null>(null);
  useEffect(() => {
    let current = true;
    void start.then((result) => current && setState(result));
    return () => {
      current = false;
    };
  }, [start]);
  const session = state?.kind === "signed-in" ? state.session : null;
  // a renewal that cannot reach the issuer later on replaces the app by the error page
  const failure = useAuthFailure(session);

  if (state === null || state.kind === "renewal-frame") return null;
  if (state.kind === "redirecting") return <SigningInPage />;
  if (state.kind === "failed") return <AuthErrorPage failure={state.failure} session={state.session} />;
  if (state.kind === "signed-out") return <SignedOutPage session={state.session} />;
  if (failure && session) return <AuthErrorPage failure={failure} session={session} />;
  return <AuthContext.Provider value={session}>{children}</AuthContext.Provider>;
}
