/**
 * `generate workflows`: create, modify, terminate and validate workflows of the product, as orchestrator-core's
 * create_product.j2, modify_product.j2, terminate_product.j2 and validate_product.j2 write them in Python, with what
 * they share (form field checks, the workflow validations, new owned blocks) in `workflows/<product>/shared.ts`, and
 * their `LazyWorkflowInstance` registrations merged into `workflows/index.ts`.
 *
 * The steps are runnable skeletons: the form's values are stored, owned blocks are created, and fields your systems
 * would fill in (required from "provisioning" or "active" but not asked in the form) get placeholder values marked
 * TODO, so that the generated create workflow yields an active subscription that passes its model's checks.
 */
import { CORE_PACKAGE } from "../../migrations/index.js";
import { comment, header, humanize, importLine, str } from "./code.js";
import { mergeSection, type GeneratedFile } from "./files.js";
import type { BlockFieldModel, BlockModel, ProductModel, ResourceFieldModel } from "./model.js";

type Kind = "create" | "modify" | "terminate" | "validate";
export const WORKFLOW_KINDS: readonly Kind[] = ["create", "modify", "terminate", "validate"];

/** The workflow names of the product, e.g. create_node, that the config enables. */
export function workflowNames(model: ProductModel): { kind: Kind; name: string }[] {
  return WORKFLOW_KINDS.filter((kind) => model.workflows[kind].enabled).map((kind) => ({ kind, name: `${kind}_${model.variable}` }));
}

/** Fields of the root block the create form asks for: scalars and enums, not those only your systems fill in. */
export function createInputs(model: ProductModel): ResourceFieldModel[] {
  return model.root.fields.filter((f): f is ResourceFieldModel => f.kind === "resource" && f.input && f.required !== "active");
}

/** Fields of the root block the modify form asks for: the modifiable scalars and enums. */
export function modifyInputs(model: ProductModel): ResourceFieldModel[] {
  return model.root.fields.filter((f): f is ResourceFieldModel => f.kind === "resource" && f.input && f.modifiable);
}

/** The zod schema of a form field: the model's, with the field's validations and default. */
function formSchema(f: ResourceFieldModel, optional: boolean): string {
  let schema = f.zod;
  if (f.tsType === "string") schema += ".min(1)";
  for (const v of f.validations) schema += `.refine(${v.id}, ${str(v.description)})`;
  if (f.defaultValue !== undefined) return `${schema}.default(${f.defaultValue})`;
  return optional ? `${schema}.optional()` : schema;
}

const inputType = (name: string, fields: ResourceFieldModel[], allOptional: boolean): string =>
  `export type ${name} = {\n${fields.map((f) => `  ${f.name}${allOptional || (!f.required && f.defaultValue === undefined) ? "?" : ""}: ${f.tsType};`).join("\n")}\n};`;

/** The statement giving block field `f` its first value(s), or undefined when it stays empty. */
function blockValue(f: BlockFieldModel, owner: string): string | undefined {
  if (!f.block.own) return undefined;
  const make = (index: number) => `new${f.block.constName}(${owner}${index > 1 ? `, ${index}` : ""})`;
  if (f.list) {
    const count = Math.max(f.list.min, f.required ? 1 : 0, 1);
    return `[${Array.from({ length: count }, (_, i) => make(i + 1)).join(", ")}]`;
  }
  return make(1);
}

/** A placeholder that differs per block in a list: text gets the block's index. */
function numbered(f: ResourceFieldModel): string {
  return f.tsType === "string" && /^"[a-z_0-9]+"$/.test(f.placeholder) ? `\`${JSON.parse(f.placeholder) as string} \${index}\`` : f.placeholder;
}

