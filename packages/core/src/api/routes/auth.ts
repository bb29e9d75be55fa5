/**
 * `/api/auth/config`: what the web UI needs to sign in (OpenID Connect authorization code flow with PKCE, as a
 * public client): whether authentication is on, the issuer, the UI's client id, the scopes and extra request
 * parameters. Public — the UI reads it before it has a token — and it holds nothing secret.
 */
import { z } from "zod";
import { PUBLIC_ROUTE, type ApiContext, type ZodApp } from "../app.js";

/** The UI's sign-in configuration (every field but `enabled` is null or empty when authentication is off). */
export const authConfigSchema = z.object({
  enabled: z.boolean().describe("OAUTH2_ACTIVE: every other API route needs a bearer token"),
  issuer: z.string().nullable().describe("OIDC_ISSUER: the authority the UI signs in at"),
  client_id: z.string().nullable().describe("OIDC_CLIENT_ID: the UI's public client; null when not configured"),
  scope: z.string().describe("OIDC_SCOPE: space-separated scopes the UI asks for"),
  extra_params: z.record(z.string(), z.string()).describe("OIDC_EXTRA_PARAMS: added to the UI's authorization and token requests"),
});

export type AuthConfig = z.infer<typeof authConfigSchema>;

/** The sign-in configuration the settings give (see authConfigSchema). */
export function authConfig(settings: ApiContext["settings"]): AuthConfig {
  if (!settings.OAUTH2_ACTIVE) return { enabled: false, issuer: null, client_id: null, scope: settings.OIDC_SCOPE, extra_params: {} };
  return {
    enabled: true,
    issuer: settings.OIDC_ISSUER ?? null,
    client_id: settings.OIDC_CLIENT_ID ?? null,
    scope: settings.OIDC_SCOPE,
    extra_params: settings.OIDC_EXTRA_PARAMS,
  };
}

export async function authRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  const config = authConfig(ctx.settings);
  app.get(
    "/auth/config",
    {
      ...PUBLIC_ROUTE,
      schema: { tags: ["auth"], summary: "How the web UI signs in: authentication on or off, issuer, client id, scopes", response: { 200: authConfigSchema } },
    },
    async (_request, reply) => {
      // settings only change with a restart, but a cached answer would outlive one
      reply.header("Cache-Control", "no-store");
      return config;
    },
  );
}
