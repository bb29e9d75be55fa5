/**
 * A real OpenID Connect provider for the browser tests: oidc-provider with its development login and consent pages
 * (any login name, any password), a public client for the web UI (authorization code + PKCE, no secret), JWT access
 * tokens for the API's audience through an RFC 8707 resource indicator, and sign-out at its end_session endpoint.
 *
 * It listens first (the orchestrator needs the issuer's URL to start) and takes its client when the UI's address is
 * known (`registerUi`); until then it answers 503.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type RequestListener, type Server } from "node:http";
import Provider, { errors } from "oidc-provider";

export interface TestIdp {
  /** The issuer, e.g. http://127.0.0.1:41234 (OIDC_ISSUER). */
  readonly issuer: string;
  /** Registers the UI's public client: redirect URI `<ui>/auth/callback`, sign-out back to `<ui>/`. */
  registerUi(uiUrl: string): void;
  /** Stops answering (the issuer cannot be reached any more). */
  close(): Promise<void>;
}

export interface TestIdpOptions {
  clientId: string;
  /** The resource indicator the UI asks for, and the audience of the access tokens (OIDC_AUDIENCE). */
  resource: string;
  /** Lifetime of the access tokens in seconds (default 300). */
  accessTokenTtl?: number;
}

/** The claims of an account: any login name is an account. */
function accountClaims(login: string) {
  return { sub: login, preferred_username: login, name: `User ${login}`, email: `${login}@example.test` };
}

export async function startIdp(options: TestIdpOptions): Promise<TestIdp> {
  let handler: RequestListener | undefined;
  const server: Server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503).end("the identity provider has no client yet");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const registerUi = (uiUrl: string) => {
    const uiOrigin = new URL(uiUrl).origin;
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: options.clientId,
          application_type: "web",
          // a public client: no secret, PKCE (which oidc-provider requires of every client without a secret)
          token_endpoint_auth_method: "none",
          grant_types: ["authorization_code"],
          response_types: ["code"],
          redirect_uris: [`${uiOrigin}/auth/callback`],
          post_logout_redirect_uris: [`${uiOrigin}/`],
        },
      ],
      jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" }] },
      cookies: { keys: [randomBytes(32).toString("hex")] },
      claims: { openid: ["sub"], profile: ["name", "preferred_username"], email: ["email"] },
      findAccount: (_ctx, id) => ({ accountId: id, claims: () => accountClaims(id) }),
      // the UI calls the token endpoint from the browser
      clientBasedCORS: (_ctx, origin) => origin === uiOrigin,
      // the API names the user by preferred_username, as access tokens of Keycloak and others carry it
      extraTokenClaims: (_ctx, token) => (token.kind === "AccessToken" && token.accountId ? { preferred_username: token.accountId } : undefined),
      features: {
        devInteractions: { enabled: true },
        resourceIndicators: {
          enabled: true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => {
            if (resource !== options.resource) throw new errors.InvalidTarget(`unknown resource ${resource}`);
            return { audience: options.resource, scope: "", accessTokenFormat: "jwt", accessTokenTTL: options.accessTokenTtl ?? 300 };
          },
        },
      },
      ttl: { Session: 3600, Interaction: 600, Grant: 3600, IdToken: 300, AuthorizationCode: 60 },
    });
    handler = provider.callback();
  };

  return {
    issuer,
    registerUi,
    close: () =>
      new Promise<void>((resolve) => {
        handler = undefined;
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
