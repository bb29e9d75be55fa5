/** The server's sign-in configuration (`GET /api/auth/config`, public): read once when the UI starts. */
import { API_BASE } from "../api/client.ts";

export interface AuthConfig {
  /** Authentication is on: every other API request needs a bearer token. */
  enabled: boolean;
  issuer: string | null;
  /** The UI's public client at the issuer; null when the server has no OIDC_CLIENT_ID. */
  client_id: string | null;
  scope: string;
  /** Added to the authorization and token requests (e.g. `resource` or `audience`). */
  extra_params: Record<string, string>;
}

/** What a UserManager needs: authentication on, with an issuer and a client id. */
export interface SignInConfig extends AuthConfig {
  issuer: string;
  client_id: string;
}

/** Reads the configuration; throws an Error that says what went wrong when the server does not give it. */
export async function fetchAuthConfig(): Promise<AuthConfig> {
  const url = `${API_BASE}/auth/config`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
  } catch (error) {
    throw new Error(`The server did not answer ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`The server answered ${url} with ${response.status} ${response.statusText}`);
  const body = (await response.json()) as Partial<AuthConfig>;
  if (typeof body.enabled !== "boolean") throw new Error(`The server's ${url} has no "enabled"`);
  return {
    enabled: body.enabled,
    issuer: body.issuer ?? null,
    client_id: body.client_id ?? null,
    scope: body.scope ?? "openid profile email",
    extra_params: body.extra_params ?? {},
  };
}

/** The settings the server lacks for the UI to sign in (empty when it can). */
export function missingSignInSettings(config: AuthConfig): string[] {
  const missing: string[] = [];
  if (!config.issuer) missing.push("OIDC_ISSUER");
  if (!config.client_id) missing.push("OIDC_CLIENT_ID");
  return missing;
}

export function canSignIn(config: AuthConfig): config is SignInConfig {
  return missingSignInSettings(config).length === 0;
}
