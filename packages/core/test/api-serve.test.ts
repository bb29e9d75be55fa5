/**
 * `npx tsx main.ts` as a user runs it: no command serves (migrating to heads first), SIGTERM stops it cleanly, and
 * a taken port is a one-line error.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { BEGINNER_APP } from "./support/api.js";
import { runMain } from "./support/cli.js";
import { appDatabase, backend } from "./support/db.js";
import { tempDir } from "./support/files.js";

describe(`serving from main.ts (${backend})`, () => {
  const data = tempDir("serve");
  let uri: string;
  let drop: (() => Promise<void>) | undefined;

  before(async () => {
    ({ uri, drop } = await appDatabase(data.path));
  });
  after(async () => {
    await drop?.();
    data.cleanup();
  });

  it("serves with no command, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "main.ts"], {
      cwd: BEGINNER_APP,
      env: { ...process.env, DATABASE_URI: uri, PORT: "0", LOG_LEVEL: "warn", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        const match = /serving on (http:\/\/\S+)/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.on("close", (code) => reject(new Error(`exited ${code}: ${stdout}${stderr}`)));
    });
    const health = await fetch(`${url}/api/health`);
    assert.equal(await health.text(), "OK");
    const workflows = (await (await fetch(`${url}/api/workflows?target=CREATE`)).json()) as { name: string }[];
    assert.deepEqual(workflows.map((w) => w.name), ["create_user", "create_user_group"]);
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
    assert.match(stdout, /SIGTERM: finishing running steps, then stopping/);
  });

  it("says so when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runMain(BEGINNER_APP, [], { DATABASE_URI: uri, PORT: String(port), LOG_LEVEL: "warn" });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`Error: Port ${port} on 127.0.0.1 is already in use: stop the other server or set PORT`));
      assert.doesNotMatch(result.stderr, /at .*\.ts/);
    } finally {
      blocker.close();
    }
  });
});
