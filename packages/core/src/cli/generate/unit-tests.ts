/**
 * `generate unit-tests`: node:test tests of the product, as orchestrator-core's test_*.j2 write pytest ones — the
 * workflows run on a fresh database migrated to heads (`startTestOrchestrator`): create every product variant, then
 * validate, modify and terminate, checking the subscription's status and the fields the forms set.
 */
import { header, str } from "./code.js";
import type { GeneratedFile } from "./files.js";
import type { ProductModel, ResourceFieldModel } from "./model.js";
import { createInputs, modifyInputs } from "./workflows.js";

/** A value for a form field that passes its schema: `n` = 1 for the create form, 2 for the modify form. */
export function sampleValue(f: ResourceFieldModel, n: 1 | 2): string {
  if (f.tsType === "string") {
    if (f.placeholder === '"192.0.2.1"') return str(`192.0.2.${n}`);
    if (f.placeholder === '"2001:db8::1"') return str(`2001:db8::${n}`);
    if (f.placeholder.startsWith('"')) return f.placeholder;
    return str(`${f.name} ${n}`);
  }
  if (f.tsType === "boolean") return n === 1 ? "true" : "false";
  if (f.tsType === "number") {
    const base = Number(f.placeholder);
    const max = /\.max\((-?\d+)\)/.exec(f.zod);
    return String(n === 2 && (!max || base + 1 <= Number(max[1])) ? base + 1 : base);
  }
  // an enum: its first value, the second one (if any) when modifying
  const values = f.tsType.split(" | ");
  return values[n === 2 && values.length > 1 ? 1 : 0]!;
}

export function unitTestFiles(model: ProductModel, source: string): GeneratedFile[] {
  const T = model.type;
  const root = model.root.variable;
  const createFields = createInputs(model);
  const modifyFields = modifyInputs(model);
  const form = (fields: ResourceFieldModel[], n: 1 | 2) => `{ ${fields.map((f) => `${f.name}: ${sampleValue(f, n)}`).join(", ")} }`;
  const checks = (fields: ResourceFieldModel[], n: 1 | 2, at: string) => fields.map((f) => `    assert.deepEqual(${at}.${root}.${f.name}, ${sampleValue(f, n)});`);
  const enabled = model.workflows;
  const blockChecks = model.root.fields
    .filter((f) => f.kind === "block" && f.block.own)
    .map((f) => (f.kind === "block" && f.list ? `    assert.ok(active.${root}.${f.name}.length >= ${Math.max(f.list.min, 1)}, "${f.name}");` : `    assert.ok(active.${root}.${f.name}, "${f.name}");`));
  const fixedChecks = (variant: ProductModel["variants"][number], at: string) => Object.entries(variant.fixedInputs).map(([k, v]) => `    assert.equal(${at}.${k}, ${str(v)});`);

  const lifecycle = enabled.create.enabled
    ? `
  it(${str(`creates${enabled.validate.enabled ? ", validates" : ""}${enabled.modify.enabled ? ", modifies" : ""}${enabled.terminate.enabled ? " and terminates" : ""} a ${model.variants[0]!.name} subscription`)}, async () => {
    const product = await app.productId(${str(model.variants[0]!.name)});
    const created = await app.runWorkflow("create_${model.variable}", [{ product }, ${form(createFields, 1)}]);
    assert.equal(created.status, "completed", JSON.stringify(created.state));
    const subscriptionId = String(created.state.subscription_id);
    const active = await app.subscription(subscriptionId, ${T});
    assert.equal(active.status, "active");
    assert.equal(active.insync, true);
${[...checks(createFields, 1, "active"), ...blockChecks, ...fixedChecks(model.variants[0]!, "active")].join("\n")}
${enabled.validate.enabled ? `
    const validated = await app.runWorkflow("validate_${model.variable}", [{ subscription_id: subscriptionId }]);
    assert.equal(validated.status, "completed", JSON.stringify(validated.state));
` : ""}${enabled.modify.enabled ? `
    const modified = await app.runWorkflow("modify_${model.variable}", [{ subscription_id: subscriptionId }, ${form(modifyFields, 2)}]);
    assert.equal(modified.status, "completed", JSON.stringify(modified.state));
    const changed = await app.subscription(subscriptionId, ${T});
    assert.equal(changed.status, "active");
${checks(modifyFields, 2, "changed").join("\n")}
` : ""}${enabled.terminate.enabled ? `
    const terminated = await app.runWorkflow("terminate_${model.variable}", [{ subscription_id: subscriptionId }, {}]);
    assert.equal(terminated.status, "completed", JSON.stringify(terminated.state));
    assert.equal((await app.subscription(subscriptionId, ${T})).status, "terminated");
` : ""}  });
${model.variants.slice(1).map((v) => `
  it(${str(`creates a ${v.name} subscription`)}, async () => {
    const created = await app.runWorkflow("create_${model.variable}", [{ product: await app.productId(${str(v.name)}) }, ${form(createFields, 1)}]);
    assert.equal(created.status, "completed", JSON.stringify(created.state));
    const active = await app.subscription(String(created.state.subscription_id), ${T});
    assert.equal(active.status, "active");
${fixedChecks(v, "active").join("\n")}
  });
`).join("")}`
    : "";

  const content = `${header(`Tests of the ${model.name} product: its workflows run on a fresh database migrated to heads.`, source)}
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestOrchestrator, type TestOrchestrator } from "@orchestrator-ts/core/testing";
import "../products/index.js";
import "../workflows/index.js";
import { ${T} } from "../products/product_types/${model.variable}.js";

const appRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

describe(${str(`${model.name} product`)}, () => {
  let app: TestOrchestrator;
  before(async () => {
    app = await startTestOrchestrator({ appRoot });
  });
  after(() => app?.close());

  it("registers a product for every combination of fixed inputs", async () => {
${model.variants.map((v) => `    assert.ok(await app.productId(${str(v.name)}));`).join("\n")}
    void ${T};
  });
${lifecycle}});
`;
  return [{ path: `tests/${model.variable}.test.ts`, content, mode: "create" }];
}
