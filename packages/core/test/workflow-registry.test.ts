/** LazyWorkflowInstance, the registry, step lists and the default steps the wrappers add. */
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { after, describe, it } from "node:test";
import {
  ALL_WORKFLOWS,
  begin,
  createWorkflow,
  done,
  getWorkflow,
  init,
  LazyWorkflowInstance,
  modifyWorkflow,
  reconcileWorkflow,
  setWorkflowRoot,
  step,
  StepList,
  Target,
  task,
  terminateWorkflow,
  validateWorkflow,
  workflow,
  workflowRoot,
} from "../src/index.js";
import { tempDir, writeFiles } from "./support/files.js";

describe("workflow registry", () => {
  const app = tempDir("registry");
  const previousRoot = workflowRoot();
  after(() => {
    setWorkflowRoot(previousRoot);
    app.cleanup();
  });

  it("core registers its own workflows, in the original's order", () => {
    assert.deepEqual([...ALL_WORKFLOWS.keys()].slice(0, 7), [
      "modify_note",
      "task_clean_up_tasks",
      "task_resume_workflows",
      "task_validate_awaiting_callbacks",
      "task_validate_products",
      "task_validate_product_type",
      "task_validate_subscriptions",
    ]);
  });

  it("a LazyWorkflowInstance registers by name without importing its module", async () => {
    writeFiles(app.path, {
      "workflows/user_group/create_user_group.ts": `
        globalThis.__imported = (globalThis.__imported ?? 0) + 1;
        import { createWorkflow, step } from "@orchestrator-ts/core";
        export const create_user_group = createWorkflow({}, step("Create subscription", () => ({ created: true })));
      `,
    });
    setWorkflowRoot(app.path);
    const instance = new LazyWorkflowInstance("workflows.user_group.create_user_group", "create_user_group");
    assert.equal(ALL_WORKFLOWS.get("create_user_group"), instance);
    assert.equal(instance.package, "workflows.user_group.create_user_group");
    assert.equal(instance.function, "create_user_group");
    assert.equal(String(instance), "workflows.user_group.create_user_group.create_user_group");
    assert.equal(inspect(instance), "LazyWorkflowInstance('workflows.user_group.create_user_group','create_user_group')");
    assert.equal((globalThis as { __imported?: number }).__imported, undefined, "not imported yet");
    const wf = await getWorkflow("create_user_group");
    assert.equal((globalThis as { __imported?: number }).__imported, 1);
    assert.equal(wf?.name, "create_user_group");
    assert.equal(wf?.target, Target.CREATE);
    assert.equal(await getWorkflow("create_user_group"), wf, "loaded once");
  });

  it("a relative path from the app root works too, and registering a name again replaces it", async () => {
    const again = new LazyWorkflowInstance("./workflows/user_group/create_user_group.js", "create_user_group");
    assert.equal(ALL_WORKFLOWS.get("create_user_group"), again);
    assert.equal((await getWorkflow("create_user_group"))?.name, "create_user_group");
  });

  it("getWorkflow of an unregistered name is undefined", async () => {
    assert.equal(await getWorkflow("not_registered"), undefined);
  });

  it("a missing module, a missing export and a non-workflow export are clear errors", async () => {
    new LazyWorkflowInstance("workflows.nope.missing", "missing_wf");
    await assert.rejects(getWorkflow("missing_wf"), /^Error: Invalid workflow: module workflows\.nope\.missing does not exist or has invalid imports$|Invalid workflow: module workflows\.nope\.missing does not exist or has invalid imports/);
    writeFiles(app.path, {
      "workflows/broken.ts": `import { nothing } from "./does-not-exist.js"; export const broken = nothing;`,
      "workflows/other.ts": `export const something_else = 1; export const not_wf = { a: 1 };`,
    });
    new LazyWorkflowInstance("workflows.broken", "broken");
    await assert.rejects(getWorkflow("broken"), /Invalid workflow: module workflows\.broken does not exist or has invalid imports/);
    new LazyWorkflowInstance("workflows.other", "absent_export");
    await assert.rejects(getWorkflow("absent_export"), /Invalid workflow: module workflows\.other has no export named absent_export/);
    new LazyWorkflowInstance("workflows.other", "not_wf");
    await assert.rejects(getWorkflow("not_wf"), /workflows\.other\.not_wf is not a workflow/);
    for (const name of ["missing_wf", "broken", "absent_export", "not_wf", "create_user_group"]) ALL_WORKFLOWS.delete(name);
  });

  it("refuses invalid names", () => {
    assert.throws(() => new LazyWorkflowInstance("workflows.x", "bad name"), /Invalid workflow name "bad name"/);
  });
});

