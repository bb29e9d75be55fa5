/**
 * A stand-in OpenID Connect provider for tests of the API's authentication: a JWKS served over HTTP and bearer
 * tokens signed with its key. `env` holds the settings that point a server at it (OAUTH2_ACTIVE and the OIDC_*).
 */
import { createServer } from "node:http";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export const ISSUER = "https://login.example.test";
export const AUDIENCE = "orchestrator";

export interface TokenIssuer {
  env: Record<string, string>;
  /** A token for `username`, valid for five minutes. */
  token(username?: string): Promise<string>;
  close(): void;
}

export async function startTokenIssuer(): Promise<TokenIssuer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const jwks = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  const port = (jwks.address() as { port: number }).port;
  return {
    env: { OAUTH2_ACTIVE: "true", OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URI: `http://127.0.0.1:${port}/jwks` },
    token: (username = "alice") =>
      new SignJWT({ preferred_username: username })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(privateKey),
    close: () => jwks.close(),
  };
}
