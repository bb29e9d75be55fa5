/**
 * `main.ts generate` as a user runs it, from three product YAMLs in orchestrator-core's format (flat; nested blocks;
 * fixed inputs with variants) into fresh apps: the generated code type-checks under the project's strict settings,
 * its migrations apply with `db upgrade heads` and undo with `db downgrade`, its generated tests pass, and its create,
 * modify and terminate workflows run through the API. Generating again refuses without --force; --force rewrites only
 * the generated files.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runMain, runMainHere, runProcess, type CliResult } from "./support/cli.js";
import { appDatabase, backend, createPostgresDatabase } from "./support/db.js";
import { REPO_ROOT, tempDir, writeFiles } from "./support/files.js";
import { startMain } from "./support/processes.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/generate/", import.meta.url));
const CONFIGS = ["flat", "nested", "variants"] as const;

/** An app's entry point that loads its products and workflows once generate has written them. */
const MAIN = `import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@orchestrator-ts/core";

const appRoot = dirname(fileURLToPath(import.meta.url));
for (const module of ["products/index", "workflows/index"]) {
  if (existsSync(join(appRoot, \`\${module}.ts\`))) await import(\`./\${module}.js\`);
}
await runCli({ appRoot });
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const run = (command: string, args: string[], cwd: string, env: Record<string, string> = {}) => runProcess(command, args, { cwd, env });

const ok = (r: CliResult) => assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);

describe(`generate (${backend})`, () => {
  const root = tempDir("generate");
  const apps = {} as Record<(typeof CONFIGS)[number], { dir: string; uri: string; drop: () => Promise<void> }>;

  before(async () => {
    for (const name of CONFIGS) {
      const dir = join(root.path, name);
      writeFiles(dir, { "main.ts": MAIN, [`${name}.yaml`]: readFileSync(join(FIXTURES, `${name}.yaml`), "utf8") });
      apps[name] = { dir, ...(await appDatabase(dir)) };
    }
  });
  after(async () => {
    for (const app of Object.values(apps)) await app.drop();
    root.cleanup();
  });

  it("generate all writes the product blocks, product, workflows, tests and migrations, registered", async () => {
    for (const name of CONFIGS) {
      const r = await runMainHere(apps[name].dir, ["generate", "all", "-cf", `${name}.yaml`]);
      ok(r);
      assert.match(r.stdout, /wrote products\/index\.ts/);
      assert.match(r.stdout, /wrote workflows\/index\.ts/);
      assert.match(r.stdout, /_add_\w+_products\.ts/);
      assert.match(r.stdout, /_add_\w+_workflows\.ts/);
    }
    // a second product in the flat app whose block uses the first one's (found in products/product_blocks)
    writeFileSync(join(apps.flat.dir, "reference.yaml"), readFileSync(join(FIXTURES, "reference.yaml"), "utf8"));
    ok(await runMainHere(apps.flat.dir, ["generate", "all", "-cf", "reference.yaml"]));
    assert.match(readFileSync(join(apps.flat.dir, "products/product_blocks/forward.ts"), "utf8"), /import \{ MailboxBlock \} from "\.\/mailbox\.js";/);
    assert.match(readFileSync(join(apps.flat.dir, "products/index.ts"), "utf8"), /\/\/ generate: mailbox\n[^]*\/\/ generate: forward\n/);
    const node = apps.variants.dir;
    assert.deepEqual(readdirSync(join(node, "products/product_blocks")).sort(), ["node.ts", "port.ts"]);
    assert.deepEqual(readdirSync(join(node, "workflows/node")).sort(), ["create_node.ts", "modify_node.ts", "shared.ts", "terminate_node.ts"]);
    const registry = readFileSync(join(node, "products/index.ts"), "utf8");
    for (const product of ["Node Cisco 10", "Node Cisco 20", "Node Nokia 10", "Node Nokia 20"]) assert.ok(registry.includes(`"${product}": Node`), registry);
    assert.match(readFileSync(join(node, "workflows/index.ts"), "utf8"), /new LazyWorkflowInstance\("workflows\.node\.create_node", "create_node"\);/);
    assert.doesNotMatch(readFileSync(join(node, "workflows/index.ts"), "utf8"), /validate_node/, "validate is disabled in the config");
  });

  it("the generated code type-checks under the project's strict settings", { timeout: 180_000 }, async () => {
    writeFileSync(
      join(root.path, "tsconfig.json"),
      JSON.stringify({ extends: join(REPO_ROOT, "tsconfig.base.json"), include: CONFIGS.map((name) => `${name}/**/*.ts`) }),
    );
    ok(await run(process.execPath, [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", join(root.path, "tsconfig.json")], root.path));
  });

  it("the generated tests pass (flat, nested, and examples/generated with fixed input variants)", { timeout: 300_000 }, async () => {
    const database = backend === "postgres" ? await createPostgresDatabase() : undefined;
    try {
      const env: Record<string, string> = database ? { TEST_DATABASE_URI: database.uri } : {};
      const tests = [apps.flat.dir, apps.nested.dir, join(REPO_ROOT, "examples/generated")].flatMap((dir) => readdirSync(join(dir, "tests")).map((f) => join(dir, "tests", f)));
      assert.equal(tests.length, 4);
      const r = await run(process.execPath, ["--import", "tsx", "--test", ...tests], REPO_ROOT, env);
      ok(r);
      assert.match(r.stdout, /# pass [1-9]/);
      assert.match(r.stdout, /# fail 0/);
    } finally {
      await database?.drop();
    }
  });

  it("the generated workflows run through the API: create, modify, terminate", { timeout: 120_000 }, async () => {
    const { dir, uri } = apps.variants;
    const { child, match } = await startMain({ appDir: dir, args: ["serve"], env: { DATABASE_URI: uri, PORT: "0" }, ready: /serving on (http:\/\/\S+)/ });
    try {
      const url = match[1]!;
      const call = async (method: string, path: string, body?: unknown) => {
        const r = await fetch(`${url}${path}`, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
        return { status: r.status, body: (await r.json().catch(() => undefined)) as any };
      };
      const products = (await call("GET", "/api/products/")).body as { name: string; product_id: string }[];
      const product = products.find((p) => p.name === "Node Nokia 20")!.product_id;
      const untilDone = async (id: string) => {
        for (let i = 0; i < 200; i++) {
          const p = await call("GET", `/api/processes/${id}`);
          if (["completed", "failed"].includes(p.body.last_status)) return p.body;
          await sleep(100);
        }
        throw new Error(`process ${id} did not end`);
      };
      // a form value the schema refuses is a 400 naming the field
      const bad = await call("POST", "/api/processes/create_node", [{ product }, { node_name: "core-1", ipv4_loopback: "not an address" }]);
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.match(JSON.stringify(bad.body), /ipv4_loopback/);

      const started = await call("POST", "/api/processes/create_node", [{ product }, { node_name: "core-1", node_description: "first", ipv4_loopback: "192.0.2.7" }]);
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const created = await untilDone(started.body.id);
      assert.equal(created.last_status, "completed", JSON.stringify(created.steps?.at(-1)));
      const steps = created.steps.map((s: { name: string }) => s.name);
      assert.ok(steps.indexOf("Register in IPAM") > steps.indexOf("Provision subscription"), `the additional step runs after the workflow's own: ${steps}`);
      const subscriptionId = created.current_state.subscription_id as string;
      const model = (await call("GET", `/api/subscriptions/domain-model/${subscriptionId}`)).body;
      assert.equal(model.status, "active");
      assert.equal(model.node_vendor, "Nokia");
      assert.equal(model.node_ports, "20");
      assert.equal(model.node.node_name, "core-1");
      assert.equal(model.node.ipv4_loopback, "192.0.2.7");
      assert.equal(typeof model.node.ims_id, "number");
      assert.equal(model.node.ports.length, 1);
      assert.equal(model.node.ports[0].port_mode, "tagged");

      const modify = await call("POST", "/api/processes/modify_node", [{ subscription_id: subscriptionId }, { node_name: "core-2" }]);
      assert.equal(modify.status, 201, JSON.stringify(modify.body));
      assert.equal((await untilDone(modify.body.id)).last_status, "completed");
      const changed = (await call("GET", `/api/subscriptions/domain-model/${subscriptionId}`)).body;
      assert.equal(changed.node.node_name, "core-2");
      assert.equal(changed.node.node_description, "first");

      const terminate = await call("POST", "/api/processes/terminate_node", [{ subscription_id: subscriptionId }, {}]);
      assert.equal(terminate.status, 201, JSON.stringify(terminate.body));
      assert.equal((await untilDone(terminate.body.id)).last_status, "completed");
      assert.equal((await call("GET", `/api/subscriptions/domain-model/${subscriptionId}`)).body.status, "terminated");
    } finally {
      await child.stop();
    }
  });

  it("the migrations apply with db upgrade heads and undo with db downgrade (refused while processes use the workflows)", { timeout: 120_000 }, async () => {
    const { dir, uri } = apps.variants;
    // the served database has processes of the product's workflows: its downgrade refuses and changes nothing
    const refused = await runMain(dir, ["db", "downgrade", "data@base"], { DATABASE_URI: uri });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Cannot delete workflow "create_node": rows in processes still refer to it/);
    // a database of its own: up, in agreement with the code, and down again
    const fresh = await appDatabase(join(dir, "second"));
    try {
      const env = { DATABASE_URI: fresh.uri };
      ok(await runMain(dir, ["db", "upgrade", "heads"], env));
      const check = await runMain(dir, ["db", "check"], env);
      ok(check);
      assert.match(check.stdout, /Code and database agree/);
      const down = await runMain(dir, ["db", "downgrade", "data@base"], env);
      ok(down);
      assert.match(down.stdout, /add Node workflows[^]*add Node products/);
    } finally {
      await fresh.drop();
    }
  });

  it("generating again refuses without --force; --force rewrites the generated files only", async () => {
    const dir = apps.flat.dir;
    const block = join(dir, "products/product_blocks/mailbox.ts");
    const registry = join(dir, "workflows/index.ts");
    const generated = readFileSync(block, "utf8");
    writeFileSync(block, `${generated}\n// my edit\n`);
    writeFileSync(registry, `${readFileSync(registry, "utf8")}\n// my own workflows go here\n`);
    const refused = await runMainHere(dir, ["generate", "all", "--config-file", "flat.yaml"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Not overwriting files that exist \(rerun with --force[^\n]*nothing was written\)/);
    assert.match(refused.stderr, /products\/product_blocks\/mailbox\.ts/);
    assert.match(readFileSync(block, "utf8"), /my edit/, "nothing was written");
    const migrations = readdirSync(join(dir, "migrations/versions/schema")).length;

    // the migrations exist: generate migration refuses, and writes nothing
    const again = await runMainHere(dir, ["generate", "migration", "-cf", "flat.yaml"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Not writing migrations: the migrations of Mailbox exist already \([^)]*_add_mailbox_products\.ts/);
    // another config may not take over the app's product type, product names or files it did not write
    writeFileSync(join(dir, "other.yaml"), "name: Other\ntype: Mailbox\nproduct_blocks:\n  - name: other\n    type: Other\n");
    const taken = await runMainHere(dir, ["generate", "all", "-cf", "other.yaml", "--force"]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /other\.yaml:2 type: the app has a product type Mailbox already \(products\/product_types\/mailbox\.ts\)/);
    writeFileSync(join(dir, "other.yaml"), "name: Mailbox\nvariable: mailbox2\ntype: Mailbox2\nproduct_blocks:\n  - name: other\n    type: Other\n");
    assert.match((await runMainHere(dir, ["generate", "all", "-cf", "other.yaml"])).stderr, /other\.yaml:1 name: the app registers a product named "Mailbox" already/);
    writeFiles(dir, { "products/product_blocks/mine.ts": 'export const MineBlock = productBlock("Mine", {});\n' });
    writeFileSync(join(dir, "other.yaml"), "name: Other\ntype: Other\nproduct_blocks:\n  - name: mine\n    type: Mine\n");
    const foreign = await runMainHere(dir, ["generate", "product-blocks", "-cf", "other.yaml", "--force"]);
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /Not overwriting files that generate did not write \(with or without --force[^\n]*\n\s+products\/product_blocks\/mine\.ts/);

    const forced = await runMainHere(dir, ["generate", "workflows", "-cf", "flat.yaml", "--force"]);
    ok(forced);
    assert.match(forced.stdout, /unchanged workflows\/mailbox\/create_mailbox\.ts/);
    ok(await runMainHere(dir, ["generate", "product-blocks", "-cf", "flat.yaml", "-f"]));
    assert.equal(readFileSync(block, "utf8"), generated, "the generated file is rewritten");
    const merged = readFileSync(registry, "utf8");
    assert.match(merged, /my own workflows go here/, "an edit outside the generated section stays");
    assert.equal(merged.match(/"create_mailbox"\);/g)?.length, 1, "registrations are not repeated");
    assert.equal(readdirSync(join(dir, "migrations/versions/schema")).length, migrations, "no migration was written");
  });

  it("--dryrun prints the files and writes nothing; --python-version is noted as meaningless", async () => {
    const dir = join(root.path, "dry");
    writeFiles(dir, { "main.ts": MAIN, "nested.yaml": readFileSync(join(FIXTURES, "nested.yaml"), "utf8") });
    const r = await runMainHere(dir, ["generate", "all", "-cf", "nested.yaml", "--dryrun", "-p", "3.11"]);
    ok(r);
    assert.match(r.stdout, /^\/\/ products\/product_blocks\/endpoint\.ts$/m);
    assert.match(r.stdout, /export const EndpointBlock = productBlock\(/);
    assert.match(r.stdout, /add Circuit products/);
    assert.match(r.stdout, /add Circuit workflows/);
    assert.match(r.stderr, /--python-version 3\.11 has no meaning for orchestrator-ts/);
    assert.deepEqual(readdirSync(dir).sort(), ["main.ts", "nested.yaml"], "nothing was written");
    // in an app whose migrations of the product exist, a dry run says it would not write them
    const again = await runMainHere(apps.nested.dir, ["generate", "migration", "-cf", "nested.yaml", "--dryrun"]);
    assert.match(again.stdout, /migrations not written: the migrations of Circuit exist already/);
  });

  it("examples/generated is what generate writes from its node.yaml", async () => {
    const example = join(REPO_ROOT, "examples/generated");
    const r = await runMainHere(example, ["generate", "all", "-cf", "node.yaml", "--dryrun"]);
    ok(r);
    const printed = r.stdout.replace(/^migrations not written: .*$/m, "").split(/^\/\/ (?=\S+\.ts$)/m).slice(1);
    const files = printed.map((part) => [part.slice(0, part.indexOf("\n")), part.slice(part.indexOf("\n") + 1)] as const).filter(([path]) => !path.startsWith("migrations/"));
    assert.ok(files.length >= 10, r.stdout);
    for (const [path, text] of files) {
      assert.equal(readFileSync(join(example, path), "utf8").trimEnd(), text.trimEnd(), `${path} differs from what generate writes: run npm --workspace examples/generated run generate -- --force`);
    }
  });

  it("a bad config is an error naming the file, line and YAML path; nothing is written", async () => {
    const dir = join(root.path, "bad");
    writeFiles(dir, { "main.ts": MAIN });
    const cases: [string, RegExp][] = [
      ["name: X\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n    fields:\n      - name: a\n        type: str\n        reqired: active\n", /bad\.yaml:9 product_blocks\[0\]\.fields\[0\]: unknown key "reqired"/],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n    fields:\n      - name: a\n        type: strr\n", /bad\.yaml:8 product_blocks\[0\]\.fields\[0\]\.type: unknown type "strr"/],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n    fields:\n      - name: a\n        type: str\n        required: sometimes\n", /bad\.yaml:9 product_blocks\[0\]\.fields\[0\]\.required: /],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: a\n    type: A\n  - name: b\n    type: B\n", /product_blocks: there must be exactly one root product block[^\n]*found 2: A, B/],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: a\n    type: A\n    fields:\n      - name: b\n        type: B\n  - name: b\n    type: B\n    fields:\n      - name: a\n        type: A\n", /use each other in a cycle/],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n    fields:\n      - name: a\n        type: bool\n        required: initial\n", /bad\.yaml:9 product_blocks\[0\]\.fields\[0\]\.required: a field required from "initial" needs a "default"/],
      ["name: X\ntype: X\nproduct_blocks: [\n", /bad\.yaml:\d+: not valid YAML/],
      ["name: X\nproduct_blocks:\n  - name: x\n    type: X\n", /bad\.yaml:1 type: is missing/],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n    fields:\n      - name: label\n        type: str\n", /bad\.yaml:7 product_blocks\[0\]\.fields\[0\]\.name: "label" is reserved for a block's own data/],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n    fields:\n      - name: a\n        type: str\n        validations:\n          - id: delete\n", /bad\.yaml:10 product_blocks\[0\]\.fields\[0\]\.validations\[0\]\.id: "delete" cannot be the name of a check function/],
      ["name: X\ntype: X\nfixed_inputs:\n  - name: status\n    type: str\nproduct_blocks:\n  - name: x\n    type: X\n", /bad\.yaml:4 fixed_inputs\[0\]\.name: "status" is reserved for the subscription's own data/],
      [`name: X\ntype: X\nfixed_inputs:\n${["a", "b", "c", "d"].map((n) => `  - name: ${n}\n    type: int\n    values: [1, 2, 3, 4, 5, 6]\n`).join("")}product_blocks:\n  - name: x\n    type: X\n`, /bad\.yaml:4 fixed_inputs: the values of the fixed inputs make 1296 combinations, one product each; at most 1000/],
      ["name: X-Ray!\ntype: X\nvariable: 9x\nproduct_blocks:\n  - name: x\n    type: X\n", /bad\.yaml:3 variable: /],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: port\n    type: P\n  - name: Port\n    type: X\n    fields:\n      - name: p\n        type: P\n", /bad\.yaml:6 product_blocks\[1\]\.name: this block and product_blocks\[0\] would both be written to products\/product_blocks\/port\.ts/],
      ["name: X\ntype: X\nfixed_inputs:\n  - name: a\n    type: str\n    values: [x y, x]\n  - name: b\n    type: str\n    values: [z, y z]\nproduct_blocks:\n  - name: x\n    type: X\n", /bad\.yaml:4 fixed_inputs: two combinations of fixed input values make the same product name "X x y z"/],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n    fields:\n      - name: a\n        type: str\n        validations:\n          - id: X\n", /validations\[0\]\.id: "X" cannot be the name of a check function: the generated code declares it/],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n    fields:\n      - name: a\n        type: str\n        validations: [{ id: chk }]\n      - name: b\n        type: int\n        validations: [{ id: chk }]\n", /fields\[1\]\.validations\[0\]\.id: the check "chk" is also used at product_blocks\[0\]\.fields\[0\]\.validations\[0\]\.id for another kind of value/],
      ["name: X\ntype: String\nproduct_blocks:\n  - name: x\n    type: X\n", /bad\.yaml:2 type: "String" cannot be the name of the product type's constant/],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n    fields:\n      - name: n\n        type: int\n        max_value: 10\n        default: 100\n", /bad\.yaml:10 product_blocks\[0\]\.fields\[0\]\.default: the default 100 is not a valid int from -∞ to 10/],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n    fields:\n      - name: ip\n        type: ipaddress.IPv4Address\n        default: not-an-ip\n", /default: the default "not-an-ip" is not a valid ipaddress\.IPv4Address/],
      ["name: X\ntype: X\nfixed_inputs:\n  - name: speed\n    type: int\n    values: [fast, 1]\nproduct_blocks:\n  - name: x\n    type: X\n", /bad\.yaml:6 fixed_inputs\[0\]\.values: the values of an int fixed input must be integers/],
      ["name: [1, 2]\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n", /bad\.yaml:1 name: must be a string \(not a list\)/],
      ["a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n", /bad\.yaml: cannot be read: Excessive alias count/],
      ["", /bad\.yaml is empty/],
      ["name: X\ntype: X\nproduct_blocks:\n  - name: x\n    type: X\n    fields:\n      - name: Size\n        type: int\n", /bad\.yaml:7 product_blocks\[0\]\.fields\[0\]\.name: "Size" is not a field name/],
    ];
    for (const [text, expected] of cases) {
      writeFileSync(join(dir, "bad.yaml"), text);
      const r = await runMainHere(dir, ["generate", "all", "-cf", "bad.yaml"]);
      assert.equal(r.code, 1, `${text}\n${r.stdout}`);
      assert.match(r.stderr, expected);
      assert.ok(!existsSync(join(dir, "products")) && !existsSync(join(dir, "migrations")), "nothing was written");
    }
    const missing = await runMainHere(dir, ["generate", "product", "-cf", "nope.yaml"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot read the config file \S*nope\.yaml: it does not exist/);
  });
});
