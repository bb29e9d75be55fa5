/** The UI's own sign-in paths, and the page to come back to after signing in. */

/** Where the issuer sends the browser back to, after a sign-in and after a silent renewal (in a hidden frame). */
export const CALLBACK_PATH = "/auth/callback";
/** Shown after a sign-out that the issuer could not take part in. */
export const SIGNED_OUT_PATH = "/auth/signed-out";

/** The page the user is on (path, query and hash), to come back to after signing in. */
export function currentPage(location: Pick<Location, "pathname" | "search" | "hash"> = window.location): string {
  return `${location.pathname}${location.search}${location.hash}`;
}

/**
 * A page of this app to return to: a local path, never the sign-in pages themselves; anything else is `/` (the value
 * comes back through the issuer: it must not send the browser elsewhere).
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  const path = value.split(/[?#]/, 1)[0]!;
  if (path === CALLBACK_PATH || path === SIGNED_OUT_PATH) return "/";
  return value;
}