function sharedFile(model: ProductModel, source: string): string {
  const core = new Set<string>();
  const parts: string[] = [];
  const blockImports = new Map<string, string>();
  parts.push(inputType(`${model.type}Input`, createInputs(model), false));
  parts.push(inputType(`${model.type}ModifyInput`, modifyInputs(model), true));
  const emitted = new Set<string>(); // a check named twice in the config is written once
  const once = (id: string) => !emitted.has(id) && emitted.add(id) !== undefined;
  // field checks (the original's annotated types with a validator)
  for (const block of model.blocks) {
    for (const f of block.fields) {
      if (f.kind !== "resource") continue;
      for (const v of f.validations.filter((v) => once(v.id))) {
        parts.push(`/** ${comment(v.description)} (${block.type}.${f.name}). */\nexport function ${v.id}(value: ${f.tsType}): boolean {\n  // TODO: the check; return false to refuse the value\n  void value;\n  return true;\n}`);
      }
    }
  }
  // workflow validations (the original's model_validator in the form)
  for (const kind of ["create", "modify", "terminate"] as const) {
    for (const v of model.workflows[kind].validations.filter((v) => once(v.id))) {
      parts.push(`/** ${comment(v.description)} (${kind} form). Returns the problem, or undefined when the input is fine. */\nexport function ${v.id}(input: Record<string, unknown>): string | undefined {\n  // TODO: the check\n  void input;\n  return undefined;\n}`);
    }
  }
  // new owned blocks, every field that will be required filled in
  for (const block of model.blocks) {
    if (block === model.root) continue;
    core.add("newBlockInstance");
    blockImports.set(block.constName, `../../products/product_blocks/${block.variable}.js`);
    const lines = [`  const block = newBlockInstance(${block.constName}, owner);`];
    for (const f of block.fields) {
      if (f.kind === "resource") {
        if (f.defaultValue !== undefined) lines.push(`  block.${f.name} = ${f.defaultValue};`);
        else if (f.required) lines.push(`  block.${f.name} = ${numbered(f)}; // TODO: from your systems`);
      } else {
        const value = blockValue(f, "owner");
        if (value && (f.required || f.list)) lines.push(`  block.${f.name} = ${value};`);
      }
    }
    parts.push(`/** A new ${block.type} block owned by the subscription \`owner\`, its fields filled in (\`index\`: its place in a list). */\nexport function new${block.constName}(owner: string, index = 1) {\n${lines.join("\n")}\n  return block;\n}`);
  }
  const imports = [
    ...(core.size ? [importLine(core, CORE_PACKAGE)] : []),
    ...[...blockImports].map(([name, from]) => importLine([name], from)),
  ];
  return `${header(`What the ${model.name} workflows share: form input types, checks, and new owned blocks.`, source)}
${imports.join("\n")}${imports.length ? "\n\n" : ""}${parts.join("\n\n")}
`;
}

/** Skeleton steps of the config's additional_steps (and the `additionalSteps` option naming them), or "" when none. */
function additionalSteps(model: ProductModel, kind: Kind): { code: string; option: string; names: string[] } {
  const steps = model.workflows[kind].additionalSteps;
  if (steps.length === 0) return { code: "", option: "", names: [] };
  const code = steps
    .map((s) => `\n/** ${comment(s.title)} (an additional step of the config). */\nconst ${s.id}_step = step(${str(s.title)}, async (state, ctx) => {\n  // TODO: what this step does; return what later steps need\n  void state;\n  void ctx;\n  return {};\n});\n`)
    .join("");
  return { code, option: `, additionalSteps: begin.chain(${steps.map((s) => `${s.id}_step`).join(", ")})`, names: steps.map((s) => `${s.id}_step`) };
}

/** `.superRefine` calls of a form page for the workflow's validations. */
function pageChecks(model: ProductModel, kind: "create" | "modify" | "terminate"): string {
  return model.workflows[kind].validations
    .map((v) => `.superRefine((input, ctx) => {\n    const problem = ${v.id}(input);\n    if (problem) ctx.addIssue({ code: "custom", message: problem });\n  })`)
    .join("");
}

