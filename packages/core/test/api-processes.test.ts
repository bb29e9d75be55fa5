/**
 * `/api/processes` over real HTTP: list parameters and their errors, detail with steps and pending steps, resume of
 * a suspended process, retry, abort, delete, notes, resume-all, status counts, callbacks, and the engine pause.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";

const MISSING = "00000000-0000-0000-0000-000000000000";

describe(`/api/processes (${backend})`, () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer({
      testWorkflows: [
        { name: "needs_input" },
        { name: "fail_once" },
        { name: "with_callback" },
        { name: "with_form" },
        { name: "refused" },
        { name: "three_steps", isTask: true },
        { name: "inconsistent_task", isTask: true },
      ],
    });
  });
  after(() => t?.close());

  const start = async (workflow: string, pages: unknown[] = [{}]) => {
    const r = await t.request("POST", `/api/processes/${workflow}`, pages);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  };

  it("runs the form protocol: 510 with the page, 400 with field errors, 201", async () => {
    const first = await t.request("POST", "/api/processes/with_form", []);
    assert.equal(first.status, 510);
    assert.equal(first.body.form.title, "Create something");
    assert.equal(first.body.form.properties.size.default, 3);
    const invalid = await t.request("POST", "/api/processes/with_form", [{ name: "x", size: "big", extra: 1 }]);
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.title, "Form not valid");
    const fields = invalid.body.validation_errors.map((e: any) => e.loc[0]).sort();
    assert.deepEqual(fields, ["extra", "name", "size"]);
    const id = await start("with_form", [{ name: "world" }]);
    const detail = await t.settle(id);
    assert.equal(detail.current_state.greeting, "hello world (3)");
    const overflow = await t.request("POST", "/api/processes/with_form", [{ name: "world" }, { more: 1 }]);
    assert.equal(overflow.status, 400, JSON.stringify(overflow.body));
  });

  it("rejects bad bodies and unknown workflows", async () => {
    assert.equal((await t.request("POST", "/api/processes/nope", [])).status, 404);
    const notAList = await t.request("POST", "/api/processes/with_form", { name: "x" });
    assert.equal(notAList.status, 422);
    assert.match(notAList.body.detail, /body/);
    const predicate = await t.request("POST", "/api/processes/refused", [{}]);
    assert.equal(predicate.status, 412);
    assert.match(predicate.body.detail, /Not now/);
  });

  it("shows a suspended process's form and resumes it with the input", async () => {
    const id = await start("needs_input");
    const suspended = await t.settle(id);
    assert.equal(suspended.last_status, "suspended");
    assert.equal(suspended.form.title, "Please confirm");
    assert.deepEqual(
      suspended.steps.map((s: any) => [s.name, s.status]),
      [["Start", "success"], ["Prepare", "success"], ["Confirm", "suspend"], ["After confirm", "pending"], ["Done", "pending"]],
    );
    assert.deepEqual(suspended.steps[1].state_delta, { prepared: true, nested: { keep: 1 } });
    assert.equal(typeof suspended.steps[1].started, "number");

    const page = await t.request("PUT", `/api/processes/${id}/resume`, []);
    assert.equal(page.status, 510);
    const bad = await t.request("PUT", `/api/processes/${id}/resume`, [{ confirmed: "maybe" }]);
    assert.equal(bad.status, 400);
    const ok = await t.request("PUT", `/api/processes/${id}/resume`, [{ confirmed: true }]);
    assert.equal(ok.status, 204);
    const done = await t.settle(id);
    assert.equal(done.last_status, "completed");
    assert.equal(done.current_state.saw, true);
    const again = await t.request("PUT", `/api/processes/${id}/resume`, [{}]);
    assert.equal(again.status, 409);
    assert.equal(again.body.detail, "Resuming a completed workflow is not possible");
  });

  it("retries a failed process from the failed step (the UI's bare {} body too)", async () => {
    const id = await start("fail_once");
    const failed = await t.settle(id);
    assert.equal(failed.last_status, "failed");
    assert.equal(failed.failed_reason, "boom");
    assert.match(failed.traceback, /boom/);
    assert.equal(failed.steps.at(-2).status, "failed");
    const retry = await t.request("PUT", `/api/processes/${id}/resume`, {});
    assert.equal(retry.status, 204);
    const done = await t.settle(id);
    assert.equal(done.last_status, "completed");
    assert.equal(done.steps.filter((s: any) => s.name === "Before").length, 1);
  });

  it("aborts, deletes only tasks, and sets notes", async () => {
    const id = await start("needs_input");
    await t.settle(id);
    assert.equal((await t.request("PUT", `/api/processes/${id}/abort`)).status, 204);
    const aborted = await t.request("GET", `/api/processes/${id}`);
    assert.equal(aborted.body.last_status, "aborted");
    assert.equal(aborted.body.steps.at(-1).name, "User Aborted");
    const notTask = await t.request("DELETE", `/api/processes/${id}`);
    assert.equal(notTask.status, 400);
    assert.match(notTask.body.detail, /Only tasks can be deleted/);

    const note = await t.request("PATCH", `/api/processes/${id}`, { note: "checked by ops" });
    assert.equal(note.status, 200);
    assert.equal(note.body.note, "checked by ops");
    assert.equal((await t.request("PATCH", `/api/processes/${id}`, { note: "x", other: 1 })).status, 422);
    assert.equal((await t.request("PATCH", `/api/processes/${id}`, { note: "x".repeat(5001) })).status, 422);

    const task = await start("three_steps");
    assert.equal((await t.settle(task)).last_status, "completed");
    // running (as another instance's claim leaves it): 409, and nothing is deleted
    const { db } = t.server.database;
    await db.updateTable("processes").set({ last_status: "running" }).where("pid", "=", task).execute();
    const busy = await t.request("DELETE", `/api/processes/${task}`);
    assert.equal(busy.status, 409);
    assert.match(busy.body.detail, /while it is running/);
    assert.equal((await t.request("GET", `/api/processes/${task}`)).body.last_status, "running", "still there");
    await db.updateTable("processes").set({ last_status: "completed" }).where("pid", "=", task).execute();
    assert.equal((await t.request("DELETE", `/api/processes/${task}`)).status, 204);
    assert.equal((await t.request("GET", `/api/processes/${task}`)).status, 404);
    assert.equal((await t.request("DELETE", `/api/processes/${MISSING}`)).status, 404);
    assert.equal((await t.request("PUT", `/api/processes/${MISSING}/abort`)).status, 404);
    assert.equal((await t.request("PUT", `/api/processes/${MISSING}/resume`, [])).status, 404);
    assert.equal((await t.request("GET", "/api/processes/not-a-uuid")).status, 422);
  });

  it("lists with range, sort, filter and query, and says what is wrong with bad ones", async () => {
    const all = await t.request("GET", "/api/processes?range=0,1&sort=started_at,asc");
    assert.equal(all.status, 200);
    assert.equal(all.body.length, 2);
    const total = Number(all.headers.get("content-range")!.split("/")[1]);
    assert.ok(total >= 4, String(total));
    assert.equal(all.headers.get("content-range"), `processes 0-1/${total}`);
    assert.ok(all.body[0].started_at <= all.body[1].started_at);

    const etag = all.headers.get("etag")!;
    const cached = await t.request("GET", "/api/processes?range=0,1&sort=started_at,asc", undefined, { "if-none-match": etag });
    assert.equal(cached.status, 304);

    const failedOrAborted = await t.request("GET", "/api/processes?filter=last_status,aborted-completed,is_task,false");
    assert.ok(failedOrAborted.body.length >= 3);
    assert.ok(failedOrAborted.body.every((p: any) => ["aborted", "completed"].includes(p.last_status) && !p.is_task));
    const byName = await t.request("GET", "/api/processes?filter=workflowName,with_form&sort=workflowName,desc");
    assert.ok(byName.body.length >= 1 && byName.body.every((p: any) => p.workflow_name === "with_form"));
    const byQuery = await t.request("GET", "/api/processes?query=checked%20by");
    assert.deepEqual(byQuery.body.map((p: any) => p.note), ["checked by ops"]);

    for (const [query, message] of [
      ["range=3", /Invalid range/],
      ["range=5,2", /end is before the start/],
      ["range=0,5000", /at most 1000/],
      ["sort=nope,asc", /Invalid sort field "nope"/],
      ["sort=started_at,sideways", /Invalid sort direction/],
      ["filter=last_status", /Invalid number of filter arguments/],
      ["filter=colour,red", /Invalid filter field "colour"/],
      ["filter=is_task,perhaps", /not true or false/],
      ["filter=subscription_id,123", /not a UUID/],
    ] as const) {
      const r = await t.request("GET", `/api/processes?${query}`);
      assert.equal(r.status, 400, query);
      assert.match(r.body.detail, message, query);
      // the parameter named apart, as request validation's 422s name their field
      assert.equal(r.body.field, query.split("=")[0], query);
    }
  });

  it("a refused resume writes nothing: concurrent retries leave one input per accepted one (none per 409)", async () => {
    for (let round = 0; round < 5; round++) {
      const id = await start("fail_once");
      assert.equal((await t.settle(id)).last_status, "failed");
      const inputs = () =>
        t.server.database.db.selectFrom("input_states").select("input_state_id").where("pid", "=", id).execute().then((rows) => rows.length);
      const before = await inputs();
      const answers = await Promise.all(Array.from({ length: 4 }, () => t.request("PUT", `/api/processes/${id}/resume`, [{}])));
      const accepted = answers.filter((a) => a.status === 204).length;
      assert.ok(answers.every((a) => a.status === 204 || a.status === 409), JSON.stringify(answers.map((a) => a.status)));
      assert.equal(accepted, 1, JSON.stringify(answers.map((a) => [a.status, a.body])));
      await t.settle(id);
      assert.equal(await inputs(), before + accepted);
    }
  });

  it("concurrent resumes of a suspended process: one is accepted and its input is the one used", async () => {
    for (let round = 0; round < 3; round++) {
      const id = await start("needs_input");
      assert.equal((await t.settle(id)).last_status, "suspended");
      const answers = await Promise.all(
        [true, false, true, false].map((confirmed, i) => t.request("PUT", `/api/processes/${id}/resume`, [{ confirmed }]).then((r) => ({ i, confirmed, ...r }))),
      );
      const accepted = answers.filter((a) => a.status === 204);
      assert.equal(accepted.length, 1, JSON.stringify(answers.map((a) => [a.status, a.body])));
      for (const a of answers.filter((x) => x.status !== 204)) assert.equal(a.status, 409, JSON.stringify(a.body));
      const done = await t.settle(id);
      assert.equal(done.last_status, "completed");
      assert.equal(done.current_state.saw, accepted[0]!.confirmed, "the accepted resume's input is the one used");
      const inputs = await t.server.database.db.selectFrom("input_states").select("input_state").where("pid", "=", id).where("input_type", "=", "user_input").execute();
      assert.equal(inputs.length, 1);
    }
  });

  it("concurrent aborts log one 'User Aborted'", async () => {
    const id = await start("needs_input");
    assert.equal((await t.settle(id)).last_status, "suspended");
    const answers = await Promise.all(Array.from({ length: 5 }, () => t.request("PUT", `/api/processes/${id}/abort`)));
    assert.ok(answers.every((a) => a.status === 204), JSON.stringify(answers.map((a) => a.status)));
    const detail = (await t.request("GET", `/api/processes/${id}`)).body;
    assert.equal(detail.last_status, "aborted");
    assert.equal(detail.steps.filter((s: { name: string }) => s.name === "User Aborted").length, 1);
  });

  it("a callback racing progress reports keeps its data; late reports and a second callback are 409", async () => {
    for (let round = 0; round < 5; round++) {
      const id = await start("with_callback");
      const awaiting = await t.settle(id);
      const route = awaiting.current_state.callback_route as string;
      const answers = await Promise.all([
        ...Array.from({ length: 6 }, (_, i) => t.request("POST", `${route}/progress`, { percent: i })),
        t.request("POST", route, { ok: true, from: "first" }),
        t.request("POST", route, { ok: true, from: "second" }),
      ]);
      const callbacks = answers.slice(-2);
      const won = callbacks.filter((a) => a.status === 200);
      assert.equal(won.length, 1, JSON.stringify(callbacks.map((a) => [a.status, a.body])));
      const lost = callbacks.find((a) => a.status !== 200)!;
      assert.equal(lost.status, 409);
      assert.equal(lost.body.detail, "This process is not in an awaiting state.");
      for (const a of answers.slice(0, -2)) assert.ok(a.status === 200 || a.status === 409, JSON.stringify(a.body));
      const done = await t.settle(id);
      assert.equal(done.last_status, "completed", JSON.stringify(done.steps.at(-1)));
      assert.equal(["first", "second"].includes(done.current_state.callback_result.from), true);
    }
  });

  it("counts processes and tasks per status, and retries every failed task", async () => {
    const task = await start("inconsistent_task");
    assert.equal((await t.settle(task)).last_status, "inconsistent_data");
    const counts = await t.request("GET", "/api/processes/status-counts");
    assert.equal(counts.body.task_counts.inconsistent_data, 1);
    assert.ok(counts.body.process_counts.completed >= 3);
    const resumed = await t.request("PUT", "/api/processes/resume-all");
    assert.deepEqual(resumed.body, { count: 1 });
  });

  it("continues an awaiting process by its callback token", async () => {
    const id = await start("with_callback");
    const awaiting = await t.settle(id);
    assert.equal(awaiting.last_status, "awaiting_callback");
    const route = awaiting.current_state.callback_route as string;
    assert.match(route, new RegExp(`^/api/processes/${id}/callback/`));
    assert.equal((await t.request("POST", `/api/processes/${id}/callback/wrong-token`, { ok: true })).status, 404);
    const progress = await t.request("POST", `${route}/progress`, "half way");
    assert.equal(progress.status, 200);
    assert.equal((await t.request("GET", `/api/processes/${id}`)).body.current_state.callback_progress, "half way");
    assert.equal((await t.request("POST", route, { ok: true })).status, 200);
    assert.equal((await t.settle(id)).last_status, "completed");
    const late = await t.request("POST", route, { ok: true });
    assert.equal(late.status, 409);
  });

  it("pauses the engine: changes are refused with 503 until it is unpaused", async () => {
    const paused = await t.request("PUT", "/api/settings/status", { global_lock: true });
    assert.equal(paused.status, 200);
    assert.equal(paused.body.global_lock, true);
    assert.ok(["PAUSED", "PAUSING"].includes(paused.body.global_status));
    const refused = await t.request("POST", "/api/processes/three_steps", [{}]);
    assert.equal(refused.status, 503);
    assert.equal(refused.body.detail, "Engine is locked cannot accept changes on processes at this time");
    // the start form can still be filled in (its pages are answered), only the start itself is refused
    const before = (await t.request("GET", "/api/processes")).body.length;
    const page = await t.request("POST", "/api/processes/with_form", []);
    assert.equal(page.status, 510);
    assert.equal(page.body.form.title, "Create something");
    assert.equal((await t.request("POST", "/api/processes/with_form", [{ name: "x" }])).status, 400);
    const complete = await t.request("POST", "/api/processes/with_form", [{ name: "xy" }]);
    assert.equal(complete.status, 503);
    assert.equal((await t.request("GET", "/api/processes")).body.length, before, "nothing was created while paused");
    assert.equal((await t.request("GET", "/api/settings/status")).body.global_status, "PAUSED");
    const running = await t.request("PUT", "/api/settings/status", { global_lock: false });
    assert.equal(running.body.global_status, "RUNNING");
    assert.equal((await t.request("PUT", "/api/settings/status", { global_lock: "yes" })).status, 422);
    const workers = await t.request("GET", "/api/settings/worker-status");
    assert.deepEqual(Object.keys(workers.body).sort(), ["executor_type", "number_of_queued_jobs", "number_of_running_jobs", "number_of_workers_online", "workers"]);
    assert.deepEqual(workers.body.workers, [], "no worker processes with the in-process executor");
    assert.equal(workers.body.number_of_workers_online, 4);
  });
});
