/**
 * Runs the beginner scenario through the workflow engine, as the web UI will: create a user group and a user in it,
 * modify both, try to terminate the group (refused while the user is active), then terminate the user and the group.
 * Prints every process with its steps. Run it after `npx tsx main.ts db upgrade heads`:
 *
 *   npx tsx scenario.ts
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { FormValidationError, loadSettings, openDatabase, setWorkflowRoot, WorkflowEngine } from "@orchestrator-ts/core";
import "./products/index.js";
import "./workflows/index.js";

const appRoot = dirname(fileURLToPath(import.meta.url));
setWorkflowRoot(appRoot);
const database = await openDatabase({ uri: loadSettings().DATABASE_URI, appRoot });
const engine = new WorkflowEngine({ database });
await engine.start();

const productId = async (name: string) =>
  (await database.db.selectFrom("products").select("product_id").where("name", "=", name).executeTakeFirstOrThrow()).product_id;

/** Start a workflow with its form pages, wait for it and print its steps; returns the subscription it worked on. */
async function run(workflow: string, pages: unknown[]): Promise<string> {
  const pid = await engine.startProcess(workflow, pages, "tutorial");
  const status = await engine.waitFor(pid);
  const steps = await database.db.selectFrom("process_steps").select(["name", "state"]).where("pid", "=", pid).orderBy("completed_at").execute();
  const subscriptionId = String(steps.at(-1)?.state.subscription_id);
  const subscription = await database.db.selectFrom("subscriptions").select(["description", "status"]).where("subscription_id", "=", subscriptionId).executeTakeFirst();
  console.log(`${workflow}: ${status} — ${subscription?.description} (${subscription?.status})`);
  console.log(`  ${steps.map((s) => s.name).join(" → ")}`);
  if (status !== "completed") throw new Error(`${workflow} ended ${status}`);
  return subscriptionId;
}

try {
  const group = await run("create_user_group", [{ product: await productId("User Group") }, { group_name: "Group One" }]);
  const user = await run("create_user", [{ product: await productId("User internal") }, { username: "my_user", age: 30, user_group_ids: [group] }]);
  await run("modify_user_group", [{ subscription_id: group }, { group_name: "Group Uno" }]);
  await run("modify_user", [{ subscription_id: user }, { username: "my_user" }]);
  try {
    await run("terminate_user_group", [{ subscription_id: group }, {}]);
  } catch (error) {
    if (!(error instanceof FormValidationError)) throw error;
    console.log(`terminate_user_group: refused — ${error.errors[0]?.msg}`);
  }
  await run("terminate_user", [{ subscription_id: user }, {}]);
  await run("terminate_user_group", [{ subscription_id: group }, {}]);
} finally {
  await engine.shutdown();
  await database.close();
}