function rootAssignments(model: ProductModel, target: string, from: "create" | "provision"): string[] {
  const root = model.root;
  const lines: string[] = [];
  const inputs = new Set(createInputs(model).map((f) => f.name));
  for (const f of root.fields) {
    const at = `${target}.${root.variable}.${f.name}`;
    if (f.kind === "resource") {
      if (from === "create") {
        if (inputs.has(f.name)) lines.push(`  ${at} = input.${f.name}${!f.required && f.defaultValue === undefined ? " ?? null" : ""};`);
        else if (f.defaultValue !== undefined) lines.push(`  ${at} = ${f.defaultValue};`);
        else if (f.required && f.required !== "active") lines.push(`  ${at} = ${f.placeholder}; // TODO: from your systems`);
      } else if (f.required === "active" && !inputs.has(f.name) && f.defaultValue === undefined) {
        lines.push(`  ${at} = ${f.placeholder}; // TODO: assign in your systems (e.g. the inventory's id)`);
      }
    } else if (from === "create") {
      const value = blockValue(f, `${target}.subscription_id`);
      if (value) lines.push(`  ${at} = ${value};`);
      else if (!f.block.own) lines.push(`  // TODO: ${f.name} is a ${f.block.constName} of another subscription: choose it in the form and assign it here`);
    }
  }
  return lines;
}

/** The description a subscription gets: the product name and the first text the form asks for. */
function describe(model: ProductModel, productName: string, block: string): string {
  const label = model.root.fields.find((f): f is ResourceFieldModel => f.kind === "resource" && f.tsType === "string" && f.input && f.required !== "active");
  return label ? `\`\${${productName}} \${${block}.${label.name} ?? ""}\`.trim()` : productName;
}

function createFile(model: ProductModel, source: string): string {
  const T = model.type;
  const root = model.root;
  const inputs = createInputs(model);
  const validators = [...inputs.flatMap((f) => f.validations.map((v) => v.id)), ...model.workflows.create.validations.map((v) => v.id)];
  const factories = ownedFactories(model.root, model);
  const provision = rootAssignments(model, "subscription", "provision");
  const extra = additionalSteps(model, "create");
  return `${header(`Create a ${model.name} subscription: the form, the subscription model, its provisioning.`, source)}
import { randomUUID } from "node:crypto";
${importLine(["begin", "changeLifecycle", "createWorkflow", "formPage", "fromProductId", "fromSubscription", "step", "storeProcessSubscription", "type InputForm"], CORE_PACKAGE)}
import { z } from "zod";
${importLine([T], `../../products/product_types/${model.variable}.js`)}
${importLine([...validators, ...factories, `type ${T}Input`], "./shared.js")}

const initialInputForm: InputForm = (state) =>
  formPage(
    {
${inputs.map((f) => `      ${f.name}: ${formSchema(f, !f.required)}.meta({ description: ${str(f.description)} }),`).join("\n")}
    },
    { title: String(state.product_name) },
  )${pageChecks(model, "create")};

const constructModel = step("Construct Subscription model", async (state, ctx) => {
  const input = state as unknown as ${T}Input;
  const subscription = await fromProductId(await ctx.db(), String(state.product), randomUUID(), { productType: ${T} });
${rootAssignments(model, "subscription", "create").join("\n")}
  subscription.description = ${describe(model, "String(state.product_name)", `subscription.${root.variable}`)};
  return { subscription, subscription_id: subscription.subscription_id };
});

const initializeSubscription = step("Initialize subscription", async (state, ctx) => {
  const db = await ctx.db();
  const subscription = await fromSubscription(db, String(state.subscription_id), ${T});
  return { subscription: await changeLifecycle(db, subscription, "provisioning", ${T}) };
});

const provisionSubscription = step("Provision subscription", async (state, ctx) => {
  const subscription = await fromSubscription(await ctx.db(), String(state.subscription_id), ${T});
  // TODO: create the ${comment(model.name)} in your systems${provision.length ? "; the values below stand in for theirs" : ""}
${provision.join("\n")}${provision.length ? "\n" : ""}  return { subscription };
});
${extra.code}
export const create_${model.variable} = createWorkflow(
  { initialInputForm, description: ${str(`Create ${model.name}`)}${extra.option} },
  begin.chain(constructModel, storeProcessSubscription(), initializeSubscription, provisionSubscription),
);
`;
}

