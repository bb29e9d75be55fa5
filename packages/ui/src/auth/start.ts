/**
 * What the UI does before it shows anything: read the server's sign-in configuration and, when authentication is
 * on, complete a sign-in that comes back to /auth/callback, use the session of this tab, or go to the issuer's
 * sign-in. With authentication off this is the one request and nothing else.
 */
import { setRequestAuth } from "../api/client.ts";
import { canSignIn, fetchAuthConfig, missingSignInSettings } from "./config.ts";
import { CALLBACK_PATH, currentPage, SIGNED_OUT_PATH } from "./paths.ts";
import { AuthSession, signInFailure, type AuthFailure } from "./session.ts";

export type AuthStart =
  /** Authentication is off: the app as it is. */
  | { kind: "off" }
  /** Signed in: API requests carry the session's token. */
  | { kind: "signed-in"; session: AuthSession }
  /** The browser is on its way to the issuer. */
  | { kind: "redirecting" }
  /** This page is the hidden frame of a silent renewal and has handed the answer over: it shows nothing. */
  | { kind: "renewal-frame" }
  /** Signed out here (the issuer had no part in it): a page that offers to sign in again. */
  | { kind: "signed-out"; session: AuthSession }
  /** Signing in cannot work or did not: an error page; `session`, when there is one, can try again. */
  | { kind: "failed"; failure: AuthFailure; session?: AuthSession };

const failed = (title: string, detail: string, session?: AuthSession): AuthStart => ({ kind: "failed", failure: { title, detail, returnTo: "/" }, session });

/** Decides how the app starts (see AuthStart); the session it signs in with is set on the API client. */
export async function startAuth(): Promise<AuthStart> {
  let config;
  try {
    config = await fetchAuthConfig();
  } catch (error) {
    return failed("Cannot load the sign-in configuration", (error as Error).message);
  }
  if (!config.enabled) return { kind: "off" };
  if (!canSignIn(config)) {
    const missing = missingSignInSettings(config).join(" and ");
    return failed(
      "Sign-in is not configured",
      `The server requires a token (OAUTH2_ACTIVE), but the web UI cannot sign in: the server has no ${missing}. Register the UI as a public client at the identity provider and set ${missing} (see docs/api.md, "Authentication").`,
    );
  }

  const session = new AuthSession(config);
  const path = window.location.pathname;
  if (path === CALLBACK_PATH) {
    let returnTo: string | null;
    try {
      returnTo = await session.completeSignIn();
    } catch (error) {
      return { kind: "failed", failure: signInFailure(error, config.issuer, "/"), session };
    }
    if (returnTo === null) return { kind: "renewal-frame" };
    window.history.replaceState(null, "", returnTo);
  }
  if (!(await session.load())) {
    if (path === SIGNED_OUT_PATH) return { kind: "signed-out", session };
    try {
      await session.signIn(currentPage());
      return { kind: "redirecting" };
    } catch (error) {
      return { kind: "failed", failure: signInFailure(error, config.issuer, currentPage()), session };
    }
  }
  if (path === SIGNED_OUT_PATH) window.history.replaceState(null, "", "/");
  setRequestAuth(session);
  return { kind: "signed-in", session };
}