describe("step lists", () => {
  const a = step("a", () => ({ a: 1 }));
  const b = step("b", () => ({ b: 1 }));

  it("chain steps and lists; the result is a new list", () => {
    const list = begin.chain(a).chain(new StepList([b]), a);
    assert.deepEqual(list.names, ["a", "b", "a"]);
    assert.equal(begin.length, 0, "begin is not changed");
    assert.equal(String(list), "StepList [a, b, a]");
    assert.deepEqual(list.slice(1).names, ["b", "a"]);
  });

  it("has no then (await must not treat it as a promise)", async () => {
    const list = begin.chain(a);
    assert.equal("then" in list, false);
    assert.equal(await list, list);
  });

  it("chaining anything else is a clear error", () => {
    assert.throws(() => begin.chain(42 as never), /Expected a step or step list, got number 42/);
    assert.throws(() => begin.chain((() => 1) as never), /got a function named .*did you forget to call step\(name, fn\)\?/);
    assert.throws(() => begin.chain([a] as never), /got an array/);
    assert.throws(() => step("", () => undefined), /A step needs a name/);
  });
});

describe("workflow wrappers add the original's default steps", () => {
  const mine = begin.chain(step("Mine 1", () => undefined), step("Mine 2", () => undefined));

  it("workflow: exactly the given steps, target SYSTEM by default", () => {
    const wf = workflow({}, init.chain(mine, done));
    assert.equal(wf.target, "SYSTEM");
    assert.deepEqual(wf.steps.names, ["Start", "Mine 1", "Mine 2", "Done"]);
    assert.throws(() => workflow({ target: "NOPE" as never }, mine), /Unknown target "NOPE"/);
  });

  it("createWorkflow", () => {
    const wf = createWorkflow({}, mine);
    assert.equal(wf.target, "CREATE");
    assert.deepEqual(wf.steps.names, [
      "Start", "Mine 1", "Mine 2", "Set subscription to 'active'", "Unlock subscription",
      "Refresh subscription search index", "Refresh process search index", "Done",
    ]);
  });

  it("modifyWorkflow", () => {
    const wf = modifyWorkflow({}, mine);
    assert.equal(wf.target, "MODIFY");
    assert.deepEqual(wf.steps.names, [
      "Start", "Create Process Subscription relation", "Lock subscription", "Mine 1", "Mine 2", "Unlock subscription",
      "Refresh subscription search index", "Refresh process search index", "Done",
    ]);
  });

  it("terminateWorkflow", () => {
    const wf = terminateWorkflow({}, mine);
    assert.equal(wf.target, "TERMINATE");
    assert.deepEqual(wf.steps.names, [
      "Start", "Create Process Subscription relation", "Lock subscription", "Mine 1", "Mine 2",
      "Set subscription to 'terminated'", "Unlock subscription", "Refresh subscription search index",
      "Refresh process search index", "Done",
    ]);
  });

  it("validateWorkflow, reconcileWorkflow, task", () => {
    assert.deepEqual(validateWorkflow({}, mine).steps.names, ["Start", "Create Process Subscription relation", "Lock subscription", "Mine 1", "Mine 2", "Unlock subscription", "Done"]);
    assert.equal(validateWorkflow({}, mine).target, "VALIDATE");
    assert.equal(reconcileWorkflow({}, mine).target, "RECONCILE");
    assert.deepEqual(task({}, mine).steps.names, ["Start", "Mine 1", "Mine 2", "Done"]);
    assert.equal(task({}, mine).target, "SYSTEM");
  });

  it("createWorkflow with a connection is the migration helper", async () => {
    const fakeConn = { selectFrom: () => undefined } as never;
    await assert.rejects(
      createWorkflow(fakeConn, { name: "x", target: "CREATE", description: "d", product_type: undefined as never }),
      /createWorkflow: workflow "x" has no product_type/,
    );
  });
});
