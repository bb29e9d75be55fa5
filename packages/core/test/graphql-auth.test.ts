/**
 * /api/graphql behind the REST API's authentication: with OAUTH2_ACTIVE a request without a valid bearer token is
 * refused (HTTP 401, a GraphQL error of type not_authenticated, on which the WFO UI signs out); with one it is
 * answered. GraphiQL's page stays public (it carries no data) where it is served.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";
import { startTokenIssuer, type TokenIssuer } from "./support/oidc.js";
import { graphql } from "./support/graphql.js";

describe(`GraphQL authentication (${backend})`, () => {
  let t: TestServer;
  let issuer: TokenIssuer;
  let token: string;

  before(async () => {
    issuer = await startTokenIssuer();
    token = await issuer.token();
    t = await startTestServer({ env: { ...issuer.env, SERVE_GRAPHQL_UI: "true", RUN_SCHEDULER: "false" } });
  });
  after(async () => {
    await t?.close();
    issuer?.close();
  });

  const query = "{ version { applicationVersions } processes { pageInfo { totalItems } } }";

  it("refuses a request without a token, or with a bad one, as not_authenticated", async () => {
    for (const headers of [{}, { authorization: "Bearer not.a.jwt" }, { authorization: "Basic abc" }] as Record<string, string>[]) {
      const r = await graphql(t, query, undefined, headers);
      assert.equal(r.status, 401, JSON.stringify(r.body));
      assert.equal(r.body.data, null);
      assert.equal(r.body.errors[0].extensions.error_type, "not_authenticated");
    }
    const get = await t.request("GET", `/api/graphql?query=${encodeURIComponent(query)}`);
    assert.equal(get.status, 401);
    assert.equal(get.body.errors[0].extensions.error_type, "not_authenticated");
  });

  it("answers a request with a valid token", async () => {
    const r = await graphql(t, query, undefined, { authorization: `Bearer ${token}` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.errors, undefined);
    assert.equal(r.body.data.processes.pageInfo.totalItems, 0);
  });

  it("serves GraphiQL's page without a token, and sends a browser opening the endpoint there", async () => {
    const page = await fetch(`${t.url}/api/graphiql`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /graphiql/i);
    const browser = await fetch(`${t.url}/api/graphql`, { headers: { accept: "text/html", authorization: `Bearer ${token}` }, redirect: "manual" });
    assert.equal(browser.status, 302);
    assert.equal(browser.headers.get("location"), "/api/graphiql");
  });
});
