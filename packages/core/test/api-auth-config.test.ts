/**
 * `GET /api/auth/config`, what the web UI reads before it signs in: public, nothing secret, `enabled: false` with
 * authentication off; and the settings behind it (OIDC_CLIENT_ID, OIDC_SCOPE, OIDC_EXTRA_PARAMS) checked at start.
 * The sign-in itself is tested in a browser against a real identity provider (packages/ui/test/browser-oidc.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadSettings } from "../src/settings.js";
import { startTestServer, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";

describe("the UI's sign-in settings", () => {
  it("default to no client, the OpenID scopes and no extra parameters", () => {
    const settings = loadSettings({});
    assert.equal(settings.OIDC_CLIENT_ID, undefined);
    assert.equal(settings.OIDC_SCOPE, "openid profile email");
    assert.deepEqual(settings.OIDC_EXTRA_PARAMS, {});
    assert.deepEqual(loadSettings({ OIDC_EXTRA_PARAMS: '{"audience":"orchestrator"}' }).OIDC_EXTRA_PARAMS, { audience: "orchestrator" });
  });

  it("refuse scopes without openid and extra parameters that are not a JSON object of strings", () => {
    assert.throws(() => loadSettings({ OIDC_SCOPE: "profile email" }), /OIDC_SCOPE="profile email": expected space-separated scopes including "openid"/);
    for (const value of ["resource=x", "[]", '{"resource":1}', "null"]) {
      assert.throws(() => loadSettings({ OIDC_EXTRA_PARAMS: value }), /OIDC_EXTRA_PARAMS=.*expected a JSON object of strings/);
    }
  });
});

describe(`GET /api/auth/config (${backend})`, () => {
  let off: TestServer;
  let on: TestServer;

  before(async () => {
    off = await startTestServer();
    // no OIDC_CLIENT_ID: the API takes tokens from elsewhere, the UI is told it cannot sign in
    on = await startTestServer({
      env: { OAUTH2_ACTIVE: "true", OIDC_ISSUER: "https://login.example.test", OIDC_JWKS_URI: "http://127.0.0.1:9/jwks", OIDC_SCOPE: "openid orchestrator" },
    });
  });
  after(async () => {
    await off?.close();
    await on?.close();
  });

  it("says authentication is off, and nothing else", async () => {
    const response = await off.request("GET", "/api/auth/config");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.deepEqual(response.body, { enabled: false, issuer: null, client_id: null, scope: "openid profile email", extra_params: {} });
  });

  it("is public with authentication on, and names what the UI lacks", async () => {
    assert.equal((await on.request("GET", "/api/processes")).status, 401);
    const response = await on.request("GET", "/api/auth/config");
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { enabled: true, issuer: "https://login.example.test", client_id: null, scope: "openid orchestrator", extra_params: {} });
  });

  it("is in the OpenAPI document", async () => {
    const document = (await off.request("GET", "/api/openapi.json")).body;
    assert.ok(document.paths["/api/auth/config"]?.get, "GET /api/auth/config is documented");
  });
});
