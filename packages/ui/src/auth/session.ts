/**
 * The signed-in session: oidc-client-ts's UserManager — authorization code flow with PKCE, as a public client — set
 * up from the server's configuration. It signs in by sending the browser to the issuer and back to /auth/callback,
 * keeps the access token fresh (silent renewal before it expires; a new sign-in when that fails or when the API
 * answers 401 to a token), hands the token to the API requests and the websocket, and signs out at the issuer.
 */
import { ErrorResponse, UserManager, type User } from "oidc-client-ts";
import type { RequestAuth } from "../api/client.ts";
import type { SignInConfig } from "./config.ts";
import { CALLBACK_PATH, currentPage, safeReturnTo, SIGNED_OUT_PATH } from "./paths.ts";

/**
 * A token the API refuses although it was obtained this recently points at the server's configuration (audience,
 * issuer), not at an old token: renewing it once more would not help, and would go on forever.
 */
const FRESH_TOKEN_MS = 10_000;

/** What goes to the issuer and comes back with the answer: the page to return to. */
interface SignInState {
  returnTo: string;
}

/** Why signing in failed, for the error page. */
export interface AuthFailure {
  title: string;
  detail: string;
  /** The page to go back to when trying again. */
  returnTo: string;
}

/** The user's name, picked from the ID token's claims as the server picks `created_by` from the access token's. */
export function displayName(profile: Record<string, unknown>): string {
  const name = [profile.preferred_username, profile.name, profile.email, profile.sub].find((v) => typeof v === "string" && v !== "");
  return (name as string | undefined) ?? "unknown user";
}

/** The failure of a sign-in: refused by the issuer (an error answer), or the issuer could not be reached. */
export function signInFailure(error: unknown, issuer: string, returnTo: string): AuthFailure {
  if (error instanceof ErrorResponse) {
    const detail = error.error_description ? `${error.error}: ${error.error_description}` : error.error ?? error.message;
    return { title: "The identity provider refused the sign-in", detail, returnTo: safeReturnTo((error.state as SignInState | undefined)?.returnTo ?? returnTo) };
  }
  const message = error instanceof Error ? error.message : String(error);
  // a provider that is down and one that does not allow this origin (CORS) look the same to the browser
  const detail = `${issuer} did not answer (${message}). Check that it is running and allows requests from ${window.location.origin}.`;
  return { title: "Cannot reach the identity provider", detail, returnTo };
}

export class AuthSession implements RequestAuth {
  private readonly manager: UserManager;
  private user: User | null = null;
  /** When the current token arrived (see FRESH_TOKEN_MS). */
  private obtainedAt = 0;
  private renewing: Promise<boolean> | undefined;
  private failed: AuthFailure | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly config: SignInConfig,
    origin: string = window.location.origin,
  ) {
    this.manager = new UserManager({
      authority: config.issuer,
      client_id: config.client_id,
      redirect_uri: `${origin}${CALLBACK_PATH}`,
      // one redirect URI to register: the callback tells a silent renewal from a sign-in by its state
      silent_redirect_uri: `${origin}${CALLBACK_PATH}`,
      post_logout_redirect_uri: `${origin}/`,
      scope: config.scope,
      extraQueryParams: config.extra_params,
      // e.g. RFC 8707 wants the `resource` again when the code is exchanged for the token
      extraTokenParams: config.extra_params,
      automaticSilentRenew: true,
      // the name comes from the ID token; the access token is for the API, the userinfo endpoint may refuse it
      loadUserInfo: false,
    });
    // a user comes from the issuer (sign-in, renewal): a fresh token
    this.manager.events.addUserLoaded((user) => this.setUser(user, Date.now()));
    this.manager.events.addUserUnloaded(() => this.setUser(null, 0));
    // the silent renewal before expiry did not work (or the tab slept through it): try again, else sign in
    this.manager.events.addAccessTokenExpired(() => void this.renew());
  }

  /** Loads the stored user of this tab; true when there is one whose access token has not expired. */
  async load(): Promise<boolean> {
    const user = await this.manager.getUser();
    if (!user || user.expired !== false) return false;
    // of unknown age: a 401 to it is worth a renewal
    this.setUser(user, 0);
    return true;
  }

  /** Sends the browser to the issuer's sign-in, to come back to `returnTo`; throws when the issuer cannot be reached. */
  async signIn(returnTo: string = currentPage()): Promise<void> {
    const state: SignInState = { returnTo: safeReturnTo(returnTo) };
    await this.manager.signinRedirect({ state });
  }

  /**
   * Completes a sign-in on the callback page: the page to return to, or null in the hidden frame of a silent renewal
   * (whose answer went to the page that opened it). Throws the issuer's refusal as an ErrorResponse.
   */
  async completeSignIn(): Promise<string | null> {
    const user = await this.manager.signinCallback();
    if (!user) return null;
    return safeReturnTo((user.state as SignInState | undefined)?.returnTo);
  }

  /** Signs out at the issuer, which sends the browser back to `/`; without an issuer's sign-out, only here. */
  async signOut(): Promise<void> {
    try {
      await this.manager.signoutRedirect();
    } catch {
      // the issuer has no end_session_endpoint or cannot be reached: the tokens here are gone all the same
      await this.manager.removeUser();
      window.location.assign(SIGNED_OUT_PATH);
    }
  }

  /** The signed-in user's name. */
  get userName(): string {
    return this.user ? displayName(this.user.profile) : "";
  }

  /** Why the session cannot go on (shown instead of the app), or null. */
  get failure(): AuthFailure | null {
    return this.failed;
  }

  token(): string | undefined {
    return this.user?.access_token;
  }

  async unauthorized(usedToken: string | undefined): Promise<boolean> {
    const current = this.token();
    if (current && current !== usedToken) return true;
    if (usedToken && Date.now() - this.obtainedAt < FRESH_TOKEN_MS) return false;
    return this.renew();
  }

  /**
   * A new token, silently (refresh token or a hidden frame, with the issuer's session); when the issuer wants the
   * user, a new sign-in (the page is left). True when a new token is there. Concurrent calls share one renewal.
   */
  renew(): Promise<boolean> {
    this.renewing ??= (async () => {
      try {
        const user = await this.manager.signinSilent();
        if (user && user.expired === false) return true;
      } catch {
        // login_required, consent_required, a timeout …: the interactive sign-in below settles it
      }
      try {
        await this.signIn();
      } catch (error) {
        this.fail(signInFailure(error, this.config.issuer, currentPage()));
      }
      return false;
    })().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** Calls `listener` whenever the user or the failure changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setUser(user: User | null, obtainedAt: number): void {
    this.user = user;
    this.obtainedAt = obtainedAt;
    this.notify();
  }

  private fail(failure: AuthFailure): void {
    this.failed = failure;
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
