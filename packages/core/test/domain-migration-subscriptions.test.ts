/**
 * `db migrate-domain-models` on a database with subscriptions (the beginner example): blocks added to the User Group
 * product type and to its block get instances in the existing subscriptions, with relations and default values; a
 * renamed resource type and a renamed block attribute keep their data; removed blocks take their instances, values
 * and relations with them, and every downgrade puts the data back exactly. After each step the modify workflows
 * complete and the subscriptions load as their (changed) models.
 */
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { domainMigrationBody, planDomainMigration, type DomainMigrationOptions } from "../src/cli/migrate-domain-models.js";
import { LineInput } from "../src/cli/prompt.js";
import { z } from "zod";
import {
  blockList,
  CORE_VERSIONS_FOLDER,
  describeRegistry,
  field,
  fromSubscription,
  LazyWorkflowInstance,
  loadMigrations,
  MigrationProject,
  Migrator,
  openDatabase,
  parseSubscription,
  productBlock,
  productType,
  registerProducts,
  setWorkflowRoot,
  sql,
  WorkflowEngine,
  type AnyProductType,
  type OrchestratorDb,
} from "../src/index.js";
import { runMain } from "./support/cli.js";
import { appDatabase, backend, freshDatabase } from "./support/db.js";
import { REPO_ROOT, tempDir, writeFiles } from "./support/files.js";

const BEGINNER = join(REPO_ROOT, "examples/beginner");
const SIX = [
  ["user_group", "create_user_group"],
  ["user_group", "modify_user_group"],
  ["user_group", "terminate_user_group"],
  ["user", "create_user"],
  ["user", "modify_user"],
  ["user", "terminate_user"],
] as const;

/** v2: a root block with a block inside it for the User Group product type, and a block in UserGroupBlock. */
const V2_FILES: Record<string, string> = {
  "products/product_blocks/settings.ts": `import { field, productBlock } from "@orchestrator-ts/core";
import { z } from "zod";
export const LimitsBlock = productBlock("LimitsBlock", {
  max_users: field(z.number().int(), { requiredFrom: "active", description: "most users in the group" }),
}, { tag: "LIM", description: "limits of a group" });
export const SettingsBlock = productBlock("SettingsBlock", {
  quota: field(z.number().int(), { requiredFrom: "active", description: "storage quota" }),
  colour: field(z.string(), { description: "colour of the group" }),
  limits: LimitsBlock,
}, { tag: "SET", description: "settings of a group" });
`,
  "products/product_blocks/owner.ts": `import { field, productBlock } from "@orchestrator-ts/core";
import { z } from "zod";
export const OwnerBlock = productBlock("OwnerBlock", {
  owner_name: field(z.string(), { requiredFrom: "provisioning", description: "who owns the group" }),
}, { tag: "OWN", description: "owner of a group" });
`,
  "products/product_blocks/user_group.ts": `import { field, productBlock } from "@orchestrator-ts/core";
import { z } from "zod";
import { OwnerBlock } from "./owner.js";
export const UserGroupBlock = productBlock("UserGroupBlock", {
  group_name: field(z.string(), { requiredFrom: "provisioning", description: "name of the user group" }),
  group_id: field(z.number().int(), { requiredFrom: "active", description: "id of the user group" }),
  owner: OwnerBlock,
}, { tag: "UGB", description: "user group block" });
`,
  "products/product_types/user_group.ts": `import { productType } from "@orchestrator-ts/core";
import { SettingsBlock } from "../product_blocks/settings.js";
import { UserGroupBlock } from "../product_blocks/user_group.js";
export const UserGroup = productType("UserGroup", { user_group: UserGroupBlock, settings: SettingsBlock }, { description: "user group administration" });
`,
};

/** v3: v2 with the resource type colour renamed to color and the attribute owner renamed to manager. */
const v3Files = (): Record<string, string> => ({
  ...V2_FILES,
  "products/product_blocks/settings.ts": V2_FILES["products/product_blocks/settings.ts"]!.replace("colour: field", "color: field"),
  "products/product_blocks/user_group.ts": V2_FILES["products/product_blocks/user_group.ts"]!.replace("owner: OwnerBlock", "manager: OwnerBlock"),
});

