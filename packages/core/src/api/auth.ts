/**
 * Authentication: off unless OAUTH2_ACTIVE. When on, every `/api` request (except health, the websocket, docs,
 * metrics and the token-authenticated callbacks) needs `Authorization: Bearer <JWT>`, verified with jose against the
 * issuer's keys (OIDC_JWKS_URI, else the issuer's discovery document) and, when set, OIDC_ISSUER and OIDC_AUDIENCE.
 * The workflows' authorizeCallback / retryAuthCallback then decide per action (see workflow/authorization.ts).
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { SettingsError } from "../errors.js";
import type { Settings } from "../settings.js";
import { HttpProblem } from "./problem.js";

/** The user of a request: the token's claims, or undefined when authentication is off. */
export interface ApiUser {
  name: string;
  claims: JWTPayload;
}

export const SYSTEM_USER = "SYSTEM";

/** The most characters of a user name recorded on processes (created_by is varchar(255)). */
const USER_NAME_LIMIT = 255;

export interface Authenticator {
  readonly active: boolean;
  /** The user of an `Authorization` header value; throws a 401 problem when it is missing or invalid. */
  authenticate(header: string | undefined): Promise<ApiUser | undefined>;
  /** The user of a bare token (websocket). */
  verify(token: string): Promise<ApiUser>;
}

type Auth = Pick<Settings, "OAUTH2_ACTIVE" | "OIDC_ISSUER" | "OIDC_JWKS_URI" | "OIDC_AUDIENCE">;

export function createAuthenticator(settings: Auth): Authenticator {
  if (!settings.OAUTH2_ACTIVE) {
    return { active: false, authenticate: async () => undefined, verify: async () => ({ name: SYSTEM_USER, claims: {} }) };
  }
  if (!settings.OIDC_JWKS_URI && !settings.OIDC_ISSUER) {
    throw new SettingsError("OAUTH2_ACTIVE=true needs OIDC_JWKS_URI or OIDC_ISSUER (whose discovery document names the keys)");
  }
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  const keySet = async () => (keys ??= createRemoteJWKSet(new URL(settings.OIDC_JWKS_URI ?? (await discoverJwksUri(settings.OIDC_ISSUER!)))));

  const verify = async (token: string): Promise<ApiUser> => {
    try {
      const { payload } = await jwtVerify(token, await keySet(), {
        issuer: settings.OIDC_ISSUER,
        audience: settings.OIDC_AUDIENCE,
        // a token that never expires stays valid forever once leaked
        requiredClaims: ["exp"],
      });
      const name = [payload.preferred_username, payload.name, payload.email, payload.sub].find((v) => typeof v === "string") as string | undefined;
      // recorded as created_by (varchar(255)): a longer name is cut, not a failed request
      return { name: [...(name ?? "unknown")].slice(0, USER_NAME_LIMIT).join(""), claims: payload };
    } catch (error) {
      if (error instanceof HttpProblem) throw error;
      throw new HttpProblem(401, `Invalid token: ${(error as Error).message}`);
    }
  };

  return {
    active: true,
    verify,
    async authenticate(header) {
      if (!header) throw new HttpProblem(401, "Not authenticated: send Authorization: Bearer <token>");
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new HttpProblem(401, "Invalid Authorization header: expected Bearer <token>");
      return verify(match[1]!);
    },
  };
}

async function discoverJwksUri(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const document = (await response.json()) as { jwks_uri?: string };
    if (!document.jwks_uri) throw new Error("no jwks_uri in it");
    return document.jwks_uri;
  } catch (error) {
    throw new HttpProblem(503, `Cannot read the identity provider's keys from ${url}: ${(error as Error).message}`);
  }
}

/**
 * A request target safe to log: the values of `token`/`access_token` query parameters and the token of a callback
 * path (`/processes/{id}/callback/{token}`) are replaced by `***`, in any spelling the router accepts
 * (percent-encoded names, mixed case).
 */
export function redactTarget(url: string): string {
  const query = url.indexOf("?");
  const path = query < 0 ? url : url.slice(0, query);
  const redactedPath = path.replace(/(\/callback\/)[^/]+/i, "$1***");
  if (query < 0) return redactedPath;
  const params = url
    .slice(query + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replaceAll("+", " "));
      } catch {
        // a malformed name is logged as sent
      }
      return /^(access_)?token$/i.test(name.trim()) ? `${pair.slice(0, eq)}=***` : pair;
    });
  return `${redactedPath}?${params.join("&")}`;
}
