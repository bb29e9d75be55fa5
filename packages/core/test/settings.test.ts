import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SettingsError } from "../src/errors.js";
import { loadSettings } from "../src/settings.js";

describe("settings", () => {
  it("has the original's defaults when nothing is set", () => {
    const s = loadSettings({});
    assert.equal(s.DATABASE_URI, undefined);
    assert.equal(s.EXECUTOR, "threadpool");
    assert.equal(s.MAX_WORKERS, 5);
    assert.equal(s.WORKER_NICE, 10);
    assert.deepEqual(s.DEFAULT_PRODUCT_WORKFLOWS, ["modify_note"]);
    assert.equal(s.PORT, 8080);
    assert.equal(s.HOST, "127.0.0.1");
    assert.equal(s.OAUTH2_ACTIVE, false);
    assert.equal(s.LIFECYCLE_VALIDATION_MODE, "loose");
  });

  it("parses values of every kind; empty strings count as unset", () => {
    const s = loadSettings({
      DATABASE_URI: "postgresql://nwa:nwa@localhost/orchestrator-core",
      MAX_WORKERS: "12",
      TESTING: "yes",
      DEFAULT_PRODUCT_WORKFLOWS: '["modify_note","other"]',
      PORT: "",
      LOG_LEVEL: "DEBUG",
    });
    assert.equal(s.DATABASE_URI, "postgresql://nwa:nwa@localhost/orchestrator-core");
    assert.equal(s.MAX_WORKERS, 12);
    assert.equal(s.TESTING, true);
    assert.deepEqual(s.DEFAULT_PRODUCT_WORKFLOWS, ["modify_note", "other"]);
    assert.equal(s.PORT, 8080);
    assert.equal(s.LOG_LEVEL, "debug");
  });

  it("accepts the embedded forms of DATABASE_URI", () => {
    assert.equal(loadSettings({ DATABASE_URI: "pglite://memory" }).DATABASE_URI, "pglite://memory");
    assert.equal(loadSettings({ DATABASE_URI: "pglite://./data" }).DATABASE_URI, "pglite://./data");
  });

  it("names every bad variable and what was expected", () => {
    assert.throws(
      () => loadSettings({ MAX_WORKERS: "many", TESTING: "perhaps", DATABASE_URI: "mysql://x", EXECUTOR: "celery", DEFAULT_PRODUCT_WORKFLOWS: "[1" }),
      (error: Error) => {
        assert.ok(error instanceof SettingsError);
        assert.match(error.message, /MAX_WORKERS="many": expected an integer/);
        assert.match(error.message, /TESTING="perhaps": expected a boolean/);
        assert.match(error.message, /DATABASE_URI="mysql:\/\/x": expected postgresql:\/\//);
        assert.match(error.message, /EXECUTOR="celery": /);
        assert.match(error.message, /DEFAULT_PRODUCT_WORKFLOWS="\[1": expected a JSON list of strings/);
        return true;
      },
    );
    assert.throws(() => loadSettings({ MAX_WORKERS: "0" }), /MAX_WORKERS="0": .*>=1/);
    assert.throws(() => loadSettings({ PORT: "70000" }), /PORT="70000"/);
    assert.throws(() => loadSettings({ WORKER_NICE: "20" }), /WORKER_NICE="20": .*<=19/);
    assert.throws(() => loadSettings({ WORKER_NICE: "-5" }), /WORKER_NICE="-5": .*>=0/);
  });
});