type Snapshot = { instances: string[]; values: string[]; relations: string[] };

describe(`migrate-domain-models with existing subscriptions (${backend})`, () => {
  const tmp = tempDir("domsub");
  const app = join(tmp.path, "app");
  const project = new MigrationProject(app);
  let uri: string;
  let drop: (() => Promise<void>) | undefined;
  let database: OrchestratorDb | undefined;
  let engine: WorkflowEngine | undefined;
  let productType: AnyProductType;
  const ids: Record<string, string> = {};
  const snapshots: Record<string, Snapshot> = {};

  const db = () => database!.db;
  /** Open the database, bring it to the heads, start the engine. */
  async function open(): Promise<void> {
    database = await openDatabase({ uri });
    await (await migrator()).upgrade("heads");
    engine = new WorkflowEngine({ database });
    await engine.start();
  }
  async function close(): Promise<void> {
    await engine?.shutdown();
    await database?.close();
    engine = undefined;
    database = undefined;
  }
  /** Make `variant` (a folder with products/ and workflows/) the models and workflows in use. */
  async function use(variant: string): Promise<void> {
    const dir = join(tmp.path, variant);
    const products = (await import(pathToFileURL(join(dir, "products/index.ts")).href)) as Record<string, AnyProductType>;
    registerProducts({ "User Group": products.UserGroup!, "User internal": products.User!, "User external": products.User! });
    productType = products.UserGroup!;
    setWorkflowRoot(dir);
    for (const [folder, name] of SIX) new LazyWorkflowInstance(join(dir, "workflows", folder, `${name}.ts`), name);
  }
  const migrator = async () => new Migrator(db(), await project.load());
  async function run(name: string, inputs: unknown[]): Promise<string> {
    const pid = await engine!.startProcess(name, inputs, "tester");
    const status = await engine!.waitFor(pid);
    const row = await db().selectFrom("processes").select("failed_reason").where("pid", "=", pid).executeTakeFirstOrThrow();
    assert.equal(status, "completed", `${name}: ${row.failed_reason}`);
    const last = await db().selectFrom("process_steps").select("state").where("pid", "=", pid).orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow();
    return String(last.state.subscription_id);
  }
  /** Every instance, value and relation, by names and instance ids (value and relation rows get new ids on save). */
  async function snapshot(): Promise<Snapshot> {
    const instances = await sql<{ r: string }>`
      select si.subscription_instance_id || ' ' || si.subscription_id || ' ' || pb.name as r
      from subscription_instances si join product_blocks pb using (product_block_id)`.execute(db());
    const values = await sql<{ r: string }>`
      select v.subscription_instance_id || ' ' || rt.resource_type || '=' || v.value as r
      from subscription_instance_values v join resource_types rt using (resource_type_id)`.execute(db());
    const relations = await sql<{ r: string }>`
      select in_use_by_id || ' -' || coalesce(domain_model_attr, '?') || '[' || order_id || ']-> ' || depends_on_id as r
      from subscription_instance_relations`.execute(db());
    const sorted = (rows: { r: string }[]) => rows.map((x) => x.r).sort();
    return { instances: sorted(instances.rows), values: sorted(values.rows), relations: sorted(relations.rows) };
  }
  const group = async (id: string) => fromSubscription(db(), id) as Promise<Record<string, any>>;
  async function plan(options: DomainMigrationOptions) {
    return planDomainMigration(db(), { backupKey: "test-backup", ...options });
  }
  async function writeMigration(message: string, options: DomainMigrationOptions): Promise<string[]> {
    const p = await plan(options);
    await project.revision({ message, body: domainMigrationBody(p) });
    return p.changes;
  }
  /** A prompt that answers every question with `answers`, line by line. */
  const prompt = (answers: string[]) =>
    new LineInput(Readable.from([answers.map((a) => `${a}\n`).join("")]), new Writable({ write: (_c, _e, done) => done() }));

  before(async () => {
    for (const variant of ["v1", "v2", "v3"]) {
      cpSync(join(BEGINNER, "products"), join(tmp.path, variant, "products"), { recursive: true });
      cpSync(join(BEGINNER, "workflows"), join(tmp.path, variant, "workflows"), { recursive: true });
    }
    writeFiles(join(tmp.path, "v2"), V2_FILES);
    writeFiles(join(tmp.path, "v3"), v3Files());
    cpSync(join(BEGINNER, "migrations"), join(app, "migrations"), { recursive: true });
    // the app the CLI runs: the v2 models
    writeFiles(app, {
      "main.ts": `import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@orchestrator-ts/core";
import "../v2/products/index.js";
await runCli({ appRoot: dirname(fileURLToPath(import.meta.url)) });
`,
    });
    ({ uri, drop } = await appDatabase(tmp.path));
    await use("v1");
    await open();
    const product = async (name: string) => (await db().selectFrom("products").select("product_id").where("name", "=", name).executeTakeFirstOrThrow()).product_id;
    ids.g1 = await run("create_user_group", [{ product: await product("User Group") }, { group_name: "Group One" }]);
    ids.g2 = await run("create_user_group", [{ product: await product("User Group") }, { group_name: "Group Two" }]);
    ids.u1 = await run("create_user", [{ product: await product("User internal") }, { username: "my_user", age: 30, user_group_ids: [ids.g1] }]);
    snapshots.v1 = await snapshot();
  });
  after(async () => {
    await close();
    await drop?.();
    tmp.cleanup();
  });

  it("adding blocks: every existing subscription gets the instances, relations and default values (--inputs and the prompt)", async () => {
    await close();
    const inputs = { quota: { SettingsBlock: "10" }, max_users: { value: "25" }, owner_name: { OwnerBlock: "alice" } };
    // colour is optional: the prompt offers "empty: none"; it is answered here
    const cli = await runMain(app, ["db", "migrate-domain-models", "add settings and owner", "--inputs", JSON.stringify(inputs)], { DATABASE_URI: uri }, "blue\n");
    assert.equal(cli.code, 0, `${cli.stdout}\n${cli.stderr}`);
    assert.match(cli.stdout, /create a SettingsBlock instance \(settings\) in every subscription of User Group/);
    assert.match(cli.stdout, /create a LimitsBlock instance \(limits\) in every SettingsBlock instance/);
    assert.match(cli.stdout, /create a OwnerBlock instance \(owner\) in every UserGroupBlock instance/);
    assert.match(cli.stdout, /Supply default subscription instance value for resource type colour and product block SettingsBlock \(empty: none\): blue/);
    assert.doesNotMatch(cli.stdout, /resource type quota and product block/, "given with --inputs, not asked");
    await use("v2");
    await open();

    for (const id of [ids.g1!, ids.g2!]) {
      const g = await group(id);
      assert.equal(g.settings.quota, 10);
      assert.equal(g.settings.colour, "blue");
      assert.equal(g.settings.limits.max_users, 25);
      assert.equal(g.user_group.owner.owner_name, "alice");
      assert.equal(g.settings.owner_subscription_id, id);
      assert.equal(g.user_group.owner.owner_subscription_id, id);
      parseSubscription(productType, "active", g); // valid for its status
    }
    const relations = await sql<{ attr: string; order_id: number; n: number }>`
      select r.domain_model_attr as attr, r.order_id, count(*)::int as n from subscription_instance_relations r
      where r.domain_model_attr in ('owner', 'limits') group by 1, 2 order by 1`.execute(db());
    assert.deepEqual(relations.rows, [{ attr: "limits", order_id: 0, n: 2 }, { attr: "owner", order_id: 0, n: 2 }]);
    const userBlocks = await db().selectFrom("subscription_instances").select("subscription_instance_id").where("subscription_id", "=", ids.u1!).execute();
    assert.equal(userBlocks.length, 1, "the user's subscription owns no new instances: its group's block is a reference");
    assert.deepEqual((await plan({})).upgrade, [], "the database now matches the models");

    await run("modify_user_group", [{ subscription_id: ids.g1 }, { group_name: "Group One" }]);
    await run("modify_user", [{ subscription_id: ids.u1 }, { username: "my_user" }]);
    const g1 = await group(ids.g1!);
    assert.equal(g1.insync, true);
    assert.equal(g1.settings.quota, 10);
    assert.equal(g1.user_group.owner.owner_name, "alice");
    const user = (await fromSubscription(db(), ids.u1!)) as Record<string, any>;
    assert.equal(user.user.group.owner.owner_name, "alice", "the user sees its group's new block");
    snapshots.v2 = await snapshot();
  });

  it("renaming a resource type and a block attribute keeps the values and the blocks under the new names", async () => {
    await use("v3");
    const changes = await writeMigration("rename colour and owner", {
      updates: { resource_types: { colour: "color" }, block_attributes: { UserGroupBlock: { owner: "manager" } } },
    });
    assert.ok(changes.includes("rename resource type colour → color (values are kept)"), changes.join("\n"));
    assert.ok(changes.includes("rename attribute UserGroupBlock.owner → manager (its blocks are kept)"), changes.join("\n"));
    await (await migrator()).upgrade("heads");
    const g1 = await group(ids.g1!);
    assert.equal(g1.settings.color, "blue");
    assert.equal(g1.user_group.manager.owner_name, "alice");
    assert.equal(g1.user_group.manager.subscription_instance_id, snapshotOwner(snapshots.v2!, ids.g1!), "the same instance");
    await run("modify_user_group", [{ subscription_id: ids.g1 }, { group_name: "Group One" }]);
    assert.equal((await group(ids.g1!)).settings.color, "blue");
    assert.deepEqual((await plan({})).upgrade, []);
    snapshots.v3 = await snapshot();
  });

  it("removing the blocks removes their instances, values and relations; the workflows and models work without them", async () => {
    await use("v1");
    // answer yes to deleting the three blocks no model has any more
    const changes = await writeMigration("remove settings and owner", { io: prompt(["y", "y", "y"]) });
    for (const block of ["SettingsBlock", "LimitsBlock", "OwnerBlock"]) assert.ok(changes.includes(`delete product block ${block}`), changes.join("\n"));
    await (await migrator()).upgrade("heads");
    const after = await snapshot();
    assert.deepEqual(after.instances, snapshots.v1!.instances);
    assert.deepEqual(after.values, snapshots.v1!.values);
    assert.deepEqual(after.relations, snapshots.v1!.relations);
    const left = await sql<{ n: number }>`select count(*)::int as n from product_blocks where name in ('SettingsBlock', 'LimitsBlock', 'OwnerBlock')`.execute(db());
    assert.equal(left.rows[0]!.n, 0);
    await run("modify_user_group", [{ subscription_id: ids.g1 }, { group_name: "Group One" }]);
    const g1 = await group(ids.g1!);
    assert.equal(g1.settings, undefined);
    assert.equal(g1.user_group.group_name, "Group One");
    assert.deepEqual((await plan({})).upgrade, []);
  });

  it("each downgrade brings back exactly the data of the step before", async () => {
    const m = await migrator();
    await m.downgrade("data@-1"); // remove settings and owner
    await use("v3");
    assert.deepEqual(await snapshot(), snapshots.v3);
    const backups = await sql<{ n: number }>`select count(*)::int as n from domain_model_migration_backups`.execute(db());
    assert.equal(backups.rows[0]!.n, 0, "the backup is used up");
    const g1 = await group(ids.g1!);
    assert.equal(g1.settings.color, "blue");
    assert.equal(g1.settings.limits.max_users, 25);
    assert.equal(g1.user_group.manager.owner_name, "alice");
    await run("modify_user_group", [{ subscription_id: ids.g1 }, { group_name: "Group One" }]);

    await m.downgrade("data@-1"); // rename colour and owner
    await use("v2");
    assert.deepEqual(await snapshot(), snapshots.v2);
    assert.equal((await group(ids.g1!)).settings.colour, "blue");

    await m.downgrade("data@-1"); // add settings and owner
    await use("v1");
    assert.deepEqual(await snapshot(), snapshots.v1);
    await run("modify_user_group", [{ subscription_id: ids.g1 }, { group_name: "Group One" }]);
  });

  it("without a prompt, a default a status requires is a clear error; a value of the wrong type too", async () => {
    await use("v2");
    await assert.rejects(plan({ inputs: { quota: { SettingsBlock: "10" }, max_users: { value: "25" } } }), /Missing input: the default value of owner_name for the instances of OwnerBlock \(required in active subscriptions\); give it in --inputs/);
    await assert.rejects(plan({ inputs: { quota: { SettingsBlock: "ten" } } }), /--inputs quota\.SettingsBlock: quota is an integer, not "ten"/);
    // an optional field without an answer gets no value
    const p = await plan({ inputs: { quota: { SettingsBlock: "10" }, max_users: { value: "25" }, owner_name: { value: "bob" } } });
    assert.ok(!p.upgrade.some((s) => s.includes("'colour'") && s.startsWith("INSERT INTO subscription_instance_values")));
  });

  /** The OwnerBlock instance of a group in a snapshot. */
  function snapshotOwner(s: Snapshot, subscriptionId: string): string {
    const line = s.instances.find((i) => i.endsWith(`${subscriptionId} OwnerBlock`));
    return line!.split(" ")[0]!;
  }
});

