/**
 * The web UI's sign-in helpers that need no browser: the page to return to after signing in (never elsewhere), the
 * user's name, what the server lacks for a sign-in. The sign-in itself: browser-oidc.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canSignIn, missingSignInSettings, type AuthConfig } from "../src/auth/config.ts";
import { currentPage, safeReturnTo } from "../src/auth/paths.ts";
import { displayName } from "../src/auth/session.ts";

describe("the page to return to after signing in", () => {
  it("is the page the user was on, with its query and hash", () => {
    const page = currentPage({ pathname: "/workflows", search: "?tab=completed", hash: "#top" });
    assert.equal(page, "/workflows?tab=completed#top");
    assert.equal(safeReturnTo(page), page);
    assert.equal(safeReturnTo("/"), "/");
  });

  it("is never another site, nor the sign-in pages themselves", () => {
    for (const value of ["https://evil.test/", "//evil.test/x", "/\\evil.test", "javascript:alert(1)", "", "workflows", undefined, null, 42, {}]) {
      assert.equal(safeReturnTo(value), "/", String(value));
    }
    for (const value of ["/auth/callback", "/auth/callback?code=x&state=y", "/auth/signed-out", "/auth/signed-out#x"]) {
      assert.equal(safeReturnTo(value), "/", value);
    }
    assert.equal(safeReturnTo("/auth/callbacks-page"), "/auth/callbacks-page");
  });
});

describe("the signed-in user's name", () => {
  it("is the first of preferred_username, name, email, sub", () => {
    assert.equal(displayName({ sub: "s1", email: "a@x.test", name: "Ann", preferred_username: "ann" }), "ann");
    assert.equal(displayName({ sub: "s1", email: "a@x.test", name: "Ann" }), "Ann");
    assert.equal(displayName({ sub: "s1", email: "a@x.test", preferred_username: "" }), "a@x.test");
    assert.equal(displayName({ sub: "s1" }), "s1");
    assert.equal(displayName({}), "unknown user");
  });
});

describe("what the UI needs to sign in", () => {
  const config: AuthConfig = { enabled: true, issuer: "https://login.test", client_id: "ui", scope: "openid", extra_params: {} };

  it("is an issuer and a client id", () => {
    assert.ok(canSignIn(config));
    assert.deepEqual(missingSignInSettings({ ...config, client_id: null }), ["OIDC_CLIENT_ID"]);
    assert.deepEqual(missingSignInSettings({ ...config, issuer: null, client_id: null }), ["OIDC_ISSUER", "OIDC_CLIENT_ID"]);
    assert.equal(canSignIn({ ...config, issuer: null }), false);
  });
});
