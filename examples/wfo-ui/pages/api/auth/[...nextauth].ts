/**
 * next-auth's routes, which the library's session hooks call (/api/auth/session). orchestrator-ts runs with
 * authentication off by default, so there is no provider and the session stays empty; to sign in against an OIDC
 * provider add it here and set OAUTH2_ACTIVE=true on both sides (see docs/wfo-ui.md).
 */
import NextAuth from "next-auth";

export default NextAuth({
  providers: [],
  secret: process.env.NEXTAUTH_SECRET || "orchestrator-ts-wfo-ui-without-authentication",
});
