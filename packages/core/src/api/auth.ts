/**
 * Authentication: off unless OAUTH2_ACTIVE. When on, every `/api` request (except health, the websocket, docs,
 * metrics and the token-authenticated callbacks) needs `Authorization: Bearer <JWT>`, verified with jose against the
 * issuer's keys (OIDC_JWKS_URI, else the issuer's discovery document) and, when set, OIDC_ISSUER and OIDC_AUDIENCE.
 * The workflows' authorizeCallback / retryAuthCallback then decide per action (see workflow/authorization.ts).
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";
import { SettingsError } from "../errors.js";
import type { Settings } from "../settings.js";
import { HttpProblem } from "./problem.js";

/** The user of a request: the token's claims, or undefined when authentication is off. */
export interface ApiUser {
  name: string;
  claims: JWTPayload;
}

export const SYSTEM_USER = "SYSTEM";

/** How long a request to the identity provider (discovery document, keys) may take. */
const IDP_TIMEOUT_MS = 5_000;
/** After a failed discovery, requests are answered 503 without asking again for this long. */
const DISCOVERY_RETRY_MS = 30_000;

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
  // a failed discovery is remembered for a while, so that requests do not each ask the identity provider again
  let discoveryFailed: { at: number; error: HttpProblem } | undefined;
  const keySet = async () => {
    if (keys) return keys;
    if (!settings.OIDC_JWKS_URI) {
      if (discoveryFailed && Date.now() - discoveryFailed.at < DISCOVERY_RETRY_MS) throw discoveryFailed.error;
      try {
        keys = createRemoteJWKSet(new URL(await discoverJwksUri(settings.OIDC_ISSUER!)), { timeoutDuration: IDP_TIMEOUT_MS });
      } catch (error) {
        if (error instanceof HttpProblem) discoveryFailed = { at: Date.now(), error };
        throw error;
      }
      return keys;
    }
    return (keys = createRemoteJWKSet(new URL(settings.OIDC_JWKS_URI), { timeoutDuration: IDP_TIMEOUT_MS }));
  };

  const verify = async (token: string): Promise<ApiUser> => {
    try {
      // something that is not a JWT at all is refused without asking the identity provider for keys
      decodeProtectedHeader(token);
      decodeJwt(token);
    } catch (error) {
      throw new HttpProblem(401, `Invalid token: ${(error as Error).message}`);
    }
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
    const response = await fetch(url, { signal: AbortSignal.timeout(IDP_TIMEOUT_MS) });
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
  // segments compared decoded: the router accepts `/c%61llback/` for `/callback/`
  const segments = path.split("/");
  for (let i = 0; i < segments.length - 1; i++) {
    if (decodeSafely(segments[i]!).toLowerCase() === "callback") segments[i + 1] = "***";
  }
  const redactedPath = segments.join("/");
  if (query < 0) return redactedPath;
  const params = url
    .slice(query + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return pair;
      const name = decodeSafely(pair.slice(0, eq).replaceAll("+", " "));
      return /^(access_)?token$/i.test(name.trim()) ? `${pair.slice(0, eq)}=***` : pair;
    });
  return `${redactedPath}?${params.join("&")}`;
}

/** Percent-decoded text, or the text as it is when it is not valid percent-encoding. */
function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
