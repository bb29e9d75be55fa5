/**
 * The first `npm start`, as a subprocess on a fresh copy of the beginner app: it says that it creates the embedded
 * database (where) and migrates it, naming each revision, then prints one ready line with the URL. Logs are JSON
 * lines when standard output is a pipe and readable lines in a terminal; successful requests are logged at debug,
 * refused ones at info. Every command checks every setting first.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runMain, runMainHere } from "./support/cli.js";
import { backend, createPostgresDatabase } from "./support/db.js";
import { REPO_ROOT, tempDir } from "./support/files.js";
import { spawnInTerminal } from "./support/terminal.js";

const READY = /^orchestrator-ts ready, serving on (http:\/\/127\.0\.0\.1:\d+) \(UI \/, API docs \/api\/docs\), database: (.+)$/m;

/** A running `main.ts serve`: its output so far, waiting for a line, stopping it. */
interface Running {
  url: string;
  output(): string;
  waitFor(pattern: RegExp): Promise<void>;
  /** Stop it as a user does (Ctrl-C in a terminal, SIGTERM otherwise); resolves with the exit status. */
  stop(): Promise<number | null>;
}

/** Start `main.ts` (no command, as `npm start`) in `cwd`, piped, or in a pseudo-terminal (util-linux `script`). */
async function start(cwd: string, env: Record<string, string>, terminal = false): Promise<Running> {
  const fullEnv = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", PORT: "0", ...env };
  const child: ChildProcessWithoutNullStreams = terminal
    ? spawnInTerminal({ cwd, args: [], env: fullEnv })
    : spawn(process.execPath, ["--import", "tsx", "main.ts"], { cwd, env: fullEnv });
  let output = "";
  const waiters: (() => void)[] = [];
  const read = (d: Buffer) => {
    output += d.toString().replace(/\r\n/g, "\n");
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on("data", read);
  child.stderr.on("data", read);
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within 60 s:\n${output}`)), 60_000);
      const check = () => {
        if (pattern.test(output)) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
      void exited.then(() => {
        if (!pattern.test(output)) {
          clearTimeout(timer);
          reject(new Error(`exited before ${pattern}:\n${output}`));
        }
      });
    });
  await waitFor(READY);
  return {
    url: READY.exec(output)![1]!,
    output: () => output,
    waitFor,
    stop: () => {
      if (terminal) child.stdin.write("\x03");
      else child.kill("SIGTERM");
      return exited;
    },
  };
}

describe(`start-up tells what it does (${backend})`, () => {
  const app = tempDir("startup");
  let env: Record<string, string> = {};
  let drop: (() => Promise<void>) | undefined;
  const revisions = () => readdirSync(join(app.path, "migrations/versions/schema")).length;

  before(async () => {
    // a fresh beginner app: its code and migrations, no database yet
    for (const part of ["main.ts", "products", "workflows", "migrations"]) {
      cpSync(join(REPO_ROOT, "examples/beginner", part), join(app.path, part), { recursive: true });
    }
    if (backend === "postgres") ({ uri: env.DATABASE_URI, drop } = await createPostgresDatabase().then((pg) => ({ uri: pg.uri, drop: pg.drop })));
  });
  after(async () => {
    await drop?.();
    app.cleanup();
  });

  it("the first start creates the database, names each revision it applies, then one ready line; JSON logs", async () => {
    const server = await start(app.path, env);
    const lines = server.output().trimEnd().split("\n");
    const expectedFirst =
      backend === "pglite" ? `Creating the embedded database in ${join(app.path, ".orchestrator", "db")}` : /^Connected to the database postgresql:\/\//;
    if (typeof expectedFirst === "string") assert.equal(lines[0], expectedFirst, server.output());
    else assert.match(lines[0]!, expectedFirst);
    assert.equal(lines[1], "Migrating the database to heads:");
    const applied = lines.filter((l) => /^ {2}Running upgrade /.test(l));
    assert.ok(applied.length >= 4 + revisions(), server.output());
    assert.ok(applied.includes("  Running upgrade  -> 3f1c0a7e2b91, Initial schema"), server.output());
    assert.ok(applied.some((l) => / -> 25bb4ad3db96, add User and UserGroup workflows$/.test(l)), server.output());
    assert.match(lines[2 + applied.length]!, READY, "the ready line follows the revisions");
    assert.equal(lines.filter((l) => l.includes(server.url)).length, 1, `one line with the URL:\n${server.output()}`);
    assert.doesNotMatch(server.output(), /Server listening|FastifyDeprecation/);

    assert.equal((await fetch(`${server.url}/api/health`)).status, 200);
    // a form asking for its page (510) is as routine as a 200
    const formPage = await fetch(`${server.url}/api/processes/create_user_group`, { method: "POST", headers: { "content-type": "application/json" }, body: "[]" });
    assert.equal(formPage.status, 510);
    assert.equal((await fetch(`${server.url}/api/nope`)).status, 404);
    await server.waitFor(/"msg":"GET \/api\/nope 404 /);
    const logs = server.output().split("\n").filter((l) => l.startsWith("{"));
    const notFound = JSON.parse(logs.find((l) => l.includes("/api/nope"))!) as { level: number; res: { statusCode: number } };
    assert.equal(notFound.level, 30, "a refused request is logged at info");
    assert.equal(notFound.res.statusCode, 404);
    assert.ok(!logs.some((l) => l.includes("/api/health")), "a successful request is not logged at info");
    assert.ok(!logs.some((l) => l.includes("create_user_group 510")), "nor is a form page");
    assert.equal(await server.stop(), 0, server.output());
  });

  it("the next start opens the database and says it is up to date; LOG_LEVEL=debug shows successful requests", async () => {
    const server = await start(app.path, { ...env, LOG_LEVEL: "debug" });
    const lines = server.output().trimEnd().split("\n");
    if (backend === "pglite") assert.equal(lines[0], `Opening the embedded database in ${join(app.path, ".orchestrator", "db")}`);
    assert.equal(lines[1], "The database is up to date (at heads)");
    assert.match(lines[2]!, READY);
    await fetch(`${server.url}/api/health`);
    await server.waitFor(/"msg":"GET \/api\/health 200 /);
    const health = JSON.parse(server.output().split("\n").find((l) => l.includes('"msg":"GET /api/health 200'))!) as { level: number };
    assert.equal(health.level, 20, "a successful request is logged at debug");
    assert.equal(await server.stop(), 0, server.output());
  });

  it("in a terminal the logs are readable lines, and Ctrl-C stops it", async () => {
    const server = await start(app.path, env, true);
    await fetch(`${server.url}/api/nope?x=1`);
    await server.waitFor(/GET \/api\/nope\?x=1 404/);
    assert.match(server.output(), /^\d\d:\d\d:\d\d INFO {2}GET \/api\/nope\?x=1 404 \d+\.\d ms$/m);
    assert.doesNotMatch(server.output(), /\{"level"/);
    // what a client sends reaches the log made visible: no escape sequence, DEL, C1 or bidi override acts on the terminal
    const reported = await fetch(`${server.url}/api/user/error`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "x\u001b[2J\u009b2J\u007f\u202e" }),
    });
    assert.equal(reported.status, 200);
    await server.waitFor(/Client reported an error/);
    assert.match(server.output(), /data=\{"message":"x\\u001b\[2J\\x9b2J\\x7f\\u202e"\}/);
    assert.doesNotMatch(server.output(), /[\u001b\u007f\u009b\u202e]/);
    assert.equal(await server.stop(), 0, server.output());
    assert.match(server.output(), /SIGINT: finishing running steps, then stopping/);
  });

  it("every command checks every setting first, naming the variable and what is allowed", async () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ MAX_WORKERS: "0" }, ["db", "heads"], /MAX_WORKERS="0": expected an integer >=1 and <=1000/],
      [{ DB_POOL_SIZE: "100000" }, ["db", "init"], /DB_POOL_SIZE="100000": expected an integer >=1 and <=1000/],
      [{ PORT: "-1" }, ["db", "history", "--no-current"], /PORT="-1": expected an integer >=0 and <=65535 \(0: any free port\)/],
      [{ CORS_ORIGINS: "https://ui.example.com/app" }, ["serve"], /CORS_ORIGINS="https:\/\/ui\.example\.com\/app": expected \* or comma-separated origins/],
      [{ TASK_LOG_RETENTION_DAYS: "-3" }, [], /TASK_LOG_RETENTION_DAYS="-3": expected an integer >=0/],
    ];
    for (const [settings, args, message] of cases) {
      // serving is tried in a subprocess (if it started anyway, it must not serve from this process); db commands here
      const run = args[0] === "db" ? runMainHere : runMain;
      const r = await run(app.path, args, { ...env, ...settings, PORT: settings.PORT ?? "0" });
      assert.equal(r.code, 1, `${JSON.stringify(settings)} ${args.join(" ")}:\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^Error: Invalid environment variable:\n/);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stdout, /ready|Creating|Opening|Connected/, "nothing started");
    }
  });
});
