/**
 * `generate migration`: the two registration stages in the database, as revisions on the data branch — the products
 * (one per fixed input combination), their product blocks (dependencies first), resource types and block relations,
 * as orchestrator-core's new_product_migration.j2 creates them; then the product's workflows linked to its product
 * type (createWorkflow / deleteWorkflow, as `db migrate-workflows` writes them). Both undo with `db downgrade`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { OrchestratorError } from "../../errors.js";
import { CORE_PACKAGE, MigrationProject, renderRevision, DEFAULT_TEMPLATE, type NewRevision } from "../../migrations/index.js";
import { str } from "./code.js";
import type { ProductModel, ResourceFieldModel } from "./model.js";
import { workflowNames } from "./workflows.js";

const TARGETS = { create: "CREATE", modify: "MODIFY", terminate: "TERMINATE", validate: "VALIDATE" } as const;

function productsRevision(model: ProductModel, skip: ReadonlySet<string>): NewRevision {
  const blocks = model.blocks.filter((b) => !skip.has(b.dbName));
  const dbName = (type: string) => model.blocks.find((b) => b.type === type)?.dbName ?? model.existingBlocks.get(type)?.dbName ?? type;
  const products = model.variants.map((v) => {
    const fixed = Object.entries(v.fixedInputs).map(([k, value]) => `${k}: ${str(value)}`);
    return `    ${str(v.name)}: {
      product_id: randomUUID(),
      product_type: ${str(model.type)},
      description: ${str(model.description)},
      tag: ${str(model.tag)},
      status: "active",
      root_product_block: ${str(model.root.dbName)},
      fixed_inputs: { ${fixed.join(", ")} },
    },`;
  });
  const blockEntries = blocks.map((b) => {
    const resources = b.fields.filter((f): f is ResourceFieldModel => f.kind === "resource").map((f) => `${f.name}: ${str(f.description)}`);
    return `    ${str(b.dbName)}: {
      product_block_id: randomUUID(),
      description: ${str(b.description)},
      tag: ${str(b.tag)},
      status: "active",
      resources: { ${resources.join(", ")} },
      depends_on_block_relations: [${b.dependsOn.map((d) => str(dbName(d))).join(", ")}],
    },`;
  });
  const resourceTypes = [...new Set(blocks.flatMap((b) => b.fields.filter((f) => f.kind === "resource").map((f) => f.name)))].sort();
  const preamble = `const new_products: CreateSpec = {
  products: {
${products.join("\n")}
  },
  product_blocks: {
${blockEntries.join("\n")}
  },
};

/** Resource types of the new blocks; the downgrade deletes those no other block uses. */
const resource_types: string[] = [${resourceTypes.map(str).join(", ")}];`;
  return {
    message: `add ${model.name} products`,
    downRevisions: [],
    imports: ['import { randomUUID } from "node:crypto";', `import { create, deleteProduct, deleteProductBlock, sql, type CreateSpec } from "${CORE_PACKAGE}";`],
    preamble,
    upgradeBody: "  await create(conn, new_products);",
    downgradeBody: `  for (const name of Object.keys(new_products.products ?? {})) await deleteProduct(conn, name);
  for (const name of Object.keys(new_products.product_blocks ?? {}).reverse()) await deleteProductBlock(conn, name);
  for (const name of resource_types) {
    await sql\`
      DELETE FROM resource_types AS rt WHERE rt.resource_type = \${name}
        AND NOT EXISTS (SELECT 1 FROM product_block_resource_types AS x WHERE x.resource_type_id = rt.resource_type_id)\`.execute(conn);
  }`,
  };
}

function workflowsRevision(model: ProductModel): NewRevision {
  const records = workflowNames(model).map(
    ({ kind, name }) =>
      `  { name: ${str(name)}, target: Target.${TARGETS[kind]}, description: ${str(`${kind.charAt(0).toUpperCase()}${kind.slice(1)} ${model.name}`)}, product_type: ${str(model.type)}${kind === "validate" ? ", is_task: true" : ""} },`,
  );
  return {
    message: `add ${model.name} workflows`,
    downRevisions: [],
    imports: [`import { createWorkflow, deleteWorkflow, Target, type WorkflowRecord } from "${CORE_PACKAGE}";`],
    preamble: `const new_workflows: WorkflowRecord[] = [\n${records.join("\n")}\n];`,
    upgradeBody: "  for (const workflow of new_workflows) await createWorkflow(conn, workflow);",
    downgradeBody: "  for (const workflow of new_workflows) await deleteWorkflow(conn, workflow.name);",
  };
}

