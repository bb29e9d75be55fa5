/**
 * Authentication and authorisation over HTTP: with OAUTH2_ACTIVE the API needs a bearer JWT signed by the issuer's
 * keys (served here by a real JWKS endpoint); the workflows' callbacks decide who may start, resume and retry (403
 * with orchestrator-core's messages); the websocket takes the token as its subprotocol.
 */
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";

const ISSUER = "https://login.example.test";
const AUDIENCE = "orchestrator";

describe(`authentication (${backend})`, () => {
  let t: TestServer;
  let jwks: Server;
  const logLines: string[] = [];
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let sign: (user: string, options?: { issuer?: string; expired?: boolean; expiresInSeconds?: number }) => Promise<string>;

  before(async () => {
    keys = await generateKeyPair("RS256");
    const { publicKey, privateKey } = keys;
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    jwks = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
    const port = (jwks.address() as { port: number }).port;
    sign = (user, options = {}) =>
      new SignJWT({ preferred_username: user })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(options.issuer ?? ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(`sub-${user}`)
        .setIssuedAt()
        .setExpirationTime(
          options.expired ? Math.floor(Date.now() / 1000) - 60 : options.expiresInSeconds ? Math.floor(Date.now() / 1000) + options.expiresInSeconds : "5m",
        )
        .sign(privateKey);
    t = await startTestServer({
      env: { OAUTH2_ACTIVE: "true", OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URI: `http://127.0.0.1:${port}/jwks` },
      testWorkflows: [{ name: "api_guarded" }],
      logger: { level: "info", stream: { write: (line: string) => void logLines.push(line) } },
    });
  });
  after(async () => {
    await t?.close();
    jwks?.close();
  });

  const as = async (user: string) => ({ authorization: `Bearer ${await sign(user)}` });

  it("refuses requests without a valid token, and lets public routes through", async () => {
    const none = await t.request("GET", "/api/processes");
    assert.equal(none.status, 401);
    assert.match(none.body.detail, /Not authenticated/);
    assert.equal((await t.request("GET", "/api/processes", undefined, { authorization: "Basic abc" })).status, 401);
    assert.equal((await t.request("GET", "/api/processes", undefined, { authorization: "Bearer not.a.jwt" })).status, 401);
    const wrongIssuer = await t.request("GET", "/api/processes", undefined, { authorization: `Bearer ${await sign("x", { issuer: "https://evil.test" })}` });
    assert.equal(wrongIssuer.status, 401);
    const expired = await t.request("GET", "/api/processes", undefined, { authorization: `Bearer ${await sign("x", { expired: true })}` });
    assert.equal(expired.status, 401);
    assert.match(expired.body.detail, /exp/);
    assert.equal((await t.request("GET", "/api/processes", undefined, await as("anyone"))).status, 200);
    assert.equal((await t.request("GET", "/api/health")).status, 200);
  });

  it("decides on the matched route: no spelling of a target reaches a protected route without a token", async () => {
    const url = new URL(t.url);
    // raw requests: fetch would normalise the target before sending it
    const raw = (target: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, method: "GET", path: target, headers }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode!));
        });
        req.on("error", reject);
        req.end();
      });
    const spellings = [
      "/api/processes",
      "/%61pi/processes",
      "/%61%70%69/subscriptions",
      "/api/%70rocesses",
      `http://${url.host}/api/subscriptions`,
      `http://evil.test/api/processes`,
      "//api/processes",
      "/api//processes",
      "/api/processes/",
      "/api/processes.",
      "/API/processes",
      "/Api/Processes",
      "/api/processes;x=1",
      "/api/processes?x=/api/health",
      "/api/health/../processes",
      "/api/products/%2e%2e/processes",
      "/api/settings/status",
      "/api/subscriptions/all",
    ];
    for (const target of spellings) {
      const status = await raw(target);
      assert.ok(status === 401 || status === 404 || status === 400, `${target} answered ${status} without a token`);
    }
    // the same spellings that reach a route do so with a token
    const authorized = await as("anyone");
    assert.equal(await raw("/%61pi/processes", authorized), 200);
    // public routes are marked on the route, whatever the spelling
    assert.equal(await raw("/%61pi/health"), 200);
    assert.equal(await raw("/api/openapi.json"), 200);
    assert.equal(await raw("/api/metrics"), 200);
    // and the OpenAPI document says so: a bearer token everywhere but on the public routes
    const { body: openapi } = await t.request("GET", "/api/openapi.json");
    assert.deepEqual(openapi.security, [{ bearer: [] }]);
    assert.deepEqual(openapi.paths["/api/health/"]?.get?.security ?? openapi.paths["/api/health"]?.get?.security, []);
    assert.equal(openapi.paths["/api/processes/"]?.get?.security ?? openapi.paths["/api/processes"]?.get?.security, undefined);
  });

  it("refuses a token without an expiry", async () => {
    const noExp = await new SignJWT({ preferred_username: "forever" })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject("sub-forever")
      .setIssuedAt()
      .sign(keys.privateKey);
    const response = await t.request("GET", "/api/processes", undefined, { authorization: `Bearer ${noExp}` });
    assert.equal(response.status, 401);
    assert.match(response.body.detail, /exp/);
  });

  it("keeps tokens out of the request log (websocket query token, callback path token)", async () => {
    const secret = await sign("viewer");
    await new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(`${t.url.replace("http", "ws")}/api/ws/events?token=${secret}`);
      socket.on("error", reject);
      socket.on("open", () => socket.close());
      socket.on("close", () => resolve());
    });
    await t.request("GET", `/api/ws/events?%74oken=${secret}&x=1`);
    await t.request("POST", "/api/processes/00000000-0000-0000-0000-000000000000/callback/CALLBACKSECRET", {});
    const log = logLines.join("");
    assert.match(log, /ws\/events\?token=\*\*\*/);
    assert.match(log, /callback\/\*\*\*/);
    assert.ok(!log.includes(secret), "the websocket token reached the log");
    assert.ok(!log.includes(secret.slice(-20)), "part of the websocket token reached the log");
    assert.ok(!log.includes("CALLBACKSECRET"), "the callback token reached the log");
    // in any spelling the router accepts
    await t.request("POST", "/api/processes/00000000-0000-0000-0000-000000000000/c%61llback/ENCODEDSECRET/progress", {});
    assert.ok(!logLines.join("").includes("ENCODEDSECRET"), "a percent-encoded callback path's token reached the log");
  });

  it("ends the websocket when its token expires", { timeout: 30_000 }, async () => {
    const shortLived = await sign("viewer", { expiresInSeconds: 2 });
    const closed = await new Promise<{ code: number; afterMs: number; pong: boolean }>((resolve, reject) => {
      const started = Date.now();
      let pong = false;
      const socket = new WebSocket(`${t.url.replace("http", "ws")}/api/ws/events`, ["base64.bearer.token", shortLived]);
      socket.on("error", reject);
      socket.on("open", () => socket.send("__ping__"));
      socket.on("message", (data) => (pong ||= data.toString() === "__pong__"));
      socket.on("close", (code) => resolve({ code, afterMs: Date.now() - started, pong }));
    });
    assert.equal(closed.pong, true, "it worked while the token was valid");
    assert.equal(closed.code, 1008);
    assert.ok(closed.afterMs < 10_000, `closed after ${closed.afterMs} ms`);
  });

  it("scheduling a workflow is starting it: refused to whom its callback refuses the start", async () => {
    const schedule = { name: "guarded nightly", workflow_name: "api_guarded", trigger: "cron", cron: "0 3 * * *" };
    const refused = await t.request("POST", "/api/schedules", schedule, await as("guest"));
    assert.equal(refused.status, 403);
    assert.equal(refused.body.detail, "User is not authorized to start 'api_guarded' workflow");
    const created = await t.request("POST", "/api/schedules", schedule, await as("admin"));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.schedule_id;
    assert.equal((await t.request("POST", `/api/schedules/${id}/run`, undefined, await as("guest"))).status, 403);
    assert.equal((await t.request("PATCH", `/api/schedules/${id}`, { cron: "0 4 * * *" }, await as("guest"))).status, 403);
    assert.equal((await t.request("DELETE", `/api/schedules/${id}`, undefined, await as("admin"))).status, 204);
  });

  it("asks the workflow's callbacks who may start, resume and retry", async () => {
    const refused = await t.request("POST", "/api/processes/api_guarded", [{}], await as("guest"));
    assert.equal(refused.status, 403);
    assert.equal(refused.body.detail, "User is not authorized to start 'api_guarded' workflow");
    const started = await t.request("POST", "/api/processes/api_guarded", [{}], await as("admin"));
    assert.equal(started.status, 201);
    const id = started.body.id;
    const settle = async () => {
      for (;;) {
        const { body } = await t.request("GET", `/api/processes/${id}`, undefined, await as("admin"));
        if (!["created", "running", "resumed"].includes(body.last_status)) return body;
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const failed = await settle();
    assert.equal(failed.last_status, "failed");
    assert.equal(failed.created_by, "admin");

    const noRetry = await t.request("PUT", `/api/processes/${id}/resume`, [{}], await as("admin"));
    assert.equal(noRetry.status, 403);
    assert.equal(noRetry.body.detail, "User is not authorized to retry step");
    assert.equal((await t.request("PUT", `/api/processes/${id}/resume`, [{}], await as("retrier"))).status, 204);
    assert.equal((await settle()).last_status, "suspended");

    const noResume = await t.request("PUT", `/api/processes/${id}/resume`, [{ ok: true }], await as("admin"));
    assert.equal(noResume.status, 403);
    assert.equal(noResume.body.detail, "User is not authorized to resume step");
    assert.equal((await t.request("PUT", `/api/processes/${id}/resume`, [{ ok: true }], await as("noc"))).status, 204);
    assert.equal((await settle()).last_status, "completed");
  });

  it("takes the websocket's token as the subprotocol pair and closes on a bad one", { timeout: 30_000 }, async () => {
    const open = (protocols?: string[]) =>
      new Promise<{ protocol: string; code?: number; pong?: boolean }>((resolve, reject) => {
        const socket = new WebSocket(`${t.url.replace("http", "ws")}/api/ws/events`, protocols);
        socket.on("error", reject);
        socket.on("close", (code) => resolve({ protocol: socket.protocol, code }));
        socket.on("open", () => socket.send("__ping__"));
        socket.on("message", (data) => {
          if (data.toString() === "__pong__") {
            resolve({ protocol: socket.protocol, pong: true });
            socket.close();
          }
        });
      });
    const ok = await open(["base64.bearer.token", await sign("viewer")]);
    assert.deepEqual(ok, { protocol: "base64.bearer.token", pong: true });
    assert.equal((await open(["base64.bearer.token", "garbage"])).code, 1008);
    assert.equal((await open()).code, 1002);
  });
});