/** Factory names of the owned blocks the root block holds directly. */
function ownedFactories(root: BlockModel, model: ProductModel): string[] {
  void model;
  return root.fields.filter((f): f is BlockFieldModel => f.kind === "block" && f.block.own).map((f) => `new${f.block.constName}`);
}

function modifyFile(model: ProductModel, source: string): string {
  const T = model.type;
  const root = model.root;
  const inputs = modifyInputs(model);
  const validators = [...inputs.flatMap((f) => f.validations.map((v) => v.id)), ...model.workflows.modify.validations.map((v) => v.id)];
  const fields = inputs.map((f) => {
    const schema = formSchema({ ...f, defaultValue: undefined }, false);
    return `      ${f.name}: current(${schema}, block.${f.name}).meta({ description: ${str(f.description)} }),`;
  });
  const extra = additionalSteps(model, "modify");
  const updates = inputs.map((f) => `  subscription.${root.variable}.${f.name} = input.${f.name} ?? ${f.required ? `subscription.${root.variable}.${f.name}` : "null"};`);
  return `${header(`Modify a ${model.name} subscription: ${inputs.length ? `change ${inputs.map((f) => f.name).join(", ")}` : "no field is modifiable in the config; add your own"}.`, source)}
${importLine([...(extra.names.length ? ["begin"] : []), "formDb", "formPage", "fromSubscription", "modifyWorkflow", "step", "type InputForm"], CORE_PACKAGE)}
import { z } from "zod";
${importLine([T], `../../products/product_types/${model.variable}.js`)}
${importLine([...validators, ...(updates.length ? [`type ${T}ModifyInput`] : [])], "./shared.js")}

/** The field with the subscription's value as its default (optional while it has none). */
function current<S extends z.ZodType>(schema: S, value: unknown) {
  return value === null || value === undefined ? schema.optional() : schema.default(value as never);
}

const initialInputForm: InputForm = async (state) => {
  const subscription = await fromSubscription(formDb(), String(state.subscription_id), ${T});
  ${fields.length ? `const block = subscription.${root.variable};\n  ` : ""}return formPage(
    {
${fields.join("\n")}
    },
    { title: subscription.description },
  )${pageChecks(model, "modify")};
};

const updateSubscription = step("Update subscription", async (state, ctx) => {
  ${updates.length ? `const input = state as unknown as ${T}ModifyInput;\n  ` : ""}const subscription = await fromSubscription(await ctx.db(), String(state.subscription_id), ${T});
  // TODO: change the ${comment(model.name)} in your systems
${updates.join("\n")}${updates.length ? "\n" : ""}  subscription.description = ${describe(model, "subscription.product.name", `subscription.${root.variable}`)};
  return { subscription };
});
${extra.code}
export const modify_${model.variable} = modifyWorkflow({ initialInputForm, description: ${str(`Modify ${model.name}`)}${extra.option} }, updateSubscription);
`;
}