interface RevisionFile {
  /** Relative to the app, e.g. migrations/versions/schema/2026-12-01_…_add_node_products.ts. */
  path: string;
  text: string;
}

/** The app's revision files, read once per run. */
function readRevisions(appRoot: string): RevisionFile[] {
  const folder = new MigrationProject(appRoot).versionsFolder;
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => ({ path: `migrations/versions/schema/${f}`, text: readFileSync(join(folder, f), "utf8") }));
}

/** The revisions whose message is one of `messages` (the first line of their header comment). */
function revisionsWithMessage(revisions: readonly RevisionFile[], messages: readonly string[]): string[] {
  return revisions.filter((r) => messages.some((m) => r.text.startsWith(`/**\n * ${m}.\n`))).map((r) => r.path);
}

/**
 * Of the block names, those an app revision creates already: in a generated products revision (`"<name>": {` with
 * a product_block_id) or in an INSERT INTO product_blocks (as `db migrate-domain-models` writes them).
 */
function blocksCreatedBy(revisions: readonly RevisionFile[], names: readonly string[]): Set<string> {
  const text = revisions.map((r) => r.text).join("\n");
  return new Set(
    names.filter((name) => {
      const generated = `${JSON.stringify(name)}: {\n      product_block_id:`;
      const inserted = new RegExp(`INSERT INTO product_blocks \\(name[^)]*\\) VALUES \\('${name.replace(/'/g, "''").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}'`);
      return text.includes(generated) || inserted.test(text);
    }),
  );
}

export interface MigrationOptions {
  appRoot: string;
  dryrun: boolean;
  skipExistingBlocks: boolean;
  /** When the product's revisions exist already: stop with an error (`generate migration`) or say so and skip (`all`). */
  ifExists: "error" | "skip";
  out: (line: string) => void;
}

/**
 * Write the products and workflows revisions on top of data@head (creating the data branch first when there is
 * none), or print them with `dryrun`. Returns the files written.
 */
export async function generateMigration(model: ProductModel, options: MigrationOptions): Promise<string[]> {
  const existingRevisions = readRevisions(options.appRoot);
  const skip = options.skipExistingBlocks ? blocksCreatedBy(existingRevisions, model.blocks.map((b) => b.dbName)) : new Set<string>();
  for (const name of skip) options.out(`product block ${name} is created by an earlier revision: left out`);
  const revisions = [productsRevision(model, skip), workflowsRevision(model)];
  // a second "add <name> products" would insert the products again, and fail on upgrade
  const existing = revisionsWithMessage(existingRevisions, revisions.map((r) => r.message));
  if (existing.length > 0) {
    const why = `the migrations of ${model.name} exist already (${existing.join(", ")}); to write them anew, undo them with db downgrade and delete those files`;
    if (options.ifExists === "error") throw new OrchestratorError("generate_exists", `Not writing migrations: ${why}`);
    options.out(`migrations not written: ${why}`);
    return [];
  }
  if (options.dryrun) {
    for (const rev of revisions) {
      options.out(`// migrations/versions/schema/<date>_<id>_${rev.message.replace(/\W+/g, "_")}.ts`);
      options.out(renderRevision({ ...rev, revision: "<revision>", downRevisions: ["<data head>"] }, DEFAULT_TEMPLATE, CORE_PACKAGE).trimEnd());
      options.out("");
    }
    return [];
  }
  const project = new MigrationProject(options.appRoot);
  const written: string[] = [];
  for (const rev of revisions) {
    const { imports, preamble, upgradeBody, downgradeBody } = rev;
    const files = await project.revision({ message: rev.message, body: { imports, preamble, upgradeBody, downgradeBody } });
    for (const file of files) {
      options.out(`wrote ${project.rel(file.path)}`);
      written.push(file.path);
    }
  }
  return written;
}
