/**
 * The scheduler: schedules stored in the database, validated (400 naming the field), started when due by whichever
 * scheduler claims them (once, however many run), missed runs run once, run now; `scheduler` commands as a user runs
 * them; and `serve` runs a scheduler.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { openDatabase, Scheduler } from "../src/index.js";
import { startTestServer, BEGINNER_APP, type TestServer } from "./support/api.js";
import { appDatabase, backend } from "./support/db.js";
import { tempDir } from "./support/files.js";
import { runMain } from "./support/cli.js";

const TASK = "task_clean_up_tasks";

describe(`scheduler (${backend})`, () => {
  let t: TestServer;
  before(async () => {
    // the schedulers of these tests are the tests' own (serve's is tested on its own below)
    t = await startTestServer({ env: { RUN_SCHEDULER: "false" } });
  });
  after(async () => t?.close());

  const create = (body: unknown) => t.request("POST", "/api/schedules", body);
  const processesOf = async (workflow: string) =>
    Number(
      (
        await sql<{ n: string }>`select count(*) as n from processes p join workflows w on w.workflow_id = p.workflow_id where w.name = ${workflow}`.execute(
          t.server.database.db,
        )
      ).rows[0]!.n,
    );

  it("bad schedules are refused with 400 naming the field; nothing is stored", async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ name: "x", workflow_name: "no_such_task", trigger: "interval", interval_seconds: 60 }, "workflow_name", /no workflow or task 'no_such_task'/],
      [{ name: "x", workflow_name: TASK, trigger: "cron", cron: "61 * * * *" }, "cron", /not a cron expression/],
      [{ name: "x", workflow_name: TASK, trigger: "cron", cron: "* * *" }, "cron", /expected five fields/],
      // parses, but there is no 31st in February or April
      [{ name: "x", workflow_name: TASK, trigger: "cron", cron: "0 0 31 2,4 *" }, "cron", /not a cron expression that runs/],
      [{ name: "x", workflow_name: TASK, trigger: "cron" }, "cron", /required with trigger "cron"/],
      [{ name: "x", workflow_name: TASK, trigger: "interval" }, "interval_seconds", /required with trigger "interval"/],
    ];
    for (const [body, field, message] of cases) {
      const response = await create(body);
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.field, field);
      assert.match(response.body.detail, message);
    }
    // form pages that would not start the workflow: refused now rather than failing at every run
    const noProduct = await create({ name: "x", workflow_name: "create_user_group", trigger: "interval", interval_seconds: 60, user_inputs: [] });
    assert.equal(noProduct.status, 400, JSON.stringify(noProduct.body));
    assert.equal(noProduct.body.field, "user_inputs");
    assert.match(noProduct.body.detail, /do not start create_user_group: Form not complete: the next page is "Select a product"/);
    const extra = await create({ name: "x", workflow_name: TASK, trigger: "interval", interval_seconds: 60, user_inputs: [{ colour: "red" }] });
    assert.equal(extra.status, 400, JSON.stringify(extra.body));
    assert.equal(extra.body.field, "user_inputs");
    const overflow = await create({ name: "x", workflow_name: TASK, trigger: "interval", interval_seconds: 60, user_inputs: [{}, { x: 1 }] });
    assert.equal(overflow.status, 400, JSON.stringify(overflow.body));
    assert.equal(overflow.body.field, "user_inputs");
    const huge = await create({ name: "x", workflow_name: TASK, trigger: "interval", interval_seconds: 60, user_inputs: [{ k: "x".repeat(100_001) }] });
    assert.ok(huge.status >= 400 && huge.status < 500, String(huge.status));
    assert.match(JSON.stringify(huge.body), /user_inputs/);
    assert.match(JSON.stringify(huge.body), /100000 characters/);
    const outOfRange = await create({ name: "x", workflow_name: TASK, trigger: "interval", interval_seconds: 0 });
    assert.ok(outOfRange.status >= 400 && outOfRange.status < 500);
    assert.match(JSON.stringify(outOfRange.body), /interval_seconds/);
    // a blank name is an empty one (both the schema's 422)
    for (const name of ["", "   "]) {
      const blank = await create({ name, workflow_name: TASK, trigger: "interval", interval_seconds: 5 });
      assert.equal(blank.status, 422, JSON.stringify(blank.body));
      assert.equal(blank.body.field, "name");
      assert.match(blank.body.detail, /^body\.name: must not be empty/);
    }
    // one message per field, naming the field's own limit (not also the largest safe integer)
    const enormous = await create({ name: "x", workflow_name: TASK, trigger: "interval", interval_seconds: 1e20 });
    assert.equal(enormous.status, 422);
    assert.equal(enormous.body.detail, "body.interval_seconds: Too big: expected number to be <=31622400");
    assert.equal(enormous.body.field, "interval_seconds");
    // a name is one line of printable characters: an escape sequence would act on the terminal of show-schedule
    for (const name of ["ctl\u0007\u001b[31m", "nl\nsecond line", "ls\u2028", "\u200b"]) {
      const refused = await create({ name, workflow_name: TASK, trigger: "interval", interval_seconds: 60 });
      assert.equal(refused.status, 422, JSON.stringify(refused.body));
      assert.equal(refused.body.field, "name");
      assert.match(refused.body.detail, /^body\.name: must be one line of printable characters \(got U\+(0007|000A|2028, a line separator,|200B, a zero-width space,) at character [1-4]\)$/);
    }
    const fraction = await create({ name: "x", workflow_name: TASK, trigger: "interval", interval_seconds: 1.5 });
    assert.equal(fraction.status, 422);
    assert.match(fraction.body.detail, /^body\.interval_seconds: Invalid input: expected int/);
    assert.deepEqual((await t.request("GET", "/api/schedules")).body, []);
  });

  it("create, read, change (the next run follows the new trigger) and delete a schedule", async () => {
    const before = Date.now();
    const created = await create({ name: "Clean up", workflow_name: TASK, trigger: "interval", interval_seconds: 3600 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.schedule_id as string;
    const next = Date.parse(created.body.next_run_at);
    assert.ok(next >= before + 3600_000 - 1000 && next <= Date.now() + 3600_000 + 1000, "an hour from now");
    assert.deepEqual(created.body.user_inputs, [{}]);
    assert.equal((await create({ name: "Clean up", workflow_name: TASK, trigger: "interval", interval_seconds: 60 })).status, 400, "a name is taken once");

    const changed = await t.request("PATCH", `/api/schedules/${id}`, { trigger: "cron", cron: "10 0 * * *" });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.interval_seconds, null);
    const nextRun = new Date(changed.body.next_run_at);
    assert.equal(nextRun.getUTCHours(), 0);
    assert.equal(nextRun.getUTCMinutes(), 10);
    const renamed = await t.request("PATCH", `/api/schedules/${id}`, { name: "Nightly clean up" });
    assert.equal(renamed.body.next_run_at, changed.body.next_run_at, "a rename keeps the next run");
    assert.equal((await t.request("PATCH", `/api/schedules/${id}`, { cron: "nonsense" })).body.field, "cron");

    assert.equal((await t.request("GET", `/api/schedules/${id}`)).body.name, "Nightly clean up");
    assert.equal((await t.request("PATCH", `/api/schedules/${id}`, { workflow_name: "create_user_group" })).body.field, "user_inputs");
    // the same name asked for by several changes at once: one gets it, the others a 400 naming the field
    const others = await Promise.all(["a", "b", "c", "d"].map((n) => create({ name: `Race ${n}`, workflow_name: TASK, trigger: "interval", interval_seconds: 60 })));
    const race = await Promise.all(others.map((o) => t.request("PATCH", `/api/schedules/${o.body.schedule_id}`, { name: "Taken" })));
    assert.deepEqual(race.map((r) => r.status).sort(), [200, 400, 400, 400], JSON.stringify(race.map((r) => r.body)));
    for (const r of race.filter((r) => r.status === 400)) assert.equal(r.body.field, "name");
    for (const o of others) await t.request("DELETE", `/api/schedules/${o.body.schedule_id}`);
    assert.equal((await t.request("DELETE", `/api/schedules/${id}`)).status, 204);
    assert.equal((await t.request("GET", `/api/schedules/${id}`)).status, 404);
    assert.equal((await t.request("DELETE", `/api/schedules/${id}`)).status, 404);
  });

  it("a schedule that missed many runs runs once, and its next run is from now", async () => {
    const { body } = await create({ name: "Missed", workflow_name: TASK, trigger: "interval", interval_seconds: 3600 });
    const startedBefore = await processesOf(TASK);
    // three days without a scheduler: 72 runs missed
    await sql`update schedules set next_run_at = now() - interval '3 days' where schedule_id = ${body.schedule_id}`.execute(t.server.database.db);
    const scheduler = new Scheduler({ db: t.server.database.db, startProcess: (name, inputs, user) => t.server.engine.startProcess(name, inputs, user) });
    const started = await scheduler.tick();
    assert.equal(started.length, 1);
    assert.deepEqual(await scheduler.tick(), [], "nothing due any more");
    assert.equal((await processesOf(TASK)) - startedBefore, 1);
    const after = (await t.request("GET", `/api/schedules/${body.schedule_id}`)).body;
    assert.ok(Date.parse(after.next_run_at) > Date.now() + 3500_000);
    assert.equal(after.last_result, "started");
    assert.equal(after.last_process_id, started[0]);
    await t.request("DELETE", `/api/schedules/${body.schedule_id}`);
  });

  it("a cron expression stored by SQL that does not parse stops its schedule, and the scheduler says so once", async () => {
    const { body } = await create({ name: "Broken", workflow_name: TASK, trigger: "cron", cron: "0 3 * * *" });
    await sql`update schedules set cron = '61 * * * *', next_run_at = now() - interval '1 minute' where schedule_id = ${body.schedule_id}`.execute(t.server.database.db);
    const told: string[] = [];
    const scheduler = new Scheduler({
      db: t.server.database.db,
      startProcess: (name, inputs, user) => t.server.engine.startProcess(name, inputs, user),
      onRun: (schedule, outcome) => told.push(`${schedule}: ${outcome}`),
    });
    assert.deepEqual(await scheduler.tick(), []);
    assert.deepEqual(await scheduler.tick(), []);
    assert.equal(told.length, 1, told.join("\n"));
    assert.match(told[0]!, /^Broken: not run: .*61.*; it runs no more until its trigger is fixed$/);
    const after = (await t.request("GET", `/api/schedules/${body.schedule_id}`)).body;
    assert.equal(after.next_run_at, null);
    assert.match(after.last_result, /^not run: /);
    await t.request("DELETE", `/api/schedules/${body.schedule_id}`);
  });

  it("a scheduler whose clock is behind the database's starts a due run once", async () => {
    const { body } = await create({ name: "Skewed", workflow_name: TASK, trigger: "interval", interval_seconds: 2 });
    await sql`update schedules set next_run_at = now() - interval '1 second' where schedule_id = ${body.schedule_id}`.execute(t.server.database.db);
    const scheduler = new Scheduler({ db: t.server.database.db, startProcess: (name, inputs, user) => t.server.engine.startProcess(name, inputs, user) });
    const behind = () => new Date(Date.now() - 5000);
    assert.equal((await scheduler.tick(behind())).length, 1);
    assert.deepEqual(await scheduler.tick(behind()), [], "its next run is after the one it started, not 2 s after its own clock");
    await t.request("DELETE", `/api/schedules/${body.schedule_id}`);
  });

  it("while the engine is paused nothing scheduled starts: run now is refused, a due run is recorded as not started", async () => {
    const { body } = await create({ name: "Paused", workflow_name: TASK, trigger: "cron", cron: "30 2 * * *" });
    await t.request("PUT", "/api/settings/status", { global_lock: true });
    try {
      assert.equal((await t.request("POST", `/api/schedules/${body.schedule_id}/run`)).status, 503);
      const before = await processesOf(TASK);
      await sql`update schedules set next_run_at = now() - interval '1 second' where schedule_id = ${body.schedule_id}`.execute(t.server.database.db);
      const scheduler = new Scheduler({ db: t.server.database.db, startProcess: (name, inputs, user) => t.server.engine.startProcess(name, inputs, user) });
      assert.deepEqual(await scheduler.tick(), []);
      assert.equal(await processesOf(TASK), before);
      const after = (await t.request("GET", `/api/schedules/${body.schedule_id}`)).body;
      assert.equal(after.last_result, "not started: the engine is paused");
      assert.ok(Date.parse(after.next_run_at) > Date.now(), "the next run is due as usual");
    } finally {
      await t.request("PUT", "/api/settings/status", { global_lock: false });
      await t.request("DELETE", `/api/schedules/${body.schedule_id}`);
    }
  });

  it("two schedulers ticking at once start each due run once", async () => {
    const { body } = await create({ name: "Contended", workflow_name: TASK, trigger: "interval", interval_seconds: 3600 });
    // on a server each scheduler has its own connections; on the embedded database both share the one session
    const second = t.server.database.kind === "postgres" ? await openDatabase({ uri: t.uri }) : t.server.database;
    try {
      const startProcess = (name: string, inputs: unknown[], user: string) => t.server.engine.startProcess(name, inputs, user);
      const a = new Scheduler({ db: t.server.database.db, startProcess });
      const b = new Scheduler({ db: second.db, startProcess });
      const before = await processesOf(TASK);
      let runs = 0;
      for (let round = 0; round < 10; round++) {
        await sql`update schedules set next_run_at = now() - interval '1 second' where schedule_id = ${body.schedule_id}`.execute(t.server.database.db);
        const [x, y] = await Promise.all([a.tick(), b.tick()]);
        runs += x.length + y.length;
      }
      assert.equal(runs, 10, "one run per round");
      assert.equal((await processesOf(TASK)) - before, 10);
    } finally {
      if (second !== t.server.database) await second.close();
      await t.request("DELETE", `/api/schedules/${body.schedule_id}`);
    }
  });

  it("run now starts the task and keeps the next run", async () => {
    const { body } = await create({ name: "Now", workflow_name: TASK, trigger: "cron", cron: "30 2 * * *" });
    const response = await t.request("POST", `/api/schedules/${body.schedule_id}/run`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const detail = await t.settle(response.body.process_id);
    assert.equal(detail.last_status, "completed");
    assert.equal(response.body.schedule.next_run_at, body.next_run_at);
    assert.equal(response.body.schedule.last_result, "started");
    assert.equal((await t.request("POST", "/api/schedules/00000000-0000-4000-8000-000000000000/run")).status, 404);
    await t.request("DELETE", `/api/schedules/${body.schedule_id}`);
    // pages stored by SQL as something else than a list: read as the one page they are, the list still answers
    const odd = await create({ name: "Odd", workflow_name: TASK, trigger: "cron", cron: "30 2 * * *" });
    await sql`update schedules set user_inputs = '{"a": 1}' where schedule_id = ${odd.body.schedule_id}`.execute(t.server.database.db);
    const listed = await t.request("GET", "/api/schedules");
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(listed.body.find((x: any) => x.schedule_id === odd.body.schedule_id).user_inputs, [{ a: 1 }]);
    await t.request("DELETE", `/api/schedules/${odd.body.schedule_id}`);
    // pages stored by SQL (or valid when stored) that no longer start the workflow: a 400 saying why, also recorded
    const stale = await create({ name: "Stale", workflow_name: TASK, trigger: "cron", cron: "30 2 * * *" });
    await sql`update schedules set user_inputs = '[{"colour": "red"}]' where schedule_id = ${stale.body.schedule_id}`.execute(t.server.database.db);
    const refused = await t.request("POST", `/api/schedules/${stale.body.schedule_id}/run`);
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.match(refused.body.detail, /^Schedule Stale: not started: /);
    assert.match((await t.request("GET", `/api/schedules/${stale.body.schedule_id}`)).body.last_result, /^not started: /);
    await t.request("DELETE", `/api/schedules/${stale.body.schedule_id}`);
  });

  it("serve's scheduler starts a due schedule by itself", async () => {
    const served = await startTestServer();
    const create = (body: unknown) => served.request("POST", "/api/schedules", body);
    const { body } = await create({ name: "Every second", workflow_name: TASK, trigger: "interval", interval_seconds: 1 });
    const deadline = Date.now() + 5000;
    let schedule = body;
    while (Date.now() < deadline && !schedule.last_process_id) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      schedule = (await served.request("GET", `/api/schedules/${body.schedule_id}`)).body;
    }
    assert.ok(schedule.last_process_id, "started within 5 s");
    await served.close();
  });
});

describe(`scheduler commands (${backend})`, () => {
  const dir = tempDir("scheduler");
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  before(async () => {
    const db = await appDatabase(dir.path);
    drop = db.drop;
    env = { DATABASE_URI: db.uri };
    // before the migrations: told what to do, no stack trace
    for (const args of [["scheduler", "show-schedule"], ["scheduler", "load-initial-schedule"], ["scheduler", "run"], ["scheduler", "force", "00000000-0000-4000-8000-000000000000"]]) {
      const early = await runMain(BEGINNER_APP, args, env);
      assert.equal(early.code, 1, early.stdout);
      assert.match(early.stderr, /^Error: The database is not migrated to heads: run `db upgrade heads`/);
      assert.doesNotMatch(early.stderr, /\n\s+at /);
    }
    const upgraded = await runMain(BEGINNER_APP, ["db", "upgrade", "heads"], env);
    assert.equal(upgraded.code, 0, upgraded.stderr);
  });
  after(async () => {
    await drop?.();
    dir.cleanup();
  });

  it("load-initial-schedule (twice), show-schedule, force, and force of an unknown id", async () => {
    const loaded = await runMain(BEGINNER_APP, ["scheduler", "load-initial-schedule"], env);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.deepEqual(loaded.stdout.trim().split("\n"), [
      "Created schedule 'Task Resume Workflows' (task_resume_workflows).",
      "Created schedule 'Task Validate Awaiting Callbacks' (task_validate_awaiting_callbacks).",
      "Created schedule 'Task Clean Up Tasks' (task_clean_up_tasks).",
      "Created schedule 'Task Validate Subscriptions' (task_validate_subscriptions).",
      "Created schedule 'Task Validate Products' (task_validate_products).",
    ]);
    const again = await runMain(BEGINNER_APP, ["scheduler", "load-initial-schedule"], env);
    assert.match(again.stdout, /Schedule 'Task Resume Workflows' exists already\./);
    assert.doesNotMatch(again.stdout, /Created/);

    const shown = await runMain(BEGINNER_APP, ["scheduler", "show-schedule"], env);
    assert.equal(shown.code, 0, shown.stderr);
    const lines = shown.stdout.trim().split("\n");
    assert.match(lines[0]!, /^id\s+name\s+next run\s+trigger$/);
    assert.equal(lines.length, 6);
    // intervals as orchestrator-core prints them (APScheduler's IntervalTrigger: a Python timedelta)
    assert.ok(lines.some((line) => /Task Validate Awaiting Callbacks .* interval\[0:00:30\]$/.test(line)), shown.stdout);
    assert.ok(lines.some((line) => /Task Resume Workflows .* interval\[1:00:00\]$/.test(line)), shown.stdout);
    assert.ok(lines.some((line) => /Task Validate Products .* cron\[30 2 \* \* \*\]$/.test(line)));
    const cleanUp = lines.find((line) => line.includes("Task Clean Up Tasks"))!.split(/\s+/)[0]!;
    assert.match((await runMain(BEGINNER_APP, ["scheduler", "show-schedule", "-v"], env)).stdout, /task_clean_up_tasks/);

    // a name stored some other way (SQL) with control characters: shown escaped, on its row
    const database = await openDatabase({ uri: env.DATABASE_URI! });
    try {
      await sql`update schedules set name = ${"Task Validate Products \u001b[31m\nred"} where workflow_name = 'task_validate_products'`.execute(database.db);
    } finally {
      await database.close();
    }
    const escaped = await runMain(BEGINNER_APP, ["scheduler", "show-schedule"], env);
    assert.equal(escaped.stdout.trim().split("\n").length, 6, escaped.stdout);
    assert.match(escaped.stdout, /Task Validate Products \\x1b\[31m\\x0ared .* cron\[30 2 \* \* \*\]$/m);
    assert.doesNotMatch(escaped.stdout, /\u001b/);

    const forced = await runMain(BEGINNER_APP, ["scheduler", "force", cleanUp], env);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /^Task Clean Up Tasks: process [0-9a-f-]{36} completed$/m);
    const unknown = await runMain(BEGINNER_APP, ["scheduler", "force", "nope"], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Schedule 'nope' not found \(scheduler show-schedule lists the ids\)\./);
    const long = await runMain(BEGINNER_APP, ["scheduler", "force", "x".repeat(5000)], env);
    assert.equal(long.code, 1);
    assert.ok(long.stderr.length < 500, "the id is cut short in the message");
  });
});
