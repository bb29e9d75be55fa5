import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUTH_MESSAGES, createEngine, effectiveAuthorizer, isAuthorized, SettingsError } from "../src/index.js";
import { freshDatabase } from "./support/db.js";
import { guarded } from "./support/test-workflows.js";

describe("authorisation callbacks", () => {
  guarded.name = "guarded";

  it("start uses the workflow's authorizeCallback", async () => {
    assert.equal(await isAuthorized(guarded, "start_workflow", "admin"), true);
    assert.equal(await isAuthorized(guarded, "start_workflow", "someone"), false);
    assert.equal(AUTH_MESSAGES.start_workflow("guarded"), "User is not authorized to start 'guarded' workflow");
  });

  it("resume uses the last resume callback among the steps so far, else the workflow's", async () => {
    // suspended at "Ask NOC" (index 2: Start, Plain, Ask NOC)
    assert.equal(await isAuthorized(guarded, "resume_workflow", "noc", 2), true);
    assert.equal(await isAuthorized(guarded, "resume_workflow", "admin", 2), false);
    // before any step with a resume callback: the workflow's authorizeCallback
    assert.equal(effectiveAuthorizer(guarded, "resume_workflow", 1), guarded.authorizeCallback);
  });

  it("retry uses the last retry (or resume) callback, else the workflow's retryAuthCallback", async () => {
    assert.equal(await isAuthorized(guarded, "retry_workflow", "retrier", 1), true, "no step callback yet");
    assert.equal(await isAuthorized(guarded, "retry_workflow", "noc", 2), true, "Ask NOC's resume callback counts for retry");
    assert.equal(await isAuthorized(guarded, "retry_workflow", "ops", 3), true);
    assert.equal(await isAuthorized(guarded, "retry_workflow", "noc", 3), false);
    assert.equal(AUTH_MESSAGES.retry_workflow(), "User is not authorized to retry step");
    assert.equal(AUTH_MESSAGES.resume_workflow(), "User is not authorized to resume step");
  });
});

describe("createEngine", () => {
  it("refuses an executor it does not have", async () => {
    const database = await freshDatabase();
    try {
      assert.throws(() => createEngine(database, { MAX_WORKERS: 3, EXECUTOR: "worker" }), (e: Error) => e instanceof SettingsError && /EXECUTOR="worker"/.test(e.message));
      const engine = createEngine(database, { MAX_WORKERS: 3, EXECUTOR: "threadpool" });
      assert.equal(engine.executorStatus().workers, 3);
    } finally {
      await database.close();
    }
  });
});