function terminateFile(model: ProductModel, source: string): string {
  const T = model.type;
  const validators = model.workflows.terminate.validations.map((v) => v.id);
  const extra = additionalSteps(model, "terminate");
  return `${header(`Terminate a ${model.name} subscription.`, source)}
${importLine([...(extra.names.length ? ["begin"] : []), "formDb", "formPage", "fromSubscription", "label", "step", "terminateWorkflow", "type InputForm"], CORE_PACKAGE)}
${importLine([T], `../../products/product_types/${model.variable}.js`)}
${validators.length ? `${importLine(validators, "./shared.js")}\n` : ""}
const initialInputForm: InputForm = async (state) => {
  const subscription = await fromSubscription(formDb(), String(state.subscription_id), ${T});
  return formPage(
    { are_you_sure: label(\`Are you sure you want to terminate \${subscription.description}?\`) },
    { title: \`Terminate \${subscription.description}\` },
  )${pageChecks(model, "terminate")};
};

const deprovisionSubscription = step(${str(`Deprovision ${model.name}`)}, async (state, ctx) => {
  const subscription = await fromSubscription(await ctx.db(), String(state.subscription_id), ${T});
  // TODO: remove the ${comment(model.name)} from your systems
  return { deprovisioned: subscription.subscription_id };
});
${extra.code}
export const terminate_${model.variable} = terminateWorkflow({ initialInputForm, description: ${str(`Terminate ${model.name}`)}${extra.option} }, deprovisionSubscription);
`;
}

function validateFile(model: ProductModel, source: string): string {
  const T = model.type;
  const checks = model.workflows.validate.validations.map(
    (v) => `const ${v.id} = step(${str(humanize(v.description))}, async (state, ctx) => {
  const subscription = await fromSubscription(await ctx.db(), String(state.subscription_id), ${T});
  // TODO: ${comment(v.description)}; throw an error (e.g. ProcessFailureError) when it does not hold
  return { ${v.id}: { checked: subscription.subscription_id } };
});`,
  );
  const extra = additionalSteps(model, "validate");
  const chain = ["checkModel", ...model.workflows.validate.validations.map((v) => v.id), ...extra.names];
  return `${header(`Validate a ${model.name} subscription: its model loads and passes its checks${checks.length ? ", and the config's validations" : ""}.`, source)}
${importLine([...(chain.length > 1 ? ["begin"] : []), "fromSubscription", "step", "validateWorkflow"], CORE_PACKAGE)}
${importLine([T], `../../products/product_types/${model.variable}.js`)}

const checkModel = step("Check subscription model", async (state, ctx) => {
  const subscription = await fromSubscription(await ctx.db(), String(state.subscription_id), ${T});
  return { model_checked: subscription.subscription_id };
});
${checks.length ? `\n${checks.join("\n\n")}\n` : ""}${extra.code}
export const validate_${model.variable} = validateWorkflow(
  { description: ${str(`Validate ${model.name}`)} },
  ${chain.length > 1 ? `begin.chain(${chain.join(", ")})` : "checkModel"},
);
`;
}

/** The enabled workflows' files, shared.ts, and their registrations in workflows/index.ts. */
export function workflowFiles(model: ProductModel, source: string): GeneratedFile[] {
  const folder = `workflows/${model.variable}`;
  const render: Record<Kind, (m: ProductModel, s: string) => string> = { create: createFile, modify: modifyFile, terminate: terminateFile, validate: validateFile };
  const names = workflowNames(model);
  const registrations = names.map(({ name }) => `new LazyWorkflowInstance(${str(`workflows.${model.variable}.${name}`)}, ${str(name)});`).join("\n");
  return [
    { path: `${folder}/shared.ts`, content: sharedFile(model, source), mode: "create" },
    ...names.map(({ kind, name }) => ({ path: `${folder}/${name}.ts`, content: render[kind](model, source), mode: "create" as const })),
    {
      path: "workflows/index.ts",
      mode: "merge",
      content: (current) =>
        mergeSection(current ?? `/** The app's workflows, registered in code: each name maps to the module that defines it. */\n${importLine(["LazyWorkflowInstance"], CORE_PACKAGE)}\n`, model.variable, registrations, [
          importLine(["LazyWorkflowInstance"], CORE_PACKAGE),
        ]),
    },
  ];
}