/**
 * The planner on hand-made rows (no engine): a resource type two blocks share, renamed in one of them, moves that
 * block's values only; a list added to a block gets `min` instances in order; a block in no model is deleted with its
 * instances and comes back exactly, catalogue rows included.
 */
describe(`migrate-domain-models: shared resource types, lists, deleted blocks (${backend})`, () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  const run = async (statements: string[]) => {
    for (const s of statements) await sql.raw(s).execute(fresh.db);
  };
  const rows = async () => ({
    catalogue: (await sql<{ r: string }>`
      select 'block ' || name || ' ' || description || ' ' || coalesce(tag, '-') as r from product_blocks
      union all select 'rt ' || resource_type || ' ' || coalesce(description, '-') from resource_types
      union all select 'link ' || b.name || '.' || r.resource_type from product_block_resource_types join product_blocks b using (product_block_id) join resource_types r using (resource_type_id)
      union all select 'rel ' || u.name || '>' || d.name || ' ' || coalesce(min::text, '-') || ' ' || coalesce(max::text, '-') from product_block_relations
        join product_blocks u on u.product_block_id = in_use_by_id join product_blocks d on d.product_block_id = depends_on_id
      union all select 'ppb ' || p.name || '.' || b.name from product_product_blocks join products p using (product_id) join product_blocks b using (product_block_id)`.execute(fresh.db)).rows.map((x) => x.r).sort(),
    data: (await sql<{ r: string }>`
      select 'si ' || si.subscription_instance_id || ' ' || pb.name as r from subscription_instances si join product_blocks pb using (product_block_id)
      union all select 'v ' || v.subscription_instance_id || ' ' || rt.resource_type || '=' || v.value from subscription_instance_values v join resource_types rt using (resource_type_id)
      union all select 'r ' || in_use_by_id || ' ' || domain_model_attr || '[' || order_id || '] ' || depends_on_id from subscription_instance_relations`.execute(fresh.db)).rows.map((x) => x.r).sort(),
  });

  const Leaf = productBlock("Leaf", { code: field(z.string(), { description: "a name" }) }, { tag: "LEAF", description: "leaf" });
  const Item = productBlock("Item", { label_text: field(z.string(), { description: "text" }) }, { tag: "ITEM", description: "item" });
  /** The models before: Root { code, leaf: Leaf, old: Old }, Leaf { code }. */
  const Old = productBlock("Old", { colour: field(z.string(), { description: "colour" }) }, { tag: "OLD", description: "old block" });
  const RootBefore = productBlock("Root", { code: field(z.string(), { description: "a name" }), leaf: Leaf, old: Old }, { tag: "ROOT", description: "root" });
  /** After: Root renames code → title, drops old, gets a list of at least two items; Leaf keeps code. */
  const RootAfter = productBlock(
    "Root",
    { title: field(z.string(), { description: "a title" }), leaf: Leaf, items: blockList(Item, { min: 2, max: 5 }) },
    { tag: "ROOT", description: "root" },
  );
  const registryOf = (root: typeof RootBefore | typeof RootAfter) => describeRegistry(new Map([["Thing", productType("Thing", { root })]]));

  before(async () => {
    fresh = await freshDatabase();
    await new Migrator(fresh.db, await loadMigrations([CORE_VERSIONS_FOLDER])).upgrade("heads");
    const first = await planDomainMigration(fresh.db, { registry: registryOf(RootBefore), inputs: { Thing: { description: "things", tag: "THING" } } });
    await run(first.upgrade);
    // one subscription: root (name=r), its leaf (name=l), its old block (colour=red)
    await run([
      `INSERT INTO subscriptions (subscription_id, description, status, product_id, customer_id, insync) VALUES ('00000000-0000-4000-8000-000000000001', 's', 'active', (SELECT product_id FROM products WHERE name = 'Thing'), 'c', true)`,
      ...[
        ["00000000-0000-4000-8000-0000000000a1", "Root"],
        ["00000000-0000-4000-8000-0000000000a2", "Leaf"],
        ["00000000-0000-4000-8000-0000000000a3", "Old"],
      ].map(([id, block]) => `INSERT INTO subscription_instances (subscription_instance_id, subscription_id, product_block_id) VALUES ('${id}', '00000000-0000-4000-8000-000000000001', (SELECT product_block_id FROM product_blocks WHERE name = '${block}'))`),
      ...[
        ["a1", "code", "r"],
        ["a2", "code", "l"],
        ["a3", "colour", "red"],
      ].map(([id, rt, value]) => `INSERT INTO subscription_instance_values (subscription_instance_id, resource_type_id, value) VALUES ('00000000-0000-4000-8000-0000000000${id}', (SELECT resource_type_id FROM resource_types WHERE resource_type = '${rt}'), '${value}')`),
      `INSERT INTO subscription_instance_relations (in_use_by_id, depends_on_id, order_id, domain_model_attr) VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2', 0, 'leaf'), ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a3', 0, 'old')`,
    ]);
  });
  after(async () => fresh?.close());

  it("upgrade moves one block's values, fills the list, deletes the old block; downgrade restores every row", async () => {
    const before = await rows();
    const plan = await planDomainMigration(fresh.db, {
      registry: registryOf(RootAfter),
      updates: { block_resource_types: { Root: { code: "title" } } },
      inputs: { label_text: { Item: "x" } },
      io: new LineInput(Readable.from(["y\n"]), new Writable({ write: (_c, _e, done) => done() })), // delete Old: yes
      backupKey: "k",
    });
    assert.ok(plan.changes.includes("rename resource type code → title in Root (values are kept)"), plan.changes.join("\n"));
    assert.ok(plan.changes.includes("delete product block Old"), plan.changes.join("\n"));
    await run(plan.upgrade);
    const after = await rows();
    assert.ok(after.data.includes("v 00000000-0000-4000-8000-0000000000a1 title=r"));
    assert.ok(after.data.includes("v 00000000-0000-4000-8000-0000000000a2 code=l"), "Leaf keeps its code");
    assert.ok(!after.data.some((r) => r.includes("0000000000a3")), "the old block's instance, value and relation are gone");
    const items = after.data.filter((r) => r.startsWith("r ") && r.includes(" items["));
    assert.deepEqual(items.map((r) => r.split(" ")[2]), ["items[0]", "items[1]"]);
    assert.equal(after.data.filter((r) => r.endsWith(" label_text=x")).length, 2);
    assert.ok(after.catalogue.includes("rel Root>Item 2 5"));
    assert.ok(!after.catalogue.some((r) => r.includes("Old") || r.startsWith("rt colour")));
    assert.deepEqual((await planDomainMigration(fresh.db, { registry: registryOf(RootAfter) })).upgrade, []);
    await run(plan.downgrade);
    assert.deepEqual(await rows(), before);
  });
});