describe(`authentication against an identity provider that fails (${backend})`, () => {
  let t: TestServer;
  let idp: Server;
  let discoveries = 0;

  before(async () => {
    idp = createServer((_req, res) => {
      discoveries++;
      res.writeHead(500).end("down");
    });
    await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
    const port = (idp.address() as { port: number }).port;
    t = await startTestServer({ env: { OAUTH2_ACTIVE: "true", OIDC_ISSUER: `http://127.0.0.1:${port}` } });
  });
  after(async () => {
    await t?.close();
    idp?.close();
  });

  it("refuses what is no JWT without asking the provider, and asks a failing provider once per cool-down", async () => {
    const garbage = await t.request("GET", "/api/processes", undefined, { authorization: "Bearer a.b.c" });
    assert.equal(garbage.status, 401);
    assert.equal(discoveries, 0, "a malformed token made the server fetch the discovery document");
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT({}).setProtectedHeader({ alg: "RS256", kid: "k" }).setExpirationTime("5m").sign(privateKey);
    for (let i = 0; i < 10; i++) {
      const r = await t.request("GET", "/api/processes", undefined, { authorization: `Bearer ${token}` });
      assert.equal(r.status, 503);
      assert.match(r.body.detail, /Cannot read the identity provider's keys/);
    }
    assert.equal(discoveries, 1, "every request fetched the discovery document again");
  });
});
