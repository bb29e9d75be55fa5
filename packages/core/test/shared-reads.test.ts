/**
 * List reads shared by concurrent requests: the same read under way is shared, but not across a change made through
 * this API process (read-your-writes), nor once it is older than the window; and over HTTP a process just created is
 * in the list read right after.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SharedReads } from "../src/api/shared-reads.js";
import { startTestServer, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";

describe(`shared list reads (${backend})`, () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ testWorkflows: [{ name: "simple_task", isTask: true }] });
  });
  after(async () => t?.close());

  it("shares a read under way, not across a change made here, not after the window", async () => {
    const reads = new SharedReads(t.server.engine);
    let runs = 0;
    const slow = () => {
      runs++;
      return new Promise<number>((resolve) => setTimeout(() => resolve(runs), 15));
    };
    const [a, b] = await Promise.all([reads.read("k", slow), reads.read("k", slow)]);
    assert.equal(runs, 1);
    assert.equal(a, b);
    // a change through this process (its engine) between two reads: the second does not join the first
    const first = reads.read("k", slow);
    await t.server.engine.startProcess("simple_task", [{}]);
    await Promise.all([first, reads.read("k", slow)]);
    assert.equal(runs, 3);
    // a read begun longer ago than the window is not shared
    const old = reads.read("k", () => new Promise((resolve) => setTimeout(() => resolve(runs++), 60)));
    await new Promise((resolve) => setTimeout(resolve, 40));
    await Promise.all([old, reads.read("k", slow)]);
    assert.equal(runs, 5);
    reads.close();
  });

  it("a process created over HTTP is in the list and the counts read right after, even under concurrent reads", async () => {
    for (let round = 0; round < 5; round++) {
      const polling = Array.from({ length: 10 }, () => t.request("GET", "/api/processes?range=0,49"));
      const created = await t.request("POST", "/api/processes/simple_task", [{}]);
      assert.equal(created.status, 201);
      const list = await t.request("GET", "/api/processes?range=0,49");
      assert.ok(list.body.some((p: { process_id: string }) => p.process_id === created.body.id), `round ${round}`);
      await Promise.all(polling);
    }
  });
});
